/**
 * The deploy test's probe against a local HTTP server standing in for the API and the Cognito token endpoint: what
 * it sends, and what it reports back to the assertions.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { fetchAccessToken, memoize } from './credentials';
import { burst, paddedJson, PROBE_USER_AGENT, request } from './probe';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let baseUrl: string;
const seen: Seen[] = [];
/** Answers the next request; the default echoes a 200. */
let answer: (req: Seen, res: http.ServerResponse) => void;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const r = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});

const deps = (overrides: object = {}) => ({
  apiUrl: baseUrl,
  token: async (client: 'reader' | 'writer') => `token-of-${client}`,
  apiKey: async () => 'key-value',
  fetch,
  ...overrides,
});

describe('request', () => {
  test('sends the named client\'s token, the API key and the JSON body below the stage, and answers status and body', async () => {
    answer = (_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"1","name":"n"}');
    const response = await request({ action: 'request', method: 'POST', path: '/items', token: 'writer', apiKey: true, body: { name: 'n' } }, deps());
    expect(response).toEqual({ status: 201, body: { id: '1', name: 'n' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/prod/items', body: '{"name":"n"}' });
    expect(seen[0].headers).toMatchObject({
      'authorization': 'Bearer token-of-writer', 'x-api-key': 'key-value', 'content-type': 'application/json', 'user-agent': PROBE_USER_AGENT,
    });
  });

  test('sends neither token nor key unless asked', async () => {
    const lookups: string[] = [];
    await request({ action: 'request', method: 'GET', path: 'items' }, deps({
      token: async () => { lookups.push('token'); return 't'; },
      apiKey: async () => { lookups.push('key'); return 'k'; },
    }));
    expect(lookups).toEqual([]);
    expect(seen[0].headers.authorization).toBeUndefined();
    expect(seen[0].headers['x-api-key']).toBeUndefined();
  });

  test('sends a body of exactly bodyBytes bytes', async () => {
    await request({ action: 'request', method: 'POST', path: '/items', bodyBytes: 17 * 1024 }, deps());
    expect(Buffer.byteLength(seen[0].body)).toBe(17 * 1024);
    expect(JSON.parse(seen[0].body)).toMatchObject({ name: 'oversized' });
  });

  test('answers a body that is not a JSON object as an object with its text', async () => {
    for (const [text, body] of [['Bad Gateway', { text: 'Bad Gateway' }], ['', { text: '' }], ['null', { text: 'null' }], ['[1]', { text: '[1]' }]] as const) {
      answer = (_req, res) => res.writeHead(502).end(text);
      expect(await request({ action: 'request', method: 'GET', path: '/items' }, deps())).toEqual({ status: 502, body });
    }
  });
});

describe('burst', () => {
  test('stops at the first 429 and reports its body and the counts', async () => {
    answer = (_req, res) => (seen.length > 30
      ? res.writeHead(429, { 'content-type': 'application/json' }).end('{"message":"Too Many Requests"}')
      : res.writeHead(401).end('{"title":"Unauthorized"}'));
    const result = await burst({ action: 'burst', path: '/items', perSecond: 200, seconds: 10 }, deps());
    expect(result.limited).toEqual({ status: 429, body: { message: 'Too Many Requests' } });
    expect(result.counts['401']).toBe(30);
    expect(result.counts['429']).toBeGreaterThanOrEqual(1);
    // It stops sending once limited: at most the requests already in flight follow.
    expect(result.sent).toBeLessThan(30 + 25);
    expect(seen.every((r) => r.method === 'GET' && r.url === '/prod/items' && r.headers.authorization === undefined && r.headers['x-api-key'] === undefined)).toBe(true);
  });

  test('keeps the asked rate and reports no limit when none came', async () => {
    answer = (_req, res) => res.writeHead(401).end();
    const started = Date.now();
    const result = await burst({ action: 'burst', path: '/items', perSecond: 50, seconds: 1 }, deps());
    const elapsed = Date.now() - started;
    expect(result.limited).toEqual({ status: 0, body: {} });
    expect(result.sent).toBeGreaterThanOrEqual(40);
    expect(result.sent).toBeLessThanOrEqual(51);
    expect(result.counts).toEqual({ 401: result.sent });
    expect(elapsed).toBeGreaterThanOrEqual(950);
  });
});

describe('paddedJson', () => {
  test('is valid JSON of exactly the size asked', () => {
    for (const size of [40, 1000, 16 * 1024 + 1]) {
      const text = paddedJson(size);
      expect(Buffer.byteLength(text)).toBe(size);
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });

  test('rejects a size smaller than an empty item', () => {
    expect(() => paddedJson(10)).toThrow(/'bodyBytes' must be at least 37 \(got 10\)/);
  });
});

describe('fetchAccessToken', () => {
  test('uses the client credentials grant with HTTP Basic client authentication', async () => {
    answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"at","token_type":"Bearer","expires_in":3600}');
    const token = await fetchAccessToken(fetch, `${baseUrl}oauth2/token`, { clientId: 'client', clientSecret: 's3cr:t' }, ['items/read', 'items/write']);
    expect(token).toBe('at');
    expect(seen[0].method).toBe('POST');
    expect(seen[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen[0].headers.authorization).toBe(`Basic ${Buffer.from('client:s3cr%3At').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(seen[0].body))).toEqual({ grant_type: 'client_credentials', scope: 'items/read items/write' });
  });

  test('names the endpoint\'s error code, never the credentials', async () => {
    answer = (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
    const failure = fetchAccessToken(fetch, `${baseUrl}oauth2/token`, { clientId: 'client', clientSecret: 'the-secret' }, ['items/read']);
    await expect(failure).rejects.toThrow('probe: the token endpoint answered 400 (invalid_client)');
    await expect(failure).rejects.not.toThrow(/the-secret/);
  });
});

describe('memoize', () => {
  test('looks a key up once, and again after a failure', async () => {
    let calls = 0;
    const lookup = memoize(async (key: string) => {
      calls += 1;
      if (calls === 1) throw new Error('transient');
      return `${key}-${calls}`;
    });
    await expect(lookup('a')).rejects.toThrow('transient');
    expect(await lookup('a')).toBe('a-2');
    expect(await lookup('a')).toBe('a-2');
    expect(calls).toBe(2);
  });
});
