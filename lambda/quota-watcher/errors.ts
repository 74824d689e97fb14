/**
 * Errors of the quota watcher. None carries an API key value or a key of GetUsage's usage map (which the SDK model
 * describes as key values): only ids the configuration already names, counts and rules.
 */

/** The configuration the construct wrote is not valid: the function fails at init. */
export class QuotaWatcherConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaWatcherConfigError';
  }
}

/** GetUsage answered something the watcher cannot read as one key's daily `[used, remaining]` entries. */
export class UsageResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageResponseError';
  }
}

/** Some clients' usage could not be read or published: the invocation fails, so the function's Errors metric counts it. */
export class QuotaWatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaWatchError';
  }
}
