import * as fc from 'fast-check';
import { satisfies } from '../../lib/common/access-rules';
import { arnPatternMatches, buildPolicy, parseMethodArn, policyAllows, stageArnPrefix } from '../../lib/common/execute-api-policy';
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
    expect(() => buildPolicy(routes, {}, 'arn:aws:execute-api:oops')).toThrow(RouteTableError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties: for any route table and any claims, the policy allows no request to a route the claims do not satisfy,
// and allows every request to a satisfied route unless that request is also a request to a refused route's pattern.

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
