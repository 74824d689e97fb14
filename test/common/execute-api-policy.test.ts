import * as fc from 'fast-check';
import { satisfies } from '../../lib/common/access-rules';
import { arnPatternMatches, buildPolicy, parseMethodArn, PolicyDocument, policyAllows, stageArnPrefix } from '../../lib/common/execute-api-policy';
import { HTTP_METHODS, parseRouteKey, RouteEntry, routeKey, routeResourcePattern, RouteTableError, validateRouteTable } from '../../lib/common/route-model';
import { arn, claimsArb, METHOD_ARN, PREFIX, route, tableArb } from './fixtures';

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
    expect(() => stageArnPrefix(methodArn)).toThrow(RouteTableError);
    expect(() => stageArnPrefix(methodArn)).toThrow(/malformed execute-api method ARN/);
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

// ---------------------------------------------------------------------------------------------------------------
// The oracle of these tests, written apart from the product: how API Gateway routes a method ARN's path (literal
// path parts win over parameters, a parameter takes one non-empty segment, an empty segment matches nothing), and
// IAM's wildcards, both as plain globs and with IAM's colon rule (a `*` or `?` stays within one colon-separated part
// of the ARN unless the `*` ends such a part of the pattern).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html

type Routed = { kind: 'route'; entry: RouteEntry } | { kind: 'none' } | { kind: 'malformed' };

/** Where API Gateway sends the request of a method ARN (the part after the stage prefix). */
function routeOf(table: RouteEntry[], rest: string): Routed {
  const parsed = /^([A-Z]+)(\/.*)$/s.exec(rest);
  if (!parsed) return { kind: 'malformed' };
  const [, method, path] = parsed;
  const segments = path === '/' ? [] : path.slice(1).split('/');
  if (segments.includes('')) return { kind: 'malformed' };
  const parts = (entry: RouteEntry) => (entry.path === '/' ? [] : entry.path.slice(1).split('/'));
  const candidates = table.filter((entry) => entry.method === method && parts(entry).length === segments.length);
  // Walk the resource tree: at each depth try the literal child first, then the parameter, backtracking.
  const walk = (depth: number, pool: RouteEntry[]): RouteEntry | undefined => {
    if (depth === segments.length) return pool[0];
    const literal = pool.filter((entry) => parts(entry)[depth] === segments[depth]);
    const viaLiteral = literal.length > 0 ? walk(depth + 1, literal) : undefined;
    if (viaLiteral) return viaLiteral;
    const param = pool.filter((entry) => parts(entry)[depth].startsWith('{'));
    return param.length > 0 ? walk(depth + 1, param) : undefined;
  };
  const entry = walk(0, candidates);
  return entry ? { kind: 'route', entry } : { kind: 'none' };
}

const globs = new Map<string, RegExp>();
function glob(pattern: string, arn: string, colonRule: boolean): boolean {
  const key = `${colonRule}\n${pattern}`;
  let regex = globs.get(key);
  if (regex === undefined) {
    const source = [...pattern].map((c, i) => {
      const endsPart = i === pattern.length - 1 || pattern[i + 1] === ':';
      if (c === '*') return colonRule && !endsPart ? '[^:]*' : '[\\s\\S]*';
      if (c === '?') return colonRule ? '[^:]' : '[\\s\\S]';
      return c.replace(/[\\^$.|+()[\]{}/-]/g, '\\$&');
    }).join('');
    regex = new RegExp(`^${source}$`);
    globs.set(key, regex);
  }
  return regex.test(arn);
}

/** The IAM decision on `arn`: an explicit Deny wins, then an Allow. */
function decide(policy: PolicyDocument, arn: string, colonRule: boolean): boolean {
  const hit = (effect: string) => policy.Statement.some((s) => s.Effect === effect && s.Resource.some((r) => glob(r, arn, colonRule)));
  return !hit('Deny') && hit('Allow');
}

/** The concrete path of a route with `values` for its parameters. */
function concrete(entry: RouteEntry, values: readonly string[]): string {
  if (entry.path === '/') return `${entry.method}/`;
  let next = 0;
  return entry.method + entry.path.split('/').map((s) => (s.startsWith('{') ? values[next++] : s)).join('/');
}

/** Every concrete request of `entry` whose parameters take values from `witnesses`. */
function requestsOf(entry: RouteEntry, witnesses: readonly string[]): string[] {
  const params = entry.path.split('/').filter((s) => s.startsWith('{')).length;
  const assignments = (n: number): string[][] => (n === 0 ? [[]] : assignments(n - 1).flatMap((rest) => witnesses.map((v) => [v, ...rest])));
  return assignments(params).map((values) => concrete(entry, values));
}

/**
 * Facts about a table and claims, found by brute force over witness values (the table's literals and one other
 * value: allowed patterns consist of whole literal segments and wildcards, so these values reach every case).
 */
function analyse(table: RouteEntry[], claims: Record<string, unknown>) {
  const witnesses = ['a', 'b', 'items', 'admin', 'z'];
  const satisfied = table.filter((entry) => satisfies(entry, claims));
  const allowPatterns = satisfied.map((entry) => ({ entry, pattern: routeResourcePattern(entry) }));
  const requestsTo = (entry: RouteEntry) => requestsOf(entry, witnesses).filter((rest) => {
    const routed = routeOf(table, rest);
    return routed.kind === 'route' && routed.entry === entry;
  });
  // Refused routes some of whose requests an Allow matches: these need a Deny.
  const reached = table.filter((entry) => !satisfied.includes(entry)
    && requestsTo(entry).some((rest) => allowPatterns.some(({ pattern }) => glob(pattern, rest, false))));
  const depth = (entry: RouteEntry) => (entry.path === '/' ? 0 : entry.path.split('/').length - 1);
  // (i) an Allow reaching a deeper allowed route: then some paths no route has cannot be denied.
  const nested = satisfied.some((deep) => requestsTo(deep).some((rest) => allowPatterns.some(({ entry, pattern }) =>
    depth(entry) < depth(deep) && glob(pattern, rest, false))));
  // (ii) a reached refused route whose pattern also matches a request of an allowed route: a forced conflict.
  const conflicting = reached.some((refused) => satisfied.some((entry) =>
    requestsTo(entry).some((rest) => glob(routeResourcePattern(refused), rest, false))));
  return { satisfied, reached, exactExpected: !nested && !conflicting };
}

describe('buildPolicy', () => {
  const routes = [
    route('GET /items', { scopes: ['items:read'] }),
    route('GET /items/{id}', { scopes: ['items:read'] }),
    route('GET /items/{id}/admin', { scopes: ['items:admin'] }),
    route('POST /items', { scopes: ['items:write'] }),
  ];

  test('allows exactly the satisfied routes and denies what their wildcards reach beyond them', () => {
    const { policy, allowed } = buildPolicy(routes, { scope: 'items:read' }, METHOD_ARN);
    expect(allowed.map(routeKey)).toEqual(['GET /items', 'GET /items/{id}']);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${PREFIX}GET/items`, `${PREFIX}GET/items/*`] },
        {
          Action: 'execute-api:Invoke',
          Effect: 'Deny',
          // A colon, an empty segment, a trailing slash; and below /items/{id} no allowed route, so everything.
          Resource: [`${PREFIX}*:*`, `${PREFIX}*//*`, `${PREFIX}*/*/`, `${PREFIX}GET/items/*/*`],
        },
      ],
    });
    expect(policyAllows(policy, arn('GET /items/1'))).toBe(true);
    expect(policyAllows(policy, arn('GET /items/1/admin'))).toBe(false);
    expect(policyAllows(policy, arn('GET /items/1/anything'))).toBe(false);
    expect(policyAllows(policy, arn('POST /items'))).toBe(false);
  });

  test('adds only the structural Denies when no allowed pattern reaches a refused route', () => {
    const { policy } = buildPolicy(routes, { scope: 'items:admin' }, METHOD_ARN);
    expect(policy.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${PREFIX}GET/items/*/admin`] },
      // No trailing-slash Deny: the only Allow ends with a literal. Deeper than /items/{id}/admin: no route.
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${PREFIX}*:*`, `${PREFIX}*//*`, `${PREFIX}GET/*/*/*/*`] },
    ]);
    expect(policyAllows(policy, arn('GET /items/1/admin'))).toBe(true);
    expect(policyAllows(policy, arn('GET /items/1/x/admin'))).toBe(false);
    expect(policyAllows(policy, arn('GET /items/1'))).toBe(false);
  });

  test('adds no Deny when every allowed route is a literal path', () => {
    const { policy } = buildPolicy(routes, { scope: 'items:read items:write' }, METHOD_ARN);
    const literalOnly = buildPolicy([routes[0], routes[3]], { scope: 'items:read items:write' }, METHOD_ARN).policy;
    expect(literalOnly.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${PREFIX}GET/items`, `${PREFIX}POST/items`] },
    ]);
    expect(policy.Statement).toHaveLength(2);
  });

  test('denies the root route when an allowed /{param} pattern would match it', () => {
    const table = [route('GET /', { scopes: ['root'] }), route('GET /{id}', { scopes: ['read'] })];
    const { policy } = buildPolicy(table, { scope: 'read' }, METHOD_ARN);
    expect(policy.Statement[1].Resource).toContain(`${PREFIX}GET/`);
    expect(policyAllows(policy, `${PREFIX}GET/`)).toBe(false);
    expect(policyAllows(policy, `${PREFIX}GET/x`)).toBe(true);
    const both = buildPolicy(table, { scope: 'read root' }, METHOD_ARN).policy;
    expect(policyAllows(both, `${PREFIX}GET/`)).toBe(true);
  });

  // The reported defect: IAM's `*` matches the empty string, so the Allow written for GET /items/{id} matched
  // GET/items/ and let a reader reach the list route's resource, which needs a stronger scope.
  describe('empty segments and trailing slashes (issue 9)', () => {
    const table = [
      route('GET /items', { scopes: ['items:list'] }),
      route('GET /items/{id}', { scopes: ['items:read'] }),
      route('GET /items/{id}/tags', { scopes: ['items:read'] }),
    ];
    const reader = buildPolicy(table, { scope: 'items:read' }, METHOD_ARN).policy;

    test.each([
      ['GET/items/', 'API Gateway routes /items/ to /items'],
      ['GET/items//tags', 'an empty id'],
      ['GET/items/1/', 'a trailing slash after an id'],
      ['GET/items/1/tags/', 'a trailing slash after a literal'],
      ['GET/items//', 'two empty segments'],
      ['GET//items/1', 'an empty first segment'],
    ])('denies %s to a reader (%s)', (rest) => {
      expect(policyAllows(reader, PREFIX + rest)).toBe(false);
      expect(decide(reader, PREFIX + rest, true)).toBe(false);
      expect(decide(reader, PREFIX + rest, false)).toBe(false);
    });

    test('still allows the reader its own routes, and the list only to a token with the list scope', () => {
      expect(policyAllows(reader, `${PREFIX}GET/items/1`)).toBe(true);
      expect(policyAllows(reader, `${PREFIX}GET/items/1/tags`)).toBe(true);
      expect(policyAllows(reader, `${PREFIX}GET/items`)).toBe(false);
      const lister = buildPolicy(table, { scope: 'items:list' }, METHOD_ARN).policy;
      expect(policyAllows(lister, `${PREFIX}GET/items`)).toBe(true);
      expect(policyAllows(lister, `${PREFIX}GET/items/`)).toBe(false);
    });

    test('treats %2F and dots in a parameter as characters of one segment', () => {
      expect(policyAllows(reader, `${PREFIX}GET/items/a%2Fb`)).toBe(true);
      expect(policyAllows(reader, `${PREFIX}GET/items/a%2Fb/tags`)).toBe(true);
      expect(policyAllows(reader, `${PREFIX}GET/items/..`)).toBe(true);
      expect(policyAllows(reader, `${PREFIX}GET/items/%2F/`)).toBe(false);
    });
  });

  test('denies a colon after the stage, which IAM wildcards in the middle of a pattern do not cross', () => {
    // IAM: only a `*` that ends a colon-separated part of the pattern runs past a colon. The Allow GET/items/*
    // ends with one, the Deny GET/items/*/admin does not, so without a Deny on colons this request was allowed.
    const { policy } = buildPolicy(routes, { scope: 'items:read' }, METHOD_ARN);
    expect(decide(policy, `${PREFIX}GET/items/a:b/admin`, true)).toBe(false);
    expect(decide(policy, `${PREFIX}GET/items/a:b/admin`, false)).toBe(false);
    expect(policyAllows(policy, `${PREFIX}GET/items/a:b/admin`)).toBe(false);
  });

  test('denies paths deeper than any route, which an Allow wildcard also matches', () => {
    const table = [route('GET /items/{id}', { scopes: ['read'] }), route('POST /items/{id}/a/b', { scopes: ['read'] })];
    const { policy } = buildPolicy(table, { scope: 'read' }, METHOD_ARN);
    expect(policyAllows(policy, `${PREFIX}GET/items/1`)).toBe(true);
    expect(policyAllows(policy, `${PREFIX}GET/items/1/x`)).toBe(false);
    expect(policyAllows(policy, `${PREFIX}GET/items/1/a/b`)).toBe(false);
    expect(policyAllows(policy, `${PREFIX}POST/items/1/a/b/c`)).toBe(false);
  });

  test('keeps a literal route allowed when only a refused parameter sibling shares its shape', () => {
    // GET/a/b is the literal route (literal path parts win), so the refused GET /a/{x} needs no Deny here.
    const table = [route('GET /a/b', { scopes: ['read'] }), route('GET /a/{x}', { scopes: ['admin'] })];
    const { policy } = buildPolicy(table, { scope: 'read' }, METHOD_ARN);
    expect(policyAllows(policy, `${PREFIX}GET/a/b`)).toBe(true);
    expect(policyAllows(policy, `${PREFIX}GET/a/c`)).toBe(false);
  });

  test('denies only the requests really routed to a refused route, not its whole pattern', () => {
    // GET/a/x goes to GET /a/{q} (the literal `a` wins); GET/b/x goes to the refused GET /{p}/x.
    const table = [route('GET /a/{q}', { scopes: ['read'] }), route('GET /{p}/x', { scopes: ['admin'] }), route('GET /b/x', { scopes: ['read'] })];
    const { policy } = buildPolicy(table, { scope: 'read' }, METHOD_ARN);
    expect(policyAllows(policy, `${PREFIX}GET/a/x`)).toBe(true);
    expect(policyAllows(policy, `${PREFIX}GET/a/y`)).toBe(true);
    expect(policyAllows(policy, `${PREFIX}GET/b/x`)).toBe(true);
    expect(policyAllows(policy, `${PREFIX}GET/c/x`)).toBe(false);
  });

  test('fails closed where wildcards cannot tell an allowed request from a refused one', () => {
    // Every GET/a/<id> but GET/a/b goes to the refused GET /a/{x}, and the Allow GET/*/* reaches them all. IAM
    // cannot say "every value but b", so the Deny GET/a/* also refuses the allowed GET /a/b.
    const table = [route('GET /{p}/{q}', { scopes: ['read'] }), route('GET /a/{x}', { scopes: ['admin'] }), route('GET /a/b', { scopes: ['read'] })];
    const { policy } = buildPolicy(table, { scope: 'read' }, METHOD_ARN);
    expect(policyAllows(policy, `${PREFIX}GET/c/d`)).toBe(true);
    expect(policyAllows(policy, `${PREFIX}GET/a/c`)).toBe(false);
    expect(policyAllows(policy, `${PREFIX}GET/a/b`)).toBe(false);
  });

  test('leaves allowed a path no route has where no Deny can refuse it without refusing an allowed route', () => {
    // GET/items/1/x has no route (API Gateway answers 403 before any authorizer); a Deny for it would be
    // GET/items/*/* or its like, which also matches the allowed GET/items/1/tags.
    const table = [route('GET /items/{id}', { scopes: ['read'] }), route('GET /items/{id}/tags', { scopes: ['read'] })];
    const { policy } = buildPolicy(table, { scope: 'read' }, METHOD_ARN);
    expect(policyAllows(policy, `${PREFIX}GET/items/1/tags`)).toBe(true);
    expect(policyAllows(policy, `${PREFIX}GET/items/1/x`)).toBe(true);
    expect(policyAllows(policy, `${PREFIX}GET/items/1/tags/x`)).toBe(false);
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
    expect(() => buildPolicy(routes, {}, 'arn:aws:execute-api:oops')).toThrow(RouteTableError);
  });

  test('stays small for 300 routes of which a token may call half', () => {
    // 60 resources like the demo's items: list and create, read, update and delete one. The token reads all of
    // them and creates in half.
    const table: RouteEntry[] = [];
    for (let n = 0; n < 60; n++) {
      table.push(route(`GET /r${n}`, { scopes: ['read'] }), route(`POST /r${n}`, { scopes: [n < 30 ? 'create-a' : 'create-b'] }),
        route(`GET /r${n}/{id}`, { scopes: ['read'] }), route(`PUT /r${n}/{id}`, { scopes: ['write'] }),
        route(`DELETE /r${n}/{id}`, { scopes: ['write'] }));
    }
    validateRouteTable(table);
    const { policy, allowed } = buildPolicy(table, { scope: 'read create-a' }, METHOD_ARN);
    expect(allowed).toHaveLength(150);
    const denies = policy.Statement[1].Resource.map((r) => r.slice(PREFIX.length));
    expect(denies).toEqual(['*:*', '*//*', '*/*/', 'GET/*/*/*']);
    expect(JSON.stringify(policy).length).toBeLessThan(12 * 1024);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties, against the oracle above, for random tables, claims and method ARNs: empty segments, trailing and
// doubled slashes, extra and missing segments, %2F, dots, colons and IAM wildcard characters in values.

const valueArb = fc.oneof(
  fc.constantFrom('a', 'b', 'items', 'admin', 'z', '.', '..', '%2F', 'a%2Fb', '*', '?', ':', 'a:b', '%3A', ''),
  fc.stringMatching(/^[A-Za-z0-9._~*?:%-]{1,5}$/),
);

/** A method ARN tail near the routes of `table`: a route's request, possibly bent out of shape. */
function requestArb(table: RouteEntry[]): fc.Arbitrary<string> {
  const base = table.length === 0 ? fc.constant({ method: 'GET', segments: [] as string[] })
    : fc.tuple(fc.constantFrom(...table), fc.array(valueArb, { minLength: 4, maxLength: 4 })).map(([entry, values]) => {
      let next = 0;
      const segments = entry.path === '/' ? [] : entry.path.slice(1).split('/').map((s) => (s.startsWith('{') ? values[next++] || 'v' : s));
      return { method: entry.method as string, segments };
    });
  const edit = fc.oneof(
    fc.constant({ op: 'none' as const }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value: valueArb }),
    fc.record({ op: fc.constant('remove' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: valueArb }),
    fc.record({ op: fc.constant('trailing' as const) }),
    fc.record({ op: fc.constant('method' as const), method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'GETX', '') }),
  );
  return fc.tuple(base, fc.array(edit, { maxLength: 3 })).map(([{ method, segments }, edits]) => {
    let m = method;
    const s = [...segments];
    let trailing = '';
    for (const e of edits) {
      if (e.op === 'insert') s.splice(e.at % (s.length + 1), 0, e.value);
      else if (e.op === 'remove' && s.length > 0) s.splice(e.at % s.length, 1);
      else if (e.op === 'replace' && s.length > 0) s[e.at % s.length] = e.value;
      else if (e.op === 'trailing') trailing = '/';
      else if (e.op === 'method') m = e.method;
    }
    return `${m}/${s.join('/')}${s.length > 0 ? trailing : ''}`;
  });
}

const caseArb = tableArb.chain((table) => fc.tuple(fc.constant(table), claimsArb, fc.array(requestArb(table), { minLength: 30, maxLength: 30 })));

describe('buildPolicy properties', () => {
  test('generated tables are valid route tables', () => {
    fc.assert(fc.property(tableArb, (table) => {
      validateRouteTable(table);
    }), { numRuns: 300 });
  });

  test('never allows a request routed to a refused route, a malformed path or a colon, under either wildcard reading', () => {
    fc.assert(fc.property(caseArb, ([table, claims, requests]) => {
      const { policy } = buildPolicy(table, claims, METHOD_ARN);
      for (const rest of requests) {
        for (const colonRule of [true, false]) {
          if (!decide(policy, PREFIX + rest, colonRule)) continue;
          const routed = routeOf(table, rest);
          expect(rest).not.toContain(':');
          expect(routed.kind).not.toBe('malformed');
          if (routed.kind === 'route') expect(satisfies(routed.entry, claims)).toBe(true);
        }
      }
    }), { numRuns: 1000 });
  });

  test('allows every request routed to a satisfied route, unless a refused route it reaches shares its pattern', () => {
    fc.assert(fc.property(caseArb, ([table, claims, requests]) => {
      const { policy } = buildPolicy(table, claims, METHOD_ARN);
      const { reached } = analyse(table, claims);
      const shadows = reached.map((entry) => routeResourcePattern(entry));
      const satisfiedRequests = [...requests, ...table.map((entry) => concrete(entry, ['v', 'w', 'x', 'y']))];
      for (const rest of satisfiedRequests) {
        const routed = routeOf(table, rest);
        if (routed.kind !== 'route' || !satisfies(routed.entry, claims) || rest.includes(':')) continue;
        if (shadows.some((pattern) => glob(pattern, rest, false))) continue;
        expect(policyAllows(policy, PREFIX + rest)).toBe(true);
      }
    }), { numRuns: 500 });
  });

  test('is exact when no Allow reaches a deeper allowed route and no Deny is forced onto an allowed request', () => {
    let exactCases = 0;
    fc.assert(fc.property(caseArb, ([table, claims, requests]) => {
      const { exactExpected } = analyse(table, claims);
      if (!exactExpected) return;
      exactCases++;
      const { policy } = buildPolicy(table, claims, METHOD_ARN);
      for (const rest of [...requests, ...table.map((entry) => concrete(entry, ['v', 'w', 'x', 'y']))]) {
        if (rest.includes(':')) continue;
        const routed = routeOf(table, rest);
        const expected = routed.kind === 'route' && satisfies(routed.entry, claims);
        expect([rest, policyAllows(policy, PREFIX + rest)]).toEqual([rest, expected]);
      }
    }), { numRuns: 500 });
    expect(exactCases).toBeGreaterThan(200);
  });

  test('the product evaluator agrees with IAM wildcards and the colon rule on every generated request', () => {
    fc.assert(fc.property(caseArb, ([table, claims, requests]) => {
      const { policy } = buildPolicy(table, claims, METHOD_ARN);
      for (const rest of requests) expect(policyAllows(policy, PREFIX + rest)).toBe(decide(policy, PREFIX + rest, true));
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
  const textArb = fc.array(fc.constantFrom('a', 'b', '/', '*', '?', ':'), { maxLength: 8 }).map((c) => c.join(''));

  test('agrees with a regular expression of IAM wildcards and the colon rule, with or without a literal head', () => {
    fc.assert(fc.property(textArb, textArb, fc.boolean(), (pattern, arn, prefixed) => {
      const [p, a] = prefixed ? [PREFIX + pattern, PREFIX + arn] : [pattern, arn];
      expect(arnPatternMatches(p, a)).toBe(glob(p, a, true));
    }), { numRuns: 5000 });
  });

  test('lets only a * that ends a colon-separated part run past a colon', () => {
    expect(arnPatternMatches('a/*', 'a/b:c/d')).toBe(true);
    expect(arnPatternMatches('a/*/d', 'a/b:c/d')).toBe(false);
    expect(arnPatternMatches('a/*:*/d', 'a/b:c/d')).toBe(true);
    expect(arnPatternMatches('a*:x', 'ab:c:x')).toBe(true);
    expect(arnPatternMatches('a?c', 'a:c')).toBe(false);
  });
});
