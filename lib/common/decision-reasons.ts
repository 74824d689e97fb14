/**
 * The authorizer's decision log vocabulary: the decisions, the reason codes and the log messages. The authorizer
 * writes them (lambda/authorizer) and the construct's metric filters, alarms and runbook read them, so both import
 * this one list. CDK-free.
 */

/** The message of the log line of every decision: allow, deny or unauthorized. */
export const DECISION_LOG_MESSAGE = 'authorization decision';

/** The message of the log line of a failed authorization (decision `error`, answered 500). */
export const FAILURE_LOG_MESSAGE = 'authorization failed';

/** Why a request is answered 401: the token is missing, malformed, not trusted or not (or no longer) valid. */
export const UNAUTHORIZED_REASONS = [
  'missing_token',
  'invalid_scheme',
  'token_too_large',
  'malformed_token',
  'malformed_header',
  'malformed_payload',
  'alg_not_allowed',
  'embedded_key_header',
  'crit_header',
  'b64_header',
  'unsupported_header',
  'missing_kid',
  'unknown_issuer',
  'unknown_kid',
  'invalid_jwk',
  'invalid_signature',
  'invalid_issuer',
  'invalid_audience',
  'invalid_token_use',
  'token_expired',
  'token_not_yet_valid',
  'missing_exp',
  'missing_iat',
  'iat_in_future',
  'lifetime_exceeded',
  'missing_principal',
] as const;

/** Why a verified token gets a deny policy (403). */
export const DENY_REASONS = [
  'insufficient_scope',
  'claim_mismatch',
  'unknown_route',
  'route_shadowed',
  'missing_tenant',
  'unknown_client',
] as const;

/** Why the authorizer could not decide (500): a dependency failed or the authorizer is broken. */
export const ERROR_REASONS = ['jwks_unavailable', 'api_key_unavailable', 'internal_error'] as const;

/** A reason of a 401. */
export type UnauthorizedReason = typeof UNAUTHORIZED_REASONS[number];
/** A reason of a 403. */
export type DenyReason = typeof DENY_REASONS[number];
/** A reason of a 500. */
export type ErrorReason = typeof ERROR_REASONS[number];

/** The outcomes of an authorization, as logged in the `decision` field. */
export const DECISIONS = ['allow', 'deny', 'unauthorized', 'error'] as const;

/** The outcome of one authorization, as logged in the `decision` field. */
export type Decision = typeof DECISIONS[number];

/** Every decision with its reasons, as logged in the `decision` and `reason` fields. */
export const DECISION_REASONS: { readonly [D in Decision]: readonly string[] } = {
  allow: ['authorized'],
  deny: DENY_REASONS,
  unauthorized: UNAUTHORIZED_REASONS,
  error: ERROR_REASONS,
};
