/**
 * The test CA and server certificate the benchmark's JWKS server needs, in `.test-tmp/tls` (where
 * scripts/run-tests.mjs makes the same files for the tests), made by the local run's certificate code with the
 * system's openssl. A Node process trusts the CA only if NODE_EXTRA_CA_CERTS points at it when the process starts,
 * so the benchmark runner sets it in the environment of every child process it spawns.
 */
import { join } from 'node:path';
import { ensureTlsFiles } from '../local/tls';

/** Where the certificates are and the environment a child process needs to serve and trust them. */
export interface TestTls {
  /** The directory with `ca.crt`, `server.crt` and `server.key`. */
  readonly dir: string;
  /** `NODE_EXTRA_CA_CERTS` and `SECURE_API_TEST_TLS_DIR` (read by test/support/jwks-server.ts). */
  readonly env: Record<string, string>;
}

/** Makes the test CA and a `localhost`/`127.0.0.1` server certificate unless they exist. */
export function ensureTestTls(root: string): TestTls {
  const dir = join(root, '.test-tmp', 'tls');
  const files = ensureTlsFiles(dir);
  return { dir, env: { NODE_EXTRA_CA_CERTS: files.caCert, SECURE_API_TEST_TLS_DIR: dir } };
}
