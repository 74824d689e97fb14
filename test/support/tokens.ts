/**
 * Real keys and real signed JWTs for tests, made with node:crypto only: RSA (RS256) and EC P-256 (ES256) key pairs,
 * their public JWKs, compact JWS signing with any header and payload, and the attack shapes an authorizer must reject.
 */
import { createHmac, generateKeyPairSync, KeyObject, sign } from 'node:crypto';

/** A public JWK as published in a JWKS. */
export type PublicJwk = Record<string, string> & { kty: string; kid: string; alg: string; use: string };

/** A signing key pair with its public JWK. */
export interface TestKey {
  /** The key id, in the JWT header and the JWK. */
  readonly kid: string;
  /** The JWS algorithm the key signs with. */
  readonly alg: 'RS256' | 'RS384' | 'RS512' | 'ES256';
  /** The private key. */
  readonly privateKey: KeyObject;
  /** The public key. */
  readonly publicKey: KeyObject;
  /** The public key as a JWK with `kid`, `alg` and `use: 'sig'`, ready for a JWKS. */
  readonly publicJwk: PublicJwk;
  /** The public key as SPKI PEM (what an algorithm-confusion attacker uses as HMAC secret). */
  readonly publicPem: string;
}

function toTestKey(kid: string, alg: TestKey['alg'], privateKey: KeyObject, publicKey: KeyObject): TestKey {
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string> & { kty: string };
  return {
    kid,
    alg,
    privateKey,
    publicKey,
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
  };
}

/** A new RSA key pair (2048 bits unless told otherwise). */
export function generateRsaKey(kid: string, options: { alg?: 'RS256' | 'RS384' | 'RS512'; modulusLength?: number } = {}): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  return toTestKey(kid, options.alg ?? 'RS256', privateKey, publicKey);
}

/** A new EC P-256 key pair for ES256. */
export function generateEcKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return toTestKey(kid, 'ES256', privateKey, publicKey);
}

/** base64url without padding of a string, a buffer, or an object's JSON. */
export function base64url(input: string | Buffer | object): string {
  if (Buffer.isBuffer(input)) return input.toString('base64url');
  return Buffer.from(typeof input === 'string' ? input : JSON.stringify(input)).toString('base64url');
}

const HASHES: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256' };

/**
 * Signs a compact JWS with any header and payload. ES256 signatures are in JOSE form (r || s, RFC 7518 §3.4), not DER.
 */
export function signJws(header: object, payload: object, key: KeyObject, alg: string): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  const signature = alg.startsWith('ES')
    ? sign(HASHES[alg], Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
    : sign(HASHES[alg], Buffer.from(input), key);
  return `${input}.${base64url(signature)}`;
}

/** The header a key signs with, plus overrides; an override of `undefined` removes the parameter. */
export function headerFor(key: TestKey, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const header: Record<string, unknown> = { alg: key.alg, typ: 'JWT', kid: key.kid, ...overrides };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  return header;
}

/** A token signed by `key`, with header overrides (`undefined` removes a parameter). */
export function signToken(key: TestKey, payload: object, headerOverrides: Record<string, unknown> = {}): string {
  return signJws(headerFor(key, headerOverrides), payload, key.privateKey, key.alg);
}

/** Claims of a valid token: `iat` now, `exp` in 5 minutes, plus overrides (`undefined` removes a claim). */
export function claims(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: issuer, sub: 'user-1', aud: 'api://secure-api', iat: now, exp: now + 300, jti: 'jti-1', ...overrides,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return payload;
}

// ------------------------------------------------------------------------------------------------ attack tokens

/** `alg: none` with an empty signature, as RFC 7519 §6 "unsecured JWTs" are written. */
export function unsecuredToken(payload: object, kid = 'any'): string {
  return `${base64url({ alg: 'none', typ: 'JWT', kid })}.${base64url(payload)}.`;
}

/** `alg: none` (any case) with a non-empty bogus signature, to get past checks of the segment count. */
export function noneAlgToken(payload: object, kid = 'any', alg = 'none'): string {
  return `${base64url({ alg, typ: 'JWT', kid })}.${base64url(payload)}.${base64url('bogus')}`;
}

/** Algorithm confusion: HS256 "signed" with the RSA public key's PEM as the HMAC secret, naming that key's kid. */
export function hmacWithPublicKeyToken(key: TestKey, payload: object): string {
  const input = `${base64url({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${base64url(payload)}`;
  return `${input}.${base64url(createHmac('sha256', key.publicPem).update(input).digest())}`;
}

/** A token signed by the attacker's key that embeds the attacker's public key (`jwk`) and names a trusted kid. */
export function embeddedJwkToken(attacker: TestKey, trustedKid: string, payload: object): string {
  return signToken(attacker, payload, { kid: trustedKid, jwk: attacker.publicJwk });
}

/** A token signed by `key` whose header points to a remote or embedded key source: `jku`, `x5u` or `x5c`. */
export function keySourceHeaderToken(key: TestKey, header: 'jku' | 'x5u' | 'x5c', payload: object): string {
  const value = header === 'x5c' ? [base64url('not a certificate')] : 'https://attacker.example/keys';
  return signToken(key, payload, { [header]: value });
}

/** A token of about `bytes` bytes: the payload carries padding. */
export function oversizedToken(key: TestKey, payload: object, bytes: number): string {
  const token = signToken(key, payload);
  return signToken(key, { ...payload, padding: 'x'.repeat(Math.max(0, Math.ceil((bytes - token.length) * 0.75) + 8)) });
}

/** The token with its payload replaced and its original signature kept. */
export function tamperedToken(token: string, payload: object): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(payload)}.${signature}`;
}

/** The token with standard base64 characters (`+`, `/`) or padding in a segment instead of base64url. */
export function badBase64Token(token: string, kind: 'plus' | 'padding' | 'slash' = 'plus'): string {
  const [header, payload, signature] = token.split('.');
  if (kind === 'padding') return `${header}=.${payload}.${signature}`;
  const replacement = kind === 'plus' ? '+' : '/';
  return `${header}.${payload}.${replacement}${signature.slice(1)}`;
}
