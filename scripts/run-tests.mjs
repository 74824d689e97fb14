// Runs jest with a locally generated test CA trusted through NODE_EXTRA_CA_CERTS, so tests can serve JWKS (and
// OpenID discovery) from a real HTTPS server on 127.0.0.1. Node reads NODE_EXTRA_CA_CERTS only at start-up, hence
// this wrapper rather than a jest setup file. Certificates are made with the system's openssl; nothing is downloaded.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tlsDir = join(root, '.test-tmp', 'tls');

function openssl(...args) {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

if (!existsSync(join(tlsDir, 'server.crt'))) {
  mkdirSync(tlsDir, { recursive: true });
  const f = (name) => join(tlsDir, name);
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=secure-api test CA',
    '-keyout', f('ca.key'), '-out', f('ca.crt'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '3650', '-extfile', f('server.ext'), '-out', f('server.crt'));
}

const require = createRequire(import.meta.url);
const jestBin = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jestBin, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: join(tlsDir, 'ca.crt'), SECURE_API_TEST_TLS_DIR: tlsDir },
});
process.exit(result.status ?? 1);
