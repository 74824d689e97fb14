/**
 * Usage plan quotas, end to end: with the `quotaOverride` test knob every plan allows 3 requests per period, so
 * exhausting a key's quota takes a few requests instead of the demo's 10,000 a day.
 */
import { LocalApi, startLocalApi } from '../../local/server';
import { call, expectGatewayProblem, START_TIMEOUT_MS } from './support';

let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({ port: 0, issuerPort: 0, inMemory: true, quotaOverride: 3 });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await api?.stop();
});

test('a key that used its quota answers 429 QUOTA_EXCEEDED; another client\'s key is unaffected', async () => {
  const token = api.mintToken({ sub: 'alice', scope: 'items:read' });
  const web = api.apiKeys['demo-web'];
  for (let i = 0; i < 3; i++) expect((await call(api, 'GET', '/items', { token, key: web })).status).toBe(200);
  expectGatewayProblem(await call(api, 'GET', '/items', { token, key: web }), 429, 'Too Many Requests');
  expect((await call(api, 'GET', '/items', { token, key: api.apiKeys['demo-partner'] })).status).toBe(200);
});

test('requests refused before metering (no token) do not count against the quota', async () => {
  const partner = api.apiKeys['demo-partner'];
  for (let i = 0; i < 5; i++) expectGatewayProblem(await call(api, 'GET', '/items', { key: partner }), 401, 'Unauthorized');
  const token = api.mintToken({ sub: 'bob', scope: 'items:read' });
  // One request of three was used by the previous test.
  expect((await call(api, 'GET', '/items', { token, key: partner })).status).toBe(200);
  expect((await call(api, 'GET', '/items', { token, key: partner })).status).toBe(200);
  expectGatewayProblem(await call(api, 'GET', '/items', { token, key: partner }), 429, 'Too Many Requests');
});
