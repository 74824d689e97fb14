/**
 * Errors of the authorizer and their reason codes. The factory in `authorizer.ts` maps them to API Gateway answers in
 * one place: {@link UnauthorizedError} → 401, {@link AuthorizerUnavailableError} and anything unexpected → 500.
 * Deny decisions (403) are not errors: they are policies.
 */

/** Why a request is answered 401: the token is missing, malformed, not trusted or not (or no longer) valid. */
export type UnauthorizedReason =
  | 'missing_token'
  | 'invalid_scheme'
  | 'token_too_large'
  | 'malformed_token'
  | 'malformed_header'
  | 'malformed_payload'
  | 'alg_not_allowed'
  | 'embedded_key_header'
  | 'crit_header'
  | 'b64_header'
  | 'unsupported_header'
  | 'missing_kid'
  | 'unknown_issuer'
  | 'unknown_kid'
  | 'invalid_jwk'
  | 'invalid_signature'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'invalid_token_use'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'missing_exp'
  | 'missing_iat'
  | 'iat_in_future'
  | 'lifetime_exceeded'
  | 'missing_principal';

/** Why a verified token gets a deny policy (403). */
export type DenyReason =
  | 'insufficient_scope'
  | 'claim_mismatch'
  | 'unknown_route'
  | 'route_shadowed'
  | 'missing_tenant'
  | 'unknown_client';

/** Why the authorizer could not decide (500): a dependency failed or the authorizer is broken. */
export type ErrorReason = 'jwks_unavailable' | 'api_key_unavailable' | 'internal_error';

/** A request that must be answered 401; `reason` is logged, never returned to the caller. */
export class UnauthorizedError extends Error {
  constructor(public readonly reason: UnauthorizedReason, message: string = reason) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** The authorizer could not reach a dependency (JWKS, API Gateway's API key) or failed internally: answered 500. */
export class AuthorizerUnavailableError extends Error {
  constructor(public readonly reason: ErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthorizerUnavailableError';
  }
}

/** The authorizer's configuration is invalid; the message names the setting, the rule and the value. */
export class AuthorizerConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthorizerConfigError';
  }
}
