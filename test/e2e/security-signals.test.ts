/**
 * The local run's security signals, end to end: an attack over real HTTP (forged, unknown-kid and expired tokens
 * signed for real, tokens without the scope, a page of a foreign origin, a burst over the usage plan), then the
 * counters of `GET /.local/security` and the console status line must show exactly those reasons and counts. The
 * authorizer's decisions are counted from the log lines of the real bundle; the same lines, read by the local filter
 * pattern evaluator with patterns rendered by aws-cdk-lib, must give the same counts.
 *
 * The authorizer writes its line to stdout and answers over IPC: the two can arrive in either order, so counters
 * are polled until they settle (and must then be exactly what was sent).
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import { matchesFilterPattern } from '../../local/filter-pattern';
import { LocalApi, startLocalApi } from '../../local/server';
import type { SecuritySnapshot } from '../../local/security-signals';
import { generateEcKey, signToken } from '../support/tokens';
import { call, expectGatewayProblem, START_TIMEOUT_MS } from './support';

const { FilterPattern } = logs;

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.com';
/** Small enough that the burst below exhausts it: every plan allows this many requests per period. */
const QUOTA = 5;

let api: LocalApi;
let key: string;
/** Every console.log of the run (verbose: banner, request lines, function log lines, status lines), timed. */
const printed: Array<{ at: number; line: string }> = [];
let consoleLog: jest.SpyInstance;

beforeAll(async () => {
  consoleLog = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push({ at: Date.now(), line: args.join(' ') });
  });
  api = await startLocalApi({ port: 0, issuerPort: 0, inMemory: true, verbose: true, corsOrigins: [APP], quotaOverride: QUOTA });
  key = api.apiKeys['demo-web'];
}, START_TIMEOUT_MS);

afterAll(async () => {
  await api?.stop();
  consoleLog?.mockRestore();
});

async function security(): Promise<SecuritySnapshot> {
  const response = await fetch(api.securityUrl);
  expect(response.status).toBe(200);
  return await response.json() as SecuritySnapshot;
}

/** Polls until `done` holds or 10 s pass; returns the last snapshot (the caller asserts it exactly). */
async function settled(done: (s: SecuritySnapshot) => boolean): Promise<SecuritySnapshot> {
  const deadline = Date.now() + 10_000;
  let snapshot = await security();
  while (!done(snapshot) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    snapshot = await security();
  }
  return snapshot;
}

/**
 * Whether two counter objects hold the same counts, in any key order. (fetch's JSON is made outside jest's realm,
 * so util.isDeepStrictEqual, which compares prototypes, would never hold.)
 */
function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const sorted = (o: Record<string, number>) => JSON.stringify(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
  return sorted(a) === sorted(b);
}

const statusLines = () => printed.filter((p) => p.line.startsWith('security: '));

/** The authorizer's own log lines, as the run printed them (`  [Name] {json}`). */
function authorizerLines(): string[] {
  return printed.flatMap(({ line }) => {
    const match = /^ {2}\[[^\]]+\] (\{.*\})$/.exec(line);
    if (match === null) return [];
    try {
      return (JSON.parse(match[1]) as { service?: unknown }).service === 'secure-api-authorizer' ? [match[1]] : [];
    } catch {
      return [];
    }
  });
}

/** The claims of a genuine local token, and the local signing key's id. */
function genuine(): { kid: string; payload: Record<string, unknown> } {
  const token = api.mintToken({ sub: 'mallory', scope: 'items:read' });
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
  return { kid: header.kid as string, payload };
}

test('before any attack nothing is counted, and the banner names the endpoint', async () => {
  const snapshot = await security();
  expect({ authorizer: snapshot.authorizer, waf: snapshot.waf, throttling: snapshot.throttling, statusLine: snapshot.statusLine }).toEqual({
    authorizer: { allow: {}, deny: {}, unauthorized: {}, error: {} },
    waf: {},
    throttling: { usagePlanThrottle: 0, usagePlanQuota: 0, stageThrottle: 0 },
    statusLine: 'security: nothing refused yet',
  });
  // Whatever metric filters the template has on the authorizer's log group, each is one the local evaluator reads.
  for (const filter of snapshot.metricFilters) expect({ id: filter.logicalId, error: filter.error, metrics: filter.metrics }).toEqual({ id: filter.logicalId, error: undefined, metrics: [] });
  expect(printed.map((p) => p.line).join('\n')).toContain(`Security  ${api.securityUrl}`);
  expect(statusLines()).toEqual([]);
});

test('forged, unknown-kid and expired tokens are counted as 401s by the authorizer\'s reason', async () => {
  const { kid, payload } = genuine();
  const attacker = generateEcKey(kid);
  for (let i = 0; i < 3; i++) {
    // Signed by another key under the local key id.
    const forged = signToken(attacker, { ...payload, jti: `forged-${i}` });
    expectGatewayProblem(await call(api, 'GET', '/items', { token: forged, key }), 401, 'Unauthorized');
  }
  for (let i = 0; i < 2; i++) {
    const unknown = signToken(generateEcKey(`unknown-${i}`), { ...payload, jti: `unknown-${i}` });
    expectGatewayProblem(await call(api, 'GET', '/items', { token: unknown, key }), 401, 'Unauthorized');
  }
  for (let i = 0; i < 2; i++) {
    const expired = api.mintToken({ sub: 'mallory', scope: 'items:read', expiresInSeconds: -3600 });
    expectGatewayProblem(await call(api, 'GET', '/items', { token: expired, key }), 401, 'Unauthorized');
  }
  const expected = { invalid_signature: 3, unknown_kid: 2, token_expired: 2 };
  const snapshot = await settled((s) => sameCounts(s.authorizer.unauthorized, expected));
  expect(snapshot.authorizer).toEqual({ allow: {}, deny: {}, unauthorized: expected, error: {} });
});

test('tokens without the route\'s scope are counted as 403 insufficient_scope, each token once', async () => {
  for (const sub of ['eve', 'trudy']) {
    const noScope = api.mintToken({ sub, scope: 'profile' });
    expectGatewayProblem(await call(api, 'GET', '/items', { token: noScope, key }), 403, 'Forbidden');
    // The deny policy is cached for the token: a second request is refused without a decision line.
    expectGatewayProblem(await call(api, 'GET', '/items', { token: noScope, key }), 403, 'Forbidden');
  }
  const snapshot = await settled((s) => s.authorizer.deny.insufficient_scope === 2);
  expect(snapshot.authorizer.deny).toEqual({ insufficient_scope: 2 });
});

test('requests of a foreign origin are counted as WAF blocks of the DisallowedOrigin rule', async () => {
  for (let i = 0; i < 3; i++) {
    const answer = await call(api, 'GET', '/items', { key, headers: { Origin: EVIL } });
    expect(answer.status).toBe(403);
  }
  expect((await security()).waf).toEqual({ DisallowedOrigin: { status: 403, rateBased: false, count: 3 } });
});

test('a burst over the usage plan is counted as throttle and quota 429s, apart from the stage throttle', async () => {
  const writer = api.mintToken({ sub: 'alice', scope: 'items:read items:write' });
  // One request first, so that the burst finds the allow policy cached (one decision line, not one per request).
  expect((await call(api, 'POST', '/items', { token: writer, key, body: {} })).status).toBe(400);
  // POST /items of the web plan: 10 requests per second, burst 20; the quota (QUOTA) runs out first.
  const answers = await Promise.all(Array.from({ length: 40 }, () => call(api, 'POST', '/items', { token: writer, key, body: {} })));
  const errorTypes = answers.filter((a) => a.status === 429).map((a) => a.headers.get('x-amzn-errortype'));
  const throttled = errorTypes.filter((t) => t === 'TooManyRequestsException').length;
  const quota = errorTypes.filter((t) => t === 'LimitExceededException').length;
  expect(errorTypes).toHaveLength(throttled + quota);
  // The first request used one of the quota; the burst's other passing requests fail validation (no body model match).
  expect(answers.filter((a) => a.status === 400)).toHaveLength(QUOTA - 1);
  expect(answers.filter((a) => a.status === 400 || a.status === 429)).toHaveLength(answers.length);
  expect(throttled).toBeGreaterThan(0);
  expect(quota).toBeGreaterThan(0);
  expect((await security()).throttling).toEqual({ usagePlanThrottle: throttled, usagePlanQuota: quota, stageThrottle: 0 });
});

test('the status line shows exactly those refusals, printed at most once a second, and the endpoint carries it', async () => {
  const { throttling: { usagePlanThrottle, usagePlanQuota } } = await security();
  const expected = 'security: 401 invalid_signature×3 token_expired×2 unknown_kid×2 · 403 insufficient_scope×2 · '
    + `403 waf DisallowedOrigin×3 · 429 usage-plan throttle×${usagePlanThrottle} quota×${usagePlanQuota}`;
  const deadline = Date.now() + 5000;
  while (statusLines().at(-1)?.line !== expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(statusLines().at(-1)?.line).toBe(expected);
  expect((await security()).statusLine).toBe(expected);
  const times = statusLines().map((p) => p.at);
  for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(950);
  expect(new Set(statusLines().map((p) => p.line)).size).toBe(statusLines().length);
});

test('CDK-rendered filter patterns, evaluated locally on the run\'s real authorizer lines, count what the endpoint counts', async () => {
  const snapshot = await security();
  const lines = authorizerLines();
  const count = (pattern: logs.IFilterPattern) => lines.filter((line) => matchesFilterPattern(pattern.logPatternString, line)).length;
  for (const [decision, reasons] of Object.entries(snapshot.authorizer)) {
    expect([decision, count(FilterPattern.stringValue('$.decision', '=', decision))]).toEqual([decision, Object.values(reasons).reduce((a, b) => a + b, 0)]);
    for (const [reason, n] of Object.entries(reasons)) {
      const pattern = FilterPattern.all(FilterPattern.stringValue('$.decision', '=', decision), FilterPattern.stringValue('$.reason', '=', reason));
      expect([decision, reason, count(pattern)]).toEqual([decision, reason, n]);
    }
  }
  // One allow: the first POST of the burst test (the burst found its policy cached).
  expect(snapshot.authorizer.allow).toEqual({ authorized: 1 });
  expect(count(FilterPattern.all(FilterPattern.exists('$.routeKey'), FilterPattern.numberValue('$.durationMs', '>=', 0)))).toBe(lines.length);
  expect(count(FilterPattern.stringValue('$.decision', '!=', 'allow'))).toBe(9);
});

describe('the endpoint', () => {
  test('answers GET and HEAD, refuses other methods, ignores a query string, and is not an API request', async () => {
    const before = api.stats().gateway.requests;
    expect((await fetch(`${api.securityUrl}?pretty=1`)).status).toBe(200);
    const head = await fetch(api.securityUrl, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), head.headers.get('cache-control')]).toEqual([200, 'application/json', 'no-store']);
    const post = await fetch(api.securityUrl, { method: 'POST', body: '{}' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(api.stats().gateway.requests).toBe(before);
  });

  test('the same path under the stage is the API\'s, answered by its gateway response', async () => {
    expectGatewayProblem(await call(api, 'GET', '/.local/security'), 404, 'Not Found');
  });
});
