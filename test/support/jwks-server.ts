/**
 * A real HTTPS JWKS server for tests: serves `/.well-known/jwks.json` and `/.well-known/openid-configuration` on
 * 127.0.0.1 with the test CA's server certificate (made by scripts/run-tests.mjs, trusted through
 * NODE_EXTRA_CA_CERTS). Tests change its key set at runtime (rotation), count its requests, and simulate outages.
 */
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The JWKS path. */
export const JWKS_PATH = '/.well-known/jwks.json';
/** The OpenID Connect discovery path. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/** A running JWKS server. */
export interface JwksServer {
  /** The issuer URL, `https://localhost:<port>`. */
  readonly issuer: string;
  /** The JWKS URL. */
  readonly jwksUri: string;
  /** The listening port. */
  readonly port: number;
  /** Paths of every request served, in order. */
  readonly requests: readonly string[];
  /** Replaces the key set. */
  setKeys(keys: readonly object[]): void;
  /** Adds a key to the key set (key rotation). */
  addKey(key: object): void;
  /** How many requests the server received for `path` (default: the JWKS). */
  requestCount(path?: string): number;
  /** Answers every request with this status and no JWKS (an outage), or normally again with `undefined`. */
  failWith(status: number | undefined): void;
  /** Delays every answer by this many milliseconds (0: no delay). */
  delay(ms: number): void;
  /** Stops the server and drops keep-alive connections. */
  close(): Promise<void>;
}

function tlsFiles(): { key: Buffer; cert: Buffer } {
  const dir = process.env.SECURE_API_TEST_TLS_DIR;
  if (!dir) {
    throw new Error('SECURE_API_TEST_TLS_DIR is not set: run the tests with `node scripts/run-tests.mjs`, which makes '
      + 'the test CA and sets NODE_EXTRA_CA_CERTS');
  }
  return { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.crt')) };
}

/** Starts a JWKS server on 127.0.0.1 and a free port. */
export async function startJwksServer(options: { keys?: readonly object[] } = {}): Promise<JwksServer> {
  let keys: object[] = [...(options.keys ?? [])];
  let status: number | undefined;
  let delayMs = 0;
  const requests: string[] = [];
  const pending = new Set<NodeJS.Timeout>();
  let issuer = '';

  const server: Server = createServer(tlsFiles(), (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push(path);
    const answer = (): void => {
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'text/plain' }).end('unavailable');
      } else if (req.method !== 'GET') {
        res.writeHead(405).end();
      } else if (path === JWKS_PATH) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      } else if (path === DISCOVERY_PATH) {
        res.writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ issuer, jwks_uri: `${issuer}${JWKS_PATH}`, id_token_signing_alg_values_supported: ['RS256', 'ES256'] }));
      } else {
        res.writeHead(404).end();
      }
    };
    if (delayMs === 0) {
      answer();
      return;
    }
    const timer = setTimeout(() => {
      pending.delete(timer);
      answer();
    }, delayMs);
    pending.add(timer);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  issuer = `https://localhost:${port}`;

  return {
    issuer,
    jwksUri: `${issuer}${JWKS_PATH}`,
    port,
    requests,
    setKeys(next) { keys = [...next]; },
    addKey(key) { keys = [...keys, key]; },
    requestCount(path = JWKS_PATH) { return requests.filter((p) => p === path).length; },
    failWith(next) { status = next; },
    delay(ms) { delayMs = ms; },
    close() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
