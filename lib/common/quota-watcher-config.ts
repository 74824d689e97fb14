/**
 * The contract between the QuotaWatcher construct and the quota-watcher Lambda: the configuration the construct
 * writes into the function's environment, the metric and dimension names both sides must agree on, and the rules for
 * a quota's period and offset.
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 */

/** Name of the environment variable that holds the JSON-encoded {@link QuotaWatcherConfig}. */
export const QUOTA_WATCHER_CONFIG_ENV = 'SECURE_API_QUOTA_WATCHER_CONFIG';

/** Name of the environment variable Powertools Metrics reads the metric namespace from. */
export const METRICS_NAMESPACE_ENV = 'POWERTOOLS_METRICS_NAMESPACE';

/** The period of a usage plan's quota, as API Gateway names it. */
export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

/** The periods API Gateway knows. @see https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html */
export const QUOTA_PERIODS: readonly QuotaPeriod[] = ['DAY', 'WEEK', 'MONTH'];

/**
 * Largest `offset` the watcher accepts for each period. The offset is read as the day the period starts, as the API
 * Gateway SDK models documented it ("The day that a time period starts. For example, with a time period of WEEK, an
 * offset of 0 starts on Sunday, and an offset of 1 starts on Monday"): a weekday for WEEK (0 Sunday … 6 Saturday), a
 * day of the month counted from the 1st for MONTH (0 … 27, so that every month has it), none for DAY.
 * The current API and CloudFormation references describe the offset instead as "the number of requests subtracted
 * from the given limit in the initial time period"; the two readings agree on an offset of 0, which is what SecureApi
 * deploys.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-usageplan-quotasettings.html
 */
export const MAX_QUOTA_OFFSET: Readonly<Record<QuotaPeriod, number>> = { DAY: 0, WEEK: 6, MONTH: 27 };

/**
 * Names of watched plans and clients: they become metric dimension values and log fields. The same rule as SecureApi's
 * plan and client names.
 */
export const WATCHED_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** One client of a watched plan: its name (the `Client` dimension) and its API key's id (never its value). */
export interface WatchedClientConfig {
  readonly name: string;
  readonly keyId: string;
}

/** One watched usage plan and its quota. */
export interface WatchedPlanConfig {
  /** The plan's name: the `UsagePlan` dimension. */
  readonly name: string;
  /** The usage plan's id in API Gateway. */
  readonly usagePlanId: string;
  /** Requests each key may make per period. */
  readonly limit: number;
  readonly period: QuotaPeriod;
  /** See {@link MAX_QUOTA_OFFSET}. */
  readonly offset: number;
  readonly clients: readonly WatchedClientConfig[];
}

/** What the construct hands the quota-watcher Lambda. Small and without secrets: key ids are not key values. */
export interface QuotaWatcherConfig {
  readonly plans: readonly WatchedPlanConfig[];
}

/**
 * Names of the metrics the watcher publishes.
 * - `QuotaUsedPercent` with dimensions `UsagePlan` and `Client`: the share of the plan's quota the client's key used
 *   in the current period, 0–100 (more once a key went over, since API Gateway's quota is a target).
 * - `QuotaUsedPercent` with the dimension `UsagePlan` alone: the highest of its clients' values.
 * - `QuotaUsed` with dimensions `UsagePlan` and `Client`: the requests the key made in the current period.
 */
export const QUOTA_METRIC = {
  usedPercent: 'QuotaUsedPercent',
  used: 'QuotaUsed',
} as const;

/** Names of the metrics' dimensions. */
export const QUOTA_DIMENSION = {
  plan: 'UsagePlan',
  client: 'Client',
} as const;
