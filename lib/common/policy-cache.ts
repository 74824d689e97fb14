/**
 * A bounded cache of execute-api policies for one route table.
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 */
import { buildPolicy, PolicyDocument, stageArnPrefix } from './execute-api-policy';
import { claimValue } from './access-rules';
import { accessRulesOf, ClaimRef, describeValue, RouteEntry, RouteTableError } from './route-model';

/** Options of {@link createPolicyCache}. */
export interface PolicyCacheOptions {
  /**
   * Most policies held; beyond it the least recently used one is dropped.
   * @default 256
   */
  readonly maxEntries?: number;
}

/** {@link buildPolicy} over one route table, memoized per stage prefix and the claims that table reads. */
export interface PolicyCache {
  /**
   * The same policy and allowed routes as `buildPolicy(routes, claims, methodArn)`. A result may be shared with other
   * calls, so it is frozen.
   * @throws RouteTableError when the method ARN is malformed.
   */
  policyFor(claims: Record<string, unknown>, methodArn: string): { policy: PolicyDocument; allowed: RouteEntry[] };
  /** Policies held. */
  readonly size: number;
}

/** Longest cache key kept, in characters: larger claim values are answered without caching. */
const MAX_POLICY_KEY_LENGTH = 8192;

function isKeyScalar(value: unknown): boolean {
  // Finite numbers only: JSON writes NaN and ±Infinity as null, which would merge them with a null claim.
  return typeof value === 'string' || typeof value === 'boolean' || value === null
    || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Creates a bounded LRU cache in front of {@link buildPolicy} for one route table. A policy depends only on the table,
 * the stage prefix of the method ARN and the values of the claims the table reads (`scope`, `scp` and every claim or
 * nested claim a condition names), so the key is exactly those: the subject and every other claim are left out, and tokens that
 * carry the same scopes and conditioned claims share one entry. A claim value is part of the key as JSON, which
 * tells every JSON scalar and array of scalars apart (`"1"` from `1`, a missing claim from `null`); a claim of any
 * other shape (an object, say) or a key over 8 KiB is answered by `buildPolicy` without caching.
 * @param routes the route table; it must not change afterwards.
 */
export function createPolicyCache(routes: RouteEntry[], options: PolicyCacheOptions = {}): PolicyCache {
  const maxEntries = options.maxEntries ?? 256;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RouteTableError(`PolicyCache: 'maxEntries' must be a positive integer (got ${describeValue(maxEntries)})`);
  }
  const conditioned = routes.flatMap((route) => (route.public ? [] : accessRulesOf(route)))
    .flatMap((rule) => (rule.claims ?? []).map((c) => c.claim));
  // Deduplicated by their JSON form, which tells the top-level name 'a.b' from the path ['a', 'b'].
  const claimRefs: ClaimRef[] = [...new Map<string, ClaimRef>(['scope', 'scp', ...conditioned]
    .map((claim) => [JSON.stringify(claim), claim])).values()];
  const entries = new Map<string, { policy: PolicyDocument; allowed: RouteEntry[] }>();

  function keyOf(prefix: string, claims: Record<string, unknown>): string | undefined {
    const parts: unknown[] = [prefix];
    for (const claim of claimRefs) {
      const value = claimValue(claims, claim);
      if (value === undefined) {
        parts.push(0);
        continue;
      }
      if (!(isKeyScalar(value) || (Array.isArray(value) && value.every(isKeyScalar)))) return undefined;
      // Wrapped, so that a present claim never looks like the 0 of a missing one.
      parts.push([value]);
    }
    const key = JSON.stringify(parts);
    return key.length <= MAX_POLICY_KEY_LENGTH ? key : undefined;
  }

  return {
    policyFor(claims, methodArn) {
      const key = keyOf(stageArnPrefix(methodArn), claims);
      if (key === undefined) return buildPolicy(routes, claims, methodArn);
      const hit = entries.get(key);
      if (hit !== undefined) {
        // Most recently used last.
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const entry = buildPolicy(routes, claims, methodArn);
      for (const statement of entry.policy.Statement) {
        Object.freeze(statement.Resource);
        Object.freeze(statement);
      }
      Object.freeze(entry.policy.Statement);
      Object.freeze(entry.policy);
      Object.freeze(entry.allowed);
      Object.freeze(entry);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, entry);
      return entry;
    },
    get size() {
      return entries.size;
    },
  };
}
