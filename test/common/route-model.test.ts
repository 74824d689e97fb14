import * as fc from 'fast-check';
import { ClaimCondition, HttpMethod, matchRoute, parseRouteKey, RouteEntry, routeKey, routeMatcher, routeResourcePattern, RouteTableError, validateRouteTable } from '../../lib/common/route-model';
import { route } from './fixtures';

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
    expect(() => parseRouteKey(key)).toThrow(RouteTableError);
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
      `route 'GET /items': claim condition 0: 'claim' must be a non-empty string or a path of non-empty strings (got "")`],
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
    expect(() => validateRouteTable(routes)).toThrow(RouteTableError);
    expect(() => validateRouteTable(routes)).toThrow(message);
  });

  test('rejects a route table that is not an array', () => {
    expect(() => validateRouteTable({} as RouteEntry[])).toThrow('the route table must be an array (got {})');
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

describe('routeMatcher', () => {
  test('answers exactly as matchRoute for any table and request', () => {
    const segment = fc.constantFrom('a', 'b', 'items', '{id}', '');
    fc.assert(fc.property(
      fc.uniqueArray(fc.record({ method: fc.constantFrom<HttpMethod>('GET', 'POST'), parts: fc.array(fc.constantFrom('a', 'b', 'items', '{id}'), { maxLength: 3 }) }),
        { selector: (r) => `${r.method} ${r.parts.map((p) => (p.startsWith('{') ? '*' : p)).join('/')}` }),
      fc.constantFrom('GET', 'POST', 'PUT'), fc.array(segment, { maxLength: 4 }),
      (raw, method, parts) => {
        const routes = raw.map((r) => ({ method: r.method, path: `/${r.parts.join('/')}` }));
        const path = `/${parts.join('/')}`;
        expect(routeMatcher(routes)(method, path)).toBe(matchRoute(routes, method, path));
      }), { numRuns: 2000 });
  });
});
