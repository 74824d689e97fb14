/**
 * Errors of the authorizer and their reason codes. The factory in `authorizer.ts` maps them to API Gateway answers in
 * one place: {@link UnauthorizedError} → 401, {@link AuthorizerUnavailableError} and anything unexpected → 500.
 * Deny decisions (403) are not errors: they are policies.
 */

import type { DenyReason, ErrorReason, UnauthorizedReason } from '../../lib/common/decision-reasons';

/** The reason codes, one list shared with the construct's metric filters and alarms. */
export type { DenyReason, ErrorReason, UnauthorizedReason };

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
