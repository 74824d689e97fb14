/**
 * Checks on a verified payload that aws-jwt-verify does not make: it validates `exp` and `nbf` only when present,
 * and ignores `iat` and `sub`.
 */
import { UnauthorizedError } from './errors';

/** Options of {@link checkClaims}. */
export interface ClaimCheckOptions {
  /** Clock skew tolerated on `iat`, in seconds. */
  readonly clockSkewSeconds: number;
  /** Largest accepted `exp - iat`, in seconds; undefined = no cap. */
  readonly maxTokenLifetimeSeconds?: number;
  /** The current time, in seconds since the epoch. */
  readonly nowSeconds: number;
}

/**
 * Requires a numeric `exp` and a non-empty `sub`; rejects an `iat` in the future (beyond the skew); when a lifetime
 * cap is set, requires `iat` and `exp - iat` within the cap. (`exp` in the past and `nbf` in the future are already
 * rejected by aws-jwt-verify, with the same skew.)
 * @throws UnauthorizedError with the reason of the first failed check.
 */
export function checkClaims(payload: Record<string, unknown>, options: ClaimCheckOptions): void {
  const { exp, iat, sub } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new UnauthorizedError('missing_exp');
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) throw new UnauthorizedError('missing_iat');
  if (typeof iat === 'number' && iat > options.nowSeconds + options.clockSkewSeconds) {
    throw new UnauthorizedError('iat_in_future');
  }
  if (options.maxTokenLifetimeSeconds !== undefined) {
    if (typeof iat !== 'number') throw new UnauthorizedError('missing_iat');
    if (exp - iat > options.maxTokenLifetimeSeconds) throw new UnauthorizedError('lifetime_exceeded');
  }
  if (typeof sub !== 'string' || sub.length === 0) throw new UnauthorizedError('missing_sub');
}
