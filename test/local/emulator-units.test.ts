/**
 * The local emulator's own building blocks, without HTTP: the IAM policy evaluator, the authorizer cache TTL,
 * throttles and quotas, gateway response fallbacks, route matching, request validation, intrinsic resolution and
 * the Lambda execution environments (timeouts, errors, init failures). They live here because the end-to-end
 * suite owns the local run's tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { buildPolicy, policyAllows } from '../../lib/common/execute-api-policy';
import type { LocalFunction, LocalMethod, LocalResource } from '../../local/api-model';
import { AuthorizerCache } from '../../local/authorizer-cache';
import { renderGatewayResponse } from '../../local/gateway-responses';
import { evaluatePolicy, InvalidPolicyError } from '../../local/iam-policy';
import { IntrinsicResolver, LOCAL_ENVIRONMENT } from '../../local/intrinsics';
import { FunctionHost } from '../../local/lambda-host';
import { matchRoute, parseHeaders, parseQuery } from '../../local/proxy-event';
import { isWellFormedEncoding } from '../../local/request-head';
import { RequestValidator } from '../../local/request-validation';
import { quotaPeriodStart, TokenBucket, UsagePlanMeter } from '../../local/throttling';
import { claimsArb, tableArb } from '../common/fixtures';

const PREFIX = 'arn:aws:execute-api:us-east-1:000000000000:abc123/prod';
const allow = (...resources: string[]) => ({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resources });
const deny = (...resources: string[]) => ({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: resources });

describe('IAM policy evaluation', () => {
  test('an Allow matching the method ARN allows; nothing matching is an implicit deny', () => {
    const policy = { Version: '2012-10-17', Statement: [allow(`${PREFIX}/GET/items`)] };
    expect(evaluatePolicy(policy, `${PREFIX}/GET/items`)).toBe('allow');
    expect(evaluatePolicy(policy, `${PREFIX}/POST/items`)).toBe('implicit-deny');
    expect(evaluatePolicy(policy, `${PREFIX}/GET/items/1`)).toBe('implicit-deny');
  });

  test('* spans slashes and ? is exactly one character', () => {
    expect(evaluatePolicy({ Statement: [allow(`${PREFIX}/GET/*`)] }, `${PREFIX}/GET/items/1/deep`)).toBe('allow');
    expect(evaluatePolicy({ Statement: [allow(`${PREFIX}/GET/items/?`)] }, `${PREFIX}/GET/items/1`)).toBe('allow');
    expect(evaluatePolicy({ Statement: [allow(`${PREFIX}/GET/items/?`)] }, `${PREFIX}/GET/items/12`)).toBe('implicit-deny');
    // Regex characters in a resource are literal.
    expect(evaluatePolicy({ Statement: [allow(`${PREFIX}/GET/items.json`)] }, `${PREFIX}/GET/itemsXjson`)).toBe('implicit-deny');
  });

  test('wildcards stay within a colon-separated part of the ARN unless a * ends that part', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    expect(evaluatePolicy({ Statement: [allow(`${PREFIX}/GET/*`)] }, `${PREFIX}/GET/a:b/c`)).toBe('allow');
    expect(evaluatePolicy({ Statement: [allow(`${PREFIX}/GET/*/c`)] }, `${PREFIX}/GET/a:b/c`)).toBe('implicit-deny');
    expect(evaluatePolicy({ Statement: [allow(`${PREFIX}/GET/*:*/c`)] }, `${PREFIX}/GET/a:b/c`)).toBe('allow');
    expect(evaluatePolicy({ Statement: [allow(`${PREFIX}/GET/a?b`)] }, `${PREFIX}/GET/a:b`)).toBe('implicit-deny');
    expect(evaluatePolicy({ Statement: [allow('arn:aws:execute-api:*:*:abc123/*')] }, `${PREFIX}/GET/x`)).toBe('allow');
  });

  test("agrees with the authorizer's own evaluator on the policies it builds, for any request", () => {
    const stage = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/';
    const restArb = fc.array(fc.constantFrom('GET', 'POST', '/', 'a', 'b', 'items', 'admin', ':', '%2F', '.', '*', '?', ''), { maxLength: 8 })
      .map((parts) => parts.join(''));
    fc.assert(fc.property(tableArb, claimsArb, fc.array(restArb, { minLength: 20, maxLength: 20 }), (table, claims, rests) => {
      const { policy } = buildPolicy(table, claims, `${stage}GET/`);
      for (const rest of rests) {
        expect(evaluatePolicy(policy, stage + rest) === 'allow').toBe(policyAllows(policy, stage + rest));
      }
    }), { numRuns: 300 });
  });

  test('an explicit Deny wins over any Allow', () => {
    const policy = { Statement: [allow(`${PREFIX}/*`), deny(`${PREFIX}/DELETE/*`)] };
    expect(evaluatePolicy(policy, `${PREFIX}/DELETE/items/1`)).toBe('explicit-deny');
    expect(evaluatePolicy(policy, `${PREFIX}/GET/items/1`)).toBe('allow');
  });

  test('actions match case-insensitively and with wildcards; other actions do not apply', () => {
    expect(evaluatePolicy({ Statement: [{ Effect: 'Allow', Action: 'Execute-API:*', Resource: '*' }] }, `${PREFIX}/GET/x`)).toBe('allow');
    expect(evaluatePolicy({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }, `${PREFIX}/GET/x`)).toBe('implicit-deny');
  });

  test('a malformed policy is refused', () => {
    expect(() => evaluatePolicy({ Statement: [] }, `${PREFIX}/GET/x`)).toThrow(InvalidPolicyError);
    expect(() => evaluatePolicy({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }, `${PREFIX}/GET/x`)).toThrow(InvalidPolicyError);
    expect(() => evaluatePolicy({ Statement: [{ Effect: 'Allow', Action: '*' }] }, `${PREFIX}/GET/x`)).toThrow(InvalidPolicyError);
    expect(() => evaluatePolicy('Allow', `${PREFIX}/GET/x`)).toThrow(InvalidPolicyError);
  });
});

describe('authorizer cache', () => {
  test('keeps a result for the TTL and forgets it after', () => {
    let now = 1_000_000;
    const cache = new AuthorizerCache<string>(300, () => now);
    cache.set('token-a', 'policy-a');
    now += 299_000;
    expect(cache.get('token-a')).toBe('policy-a');
    now += 2_000;
    expect(cache.get('token-a')).toBeUndefined();
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 1, misses: 1 });
  });

  test('a TTL of 0 caches nothing', () => {
    const cache = new AuthorizerCache<string>(0);
    cache.set('token-a', 'policy-a');
    expect(cache.get('token-a')).toBeUndefined();
  });
});

describe('throttles and quotas', () => {
  test('a token bucket allows its burst at once, then its rate', () => {
    const bucket = new TokenBucket({ rateLimit: 10, burstLimit: 20 }, 0);
    const admitted = Array.from({ length: 25 }, () => bucket.take(0)).filter(Boolean).length;
    expect(admitted).toBe(20);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
  });

  test('a method throttle of the plan replaces the plan throttle for that method only', () => {
    const plans = new Map([['p', {
      id: 'p', name: 'p', throttle: { rateLimit: 1, burstLimit: 1 },
      methodThrottles: { '/items/POST': { rateLimit: 1, burstLimit: 3 } },
    }]]);
    const meter = new UsagePlanMeter(plans);
    expect([1, 2, 3, 4].map(() => meter.check('k', 'p', '/items/POST', 0))).toEqual(['ok', 'ok', 'ok', 'throttled']);
    expect([1, 2].map(() => meter.check('k', 'p', '/items/GET', 0))).toEqual(['ok', 'throttled']);
  });

  test('a quota counts per key and period and resets when the period turns', () => {
    const plans = new Map([['p', { id: 'p', name: 'p', quota: { limit: 2, period: 'DAY' as const, offset: 0 }, methodThrottles: {} }]]);
    const meter = new UsagePlanMeter(plans);
    const day = Date.UTC(2026, 0, 5, 12);
    expect([1, 2, 3].map(() => meter.check('k', 'p', '/items/GET', day))).toEqual(['ok', 'ok', 'quota-exceeded']);
    expect(meter.check('other', 'p', '/items/GET', day)).toBe('ok');
    expect(meter.check('k', 'p', '/items/GET', day + 12 * 3600_000)).toBe('ok');
  });

  test('quota periods start at UTC midnight, on Sundays for weeks, on the first for months', () => {
    const wednesday = Date.UTC(2026, 0, 7, 15, 30);
    expect(new Date(quotaPeriodStart('DAY', 0, wednesday)).toISOString()).toBe('2026-01-07T00:00:00.000Z');
    expect(new Date(quotaPeriodStart('WEEK', 0, wednesday)).toISOString()).toBe('2026-01-04T00:00:00.000Z');
    expect(new Date(quotaPeriodStart('MONTH', 0, wednesday)).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('gateway responses', () => {
  const ctx = { context: { requestId: 'req-1' }, headers: { 'x-trace': 'abc' }, query: {}, pathParameters: {}, stageVariables: {} };

  test('without a template response, API Gateway\'s built-in answer', () => {
    expect(renderGatewayResponse(new Map(), 'UNAUTHORIZED', ctx)).toEqual({
      statusCode: 401,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'UnauthorizedException' },
      body: '{"message":"Unauthorized"}',
    });
  });

  test('the template\'s DEFAULT_4XX serves a type it does not define, with the type\'s status and $context substituted', () => {
    const responses = new Map([['DEFAULT_4XX', {
      type: 'DEFAULT_4XX',
      headers: { 'Content-Type': "'application/problem+json'", 'X-Trace': 'method.request.header.x-trace' },
      templates: { 'application/json': '{"id":"$context.requestId","message":$context.error.messageString}' },
    }]]);
    expect(renderGatewayResponse(responses, 'THROTTLED', ctx)).toEqual({
      statusCode: 429,
      headers: { 'Content-Type': 'application/problem+json', 'x-amzn-ErrorType': 'TooManyRequestsException', 'X-Trace': 'abc' },
      body: '{"id":"req-1","message":"Too Many Requests"}',
    });
  });
});

describe('routes and validation', () => {
  const method = (httpMethod: string, resourcePath: string, models: Record<string, string> = {}): LocalMethod => ({
    logicalId: httpMethod, httpMethod, resourcePath, resourceId: resourcePath, authorizationType: 'NONE', apiKeyRequired: false,
    requestParameters: { 'method.request.querystring.q': true }, requestModels: models, validateBody: true,
    validateParameters: true, integration: { type: 'MOCK', timeoutMs: 29_000 },
  });
  const node = (pathPart: string, path: string, children: LocalResource[] = []): LocalResource =>
    ({ id: path, pathPart, path, children, methods: new Map() });
  const root = node('', '/', [node('items', '/items', [node('{id}', '/items/{id}'), node('search', '/items/search')]), node('{proxy+}', '/{proxy+}')]);

  test('a literal path part wins over a parameter, which wins over a greedy parameter', () => {
    expect(matchRoute(root, '/items/search')?.resource.path).toBe('/items/search');
    expect(matchRoute(root, '/items/a%20b')).toMatchObject({ resource: { path: '/items/{id}' }, pathParameters: { id: 'a b' } });
    expect(matchRoute(root, '/items/')?.resource.path).toBe('/items');
    expect(matchRoute(root, '/other/x/y')).toMatchObject({ resource: { path: '/{proxy+}' }, pathParameters: { proxy: 'other/x/y' } });
  });

  test('a segment that reads like a route template is a parameter value, never the template itself', () => {
    expect(matchRoute(root, '/items/{id}')).toMatchObject({ resource: { path: '/items/{id}' }, pathParameters: { id: '{id}' } });
    expect(matchRoute(root, '/items/%7Bid%7D')).toMatchObject({ resource: { path: '/items/{id}' }, pathParameters: { id: '{id}' } });
    expect(matchRoute(root, '/{proxy+}')).toMatchObject({ resource: { path: '/{proxy+}' }, pathParameters: { proxy: '{proxy+}' } });
  });

  test('query and header names that collide with Object.prototype members are plain names', () => {
    const { query, multiValueQuery } = parseQuery('__proto__=1&__proto__=2&constructor=c&toString&hasOwnProperty=h');
    expect(Object.entries(query)).toEqual([['__proto__', '2'], ['constructor', 'c'], ['toString', ''], ['hasOwnProperty', 'h']]);
    expect(Object.entries(multiValueQuery)).toEqual([['__proto__', ['1', '2']], ['constructor', ['c']], ['toString', ['']], ['hasOwnProperty', ['h']]]);
    const { headers, multiValueHeaders } = parseHeaders(['__proto__', 'a', 'Constructor', 'b', 'constructor', 'c', 'valueOf', 'v']);
    expect(Object.entries(headers)).toEqual([['__proto__', 'a'], ['Constructor', 'c'], ['valueOf', 'v']]);
    expect(Object.entries(multiValueHeaders)).toEqual([['__proto__', ['a']], ['Constructor', ['b', 'c']], ['valueOf', ['v']]]);
    // They survive the JSON the event travels in to the function.
    expect(Object.entries(JSON.parse(JSON.stringify(multiValueQuery)))).toEqual(Object.entries(multiValueQuery));
    expect(Object.getPrototypeOf(JSON.parse(JSON.stringify(query)))).toBe(Object.prototype);
  });

  test('percent-encoding is well-formed only where decodeURIComponent accepts it', () => {
    for (const good of ['', '/items/a%20b', 'a=%7B%7D&b=+', '%E2%82%AC']) expect([good, isWellFormedEncoding(good)]).toEqual([good, true]);
    for (const bad of ['%', '%zz', 'a%2', '%E0%A4%A', '%C3', '%FF']) expect([bad, isWellFormedEncoding(bad)]).toEqual([bad, false]);
  });

  test('the body is validated against the model of its content type; without Content-Type as application/json', () => {
    const validator = new RequestValidator('api1', new Map([['Named', {
      $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['name'], additionalProperties: false,
      properties: { name: { type: 'string' } },
    }]]));
    const m = method('POST', '/items', { 'application/json': 'Named' });
    const request = (body: string, headers: Record<string, string> = {}) => ({ headers, query: {}, pathParameters: {}, body });
    expect(validator.validateBody(m, request('{"name":"x"}'))).toEqual({ ok: true });
    expect(validator.validateBody(m, request('{"nom":"x"}'))).toMatchObject({ ok: false, type: 'BAD_REQUEST_BODY' });
    expect(validator.validateBody(m, request('{"nom":"x"}', { 'content-type': 'application/json; charset=utf-8' }))).toMatchObject({ ok: false });
    // As in API Gateway: no model for the content type, no body validation (the function checks the media type).
    expect(validator.validateBody(m, request('{"nom":"x"}', { 'content-type': 'text/plain' }))).toEqual({ ok: true });
    expect(validator.validateParameters(m, { headers: {}, query: { q: ' ' }, pathParameters: {}, body: null }))
      .toMatchObject({ ok: false, type: 'BAD_REQUEST_PARAMETERS', message: 'Missing required request parameters: [q]' });
  });
});

describe('intrinsics', () => {
  test('Ref, GetAtt, Join, Select, Split and Sub resolve to local values', () => {
    const template = {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'my-fn' } },
      },
    };
    const r = new IntrinsicResolver(template, { ...LOCAL_ENVIRONMENT, stackName: 'Stack' });
    expect(r.resolve({ Ref: 'Table' })).toBe('Stack-Table');
    expect(r.resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe('arn:aws:lambda:us-east-1:000000000000:function:my-fn');
    expect(r.resolve({ 'Fn::Select': [3, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Fn', 'Arn'] }] }] })).toBe('us-east-1');
    expect(r.resolve({ 'Fn::Join': ['-', ['a', { Ref: 'AWS::AccountId' }]] })).toBe('a-000000000000');
    expect(r.resolve({ 'Fn::Sub': ['${Table}/${Fn.Arn}/${x}/${!Literal}', { x: 'y' }] }))
      .toBe('Stack-Table/arn:aws:lambda:us-east-1:000000000000:function:my-fn/y/${Literal}');
    expect(r.resolve({ a: { Ref: 'AWS::NoValue' }, b: 1 })).toEqual({ b: 1 });
  });
});

describe('Lambda execution environments', () => {
  let dir: string;
  const fn = (name: string, source: string, timeoutSeconds = 1): LocalFunction => {
    const codeDirectory = path.join(dir, name);
    fs.mkdirSync(codeDirectory);
    fs.writeFileSync(path.join(codeDirectory, 'index.js'), source);
    return { logicalId: name, name, arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, codeDirectory,
      handler: 'index.handler', runtime: 'nodejs24.x', timeoutSeconds, memoryMb: 128, environment: {}, layerDirectories: [] };
  };
  const hosts: FunctionHost[] = [];
  const host = (f: LocalFunction) => {
    const h = new FunctionHost({ fn: f, environment: { PATH: process.env.PATH ?? '' }, maxEnvironments: 1 });
    hosts.push(h);
    return h;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-fn-'));
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('module scope is initialised once per environment and kept across invocations', async () => {
    const h = host(fn('counter', 'let n = 0; exports.handler = async (e, c) => ({ n: ++n, e, remaining: c.getRemainingTimeInMillis() > 0 });'));
    expect(await h.invoke({ a: 1 })).toMatchObject({ ok: true, payload: { n: 1, e: { a: 1 }, remaining: true } });
    expect(await h.invoke({ a: 2 })).toMatchObject({ ok: true, payload: { n: 2 } });
    expect(h.stats.coldStarts).toBe(1);
  });

  test('a function running past its Timeout fails with Sandbox.Timedout and the next invocation gets a fresh environment', async () => {
    const h = host(fn('slow', 'let n = 0; exports.handler = async (e) => { n++; if (e.sleep) await new Promise((r) => setTimeout(r, 5000)); return n; };'));
    expect(await h.invoke({ sleep: true })).toMatchObject({ ok: false, kind: 'timeout', errorType: 'Sandbox.Timedout' });
    expect(await h.invoke({})).toMatchObject({ ok: true, payload: 1 });
    expect({ coldStarts: h.stats.coldStarts, timeouts: h.stats.timeouts }).toEqual({ coldStarts: 2, timeouts: 1 });
  });

  test('a thrown error is a function error and keeps the environment; an init error is reported', async () => {
    const h = host(fn('thrower', 'exports.handler = async () => { throw new Error("Unauthorized"); };'));
    expect(await h.invoke({})).toMatchObject({ ok: false, kind: 'function', errorType: 'Error', errorMessage: 'Unauthorized' });
    expect(await h.invoke({})).toMatchObject({ ok: false, kind: 'function' });
    expect(h.stats.coldStarts).toBe(1);
    const broken = host(fn('broken', 'throw new Error("bad config");'));
    expect(await broken.invoke({})).toMatchObject({ ok: false, kind: 'init', errorMessage: 'Error: bad config' });
  });
});
