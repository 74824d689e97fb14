/**
 * Access rules: whether a verified token's scopes and claims satisfy a route's rule.
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 */
import { accessRulesOf } from './route-model';
import type { AccessRule, ClaimCondition, ClaimRef, RouteAccess } from './route-model';

/**
 * The scopes a token carries: the space-delimited `scope` claim (RFC 6749, RFC 8693) and the `scp` claim (an array
 * or a space-delimited string, as Okta and Microsoft Entra ID issue it), de-duplicated in first-seen order.
 */
export function tokenScopes(claims: Record<string, unknown>): string[] {
  const scopes = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const scope of value.split(' ')) if (scope !== '') scopes.add(scope);
    } else if (Array.isArray(value)) {
      for (const scope of value) if (typeof scope === 'string' && scope !== '' && !scope.includes(' ')) scopes.add(scope);
    }
  };
  add(ownClaim(claims, 'scope'));
  add(ownClaim(claims, 'scp'));
  return [...scopes];
}

/** Reads an own property only: a claim named `constructor` or `__proto__` must not reach Object.prototype. */
function ownClaim(claims: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(claims, name) ? claims[name] : undefined;
}

/**
 * The value of a claim: a top-level claim by its verbatim name, or a nested one by its path, each step an own
 * member of a JSON object (never of an array, never inherited). Undefined when any step is missing.
 */
export function claimValue(claims: Record<string, unknown>, claim: ClaimRef): unknown {
  if (!Array.isArray(claim)) return ownClaim(claims, claim);
  let value: unknown = claims;
  for (const name of claim) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = ownClaim(value as Record<string, unknown>, name);
  }
  return value;
}

function conditionHolds(condition: ClaimCondition, claims: Record<string, unknown>): boolean {
  const value = claimValue(claims, condition.claim);
  if (condition.equals !== undefined) return value === condition.equals;
  if (condition.oneOf !== undefined) {
    return (typeof value === 'string' || typeof value === 'number') && condition.oneOf.includes(value);
  }
  if (condition.includes !== undefined) {
    if (Array.isArray(value)) return value.includes(condition.includes);
    if (typeof value === 'string') return value.split(' ').includes(condition.includes);
    return false;
  }
  // A condition without an operator never holds: deny by default.
  return false;
}

/** Which part of one rule the claims fail, or undefined when the rule holds. An empty rule never holds. */
function unmetRule(rule: AccessRule, claims: Record<string, unknown>, held: () => ReadonlySet<string>):
'scopes' | 'claims' | undefined {
  const required = rule.scopes ?? [];
  const conditions = rule.claims ?? [];
  if (required.length === 0 && conditions.length === 0) return 'scopes';
  if (required.length > 0) {
    const scopes = held();
    const ok = rule.scopeMatch === 'any' ? required.some((s) => scopes.has(s)) : required.every((s) => scopes.has(s));
    if (!ok) return 'scopes';
  }
  if (!conditions.every((condition) => conditionHolds(condition, claims))) return 'claims';
  return undefined;
}

/** The set of scopes a token carries ({@link tokenScopes}), for many rule checks of one token. */
export function heldScopes(claims: Record<string, unknown>): ReadonlySet<string> {
  return new Set(tokenScopes(claims));
}

/**
 * Which part of a route's rule the claims fail: `scopes`, `claims`, or undefined when the rule is satisfied. With
 * alternatives (`anyOf`), the route is satisfied when one alternative is; otherwise the answer is `claims` when some
 * alternative failed only on its claims (the token had the scopes), else `scopes`. A rule with neither scopes nor
 * claims that is not public is never satisfied.
 */
export function unmetRequirement(access: RouteAccess, claims: Record<string, unknown>, scopeSet?: ReadonlySet<string>):
'scopes' | 'claims' | undefined {
  if (access.public === true) return undefined;
  let scopes: ReadonlySet<string> | undefined = scopeSet;
  const held = () => (scopes ??= heldScopes(claims));
  let unmet: 'scopes' | 'claims' = 'scopes';
  for (const rule of accessRulesOf(access)) {
    const result = unmetRule(rule, claims, held);
    if (result === undefined) return undefined;
    if (result === 'claims') unmet = 'claims';
  }
  return unmet;
}

/**
 * True when the route is public, or the token's scopes (per `scopeMatch`) and every claim condition of one rule hold.
 * @param scopes the token's scopes when already known ({@link heldScopes}).
 */
export function satisfies(access: RouteAccess, claims: Record<string, unknown>, scopes?: ReadonlySet<string>): boolean {
  return unmetRequirement(access, claims, scopes) === undefined;
}
