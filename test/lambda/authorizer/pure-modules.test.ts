/** The authorizer's small pure modules: claim checks, key fit, API key resolution, context, error mapping. */
import { FetchError, JwtExpiredError, KidNotFoundInJwksError, ParameterValidationError } from 'aws-jwt-verify/error';
import { createApiKeyResolver } from '../../../lambda/authorizer/api-key-resolver';
import { buildAuthorizerContext, clientIdOf, tenantOf } from '../../../lambda/authorizer/authorizer-context';
import { checkClaims, principalOf } from '../../../lambda/authorizer/claim-checks';
import { AuthorizerUnavailableError, UnauthorizedError } from '../../../lambda/authorizer/errors';
import { classifyVerificationError } from '../../../lambda/authorizer/jwt-verification';
import { assertKeyFitsAlgorithm, KeyAlgorithmMismatchError } from '../../../lambda/authorizer/key-fit';
import { generateEcKey, generateRsaKey } from '../../support/tokens';

describe('checkClaims', () => {
  const now = 1_700_000_000;
  const options = { clockSkewSeconds: 30, maxTokenLifetimeSeconds: 3600, nowSeconds: now };
  const base = { sub: 's', iat: now, exp: now + 300 };

  function reason(payload: Record<string, unknown>, opts: Parameters<typeof checkClaims>[1] = options): string | undefined {
    try {
      checkClaims(payload, opts);
      return undefined;
    } catch (err) {
      return (err as UnauthorizedError).reason;
    }
  }

  test('accepts a token with sub, iat and exp within the cap', () => {
    expect(reason(base)).toBeUndefined();
    expect(reason({ ...base, exp: now + 3600 })).toBeUndefined();
    expect(reason({ ...base, iat: now + 30 })).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['no exp', { sub: 's', iat: now }, 'missing_exp'],
    ['a string exp', { ...base, exp: String(now + 300) }, 'missing_exp'],
    ['a string iat', { ...base, iat: String(now) }, 'missing_iat'],
    ['an iat beyond the skew', { ...base, iat: now + 31, exp: now + 600 }, 'iat_in_future'],
    ['a lifetime over the cap', { ...base, exp: now + 3601 }, 'lifetime_exceeded'],
    ['no iat with a cap', { sub: 's', exp: now + 300 }, 'missing_iat'],
  ])('rejects %s', (_name, payload, expected) => {
    expect(reason(payload)).toBe(expected);
  });

  test('accepts a token without iat and any lifetime when no cap is set', () => {
    expect(reason({ sub: 's', exp: now + 86400 * 365 }, { clockSkewSeconds: 0, nowSeconds: now })).toBeUndefined();
  });
});

describe('principalOf', () => {
  const name = (payload: Record<string, unknown>, claims: string[]) => {
    try {
      return principalOf(payload, claims);
    } catch (err) {
      return (err as UnauthorizedError).reason;
    }
  };

  test('takes the first configured claim that is a non-empty string', () => {
    expect(name({ sub: 'u-1', client_id: 'c-1' }, ['sub', 'client_id'])).toEqual({ claim: 'sub', value: 'u-1' });
    expect(name({ client_id: 'c-1' }, ['sub', 'client_id'])).toEqual({ claim: 'client_id', value: 'c-1' });
    expect(name({ sub: '', client_id: 'c-1' }, ['sub', 'client_id'])).toEqual({ claim: 'client_id', value: 'c-1' });
    expect(name({ sub: 42, oid: 'o-1' }, ['sub', 'oid'])).toEqual({ claim: 'oid', value: 'o-1' });
  });

  test('refuses a token that names no principal, and never reads an inherited member', () => {
    expect(name({ client_id: 'c-1' }, ['sub'])).toBe('missing_principal');
    expect(name({ sub: '' }, ['sub'])).toBe('missing_principal');
    expect(name({ sub: ['u'] }, ['sub'])).toBe('missing_principal');
    expect(name(JSON.parse('{"__proto__": {"sub": "inherited"}}'), ['sub'])).toBe('missing_principal');
    expect(name({}, ['toString'])).toBe('missing_principal');
  });
});

describe('assertKeyFitsAlgorithm', () => {
  const rsa = generateRsaKey('r').publicJwk;
  const ec = generateEcKey('e').publicJwk;

  test('accepts RSA keys for RS*, P-256 keys for ES256, OKP keys for EdDSA', () => {
    expect(() => assertKeyFitsAlgorithm('RS256', rsa)).not.toThrow();
    expect(() => assertKeyFitsAlgorithm('RS512', rsa)).not.toThrow();
    expect(() => assertKeyFitsAlgorithm('ES256', ec)).not.toThrow();
    expect(() => assertKeyFitsAlgorithm('EdDSA', { kty: 'OKP', crv: 'Ed25519', x: 'x' })).not.toThrow();
  });

  test('rejects a key of another type or curve, and short RSA keys', () => {
    expect(() => assertKeyFitsAlgorithm('RS256', ec)).toThrow(KeyAlgorithmMismatchError);
    expect(() => assertKeyFitsAlgorithm('ES256', rsa)).toThrow('ES256 needs an EC key on P-256 (got kty RSA, crv undefined)');
    expect(() => assertKeyFitsAlgorithm('ES384', ec)).toThrow('ES384 needs an EC key on P-384 (got kty EC, crv P-256)');
    expect(() => assertKeyFitsAlgorithm('EdDSA', ec)).toThrow(KeyAlgorithmMismatchError);
    expect(() => assertKeyFitsAlgorithm('HS256', rsa)).toThrow('unsupported algorithm HS256');
    const short = generateRsaKey('s', { modulusLength: 1024 }).publicJwk;
    expect(() => assertKeyFitsAlgorithm('RS256', short)).toThrow('RSA key must have at least 2048 bits (got 1024)');
  });
});

describe('createApiKeyResolver', () => {
  const mapping = { claim: 'azp', keyIds: { 'app-1': 'id-1' } };

  test('maps the client claim to its key id, own properties only', () => {
    const resolver = createApiKeyResolver(mapping, async () => 'v');
    expect(resolver.keyIdFor({ azp: 'app-1' })).toBe('id-1');
    expect(resolver.keyIdFor({ azp: 'app-2' })).toBeUndefined();
    expect(resolver.keyIdFor({ azp: 'toString' })).toBeUndefined();
    expect(resolver.keyIdFor({ azp: 1 })).toBeUndefined();
    expect(resolver.keyIdFor({})).toBeUndefined();
  });

  test('reads each key once, sharing one read between concurrent callers', async () => {
    let calls = 0;
    const resolver = createApiKeyResolver(mapping, async (id) => {
      calls++;
      return `value-${id}`;
    });
    const values = await Promise.all([resolver.valueOf('id-1'), resolver.valueOf('id-1'), resolver.valueOf('id-1')]);
    expect(values).toEqual(['value-id-1', 'value-id-1', 'value-id-1']);
    await resolver.valueOf('id-1');
    expect(calls).toBe(1);
  });

  test('forgets a failed read so the next call retries, and rejects an empty value', async () => {
    const answers = [() => Promise.reject(new Error('throttled')), () => Promise.resolve(''), () => Promise.resolve('v')];
    let calls = 0;
    const resolver = createApiKeyResolver(mapping, () => answers[calls++]());
    await expect(resolver.valueOf('id-1')).rejects.toThrow('throttled');
    await expect(resolver.valueOf('id-1')).rejects.toThrow('API key id-1 has no value');
    await expect(resolver.valueOf('id-1')).resolves.toBe('v');
    await expect(resolver.valueOf('id-1')).resolves.toBe('v');
    expect(calls).toBe(3);
  });
});

describe('authorizer context', () => {
  test('is flat strings under the contract keys', () => {
    expect(buildAuthorizerContext({ sub: 's', iss: 'https://i', scope: 'a b', scp: ['c'], azp: 'web' }, { claim: 'sub', value: 's' }, 'acme')).toEqual({
      sub: 's', principal: 's', principalClaim: 'sub', clientId: 'web', scope: 'a b c', tenant: 'acme', iss: 'https://i',
    });
  });

  test('takes the client from client_id, then azp, then cid', () => {
    expect(clientIdOf({ client_id: 'a', azp: 'b', cid: 'c' })).toBe('a');
    expect(clientIdOf({ azp: 'b', cid: 'c' })).toBe('b');
    expect(clientIdOf({ cid: 'c' })).toBe('c');
    expect(clientIdOf({ appid: 'v1-app' })).toBe('v1-app');
    // A Cognito ID token's aud is its client; any other token's aud is the API it is for.
    expect(clientIdOf({ aud: 'web-client', token_use: 'id' })).toBe('web-client');
    expect(clientIdOf({ aud: 'api://orders', token_use: 'access' })).toBe('');
    expect(clientIdOf({ aud: 'api://orders' })).toBe('');
    expect(clientIdOf({ client_id: 1 })).toBe('');
  });

  test('reads the tenant only from a non-empty string claim', () => {
    expect(tenantOf({ t: 'x' }, 't')).toBe('x');
    expect(tenantOf({ t: '' }, 't')).toBeUndefined();
    expect(tenantOf({ t: 1 }, 't')).toBeUndefined();
    expect(tenantOf({}, 'constructor')).toBeUndefined();
  });
});

describe('classifyVerificationError', () => {
  test('maps token faults to 401 reasons', () => {
    expect(classifyVerificationError(new JwtExpiredError('expired', 1))).toMatchObject({ reason: 'token_expired' });
    expect(classifyVerificationError(new KidNotFoundInJwksError('nope'))).toBeInstanceOf(UnauthorizedError);
  });

  test('maps JWKS failures and surprises to 500 reasons', () => {
    expect(classifyVerificationError(new FetchError('https://x', 'timeout'))).toMatchObject({ reason: 'jwks_unavailable' });
    const surprise = classifyVerificationError(new ParameterValidationError('bug'));
    expect(surprise).toBeInstanceOf(AuthorizerUnavailableError);
    expect(surprise).toMatchObject({ reason: 'internal_error' });
  });
});
