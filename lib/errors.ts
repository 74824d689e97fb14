/**
 * Thrown at synth time when a SecureApi prop is invalid.
 *
 * Messages name the construct, the prop, the rule and the offending value, e.g.
 * `SecureApi: 'waf.ipRateLimit' must be at least 10 (got 5)`.
 */
export class SecureApiConfigError extends Error {
  constructor(message: string) {
    super(`SecureApi: ${message}`);
    this.name = 'SecureApiConfigError';
  }
}
