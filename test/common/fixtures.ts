/**
 * Shared by the tests of the shared modules: a stage prefix, route and ARN helpers, and fast-check arbitraries of
 * route tables and token claims.
 */
import * as fc from 'fast-check';
import { ClaimCondition, HttpMethod, parseRouteKey, RouteEntry, routeResourcePattern } from '../../lib/common/route-model';

export const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/';
export const METHOD_ARN = `${PREFIX}GET/items/1`;

/** A route entry from a route key and its access rule. */
export function route(key: string, access: Omit<RouteEntry, 'method' | 'path'>): RouteEntry {
  return { ...parseRouteKey(key), ...access };
}

/** The ARN of a concrete request to `key`, e.g. `GET /items/1`. */
export function arn(key: string): string {
  const { method, path } = { method: key.split(' ')[0], path: key.split(' ')[1] };
  return `${PREFIX}${method}${path}`;
}

export const SCOPES = ['read', 'write', 'admin'];
const PARAM = Symbol('param');
const segmentArb = fc.oneof(fc.constantFrom('a', 'b', 'items', 'admin'), fc.constant(PARAM));
const conditionArb: fc.Arbitrary<ClaimCondition> = fc.oneof(
  fc.record({ claim: fc.constantFrom('tenant', 'level'), equals: fc.constantFrom<string | number | boolean>('t1', 't2', 1, true) }),
  fc.record({ claim: fc.constantFrom('tenant', 'level'), oneOf: fc.subarray<string | number>(['t1', 't2', 1], { minLength: 1 }) }),
  fc.record({ claim: fc.constantFrom('groups'), includes: fc.constantFrom('g1', 'g2') }),
);
const accessArb = fc.oneof(
  fc.constant({ public: true }),
  fc.record({ scopes: fc.subarray(SCOPES, { minLength: 1 }), scopeMatch: fc.constantFrom<'all' | 'any'>('all', 'any') }),
  fc.record({ claims: fc.array(conditionArb, { minLength: 1, maxLength: 2 }) }),
  fc.record({ scopes: fc.subarray(SCOPES, { minLength: 1 }), claims: fc.array(conditionArb, { minLength: 1, maxLength: 2 }) }),
);
const routeArb: fc.Arbitrary<RouteEntry> = fc.record({
  method: fc.constantFrom<HttpMethod>('GET', 'POST', 'DELETE'),
  segments: fc.array(segmentArb, { maxLength: 4 }),
  access: accessArb,
}).map(({ method, segments, access }) => ({
  method,
  // Name parameters by depth so that sibling parameters agree, as API Gateway requires.
  path: '/' + segments.map((s, depth) => (s === PARAM ? `{p${depth}}` : s)).join('/'),
  ...access,
}));
export const tableArb = fc.uniqueArray(routeArb, { maxLength: 8, selector: routeResourcePattern });
export const claimsArb = fc.record({
  scope: fc.subarray(SCOPES).map((s) => s.join(' ')),
  scp: fc.subarray(SCOPES),
  tenant: fc.constantFrom<unknown>('t1', 't2', 1, true, ['t1']),
  level: fc.constantFrom<unknown>(1, '1', 't1'),
  groups: fc.oneof(fc.subarray(['g1', 'g2', 'g3']), fc.subarray(['g1', 'g2', 'g3']).map((g) => g.join(' '))),
}, { requiredKeys: [] });
