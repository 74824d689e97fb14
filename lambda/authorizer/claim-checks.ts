/**
 * Checks on a verified payload that aws-jwt-verify does not make: it validates `exp` and `nbf` only when present,
 * and ignores `iat` and `sub`; and the principal the token names.
 */
import { claimValue } from '../../lib/common/access-rules';
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
 * Requires a numeric `exp`; rejects an `iat` in the future (beyond the skew); when a lifetime
 * cap is set, requires `iat` and `exp - iat` within the cap. (`exp` in the past and `nbf` in the future are already
 * rejected by aws-jwt-verify, with the same skew.)
 * @throws UnauthorizedError with the reason of the first failed check.
 */
export function checkClaims(payload: Record<string, unknown>, options: ClaimCheckOptions): void {
  const { exp, iat } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new UnauthorizedError('missing_exp');
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) throw new UnauthorizedError('missing_iat');
  if (typeof iat === 'number' && iat > options.nowSeconds + options.clockSkewSeconds) {
    throw new UnauthorizedError('iat_in_future');
  }
  if (options.maxTokenLifetimeSeconds !== undefined) {
    if (typeof iat !== 'number') throw new UnauthorizedError('missing_iat');
    if (exp - iat > options.maxTokenLifetimeSeconds) throw new UnauthorizedError('lifetime_exceeded');
  }
}

/** The caller a token names: which claim, and its value. */
export interface Principal {
  /** The claim the principal was read from, e.g. `sub`. */
  readonly claim: string;
  /** The claim's value. */
  readonly value: string;
}

/** The claims a principal is read from when the configuration names none. */
export const DEFAULT_PRINCIPAL_CLAIMS: readonly string[] = Object.freeze(['sub']);

/**
 * The principal: the first of `principalClaims` that the payload carries as a non-empty string (an own member).
 * @throws UnauthorizedError `missing_principal` when it carries none.
 */
export function principalOf(payload: Record<string, unknown>, principalClaims: readonly string[]): Principal {
  for (const claim of principalClaims) {
    const value = claimValue(payload, claim);
    if (typeof value === 'string' && value.length > 0) return { claim, value };
  }
  throw new UnauthorizedError('missing_principal');
}
