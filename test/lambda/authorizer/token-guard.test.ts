import * as fc from 'fast-check';
import { UnauthorizedError } from '../../../lambda/authorizer/errors';
import { ALLOWED_ALGORITHMS, inspectBearerToken, isCanonicalBase64url } from '../../../lambda/authorizer/token-guard';
import { base64url } from '../../support/tokens';

const ISS = 'https://login.example.com';
const options = { maxTokenBytes: 2048, trustedIssuers: new Set([ISS]) };

function jws(header: unknown, payload: unknown = { iss: ISS }, signature = base64url('signature')): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${signature}`;
}

function reasonOf(authorization: unknown, opts = options): string | undefined {
  try {
    inspectBearerToken(authorization, opts);
    return undefined;
  } catch (err) {
    if (err instanceof UnauthorizedError) return err.reason;
    throw err;
  }
}

const header = { alg: 'RS256', kid: 'k1', typ: 'JWT' };

test('returns the decoded header and payload of a well-formed token', () => {
  const token = jws(header, { iss: ISS, sub: 's' });
  expect(inspectBearerToken(`Bearer ${token}`, options)).toEqual({
    jwt: token, segments: token.split('.'), header, payload: { iss: ISS, sub: 's' }, alg: 'RS256', kid: 'k1', iss: ISS,
  });
});

test('allows exactly the asymmetric algorithms aws-jwt-verify verifies', () => {
  expect(ALLOWED_ALGORITHMS).toEqual(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
  for (const alg of ALLOWED_ALGORITHMS) expect(reasonOf(`Bearer ${jws({ ...header, alg })}`)).toBeUndefined();
});

test.each<[string, unknown, string]>([
  ['a non-string', 42, 'missing_token'],
  ['an empty string', '', 'missing_token'],
  ['a scheme without token', 'Bearer ', 'missing_token'],
  ['a scheme without the space', `Bearer${jws(header)}`, 'invalid_scheme'],
  ['a tab after the scheme', `Bearer\t${jws(header)}`, 'invalid_scheme'],
  ['two spaces', `Bearer  ${jws(header)}`, 'malformed_token'],
  ['a trailing space', `Bearer ${jws(header)} `, 'malformed_token'],
  ['an empty signature', `Bearer ${jws(header).replace(/\.[^.]+$/, '.')}`, 'malformed_token'],
  ['a JWE (five segments)', 'Bearer a.b.c.d.e', 'malformed_token'],
  ['non-ASCII characters', `Bearer ${jws(header)}é`, 'malformed_token'],
  ['a header of invalid UTF-8', `Bearer ${base64url(Buffer.from([0xff, 0xfe]))}.e30.c2ln`, 'malformed_header'],
  ['a JSON null header', `Bearer ${base64url('null')}.e30.c2ln`, 'malformed_header'],
  ['alg none', `Bearer ${jws({ ...header, alg: 'none' })}`, 'alg_not_allowed'],
  ['alg HS256', `Bearer ${jws({ ...header, alg: 'HS256' })}`, 'alg_not_allowed'],
  ['alg PS256 (not verified by aws-jwt-verify 5)', `Bearer ${jws({ ...header, alg: 'PS256' })}`, 'alg_not_allowed'],
  ['alg in lower case', `Bearer ${jws({ ...header, alg: 'rs256' })}`, 'alg_not_allowed'],
  ['alg as an array', `Bearer ${jws({ ...header, alg: ['RS256'] })}`, 'alg_not_allowed'],
  ['an embedded jwk', `Bearer ${jws({ ...header, jwk: { kty: 'RSA' } })}`, 'embedded_key_header'],
  ['a jku', `Bearer ${jws({ ...header, jku: 'https://evil.example/jwks' })}`, 'embedded_key_header'],
  ['an x5u', `Bearer ${jws({ ...header, x5u: 'https://evil.example/cert' })}`, 'embedded_key_header'],
  ['an x5c', `Bearer ${jws({ ...header, x5c: ['MIIB'] })}`, 'embedded_key_header'],
  ['a jwk set to null', `Bearer ${jws({ ...header, jwk: null })}`, 'embedded_key_header'],
  ['a crit header', `Bearer ${jws({ ...header, crit: ['b64'], b64: false })}`, 'crit_header'],
  ['a b64 header', `Bearer ${jws({ ...header, b64: true })}`, 'b64_header'],
  ['an enc header', `Bearer ${jws({ ...header, enc: 'A256GCM' })}`, 'unsupported_header'],
  ['a zip header', `Bearer ${jws({ ...header, zip: 'DEF' })}`, 'unsupported_header'],
  ['no kid', `Bearer ${jws({ alg: 'RS256' })}`, 'missing_kid'],
  ['a payload that is a string', `Bearer ${jws(header, 'hello')}`, 'malformed_payload'],
  ['an untrusted issuer', `Bearer ${jws(header, { iss: 'https://evil.example' })}`, 'unknown_issuer'],
  ['a numeric issuer', `Bearer ${jws(header, { iss: 1 })}`, 'unknown_issuer'],
])('rejects %s', (_name, authorization, reason) => {
  expect(reasonOf(authorization)).toBe(reason);
});

test('checks the size before anything else', () => {
  const huge = `Bearer ${'!'.repeat(options.maxTokenBytes + 1)}`;
  expect(reasonOf(huge)).toBe('token_too_large');
  expect(reasonOf(`Basic ${'x'.repeat(options.maxTokenBytes + 10)}`)).toBe('token_too_large');
  // A token of exactly the limit passes the size check.
  const token = jws(header);
  expect(reasonOf(`Bearer ${token}`, { ...options, maxTokenBytes: token.length })).toBeUndefined();
  expect(reasonOf(`Bearer ${token}`, { ...options, maxTokenBytes: token.length - 1 })).toBe('token_too_large');
});

test('rejects a megabyte of junk by its size, before any check that scans it', () => {
  // Each of these would fail a later check with another reason (scheme, segments, characters): the size comes first.
  // (How fast that is belongs in the benchmarks, not in a timed unit test.)
  expect(reasonOf(`Bearer ${'a.'.repeat(500000)}`)).toBe('token_too_large');
  expect(reasonOf(`Basic ${'a'.repeat(1000000)}`)).toBe('token_too_large');
  expect(reasonOf(`Bearer ${'\u00e9'.repeat(1000000)}`)).toBe('token_too_large');
});

describe('isCanonicalBase64url', () => {
  test('answers like a decode and re-encode round trip, for every length and last character', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), (segment) => {
      expect(isCanonicalBase64url(segment)).toBe(Buffer.from(segment, 'base64url').toString('base64url') === segment);
    }), { numRuns: 5000 });
  });

  test('rejects stray bits in the last character and a length of 1 modulo 4', () => {
    expect(isCanonicalBase64url('QQ')).toBe(true); // 'A'
    expect(isCanonicalBase64url('QR')).toBe(false);
    expect(isCanonicalBase64url('QUI')).toBe(true); // 'AB'
    expect(isCanonicalBase64url('QUJ')).toBe(false);
    expect(isCanonicalBase64url('QUJDR')).toBe(false);
    expect(reasonOf(`Bearer ${jws({ alg: 'RS256', kid: 'k' })}x`)).toBe('malformed_token');
  });
});

describe('payload parsing', () => {
  const payloadOf = (json: string) => inspectBearerToken(`Bearer ${base64url(JSON.stringify(header))}.${base64url(json)}.${base64url('s')}`, options).payload;

  test.each([
    ['plainly', `{"iss":"${ISS}","__proto__":{"admin":true},"constructor":{"x":1},"sub":"s"}`],
    ['with escapes', `{"iss":"${ISS}","\\u005f_proto__":{"admin":true},"\\u0063onstructor":{"x":1},"sub":"s"}`],
  ])('drops __proto__ and constructor members written %s, as aws-jwt-verify does', (_how, json) => {
    const payload = payloadOf(json);
    expect(Object.keys(payload)).toEqual(['iss', 'sub']);
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test.each([
    ['a string scope', { scope: 'a b' }, undefined],
    ['a scope array of strings', { scope: ['a', 'b'] }, undefined],
    ['a scope array with a number', { scope: ['a', 1] }, 'malformed_payload'],
    ['a numeric sub', { sub: 1 }, 'malformed_payload'],
    ['a string exp', { exp: '1' }, 'malformed_payload'],
    ['an aud array with a number', { aud: ['a', 1] }, 'malformed_payload'],
    ['a numeric jti', { jti: 7 }, 'malformed_payload'],
  ])('checks the registered claims\' types: %s', (_name, claims, reason) => {
    expect(reasonOf(`Bearer ${jws(header, { iss: ISS, ...claims })}`)).toBe(reason);
  });
});
