/**
 * The data directory: items, API keys, the API id and the issuer's signing key survive a restart; a second run
 * on the same directory is refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalApi, startLocalApi } from '../../local/server';
import { call, freePort, START_TIMEOUT_MS } from './support';

let dataDir: string;
let issuerPort: number;
const running: LocalApi[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-e2e-'));
  // The issuer URL is the token's `iss`: the same port on both starts, as `npm start` uses 3001 each time.
  issuerPort = await freePort();
});

afterAll(async () => {
  await Promise.all(running.map((api) => api.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<LocalApi> {
  const api = await startLocalApi({ port: 0, issuerPort, dataDir });
  running.push(api);
  return api;
}

test('items, API keys and tokens survive a restart on the same data directory', async () => {
  const first = await start();
  const token = first.mintToken({ sub: 'alice', scope: 'items:read items:write' });
  const created = await call(first, 'POST', '/items', { token, key: first.apiKeys['demo-web'], body: { name: 'kept' } });
  expect(created.status).toBe(201);
  await first.stop();
  await expect(fetch(`${first.url}/items`)).rejects.toThrow();

  const second = await start();
  expect(second.apiKeys).toEqual(first.apiKeys);
  expect(second.tableName).toBe(first.tableName);
  // A token minted before the restart: same issuer, same signing key.
  const read = await call(second, 'GET', `/items/${created.json.id}`, { token, key: second.apiKeys['demo-web'] });
  expect({ status: read.status, name: read.json.name }).toEqual({ status: 200, name: 'kept' });
  expect(fs.existsSync(path.join(dataDir, 'dynamodb'))).toBe(true);
}, 2 * START_TIMEOUT_MS);

test('a second local run on a data directory in use is refused', async () => {
  expect(running.length).toBeGreaterThan(0);
  await expect(startLocalApi({ port: 0, issuerPort: 0, dataDir })).rejects.toThrow(/in use by another local run/);
});
