import * as fc from 'fast-check';
import { buildPolicy } from '../../lib/common/execute-api-policy';
import { createPolicyCache } from '../../lib/common/policy-cache';
import { parseRouteKey, RouteEntry, RouteTableError } from '../../lib/common/route-model';
import { arn, claimsArb, METHOD_ARN, PREFIX, route, tableArb } from './fixtures';

describe('createPolicyCache', () => {
  const routes = [
    route('GET /items', { scopes: ['items:read'] }),
    route('GET /items/{id}', { scopes: ['items:read'] }),
    route('GET /items/{id}/admin', { scopes: ['items:admin'] }),
    route('DELETE /items/{id}', { scopes: ['items:write'], claims: [{ claim: 'groups', includes: 'admins' }] }),
    route('GET /tenants/{id}', { claims: [{ claim: 'tenant', oneOf: ['t1', 1] }] }),
    route('GET /health', { public: true }),
  ];
  const OTHER_STAGE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/test/GET/items/1';

  test('answers exactly what buildPolicy answers, on a miss and on a hit', () => {
    const cache = createPolicyCache(routes);
    const claims = { sub: 'u1', scope: 'items:read items:write', groups: ['admins'] };
    const expected = buildPolicy(routes, claims, METHOD_ARN);
    for (let i = 0; i < 2; i++) {
      const answer = cache.policyFor(claims, METHOD_ARN);
      expect(JSON.stringify(answer.policy)).toBe(JSON.stringify(expected.policy));
      expect(answer.allowed).toEqual(expected.allowed);
      answer.allowed.forEach((entry, j) => expect(entry).toBe(expected.allowed[j]));
    }
    expect(cache.size).toBe(1);
  });

  test('shares one entry between tokens that differ only in claims no rule reads', () => {
    const cache = createPolicyCache(routes);
    const first = cache.policyFor({ sub: 'u1', scope: 'items:read', iat: 1 }, METHOD_ARN);
    const second = cache.policyFor({ sub: 'u2', scope: 'items:read', iat: 2, other: { x: 1 } }, `${PREFIX}GET/items`);
    expect(second).toBe(first);
    expect(cache.size).toBe(1);
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['different scopes', { scope: 'items:read' }, { scope: 'items:admin' }],
    ['scope against scp', { scope: 'items:read' }, { scp: 'items:read' }],
    ['a string against a number', { tenant: '1' }, { tenant: 1 }],
    ['a missing claim against null', {}, { tenant: null }],
    ['a string against an array', { groups: 'admins' }, { groups: ['admins'] }],
    ['a string against a boolean', { tenant: 'true' }, { tenant: true }],
  ])('never shares an entry between %s', (_, a, b) => {
    const cache = createPolicyCache(routes);
    cache.policyFor(a, METHOD_ARN);
    cache.policyFor(b, METHOD_ARN);
    expect(cache.size).toBe(2);
  });

  test('never shares an entry between stages', () => {
    const cache = createPolicyCache(routes);
    const claims = { scope: 'items:read' };
    expect(cache.policyFor(claims, OTHER_STAGE).policy).toEqual(buildPolicy(routes, claims, OTHER_STAGE).policy);
    expect(cache.policyFor(claims, METHOD_ARN).policy).toEqual(buildPolicy(routes, claims, METHOD_ARN).policy);
    expect(cache.size).toBe(2);
  });

  test('answers claims of other shapes without caching them', () => {
    const cache = createPolicyCache(routes);
    for (const tenant of [{ id: 't1' }, [['t1']], [{}], Number.NaN, Infinity]) {
      const claims = { scope: 'items:read', tenant };
      expect(cache.policyFor(claims, METHOD_ARN)).toEqual(buildPolicy(routes, claims, METHOD_ARN));
    }
    expect(cache.size).toBe(0);
  });

  test('is bounded, dropping the least recently used entry', () => {
    const cache = createPolicyCache(routes, { maxEntries: 3 });
    const kept = cache.policyFor({ tenant: 'kept' }, METHOD_ARN);
    for (let i = 0; i < 10; i++) {
      cache.policyFor({ tenant: `t-${i}` }, METHOD_ARN);
      // Used again after every insertion, so it is never the least recently used one.
      expect(cache.policyFor({ tenant: 'kept' }, METHOD_ARN)).toBe(kept);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.size).toBe(3);
    const evicted = cache.policyFor({ tenant: 't-0' }, METHOD_ARN);
    expect(evicted).toEqual(buildPolicy(routes, { tenant: 't-0' }, METHOD_ARN));
    expect(cache.size).toBe(3);
  });

  test('freezes what it shares, so no caller can change the answer of another', () => {
    const { policy, allowed } = createPolicyCache(routes).policyFor({ scope: 'items:read' }, METHOD_ARN);
    expect(Object.isFrozen(policy) && Object.isFrozen(policy.Statement) && Object.isFrozen(allowed)).toBe(true);
    expect(policy.Statement.every((s) => Object.isFrozen(s) && Object.isFrozen(s.Resource))).toBe(true);
    expect(() => policy.Statement[0].Resource.push('*')).toThrow(TypeError);
  });

  test('rejects a malformed method ARN and an invalid size', () => {
    expect(() => createPolicyCache(routes).policyFor({}, 'arn:aws:execute-api:bad')).toThrow(RouteTableError);
    expect(() => createPolicyCache(routes, { maxEntries: 0 })).toThrow("PolicyCache: 'maxEntries' must be a positive integer (got 0)");
  });

  test('answers like buildPolicy for any table and any sequence of claims', () => {
    fc.assert(fc.property(tableArb, fc.array(claimsArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }),
      (table, claimsList, maxEntries) => {
        const cache = createPolicyCache(table, { maxEntries });
        for (const claims of [...claimsList, ...claimsList]) {
          const answer = cache.policyFor(claims, METHOD_ARN);
          const expected = buildPolicy(table, claims, METHOD_ARN);
          expect(JSON.stringify(answer.policy)).toBe(JSON.stringify(expected.policy));
          expect(answer.allowed).toEqual(expected.allowed);
          expect(cache.size).toBeLessThanOrEqual(maxEntries);
        }
      }), { numRuns: 500 });
  });
});
