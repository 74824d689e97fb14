/**
 * Access rules: whether a verified token's scopes and claims satisfy a route's rule.
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 */
import type { ClaimCondition, RouteAccess } from './route-model';

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

function conditionHolds(condition: ClaimCondition, claims: Record<string, unknown>): boolean {
  const value = ownClaim(claims, condition.claim);
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

/**
 * Which part of a route's rule the claims fail: `scopes`, `claims`, or undefined when the rule is satisfied.
 * A rule with neither scopes nor claims that is not public is never satisfied.
 */
export function unmetRequirement(access: RouteAccess, claims: Record<string, unknown>): 'scopes' | 'claims' | undefined {
  if (access.public === true) return undefined;
  const required = access.scopes ?? [];
  const conditions = access.claims ?? [];
  if (required.length === 0 && conditions.length === 0) return 'scopes';
  if (required.length > 0) {
    const held = new Set(tokenScopes(claims));
    const ok = access.scopeMatch === 'any' ? required.some((s) => held.has(s)) : required.every((s) => held.has(s));
    if (!ok) return 'scopes';
  }
  if (!conditions.every((condition) => conditionHolds(condition, claims))) return 'claims';
  return undefined;
}

/** True when the route is public, or the token's scopes (per `scopeMatch`) and every claim condition hold. */
export function satisfies(access: RouteAccess, claims: Record<string, unknown>): boolean {
  return unmetRequirement(access, claims) === undefined;
}
