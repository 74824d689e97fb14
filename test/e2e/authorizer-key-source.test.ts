/**
 * The demo synthesized with the AUTHORIZER API key source: the authorizer maps the token's client_id to the
 * client's API key (read from the local API Gateway endpoint with GetApiKey) and API Gateway meters that key.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalApi, startLocalApi } from '../../local/server';
import { authorizerInvocations, call, expectGatewayProblem, START_TIMEOUT_MS } from './support';

let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({ port: 0, issuerPort: 0, inMemory: true, apiKeySource: 'AUTHORIZER' });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await api?.stop();
});

test('a token whose client_id names a client reads and writes without an x-api-key header', async () => {
  const token = api.mintToken({ sub: 'alice', scope: 'items:read items:write', client_id: 'demo-web' });
  const created = await call(api, 'POST', '/items', { token, body: { name: 'via client_id' } });
  expect(created.status).toBe(201);
  const read = await call(api, 'GET', `/items/${created.json.id}`, { token });
  expect({ status: read.status, name: read.json.name }).toEqual({ status: 200, name: 'via client_id' });
});

test('a token whose client_id names no client answers 403', async () => {
  const token = api.mintToken({ sub: 'alice', scope: 'items:read', client_id: 'stranger' });
  expectGatewayProblem(await call(api, 'GET', '/items', { token }), 403, 'Forbidden');
});

test('a token without client_id answers 403 even with a valid key in x-api-key', async () => {
  const token = api.mintToken({ sub: 'alice', scope: 'items:read' });
  expectGatewayProblem(await call(api, 'GET', '/items', { token, key: api.apiKeys['demo-web'] }), 403, 'Forbidden');
});

test('a missing token still answers 401 before any key is looked at', async () => {
  const before = authorizerInvocations(api);
  expectGatewayProblem(await call(api, 'GET', '/items'), 401, 'Unauthorized');
  expect(authorizerInvocations(api)).toBe(before);
});

test('the banner of a run with a data directory shows the token command naming a client of the mapping', async () => {
  // The key ids of the mapping are deploy-time values: the banner reads them as the authorizer does.
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
  let withDataDir: LocalApi | undefined;
  try {
    withDataDir = await startLocalApi({
      port: 0, issuerPort: 0, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-banner-')), apiKeySource: 'AUTHORIZER', verbose: true,
    });
  } finally {
    log.mockRestore();
    await withDataDir?.stop();
  }
  expect(printed.join('\n')).toMatch(/TOKEN=\$\(npm run --silent token -- --sub alice --scope "items:read items:write" --client-id demo-\w+ --data-dir /);
}, START_TIMEOUT_MS);
