/**
 * Cheap structural checks on the bearer token, run before any signature verification or JWKS request, so that junk
 * and known attack shapes are answered fast and never reach the key cache.
 * @see https://www.rfc-editor.org/rfc/rfc8725 JSON Web Token Best Current Practices
 */
import { safeJsonParse } from 'aws-jwt-verify/safe-json-parse';
import { UnauthorizedError } from './errors';

/**
 * Signature algorithms the authorizer accepts: the asymmetric algorithms aws-jwt-verify verifies. `none` and every
 * `HS*` are absent on purpose (algorithm confusion: an HMAC "signed" with a public key). aws-jwt-verify 5.2.1 does
 * not verify RSASSA-PSS (`PS*`), so those are absent too.
 */
export const ALLOWED_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA',
]);

/** Header parameters that carry or point to a key: the key must come from the issuer's configured JWKS only. */
const KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'];
/** Header parameters of encryption or compression, which a compact JWS access token never carries. */
const UNSUPPORTED_HEADERS = ['enc', 'zip'];

const SCHEME = 'bearer ';
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Options of {@link inspectBearerToken}. */
export interface TokenGuardOptions {
  /** Largest accepted compact JWS, in bytes. */
  readonly maxTokenBytes: number;
  /** Issuer (`iss`) values the authorizer trusts. */
  readonly trustedIssuers: { has(iss: string): boolean };
}

/** A token that passed the guard. Nothing in it is verified yet. */
export interface InspectedToken {
  /** The compact JWS. */
  readonly jwt: string;
  /** The three base64url segments of the compact JWS: header, payload, signature. */
  readonly segments: readonly [string, string, string];
  /** The decoded JOSE header. */
  readonly header: Record<string, unknown>;
  /** The decoded, unverified payload. */
  readonly payload: Record<string, unknown>;
  /** The header's `alg`, one of {@link ALLOWED_ALGORITHMS}. */
  readonly alg: string;
  /** The header's `kid`. */
  readonly kid: string;
  /** The payload's `iss`, one of the trusted issuers. */
  readonly iss: string;
}

// The characters whose 6-bit value has its low 4 (resp. 2) bits clear: the only possible last characters of a
// canonical base64url string whose length is 2 (resp. 3) modulo 4, as the bits beyond the last whole byte must be 0.
const LAST_OF_LENGTH_2_MOD_4 = 'AQgw';
const LAST_OF_LENGTH_3_MOD_4 = 'AEIMQUYcgkosw048';

/**
 * True when `segment`, a string of base64url characters, is canonical base64url: what encoding its decoded bytes
 * gives back (no padding, no stray bits). Same answer as `Buffer.from(segment, 'base64url').toString('base64url') ===
 * segment`, without decoding and encoding the segment.
 */
export function isCanonicalBase64url(segment: string): boolean {
  switch (segment.length % 4) {
    case 0: return true;
    case 2: return LAST_OF_LENGTH_2_MOD_4.includes(segment[segment.length - 1]);
    case 3: return LAST_OF_LENGTH_3_MOD_4.includes(segment[segment.length - 1]);
    default: return false; // 6 bits: not even one byte
  }
}

/**
 * Decodes canonical base64url (no padding, no stray bits) into a JSON object, or returns undefined. Parsed as
 * aws-jwt-verify parses (its safeJsonParse drops `__proto__` and `constructor` members), since the payload decoded
 * here is the one it verifies.
 */
function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  if (!isCanonicalBase64url(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  let value: unknown;
  try {
    const text = utf8.decode(bytes);
    // safeJsonParse's reviver costs a tenth of a decision; it can only change the result where a member is named
    // __proto__ or constructor, written plainly or with escapes.
    value = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u') ? safeJsonParse(text) : JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}

function has(object: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): boolean => typeof value === 'string';
const isStrings = (value: unknown): boolean => Array.isArray(value) && value.every(isString);

/**
 * The registered claims' types, as aws-jwt-verify's own decoder asserts them (numeric dates, string `sub`, `jti`,
 * string or string-array `aud`), except that `scope` may also be a JSON array of strings: the format of Duende
 * IdentityServer, which aws-jwt-verify's decoder rejects.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2.3 (scope)
 */
const PAYLOAD_CLAIM_TYPES: Array<[string, (value: unknown) => boolean]> = [
  ['exp', isNumber], ['nbf', isNumber], ['iat', isNumber], ['sub', isString], ['jti', isString],
  ['aud', (value) => isString(value) || isStrings(value)],
  ['scope', (value) => isString(value) || isStrings(value)],
];

/**
 * Checks the `Authorization` header value of a TOKEN authorizer event: `Bearer <compact JWS>` (case-insensitive
 * scheme, exactly one space), size first, three canonical base64url segments, a JSON-object header with an allowed
 * `alg`, a `kid`, no embedded or remote key (`jwk`, `jku`, `x5u`, `x5c`), no `crit` (RFC 7515 §4.1.11: we understand
 * no extension) and no `b64` (RFC 7797), and a JSON-object payload whose `iss` is trusted and whose registered
 * claims have their types.
 * @throws UnauthorizedError with the reason of the first failed check.
 */
export function inspectBearerToken(authorizationToken: unknown, options: TokenGuardOptions): InspectedToken {
  if (typeof authorizationToken !== 'string' || authorizationToken.length === 0) {
    throw new UnauthorizedError('missing_token');
  }
  // Size before anything that scans the string: a huge header costs nothing more than this comparison.
  if (authorizationToken.length > options.maxTokenBytes + SCHEME.length) throw new UnauthorizedError('token_too_large');
  if (authorizationToken.slice(0, SCHEME.length).toLowerCase() !== SCHEME) throw new UnauthorizedError('invalid_scheme');
  const jwt = authorizationToken.slice(SCHEME.length);
  if (jwt.length === 0) throw new UnauthorizedError('missing_token');
  // Every valid character is ASCII, so characters are bytes; anything else fails the segment check below.
  if (jwt.length > options.maxTokenBytes) throw new UnauthorizedError('token_too_large');

  const segments = jwt.split('.');
  if (segments.length !== 3 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new UnauthorizedError('malformed_token');
  }
  const header = decodeJsonObject(segments[0]);
  if (header === undefined) throw new UnauthorizedError('malformed_header');
  // The signature must be canonical too: it is compared as decoded bytes, so stray bits would make tokens malleable.
  if (!isCanonicalBase64url(segments[2])) {
    throw new UnauthorizedError('malformed_token');
  }

  const alg = header.alg;
  if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.includes(alg)) throw new UnauthorizedError('alg_not_allowed');
  if (KEY_HEADERS.some((name) => has(header, name))) throw new UnauthorizedError('embedded_key_header');
  if (has(header, 'crit')) throw new UnauthorizedError('crit_header');
  if (has(header, 'b64')) throw new UnauthorizedError('b64_header');
  if (UNSUPPORTED_HEADERS.some((name) => has(header, name))) throw new UnauthorizedError('unsupported_header');
  const kid = header.kid;
  if (typeof kid !== 'string' || kid.length === 0) throw new UnauthorizedError('missing_kid');

  const payload = decodeJsonObject(segments[1]);
  if (payload === undefined) throw new UnauthorizedError('malformed_payload');
  const iss = payload.iss;
  if (typeof iss !== 'string' || !options.trustedIssuers.has(iss)) throw new UnauthorizedError('unknown_issuer');
  for (const [claim, valid] of PAYLOAD_CLAIM_TYPES) {
    if (has(payload, claim) && !valid(payload[claim])) throw new UnauthorizedError('malformed_payload');
  }

  return { jwt, segments: segments as [string, string, string], header, payload, alg, kid, iss };
}
