import * as fc from 'fast-check';
import {
  arnPatternMatches,
  buildPolicy,
  ClaimCondition,
  createPolicyCache,
  HTTP_METHODS,
  HttpMethod,
  matchRoute,
  parseMethodArn,
  parseRouteKey,
  policyAllows,
  RouteEntry,
  RoutePolicyError,
  routeKey,
  routeResourcePattern,
  satisfies,
  stageArnPrefix,
  tokenScopes,
  unmetRequirement,
  validateRouteTable,
} from '../../lib/common/route-policy';

const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/';
const METHOD_ARN = `${PREFIX}GET/items/1`;

function route(key: string, access: Omit<RouteEntry, 'method' | 'path'>): RouteEntry {
  return { ...parseRouteKey(key), ...access };
}

/** The ARN of a concrete request to `key`, e.g. `GET /items/1`. */
function arn(key: string): string {
  const { method, path } = { method: key.split(' ')[0], path: key.split(' ')[1] };
  return `${PREFIX}${method}${path}`;
}

describe('parseRouteKey', () => {
  test('parses a method and a path with literal and parameter segments', () => {
    expect(parseRouteKey('GET /items/{id}')).toEqual({ method: 'GET', path: '/items/{id}' });
    expect(parseRouteKey('DELETE /a.b/c_d/e-f/g~h')).toEqual({ method: 'DELETE', path: '/a.b/c_d/e-f/g~h' });
  });

  test('accepts the root path', () => {
    expect(parseRouteKey('OPTIONS /')).toEqual({ method: 'OPTIONS', path: '/' });
  });

  test.each([
    ['GET  /items', /exactly one space/],
    ['GET /items /x', /exactly one space/],
    ['GET\t/items', /exactly one space/],
    ['GET/items', /exactly one space/],
    ['get /items', /unknown method 'get'/],
    ['ANY /items', /unknown method 'ANY' \(expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS\)/],
    ['GET items', /path must start with '\/' \(got 'items'\)/],
    ['GET /items/', /must not end with '\/' except the root/],
    ['GET /items//x', /empty segments/],
    ['GET /items/{id}/{id}', /path parameter '\{id\}' appears more than once/],
    ['GET /items/{1id}', /segment '\{1id\}' must be a literal/],
    ['GET /items/{id', /segment '\{id' must be a literal/],
    ['GET /items/a%20b', /segment 'a%20b' must be a literal/],
    ['GET /items/x{id}', /segment 'x\{id\}' must be a literal/],
    ['GET /items/..', /'\.' or '\.\.' segments/],
    ['GET /', undefined],
  ])('rejects the malformed route key %p', (key, message) => {
    if (message === undefined) {
      expect(() => parseRouteKey(key)).not.toThrow();
      return;
    }
    expect(() => parseRouteKey(key)).toThrow(RoutePolicyError);
    expect(() => parseRouteKey(key)).toThrow(message);
    expect(() => parseRouteKey(key)).toThrow(`route key '${key}'`);
  });

  test('rejects greedy path parameters and explains why', () => {
    expect(() => parseRouteKey('GET /{proxy+}')).toThrow(
      /greedy path parameter '\{proxy\+\}' is not supported.*defeats the deny-by-default route table/);
    expect(() => parseRouteKey('GET /files/{path+}')).toThrow(/greedy path parameter '\{path\+\}'/);
  });

  test('round-trips through routeKey', () => {
    for (const key of ['GET /', 'POST /items', 'PATCH /items/{id}/tags/{tag}']) {
      expect(routeKey(parseRouteKey(key))).toBe(key);
    }
  });
});

describe('validateRouteTable', () => {
  test('accepts a table with public, scope, claim and mixed rules', () => {
    expect(() => validateRouteTable([
      route('GET /health', { public: true }),
      route('GET /items', { scopes: ['items:read'] }),
      route('POST /items', { scopes: ['items:write', 'admin'], scopeMatch: 'any' }),
      route('GET /items/{id}', { claims: [{ claim: 'tenant', equals: 't1' }] }),
      route('DELETE /items/{id}', { scopes: ['items:write'], claims: [{ claim: 'cognito:groups', includes: 'admins' }] }),
      route('GET /items/{id}/tags', { claims: [{ claim: 'level', oneOf: [1, 2, 'gold'] }] }),
    ])).not.toThrow();
  });

  test('accepts an empty table: everything is denied', () => {
    expect(() => validateRouteTable([])).not.toThrow();
  });

  test.each<[string, RouteEntry[], RegExp | string]>([
    ['a route without any rule', [{ method: 'GET', path: '/items' }],
      "route 'GET /items': must declare 'scopes' or 'claims', or set 'public: true'"],
    ['public: false without any rule', [{ method: 'GET', path: '/items', public: false }],
      "route 'GET /items': must declare 'scopes' or 'claims', or set 'public: true'"],
    ['empty scopes', [{ method: 'GET', path: '/items', scopes: [] }],
      "route 'GET /items': 'scopes' must not be empty unless 'public' is true (got [])"],
    ['empty claims', [{ method: 'GET', path: '/items', claims: [] }],
      "route 'GET /items': 'claims' must not be empty unless 'public' is true (got [])"],
    ['a public route with scopes', [{ method: 'GET', path: '/items', public: true, scopes: ['read'] }],
      `route 'GET /items': a public route must not declare 'scopes' (got ["read"])`],
    ['a public route with claims', [{ method: 'GET', path: '/items', public: true, claims: [{ claim: 't', equals: 1 }] }],
      "route 'GET /items': a public route must not declare 'claims'"],
    ['a public route with scopeMatch', [{ method: 'GET', path: '/items', public: true, scopeMatch: 'any' }],
      "route 'GET /items': a public route must not declare 'scopeMatch'"],
    ['an empty scope string', [{ method: 'GET', path: '/items', scopes: ['read', ''] }],
      `route 'GET /items': 'scopes' must contain only non-empty strings (got ["read",""])`],
    ['a scope with a space', [{ method: 'GET', path: '/items', scopes: ['items:read items:write'] }],
      `route 'GET /items': 'scopes' entries must not contain whitespace, list each scope separately (got "items:read items:write")`],
    ['a repeated scope', [{ method: 'GET', path: '/items', scopes: ['read', 'read'] }],
      "route 'GET /items': 'scopes' must not repeat a scope"],
    ['a bad scopeMatch', [{ method: 'GET', path: '/items', scopes: ['read'], scopeMatch: 'some' as 'any' }],
      `route 'GET /items': 'scopeMatch' must be 'all' or 'any' (got "some")`],
    ['scopeMatch without scopes', [{ method: 'GET', path: '/items', scopeMatch: 'any', claims: [{ claim: 't', equals: 1 }] }],
      "route 'GET /items': 'scopeMatch' needs 'scopes'"],
    ['a claim condition without operator', [{ method: 'GET', path: '/items', claims: [{ claim: 'tenant' }] }],
      "route 'GET /items': claim condition 0 ('tenant') must set exactly one of 'equals', 'oneOf', 'includes' (got none)"],
    ['a claim condition with two operators',
      [{ method: 'GET', path: '/items', claims: [{ claim: 'tenant', equals: 'a', oneOf: ['a'] }] }],
      "route 'GET /items': claim condition 0 ('tenant') must set exactly one of 'equals', 'oneOf', 'includes' (got equals, oneOf)"],
    ['an empty claim name', [{ method: 'GET', path: '/items', claims: [{ claim: '', equals: 'a' }] }],
      `route 'GET /items': claim condition 0: 'claim' must be a non-empty string (got "")`],
    ['an empty oneOf', [{ method: 'GET', path: '/items', claims: [{ claim: 'tenant', oneOf: [] }] }],
      "route 'GET /items': claim condition 0 ('tenant'): 'oneOf' must be a non-empty array (got [])"],
    ['a oneOf with a boolean', [{ method: 'GET', path: '/items', claims: [{ claim: 'tenant', oneOf: [true as unknown as string] }] }],
      "route 'GET /items': claim condition 0 ('tenant'): 'oneOf' entries must be strings or numbers"],
    ['an empty includes', [{ method: 'GET', path: '/items', claims: [{ claim: 'groups', includes: '' }] }],
      `route 'GET /items': claim condition 0 ('groups'): 'includes' must be a non-empty string (got "")`],
    ['an object equals', [{ method: 'GET', path: '/items', claims: [{ claim: 'tenant', equals: {} as string }] }],
      "route 'GET /items': claim condition 0 ('tenant'): 'equals' must be a string, number or boolean (got {})"],
    ['an unknown key in a claim condition',
      [{ method: 'GET', path: '/items', claims: [{ claim: 'tenant', equals: 'a', equal: 'b' } as ClaimCondition] }],
      "route 'GET /items': claim condition 0 ('tenant') has unknown keys (got equal)"],
    ['a second failing claim condition',
      [{ method: 'GET', path: '/items', claims: [{ claim: 'a', equals: 1 }, { claim: 'b', oneOf: [] }] }],
      "route 'GET /items': claim condition 1 ('b'): 'oneOf' must be a non-empty array"],
    ['an unknown key on a route', [{ method: 'GET', path: '/items', scope: ['read'] } as unknown as RouteEntry],
      "route 'GET /items': unknown keys (got scope)"],
    ['an unknown method', [{ method: 'ANY' as HttpMethod, path: '/items', scopes: ['read'] }],
      'route 0: unknown method "ANY" (expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)'],
    ['a trailing slash', [{ method: 'GET', path: '/items/', scopes: ['read'] }],
      "route 'GET /items/': path must not end with '/' except the root '/' (got '/items/')"],
    ['a greedy path', [{ method: 'GET', path: '/{proxy+}', scopes: ['read'] }],
      /route 'GET \/\{proxy\+\}': greedy path parameter '\{proxy\+\}' is not supported.*deny-by-default/],
    ['a duplicate route', [route('GET /items', { scopes: ['a'] }), route('GET /items', { scopes: ['b'] })],
      "route 'GET /items': duplicate route"],
    ['two routes with the same path shape',
      [route('GET /items/{id}', { scopes: ['a'] }), route('GET /items/{name}', { scopes: ['b'] })],
      "route 'GET /items/{name}': duplicate route, same method and path shape as 'GET /items/{id}'"],
    ['sibling path parameters with different names',
      [route('GET /items/{id}', { scopes: ['a'] }), route('PUT /items/{itemId}/tags', { scopes: ['b'] })],
      "route 'PUT /items/{itemId}/tags': path parameter '{itemId}' conflicts with '{id}' of route 'GET /items/{id}' "
      + '(API Gateway allows one variable path part per parent resource)'],
    ['a route that is not an object', [null as unknown as RouteEntry], 'route 0 must be an object (got null)'],
  ])('rejects %s', (_name, routes, message) => {
    expect(() => validateRouteTable(routes)).toThrow(RoutePolicyError);
    expect(() => validateRouteTable(routes)).toThrow(message);
  });

  test('rejects a route table that is not an array', () => {
    expect(() => validateRouteTable({} as RouteEntry[])).toThrow('the route table must be an array (got {})');
  });
});

describe('tokenScopes', () => {
  test('reads the space-delimited scope claim', () => {
    expect(tokenScopes({ scope: 'items:read  items:write' })).toEqual(['items:read', 'items:write']);
  });

  test('reads scp as an array (Okta) or a string (Entra ID) and de-duplicates with scope', () => {
    expect(tokenScopes({ scp: ['a', 'b', 'a'] })).toEqual(['a', 'b']);
    expect(tokenScopes({ scp: 'a c' })).toEqual(['a', 'c']);
    expect(tokenScopes({ scope: 'a b', scp: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
  });

  test('ignores non-string entries and claims of other types', () => {
    expect(tokenScopes({ scope: 42, scp: ['a', 1, null, 'b c'] })).toEqual(['a']);
    expect(tokenScopes({})).toEqual([]);
  });
});

describe('satisfies', () => {
  const read = { scopes: ['read', 'write'] };
  test("needs every scope by default ('all')", () => {
    expect(satisfies(read, { scope: 'read write' })).toBe(true);
    expect(satisfies(read, { scope: 'read' })).toBe(false);
    expect(unmetRequirement(read, { scope: 'read' })).toBe('scopes');
  });

  test("needs one scope with scopeMatch 'any'", () => {
    expect(satisfies({ ...read, scopeMatch: 'any' }, { scope: 'write' })).toBe(true);
    expect(satisfies({ ...read, scopeMatch: 'any' }, { scp: ['write'] })).toBe(true);
    expect(satisfies({ ...read, scopeMatch: 'any' }, { scope: 'admin' })).toBe(false);
  });

  test('matches whole scopes only', () => {
    expect(satisfies({ scopes: ['read'] }, { scope: 'readonly' })).toBe(false);
  });

  test('equals compares strictly', () => {
    const rule = { claims: [{ claim: 'level', equals: 1 }] };
    expect(satisfies(rule, { level: 1 })).toBe(true);
    expect(satisfies(rule, { level: '1' })).toBe(false);
    expect(satisfies({ claims: [{ claim: 'email_verified', equals: true }] }, { email_verified: 'true' })).toBe(false);
    expect(satisfies({ claims: [{ claim: 'email_verified', equals: true }] }, { email_verified: true })).toBe(true);
  });

  test('oneOf accepts a string or number among the values', () => {
    const rule = { claims: [{ claim: 'tenant', oneOf: ['t1', 2] }] };
    expect(satisfies(rule, { tenant: 't1' })).toBe(true);
    expect(satisfies(rule, { tenant: 2 })).toBe(true);
    expect(satisfies(rule, { tenant: '2' })).toBe(false);
    expect(satisfies(rule, { tenant: ['t1'] })).toBe(false);
    expect(satisfies(rule, {})).toBe(false);
  });

  test('includes finds a member of an array claim or a whole word of a space-delimited claim', () => {
    const rule = { claims: [{ claim: 'cognito:groups', includes: 'admin' }] };
    expect(satisfies(rule, { 'cognito:groups': ['users', 'admin'] })).toBe(true);
    expect(satisfies(rule, { 'cognito:groups': 'users admin' })).toBe(true);
    expect(satisfies(rule, { 'cognito:groups': 'admins' })).toBe(false);
    expect(satisfies(rule, { 'cognito:groups': ['admins'] })).toBe(false);
    expect(satisfies(rule, { 'cognito:groups': { admin: true } })).toBe(false);
  });

  test('needs every claim condition and the scopes together', () => {
    const rule = { scopes: ['read'], claims: [{ claim: 'tenant', equals: 't1' }, { claim: 'tier', oneOf: ['gold'] }] };
    expect(satisfies(rule, { scope: 'read', tenant: 't1', tier: 'gold' })).toBe(true);
    expect(satisfies(rule, { scope: 'read', tenant: 't1', tier: 'silver' })).toBe(false);
    expect(unmetRequirement(rule, { scope: 'read', tenant: 't2', tier: 'gold' })).toBe('claims');
    expect(unmetRequirement(rule, { tenant: 't1', tier: 'gold' })).toBe('scopes');
  });

  test('public routes need nothing; a rule with neither scopes nor claims is never satisfied', () => {
    expect(satisfies({ public: true }, {})).toBe(true);
    expect(satisfies({}, { scope: 'anything' })).toBe(false);
  });

  test('does not read claims from Object.prototype', () => {
    expect(satisfies({ claims: [{ claim: 'constructor', equals: 'x' }] }, {})).toBe(false);
    expect(satisfies({ claims: [{ claim: 'toString', includes: 'x' }] }, {})).toBe(false);
  });
});

describe('method ARNs', () => {
  test.each([
    ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/1', 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/'],
    ['arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3d4e5/v1/POST/', 'arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3d4e5/v1/'],
    ['arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:x/my_stage-2/DELETE/a/b/c', 'arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:x/my_stage-2/'],
    ['arn:aws-eusc:execute-api:eusc-de-east-1:123456789012:x/prod/GET/a', 'arn:aws-eusc:execute-api:eusc-de-east-1:123456789012:x/prod/'],
  ])('takes the stage prefix of %s', (methodArn, prefix) => {
    expect(stageArnPrefix(methodArn)).toBe(prefix);
  });

  test('splits the method and the path, the root included', () => {
    expect(parseMethodArn(`${PREFIX}GET/items/1`)).toEqual({ prefix: PREFIX, method: 'GET', path: '/items/1' });
    expect(parseMethodArn(`${PREFIX}GET/`)).toEqual({ prefix: PREFIX, method: 'GET', path: '/' });
  });

  test.each([
    '',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET',
    'arn:aws:lambda:eu-west-1:123456789012:abc123/prod/GET/items',
    'arn:aws:execute-api:eu-west-1:12345:abc123/prod/GET/items',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123/*/GET/items',
    'arn:azure:execute-api:eu-west-1:123456789012:abc123/prod/GET/items',
  ])('rejects the malformed method ARN %p', (methodArn) => {
    expect(() => stageArnPrefix(methodArn)).toThrow(RoutePolicyError);
    expect(() => stageArnPrefix(methodArn)).toThrow(/malformed execute-api method ARN/);
  });
});

describe('routeResourcePattern and matchRoute', () => {
  test('replaces each path parameter with a wildcard', () => {
    expect(routeResourcePattern(parseRouteKey('GET /items/{id}'))).toBe('GET/items/*');
    expect(routeResourcePattern(parseRouteKey('PUT /a/{b}/c/{d}'))).toBe('PUT/a/*/c/*');
    expect(routeResourcePattern(parseRouteKey('GET /'))).toBe('GET/');
  });

  test('prefers a literal segment over a path parameter, like API Gateway', () => {
    const routes = [parseRouteKey('GET /items/{id}'), parseRouteKey('GET /items/search'), parseRouteKey('GET /')];
    expect(matchRoute(routes, 'GET', '/items/search')).toBe(routes[1]);
    expect(matchRoute(routes, 'GET', '/items/42')).toBe(routes[0]);
    expect(matchRoute(routes, 'GET', '/')).toBe(routes[2]);
    expect(matchRoute(routes, 'POST', '/items/42')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/items/42/x')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/items/')).toBeUndefined();
  });
});

describe('policyAllows', () => {
  test('matches * across slashes and ? as one character', () => {
    expect(arnPatternMatches('a/*', 'a/b/c')).toBe(true);
    expect(arnPatternMatches('a/*', 'a/')).toBe(true);
    expect(arnPatternMatches('a/?', 'a/bc')).toBe(false);
    expect(arnPatternMatches('a/?c', 'a/bc')).toBe(true);
    expect(arnPatternMatches('a/*/c', 'a/b/x/c')).toBe(true);
    expect(arnPatternMatches('a/b', 'a/bc')).toBe(false);
    // Wildcard characters in the ARN itself are literal.
    expect(arnPatternMatches('a/*/*', 'a/b/**')).toBe(true);
    expect(arnPatternMatches('a/*/c', 'a/*')).toBe(false);
    expect(arnPatternMatches('a/?', 'a/*')).toBe(true);
  });

  test('an explicit Deny wins over an Allow; no statement means deny', () => {
    const policy = buildPolicy([route('GET /x', { public: true })], {}, METHOD_ARN).policy;
    expect(policyAllows(policy, `${PREFIX}GET/x`)).toBe(true);
    policy.Statement.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${PREFIX}GET/*`] });
    expect(policyAllows(policy, `${PREFIX}GET/x`)).toBe(false);
    expect(policyAllows({ Version: '2012-10-17', Statement: [] }, `${PREFIX}GET/x`)).toBe(false);
  });
});

describe('buildPolicy', () => {
  const routes = [
    route('GET /items', { scopes: ['items:read'] }),
    route('GET /items/{id}', { scopes: ['items:read'] }),
    route('GET /items/{id}/admin', { scopes: ['items:admin'] }),
    route('POST /items', { scopes: ['items:write'] }),
  ];

  test('allows exactly the satisfied routes and denies the routes their wildcards would also match', () => {
    const { policy, allowed } = buildPolicy(routes, { scope: 'items:read' }, METHOD_ARN);
    expect(allowed.map(routeKey)).toEqual(['GET /items', 'GET /items/{id}']);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${PREFIX}GET/items`, `${PREFIX}GET/items/*`] },
        { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${PREFIX}GET/items/*/admin`] },
      ],
    });
    expect(policyAllows(policy, arn('GET /items/1'))).toBe(true);
    expect(policyAllows(policy, arn('GET /items/1/admin'))).toBe(false);
    expect(policyAllows(policy, arn('POST /items'))).toBe(false);
  });

  test('adds no Deny when no allowed pattern reaches a refused route', () => {
    const { policy } = buildPolicy(routes, { scope: 'items:admin' }, METHOD_ARN);
    expect(policy.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${PREFIX}GET/items/*/admin`] },
    ]);
    expect(policyAllows(policy, arn('GET /items/1'))).toBe(false);
  });

  test('denies the root route when an allowed /{param} pattern would match it', () => {
    const table = [route('GET /', { scopes: ['root'] }), route('GET /{id}', { scopes: ['read'] })];
    const { policy } = buildPolicy(table, { scope: 'read' }, METHOD_ARN);
    expect(policy.Statement[1]).toEqual({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${PREFIX}GET/`] });
    expect(policyAllows(policy, `${PREFIX}GET/`)).toBe(false);
    expect(policyAllows(policy, `${PREFIX}GET/x`)).toBe(true);
  });

  test('returns a single Deny on the whole stage when nothing is allowed', () => {
    const { policy, allowed } = buildPolicy(routes, { scope: 'other' }, METHOD_ARN);
    expect(allowed).toEqual([]);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${PREFIX}*`] }],
    });
  });

  test('does not depend on the requested route, so a cached policy is safe for every route', () => {
    const a = buildPolicy(routes, { scope: 'items:read' }, `${PREFIX}GET/items/1`);
    const b = buildPolicy(routes, { scope: 'items:read' }, `${PREFIX}POST/items`);
    expect(b).toEqual(a);
  });

  test('rejects a malformed method ARN', () => {
    expect(() => buildPolicy(routes, {}, 'arn:aws:execute-api:oops')).toThrow(RoutePolicyError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties: for any route table and any claims, the policy allows no request to a route the claims do not satisfy,
// and allows every request to a satisfied route unless that request is also a request to a refused route's pattern.

const SCOPES = ['read', 'write', 'admin'];
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
const tableArb = fc.uniqueArray(routeArb, { maxLength: 8, selector: routeResourcePattern });
const claimsArb = fc.record({
  scope: fc.subarray(SCOPES).map((s) => s.join(' ')),
  scp: fc.subarray(SCOPES),
  tenant: fc.constantFrom<unknown>('t1', 't2', 1, true, ['t1']),
  level: fc.constantFrom<unknown>(1, '1', 't1'),
  groups: fc.oneof(fc.subarray(['g1', 'g2', 'g3']), fc.subarray(['g1', 'g2', 'g3']).map((g) => g.join(' '))),
}, { requiredKeys: [] });
// Parameter values: non-empty, without '/', including values equal to literals and IAM wildcard characters.
const valueArb = fc.oneof(fc.constantFrom('a', 'items', 'admin', '*', '?'), fc.stringMatching(/^[A-Za-z0-9._~*?:-]{1,5}$/));
const valuesArb = fc.array(valueArb, { minLength: 4, maxLength: 4 });

function concreteArn(entry: RouteEntry, values: string[]): string {
  if (entry.path === '/') return `${PREFIX}${entry.method}/`;
  let next = 0;
  const path = entry.path.split('/').map((s) => (s.startsWith('{') ? values[next++] : s)).join('/');
  return `${PREFIX}${entry.method}${path}`;
}

describe('buildPolicy properties', () => {
  test('generated tables are valid route tables', () => {
    fc.assert(fc.property(tableArb, (table) => {
      validateRouteTable(table);
    }), { numRuns: 300 });
  });

  test('never allows a request to a route whose rule the claims do not satisfy', () => {
    fc.assert(fc.property(tableArb, claimsArb, fc.array(valuesArb, { minLength: 8, maxLength: 8 }), (table, claims, values) => {
      const { policy } = buildPolicy(table, claims, METHOD_ARN);
      table.forEach((entry, i) => {
        if (!satisfies(entry, claims)) expect(policyAllows(policy, concreteArn(entry, values[i]))).toBe(false);
      });
    }), { numRuns: 1000 });
  });

  test('allows every request to a satisfied route that no refused route pattern also matches', () => {
    fc.assert(fc.property(tableArb, claimsArb, fc.array(valuesArb, { minLength: 8, maxLength: 8 }), (table, claims, values) => {
      const { policy, allowed } = buildPolicy(table, claims, METHOD_ARN);
      const refused = table.filter((entry) => !satisfies(entry, claims)).map((entry) => PREFIX + routeResourcePattern(entry));
      table.forEach((entry, i) => {
        if (!allowed.includes(entry)) return;
        const request = concreteArn(entry, values[i]);
        if (refused.some((pattern) => arnPatternMatches(pattern, request))) return;
        expect(policyAllows(policy, request)).toBe(true);
      });
    }), { numRuns: 1000 });
  });

  test('adds a Deny exactly for the refused routes that some allowed pattern reaches', () => {
    // Witness values: the literals of the generated paths and one other value suffice, because allowed patterns
    // consist of whole literal segments and wildcards.
    const witnesses = ['a', 'b', 'items', 'admin', 'z'];
    const assignments = (n: number): string[][] => (n === 0 ? [[]]
      : assignments(n - 1).flatMap((rest) => witnesses.map((v) => [v, ...rest])));
    fc.assert(fc.property(tableArb, claimsArb, (table, claims) => {
      const { policy, allowed } = buildPolicy(table, claims, METHOD_ARN);
      const denies = policy.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) => s.Resource);
      if (allowed.length === 0) {
        expect(denies).toEqual([`${PREFIX}*`]);
        return;
      }
      const allowPatterns = allowed.map((entry) => PREFIX + routeResourcePattern(entry));
      for (const entry of table.filter((e) => !satisfies(e, claims))) {
        const params = entry.path.split('/').filter((s) => s.startsWith('{')).length;
        const reached = assignments(params).some((values) =>
          allowPatterns.some((pattern) => arnPatternMatches(pattern, concreteArn(entry, values))));
        expect(denies.includes(PREFIX + routeResourcePattern(entry))).toBe(reached);
      }
    }), { numRuns: 300 });
  });

  test('lists only route ARNs: never a blanket wildcard Allow, and allowed is exactly the satisfied routes', () => {
    fc.assert(fc.property(tableArb, claimsArb, (table, claims) => {
      const { policy, allowed } = buildPolicy(table, claims, METHOD_ARN);
      expect(allowed).toEqual(table.filter((entry) => satisfies(entry, claims)));
      const allows = policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Resource);
      expect(allows).toEqual(allowed.map((entry) => PREFIX + routeResourcePattern(entry)));
      expect(allows).not.toContain(`${PREFIX}*`);
    }), { numRuns: 300 });
  });

  test('gives the same policy whatever route of the stage was requested', () => {
    fc.assert(fc.property(tableArb, claimsArb, fc.constantFrom(...HTTP_METHODS), fc.stringMatching(/^(\/[a-z0-9]{1,4}){0,3}$/),
      (table, claims, method, path) => {
        const requested = `${PREFIX}${method}${path === '' ? '/' : path}`;
        expect(buildPolicy(table, claims, requested)).toEqual(buildPolicy(table, claims, METHOD_ARN));
      }), { numRuns: 200 });
  });
});

describe('arnPatternMatches properties', () => {
  /** The reference: IAM wildcards as a regular expression. */
  function reference(pattern: string, arn: string): boolean {
    const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}/-]/g, '\\$&'))).join('');
    return new RegExp(`^${source}$`, 's').test(arn);
  }
  const textArb = fc.array(fc.constantFrom('a', 'b', '/', '*', '?'), { maxLength: 8 }).map((c) => c.join(''));

  test('agrees with a regular expression for any pattern and ARN, with or without a literal head', () => {
    fc.assert(fc.property(textArb, textArb, fc.boolean(), (pattern, arn, prefixed) => {
      const [p, a] = prefixed ? [PREFIX + pattern, PREFIX + arn] : [pattern, arn];
      expect(arnPatternMatches(p, a)).toBe(reference(p, a));
    }), { numRuns: 5000 });
  });
});

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
    expect(() => createPolicyCache(routes).policyFor({}, 'arn:aws:execute-api:bad')).toThrow(RoutePolicyError);
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
