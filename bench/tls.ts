/**
 * The local test CA and server certificate the JWKS server needs (the same files and commands as
 * scripts/run-tests.mjs: made once with the system's openssl into `.test-tmp/tls`, nothing downloaded).
 * A Node process trusts the CA only if NODE_EXTRA_CA_CERTS points at it when the process starts, so the benchmark
 * runner sets it in the environment of every child process it spawns.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the certificates are and the environment a child process needs to serve and trust them. */
export interface TestTls {
  /** The directory with `ca.crt`, `server.crt` and `server.key`. */
  readonly dir: string;
  /** `NODE_EXTRA_CA_CERTS` and `SECURE_API_TEST_TLS_DIR` (read by test/support/jwks-server.ts). */
  readonly env: Record<string, string>;
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes the test CA and a `localhost`/`127.0.0.1` server certificate unless they exist. */
export function ensureTestTls(root: string): TestTls {
  const dir = join(root, '.test-tmp', 'tls');
  const f = (name: string): string => join(dir, name);
  if (!existsSync(f('server.crt'))) {
    mkdirSync(dir, { recursive: true });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=secure-api test CA',
      '-keyout', f('ca.key'), '-out', f('ca.crt'));
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
    writeFileSync(f('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-days', '3650', '-extfile', f('server.ext'), '-out', f('server.crt'));
  }
  return { dir, env: { NODE_EXTRA_CA_CERTS: f('ca.crt'), SECURE_API_TEST_TLS_DIR: dir } };
}
