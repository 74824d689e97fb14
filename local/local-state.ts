/**
 * Values that AWS would generate at deploy time and the local run must keep stable across restarts: the REST API
 * id and each API key's id and value. Persisted in `<dataDir>/state.json` (mode 0600: it holds key values), or kept
 * in memory for an in-memory run.
 */
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** An API key's local id and value. */
export interface LocalKeyValue {
  readonly id: string;
  readonly value: string;
}

/** The persisted state. */
export interface LocalState {
  /** Logical id of the REST API → its local id. */
  readonly apiIds: Record<string, string>;
  /** Logical id of each API key → its local id and value. */
  readonly apiKeys: Record<string, LocalKeyValue>;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform characters from the CSPRNG (randomInt avoids modulo bias). */
function randomString(length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** An id shaped like API Gateway's (10 characters, lowercase letters and digits). */
export function randomApiGatewayId(): string {
  return randomString(10, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

/** A key value shaped like API Gateway's generated keys (40 alphanumeric characters). */
export function randomApiKeyValue(): string {
  return randomString(40, ALPHANUMERIC);
}

/**
 * The state for these REST APIs and API keys: read from `file` when given and present, completed with new random
 * ids and values for anything missing, and written back.
 */
export function loadLocalState(file: string | undefined, restApiLogicalIds: string[], apiKeyLogicalIds: string[]): LocalState {
  let stored: Partial<LocalState> = {};
  if (file !== undefined && fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalState>;
  const apiIds: Record<string, string> = { ...stored.apiIds };
  const apiKeys: Record<string, LocalKeyValue> = { ...stored.apiKeys };
  let changed = false;
  for (const id of restApiLogicalIds) {
    if (apiIds[id] === undefined) {
      apiIds[id] = randomApiGatewayId();
      changed = true;
    }
  }
  for (const id of apiKeyLogicalIds) {
    if (apiKeys[id] === undefined) {
      apiKeys[id] = { id: randomApiGatewayId(), value: randomApiKeyValue() };
      changed = true;
    }
  }
  const state: LocalState = { apiIds, apiKeys };
  if (file !== undefined && changed) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  }
  return state;
}
