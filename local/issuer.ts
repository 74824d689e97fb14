/**
 * The local development OpenID issuer: an ES256 signing key (persisted in the data directory so that tokens
 * survive restarts), OpenID discovery and JWKS over HTTPS on 127.0.0.1, and token minting. It issues tokens to
 * whoever asks on this machine: it is a development tool, never an identity provider.
 */
import { createHash, createPrivateKey, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { closeServer, listen } from './net';
import type { TlsFiles } from './tls';

/** The JWKS path, as the construct's default `jwksUri` expects. */
export const JWKS_PATH = '/.well-known/jwks.json';
/** The OpenID Connect discovery path. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/** The issuer's signing key. */
export interface SigningKey {
  /** The key id (RFC 7638 thumbprint of the public key). */
  readonly kid: string;
  /** Always ES256. */
  readonly alg: 'ES256';
  readonly privateKey: KeyObject;
  /** The public JWK, as published in the JWKS. */
  readonly publicJwk: Record<string, string>;
}

/** Claims of a token to mint: `sub` and optionally `scope`, a lifetime, and any other claim (overrides included). */
export interface TokenRequest {
  readonly sub: string;
  /** Space-delimited scopes. @default - no scope claim */
  readonly scope?: string;
  /** Lifetime in seconds; negative mints an already expired token. @default 3600 */
  readonly expiresInSeconds?: number;
  readonly [claim: string]: unknown;
}

/** Default token lifetime: one hour. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

function toSigningKey(privateKey: KeyObject): SigningKey {
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const thumbprintInput = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const kid = createHash('sha256').update(thumbprintInput).digest('base64url');
  return {
    kid,
    alg: 'ES256',
    privateKey,
    publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' },
  };
}

/** A new EC P-256 signing key, kept in memory only. */
export function generateSigningKey(): SigningKey {
  return toSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

/** Reads the signing key from `file` (a private JWK), creating it (mode 0600) when missing. */
export function loadOrCreateSigningKey(file: string): SigningKey {
  if (fs.existsSync(file)) {
    return toSigningKey(createPrivateKey({ key: JSON.parse(fs.readFileSync(file, 'utf8')), format: 'jwk' }));
  }
  const key = generateSigningKey();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(key.privateKey.export({ format: 'jwk' })), { mode: 0o600 });
  return key;
}

/** Reads the signing key from `file`; undefined when there is none. */
export function readSigningKey(file: string): SigningKey | undefined {
  if (!fs.existsSync(file)) return undefined;
  return toSigningKey(createPrivateKey({ key: JSON.parse(fs.readFileSync(file, 'utf8')), format: 'jwk' }));
}

/** Signs a compact JWS (ES256, JOSE signature form). */
export function signJwt(key: Pick<SigningKey, 'privateKey' | 'kid'>, payload: object, header: object = {}): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'ES256', typ: 'JWT', kid: key.kid, ...header })}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * The claims of a token: `iss`, `aud`, `sub`, `iat`, `exp`, a unique `jti`, `scope` when given, then every other
 * requested claim (which may override `iss` or `aud`).
 */
export function tokenClaims(issuer: string, audience: string, request: TokenRequest, nowMs = Date.now()): Record<string, unknown> {
  const { sub, scope, expiresInSeconds, ...extra } = request;
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: issuer,
    aud: audience,
    sub,
    iat,
    exp: iat + (expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS),
    jti: randomUUID(),
    ...(scope === undefined ? {} : { scope }),
    ...extra,
  };
}

/** A running local issuer. */
export interface LocalIssuer {
  /** `https://localhost:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Requests served, by path (for tests). */
  readonly requestCounts: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/** Starts the issuer's HTTPS server on 127.0.0.1. */
export async function startIssuer(options: { port: number; tls: TlsFiles; key: SigningKey }): Promise<LocalIssuer> {
  let url = '';
  const counts = new Map<string, number>();
  const server: Server = createServer({
    key: fs.readFileSync(options.tls.serverKey),
    cert: fs.readFileSync(options.tls.serverCert),
  }, (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0];
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=300' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (pathname === JWKS_PATH) {
      json(200, { keys: [options.key.publicJwk] });
    } else if (pathname === DISCOVERY_PATH) {
      json(200, {
        issuer: url,
        jwks_uri: `${url}${JWKS_PATH}`,
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        token_endpoint_auth_methods_supported: ['none'],
        claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'scope', 'client_id', 'tenant'],
      });
    } else {
      json(404, { error: 'not_found' });
    }
  });
  await listen(server, options.port, 'local issuer (--issuer-port)');
  const port = (server.address() as AddressInfo).port;
  url = `https://localhost:${port}`;
  return {
    url,
    port,
    requestCounts: counts,
    close: () => closeServer(server),
  };
}
