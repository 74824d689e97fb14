/**
 * The local issuer's TLS material: a private CA and a server certificate for `localhost` and `127.0.0.1`, made with
 * the system's `openssl` (Node has no API to issue certificates). The functions trust the CA through
 * `NODE_EXTRA_CA_CERTS`, as scripts/run-tests.mjs does for the tests; nothing else trusts it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Paths of the TLS files. */
export interface TlsFiles {
  /** The CA certificate (PEM): what clients trust. */
  readonly caCert: string;
  /** The server certificate (PEM), for `localhost` and `127.0.0.1`. */
  readonly serverCert: string;
  /** The server's private key (PEM). */
  readonly serverKey: string;
}

/** Thrown when the certificates cannot be made (no `openssl`). */
export class TlsSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TlsSetupError';
  }
}

function openssl(cwd: string, ...args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new TlsSetupError(`openssl ${args[0]} failed: ${stderr || (err as Error).message}. The local issuer needs the `
      + 'system openssl to make its TLS certificate.', { cause: err });
  }
}

/**
 * Returns the CA and server certificate in `dir`, creating them when missing (EC P-256, valid ten years).
 * The private keys are written with mode 0600.
 */
export function ensureTlsFiles(dir: string): TlsFiles {
  const files: TlsFiles = {
    caCert: path.join(dir, 'ca.crt'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
  };
  if (Object.values(files).every((f) => fs.existsSync(f))) return files;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-days', '3650', '-subj', '/CN=secure-api local development CA',
    '-keyout', 'ca.key', '-out', 'ca.crt');
  openssl(dir, 'req', ...ec, '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '3650', '-extfile', 'server.ext', '-out', 'server.crt');
  for (const key of ['ca.key', 'server.key']) fs.chmodSync(path.join(dir, key), 0o600);
  fs.rmSync(path.join(dir, 'server.csr'), { force: true });
  return files;
}
