/**
 * The security matrix, end to end over real HTTP: the synthesized demo served locally (template, real authorizer
 * and items bundles, dynalite), every refusal answered with the template's gateway response.
 */
import { generateKeyPairSync } from 'node:crypto';
import { signJwt } from '../../local/issuer';
import { LocalApi, startLocalApi } from '../../local/server';
import {
  authorizerInvocations, call, expectGatewayProblem, expectSecurityHeaders, expectServiceProblem, itemsStats, START_TIMEOUT_MS,
} from './support';

let api: LocalApi;
let key: string;

beforeAll(async () => {
  api = await startLocalApi({ port: 0, issuerPort: 0, inMemory: true });
  key = api.apiKeys['demo-web'];
}, START_TIMEOUT_MS);

afterAll(async () => {
  await api?.stop();
});

const writer = (sub = 'alice') => api.mintToken({ sub, scope: 'items:read items:write' });
const reader = (sub = 'alice') => api.mintToken({ sub, scope: 'items:read' });

describe('routes', () => {
  test('an unknown path answers 404 (MISSING_AUTHENTICATION_TOKEN as the template maps it)', async () => {
    expectGatewayProblem(await call(api, 'GET', '/nothing-here', { token: writer(), key }), 404, 'Not Found');
  });

  test('a method the resource does not declare answers 404 too, before any API key or token check', async () => {
    expectGatewayProblem(await call(api, 'PATCH', '/items'), 404, 'Not Found');
  });

  test('a path outside the stage answers 403 Forbidden', async () => {
    const answer = await fetch(api.url.replace(/\/prod$/, '/dev/items'));
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual({ message: 'Forbidden' });
  });
});

describe('API keys', () => {
  test('a missing x-api-key answers 403 INVALID_API_KEY without invoking the authorizer', async () => {
    const before = authorizerInvocations(api);
    expectGatewayProblem(await call(api, 'GET', '/items', { token: writer() }), 403, 'Forbidden');
    expect(authorizerInvocations(api)).toBe(before);
  });

  test('an unknown API key answers 403 INVALID_API_KEY', async () => {
    expectGatewayProblem(await call(api, 'GET', '/items', { token: writer(), key: 'x'.repeat(40) }), 403, 'Forbidden');
  });
});

describe('tokens', () => {
  test('no token answers 401 with WWW-Authenticate: Bearer, without invoking the authorizer', async () => {
    const before = authorizerInvocations(api);
    expectGatewayProblem(await call(api, 'GET', '/items', { key }), 401, 'Unauthorized');
    expect(authorizerInvocations(api)).toBe(before);
  });

  test('an Authorization header that is not a bearer JWS answers 401 without invoking the authorizer', async () => {
    const before = authorizerInvocations(api);
    expectGatewayProblem(await call(api, 'GET', '/items', { key, headers: { Authorization: 'Basic YWxpY2U6c2VjcmV0' } }), 401, 'Unauthorized');
    expect(authorizerInvocations(api)).toBe(before);
  });

  test('an expired token answers 401', async () => {
    const expired = api.mintToken({ sub: 'alice', scope: 'items:read', expiresInSeconds: -3600 });
    expectGatewayProblem(await call(api, 'GET', '/items', { token: expired, key }), 401, 'Unauthorized');
  });

  test('a token for another audience answers 401', async () => {
    const foreign = api.mintToken({ sub: 'alice', scope: 'items:read', aud: 'another-api' });
    expectGatewayProblem(await call(api, 'GET', '/items', { token: foreign, key }), 401, 'Unauthorized');
  });

  test('a token signed by another key under the local key id answers 401', async () => {
    const genuine = api.mintToken({ sub: 'alice', scope: 'items:read' });
    const { kid } = JSON.parse(Buffer.from(genuine.split('.')[0], 'base64url').toString()) as { kid: string };
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const payload = JSON.parse(Buffer.from(genuine.split('.')[1], 'base64url').toString()) as object;
    const forged = signJwt({ kid, privateKey }, payload);
    expectGatewayProblem(await call(api, 'GET', '/items', { token: forged, key }), 401, 'Unauthorized');
    // The genuine token with the same claims is accepted: the signature alone made the difference.
    expect((await call(api, 'GET', '/items', { token: genuine, key })).status).toBe(200);
  });

  test('a token without the route\'s scope answers 403 ACCESS_DENIED', async () => {
    const noScope = api.mintToken({ sub: 'alice', scope: 'profile' });
    expectGatewayProblem(await call(api, 'GET', '/items', { token: noScope, key }), 403, 'Forbidden');
  });

  test('a read-only token is refused on every write with 403, and its reads still work', async () => {
    const token = reader();
    const id = '3f1e4c8a-1b2d-4e5f-8a9b-0c1d2e3f4a5b';
    expect((await call(api, 'GET', '/items', { token, key })).status).toBe(200);
    expectGatewayProblem(await call(api, 'POST', '/items', { token, key, body: { name: 'x' } }), 403, 'Forbidden');
    expectGatewayProblem(await call(api, 'PUT', `/items/${id}`, { token, key, body: { version: 1, name: 'x' } }), 403, 'Forbidden');
    expectGatewayProblem(await call(api, 'DELETE', `/items/${id}`, { token, key }), 403, 'Forbidden');
  });
});

describe('owner isolation', () => {
  test('bob can neither read, change, list nor delete alice\'s item', async () => {
    const alice = writer('alice');
    const bob = writer('bob');
    const created = await call(api, 'POST', '/items', { token: alice, key, body: { name: 'alice private' } });
    expect(created.status).toBe(201);
    const id = created.json.id as string;

    expectServiceProblem(await call(api, 'GET', `/items/${id}`, { token: bob, key }), 404, 'not-found');
    expectServiceProblem(await call(api, 'PUT', `/items/${id}`, { token: bob, key, body: { version: 1, name: 'bob was here' } }), 404, 'not-found');
    const list = await call(api, 'GET', '/items', { token: bob, key });
    expect(list.json.items.map((i: { id: string }) => i.id)).not.toContain(id);
    // Deletes are idempotent (204 whoever asks) but only ever address the caller's own partition.
    expect((await call(api, 'DELETE', `/items/${id}`, { token: bob, key })).status).toBe(204);

    const still = await call(api, 'GET', `/items/${id}`, { token: alice, key });
    expect({ status: still.status, name: still.json.name, version: still.json.version }).toEqual({ status: 200, name: 'alice private', version: 1 });
  });
});

describe('request validation', () => {
  test('a body that breaks the model answers 400 BAD_REQUEST_BODY without invoking the function', async () => {
    const token = writer();
    await call(api, 'GET', '/items', { token, key });
    const before = itemsStats(api).invocations;
    for (const body of [{ name: 5 }, { name: 'ok', owner: 'bob' }, {}, { name: '' }]) {
      expectGatewayProblem(await call(api, 'POST', '/items', { token, key, body }), 400, 'Bad Request');
    }
    expectGatewayProblem(await call(api, 'POST', '/items', { token, key, rawBody: '{"name": "unterminated' }), 400, 'Bad Request');
    expectGatewayProblem(await call(api, 'PUT', '/items/3f1e4c8a-1b2d-4e5f-8a9b-0c1d2e3f4a5b', { token, key, body: { name: 'no version' } }), 400, 'Bad Request');
    expect(itemsStats(api).invocations).toBe(before);
  });

  test('a body of another content type has no model, so API Gateway passes it on and the function answers 415', async () => {
    const answer = await call(api, 'POST', '/items', { token: writer(), key, rawBody: '{"nom":1}', headers: { 'Content-Type': 'text/plain' } });
    expectServiceProblem(answer, 415, 'unsupported-media-type');
  });

  test('a body over API Gateway\'s 10 MB payload limit answers 413 REQUEST_TOO_LARGE', async () => {
    const rawBody = `{"name":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    expectGatewayProblem(await call(api, 'POST', '/items', { token: writer(), key, rawBody }), 413, 'Request Entity Too Large');
  });

  test('a body that fits the model but exceeds the service\'s 16 KiB limit is refused by the function with 413', async () => {
    // Whitespace is valid JSON that no schema keyword limits; in AWS the WAF body size rule answers first.
    const rawBody = `{"name":"padded"${' '.repeat(20 * 1024)}}`;
    expectServiceProblem(await call(api, 'POST', '/items', { token: writer(), key, rawBody }), 413, 'payload-too-large');
  });
});

describe('integration', () => {
  test('the owner creates, reads, updates, lists and deletes an item, with the proxy event API Gateway sends', async () => {
    const token = writer('carol');
    const created = await call(api, 'POST', '/items', { token, key, body: { name: 'notebook', tags: ['paper'] } });
    expect(created.status).toBe(201);
    expectSecurityHeaders(created);
    const id = created.json.id as string;
    // The handler builds Location from the event's requestContext.path, which includes the stage.
    expect(created.headers.get('location')).toBe(`/prod/items/${id}`);

    const read = await call(api, 'GET', `/items/${id}`, { token, key });
    expect({ status: read.status, name: read.json.name, tags: read.json.tags }).toEqual({ status: 200, name: 'notebook', tags: ['paper'] });

    const updated = await call(api, 'PUT', `/items/${id}`, { token, key, body: { version: 1, name: 'notebook v2' } });
    expect({ status: updated.status, version: updated.json.version }).toEqual({ status: 200, version: 2 });
    expectServiceProblem(await call(api, 'PUT', `/items/${id}`, { token, key, body: { version: 1, name: 'stale' } }), 409, 'version-conflict');

    const page = await call(api, 'GET', '/items?limit=1', { token, key });
    expect({ status: page.status, ids: page.json.items.map((i: { id: string }) => i.id) }).toEqual({ status: 200, ids: [id] });

    expect((await call(api, 'DELETE', `/items/${id}`, { token, key })).status).toBe(204);
    expectServiceProblem(await call(api, 'GET', `/items/${id}`, { token, key }), 404, 'not-found');
  });

  test('a crashing integration answers 502 and the next request is served by a fresh environment', async () => {
    const token = writer();
    const crashes = itemsStats(api).crashes;
    api.crashNextInvocation('items');
    expectGatewayProblem(await call(api, 'GET', '/items', { token, key }), 502, 'Bad Gateway');
    expect(itemsStats(api).crashes).toBe(crashes + 1);
    const next = await call(api, 'GET', '/items', { token, key });
    expect(next.status).toBe(200);
  });
});

describe('authorizer failures', () => {
  test('a crashing authorizer answers 500 AUTHORIZER_FAILURE and the next request is authorized again', async () => {
    api.crashNextInvocation('authorizer');
    expectGatewayProblem(await call(api, 'GET', '/items', { token: writer('gina'), key }), 500, 'Internal Server Error');
    expect((await call(api, 'GET', '/items', { token: writer('gina'), key })).status).toBe(200);
  });
});

describe('authorizer result cache', () => {
  test('repeated calls with one token invoke the authorizer once within the TTL; another token invokes it again', async () => {
    const token = writer('dave');
    const before = authorizerInvocations(api);
    for (let i = 0; i < 3; i++) expect((await call(api, 'GET', '/items', { token, key })).status).toBe(200);
    expect(authorizerInvocations(api)).toBe(before + 1);
    expect((await call(api, 'GET', '/items', { token: writer('dave'), key })).status).toBe(200);
    expect(authorizerInvocations(api)).toBe(before + 2);
  });

  test('a cached policy is evaluated for each route: the cached read-only result still refuses a write', async () => {
    const token = reader('erin');
    expect((await call(api, 'GET', '/items', { token, key })).status).toBe(200);
    const before = authorizerInvocations(api);
    expectGatewayProblem(await call(api, 'POST', '/items', { token, key, body: { name: 'x' } }), 403, 'Forbidden');
    expect(authorizerInvocations(api)).toBe(before);
  });
});

describe('usage plan throttle', () => {
  // Last in this file: it empties demo-web's POST /items bucket (10 rps, burst 20).
  test('a burst of 30 concurrent POSTs over the route throttle (burst 20) is answered 429 THROTTLED beyond the bucket', async () => {
    const token = writer('frank');
    expect((await call(api, 'GET', '/items', { token, key })).status).toBe(200);
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      call(api, 'POST', '/items', { token, key, body: { name: `burst ${i}` } })));
    const seconds = (performance.now() - started) / 1000;
    const created = answers.filter((a) => a.status === 201);
    const throttled = answers.filter((a) => a.status === 429);
    expect(created.length + throttled.length).toBe(30);
    // 20 tokens at most, plus what 10 rps refills while the burst is served (longer on a loaded machine).
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(created.length).toBeLessThanOrEqual(20 + Math.ceil(10 * seconds));
    expectGatewayProblem(throttled[0], 429, 'Too Many Requests');
  });
});
