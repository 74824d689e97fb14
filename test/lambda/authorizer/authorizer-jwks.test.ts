/**
 * How the authorizer uses the issuers' JWKS: fetched during init, not fetched for junk, re-fetched on key rotation
 * (with aws-jwt-verify's throttling of unknown kids), per issuer, Cognito, and failing closed when unreachable.
 */
import { SimpleFetcher, Fetcher } from 'aws-jwt-verify/https';
import { createAuthorizer } from '../../../lambda/authorizer/authorizer';
import { JwksServer, startJwksServer } from '../../support/jwks-server';
import {
  claims, embeddedJwkToken, generateEcKey, generateRsaKey, hmacWithPublicKeyToken, noneAlgToken, oversizedToken,
  signToken, TestKey,
} from '../../support/tokens';
import { AUDIENCE, bearer, configFor, event, recordingLogger } from './fixtures';

const servers: JwksServer[] = [];
let log: ReturnType<typeof recordingLogger>;
let rsa: TestKey;
let rsa2: TestKey;
let ec: TestKey;

async function server(keys: TestKey[]): Promise<JwksServer> {
  const started = await startJwksServer({ keys: keys.map((k) => k.publicJwk) });
  servers.push(started);
  return started;
}

beforeAll(() => {
  rsa = generateRsaKey('rsa-1');
  rsa2 = generateRsaKey('rsa-2');
  ec = generateEcKey('ec-1');
  log = recordingLogger();
});

afterAll(async () => {
  log.restore();
  await Promise.all(servers.map((s) => s.close()));
});

function read(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return claims(issuer, { scope: 'items:read', ...overrides });
}

test('fetches the JWKS during init, before the first invocation, and only once', async () => {
  const jwks = await server([rsa]);
  const authorize = createAuthorizer(configFor(jwks), { logger: log.logger });
  await authorize.ready;
  expect(jwks.requestCount()).toBe(1);
  for (let i = 0; i < 3; i++) await authorize(event(bearer(signToken(rsa, read(jwks.issuer)))));
  expect(jwks.requestCount()).toBe(1);
});

test('answers tokens rejected by the guard without any JWKS request, even when their kid is unknown', async () => {
  const jwks = await server([rsa]);
  const authorize = createAuthorizer(configFor(jwks), { logger: log.logger });
  await authorize.ready;
  const unknownKid = generateRsaKey('never-published');
  const payload = read(jwks.issuer);
  const junk = [
    oversizedToken(unknownKid, payload, 20000),
    noneAlgToken(payload, 'never-published'),
    hmacWithPublicKeyToken(unknownKid, payload),
    embeddedJwkToken(unknownKid, 'never-published', payload),
    signToken(unknownKid, payload, { crit: ['exp'] }),
    signToken(unknownKid, { ...payload, iss: 'https://evil.example' }),
  ];
  for (const token of junk) await expect(authorize(event(bearer(token)))).rejects.toThrow(/^Unauthorized$/);
  expect(jwks.requestCount()).toBe(1);
  // Control: a well-formed token with an unknown kid does reach the JWKS.
  await expect(authorize(event(bearer(signToken(unknownKid, payload))))).rejects.toThrow(/^Unauthorized$/);
  expect(log.last()).toMatchObject({ decision: 'unauthorized', reason: 'unknown_kid' });
  expect(jwks.requestCount()).toBe(2);
});

test('rejects an unknown kid after one re-fetch, and throttles re-fetches for further unknown kids', async () => {
  const jwks = await server([rsa]);
  const authorize = createAuthorizer(configFor(jwks), { logger: log.logger });
  await authorize.ready;
  const stranger = generateEcKey('stranger');
  await expect(authorize(event(bearer(signToken(stranger, read(jwks.issuer)))))).rejects.toThrow(/^Unauthorized$/);
  expect(log.last()).toMatchObject({ reason: 'unknown_kid' });
  expect(jwks.requestCount()).toBe(2);
  for (const kid of ['stranger', 'other', 'third']) {
    await expect(authorize(event(bearer(signToken(stranger, read(jwks.issuer), { kid }))))).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ reason: 'unknown_kid' });
  }
  expect(jwks.requestCount()).toBe(2);
  // Known keys keep working from the cache.
  await expect(authorize(event(bearer(signToken(rsa, read(jwks.issuer)))))).resolves.toMatchObject({ principalId: 'user-1' });
});

test('accepts a token signed with a rotated-in key: the cache re-fetches the JWKS for the new kid', async () => {
  const jwks = await server([rsa]);
  const authorize = createAuthorizer(configFor(jwks), { logger: log.logger });
  await authorize.ready;
  await expect(authorize(event(bearer(signToken(rsa, read(jwks.issuer)))))).resolves.toMatchObject({ principalId: 'user-1' });
  jwks.addKey(rsa2.publicJwk);
  await expect(authorize(event(bearer(signToken(rsa2, read(jwks.issuer, { sub: 'rotated' }))))))
    .resolves.toMatchObject({ principalId: 'rotated' });
  expect(jwks.requestCount()).toBe(2);
  await expect(authorize(event(bearer(signToken(rsa, read(jwks.issuer)))))).resolves.toMatchObject({ principalId: 'user-1' });
  expect(jwks.requestCount()).toBe(2);
});

test('trusts two issuers, each with its own keys', async () => {
  const shared = 'shared-kid';
  const keyA = generateRsaKey(shared);
  const keyB = generateEcKey(shared);
  const a = await server([keyA]);
  const b = await server([keyB]);
  const config = configFor(a);
  const authorize = createAuthorizer({
    ...config,
    issuers: [config.issuers[0], { issuer: b.issuer, audience: ['api://b'], jwksUri: b.jwksUri }],
  }, { logger: log.logger });
  await authorize.ready;
  expect([a.requestCount(), b.requestCount()]).toEqual([1, 1]);
  await expect(authorize(event(bearer(signToken(keyA, read(a.issuer, { sub: 'from-a' })))))).resolves.toMatchObject({
    principalId: 'from-a', context: expect.objectContaining({ iss: a.issuer }),
  });
  await expect(authorize(event(bearer(signToken(keyB, read(b.issuer, { sub: 'from-b', aud: 'api://b' })))))).resolves.toMatchObject({
    principalId: 'from-b', context: expect.objectContaining({ iss: b.issuer }),
  });
  // Issuer A's name on a token signed with issuer B's key (same kid): verified against A's keys, so rejected.
  await expect(authorize(event(bearer(signToken(keyB, read(a.issuer)))))).rejects.toThrow(/^Unauthorized$/);
  expect(log.last()).toMatchObject({ reason: 'alg_not_allowed' });
  // Each issuer's audience is its own.
  await expect(authorize(event(bearer(signToken(keyB, read(b.issuer, { aud: AUDIENCE })))))).rejects.toThrow(/^Unauthorized$/);
  expect(log.last()).toMatchObject({ reason: 'invalid_audience' });
});

test('rejects a token signed with an RSA key shorter than 2048 bits, even when the JWKS publishes it', async () => {
  const weak = generateRsaKey('weak', { modulusLength: 1024 });
  const jwks = await server([weak]);
  const authorize = createAuthorizer(configFor(jwks), { logger: log.logger });
  await expect(authorize(event(bearer(signToken(weak, read(jwks.issuer)))))).rejects.toThrow(/^Unauthorized$/);
  expect(log.last()).toMatchObject({ reason: 'invalid_jwk' });
});

test('rejects a token whose kid names an encryption key of the JWKS', async () => {
  const jwks = await startJwksServer({ keys: [{ ...rsa.publicJwk, use: 'enc' }] });
  servers.push(jwks);
  const authorize = createAuthorizer(configFor(jwks), { logger: log.logger });
  await expect(authorize(event(bearer(signToken(rsa, read(jwks.issuer)))))).rejects.toThrow(/^Unauthorized$/);
  expect(log.last()).toMatchObject({ reason: 'invalid_jwk' });
});

test('fails closed with a 500 (not 401) while the JWKS is unavailable, and recovers on demand', async () => {
  const jwks = await server([rsa]);
  jwks.failWith(503);
  const authorize = createAuthorizer(configFor(jwks), { logger: log.logger });
  await authorize.ready; // a failed prefetch does not reject
  expect(log.lines().some((line) => line.includes('JWKS prefetch failed') && line.includes(jwks.jwksUri))).toBe(true);
  await expect(authorize(event(bearer(signToken(rsa, read(jwks.issuer)))))).rejects.toThrow(/^Authorizer failure$/);
  expect(log.last()).toMatchObject({ decision: 'error', reason: 'jwks_unavailable' });
  jwks.failWith(undefined);
  await expect(authorize(event(bearer(signToken(rsa, read(jwks.issuer)))))).resolves.toMatchObject({ principalId: 'user-1' });
});

test('gives up on a JWKS that answers slower than jwksTimeoutMs', async () => {
  const jwks = await server([rsa]);
  jwks.delay(3000);
  const authorize = createAuthorizer(configFor(jwks, { jwksTimeoutMs: 200 }), { logger: log.logger });
  const started = Date.now();
  await authorize.ready;
  await expect(authorize(event(bearer(signToken(rsa, read(jwks.issuer)))))).rejects.toThrow(/^Authorizer failure$/);
  expect(log.last()).toMatchObject({ decision: 'error', reason: 'jwks_unavailable' });
  // Prefetch and on-demand fetch, each with aws-jwt-verify's one immediate retry: 4 x 200 ms, far below 3 s.
  expect(Date.now() - started).toBeLessThan(2500);
  jwks.delay(0);
});

describe('Amazon Cognito user pools', () => {
  const userPoolId = 'eu-west-1_TestPool1';
  const regional = `https://cognito-idp.eu-west-1.amazonaws.com/${userPoolId}`;
  const global = `https://issuer-cognito-idp.eu-west-1.amazonaws.com/${userPoolId}`;
  let jwks: JwksServer;
  let authorize: ReturnType<typeof createAuthorizer>;

  beforeAll(async () => {
    jwks = await server([rsa]);
    // CognitoJwtVerifier derives the JWKS URI from the pool id; send those requests to the local HTTPS server.
    const real = new SimpleFetcher();
    const rewriting: Fetcher = {
      fetch: (uri, options, data) => real.fetch(uri.replace(/^https:\/\/[^/]+\/[^/]+/, jwks.issuer), options, data),
    };
    authorize = createAuthorizer(configFor(jwks, {
      issuers: [{ issuer: regional, audience: ['client-abc'], jwksUri: `${regional}/.well-known/jwks.json`, cognito: { userPoolId, tokenUse: 'access' } }],
    }), { logger: log.logger, jwksFetcher: rewriting });
    await authorize.ready;
  });

  function access(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return claims(regional, { aud: undefined, token_use: 'access', client_id: 'client-abc', scope: 'items:read', ...overrides });
  }

  test('accepts an access token of the app client, in the regional or the global issuer form', async () => {
    expect(jwks.requestCount()).toBe(1);
    await expect(authorize(event(bearer(signToken(rsa, access()))))).resolves.toMatchObject({
      principalId: 'user-1', context: expect.objectContaining({ clientId: 'client-abc', iss: regional }),
    });
    await expect(authorize(event(bearer(signToken(rsa, access({ iss: global })))))).resolves.toMatchObject({ principalId: 'user-1' });
  });

  test('rejects an id token where access tokens are configured', async () => {
    await expect(authorize(event(bearer(signToken(rsa, access({ token_use: 'id', aud: 'client-abc' })))))).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ reason: 'invalid_token_use' });
  });

  test('rejects an access token of another app client', async () => {
    await expect(authorize(event(bearer(signToken(rsa, access({ client_id: 'client-other' })))))).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ reason: 'invalid_audience' });
  });
});

describe('key revocation (jwksMaxAgeSeconds)', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('a warm authorizer refuses a key removed from the JWKS once the key set is older than jwksMaxAgeSeconds', async () => {
    const jwks = await server([rsa, rsa2]);
    const authorize = createAuthorizer(configFor(jwks, { jwksMaxAgeSeconds: 1 }), { logger: log.logger });
    await authorize.ready;
    const token = signToken(rsa, read(jwks.issuer));
    await expect(authorize(event(bearer(token)))).resolves.toMatchObject({ principalId: 'user-1' });
    // The issuer revokes rsa-1. Within the maximum age the cached set still holds it: no fetch per request.
    jwks.setKeys([rsa2.publicJwk]);
    await expect(authorize(event(bearer(token)))).resolves.toMatchObject({ principalId: 'user-1' });
    expect(jwks.requestCount()).toBe(1);
    await sleep(1100);
    await expect(authorize(event(bearer(token)))).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ reason: 'unknown_kid' });
    // The refresh alone refused it; repeating the revoked token is an unknown kid: one re-fetch, then the penalty box.
    expect(jwks.requestCount()).toBe(2);
    for (let i = 0; i < 3; i++) await expect(authorize(event(bearer(token)))).rejects.toThrow(/^Unauthorized$/);
    expect(jwks.requestCount()).toBe(3);
    // The key that stayed keeps working from the refreshed set.
    await expect(authorize(event(bearer(signToken(rsa2, read(jwks.issuer, { sub: 'kept' })))))).resolves.toMatchObject({ principalId: 'kept' });
    expect(jwks.requestCount()).toBe(3);
  });

  test('fails closed when the key set is too old and cannot be refreshed, and recovers when the JWKS answers again', async () => {
    const jwks = await server([rsa]);
    const authorize = createAuthorizer(configFor(jwks, { jwksMaxAgeSeconds: 1 }), { logger: log.logger });
    await authorize.ready;
    const token = signToken(rsa, read(jwks.issuer));
    await expect(authorize(event(bearer(token)))).resolves.toMatchObject({ principalId: 'user-1' });
    jwks.failWith(503);
    await sleep(1100);
    await expect(authorize(event(bearer(token)))).rejects.toThrow(/^Authorizer failure$/);
    expect(log.last()).toMatchObject({ decision: 'error', reason: 'jwks_unavailable' });
    const afterFailure = jwks.requestCount();
    // Right after a failed refresh, further requests fail closed without hitting the JWKS again.
    for (let i = 0; i < 3; i++) await expect(authorize(event(bearer(token)))).rejects.toThrow(/^Authorizer failure$/);
    expect(jwks.requestCount()).toBe(afterFailure);
    jwks.failWith(undefined);
    await sleep(1100); // the retry interval is the maximum age when that is shorter than 5 s
    await expect(authorize(event(bearer(token)))).resolves.toMatchObject({ principalId: 'user-1' });
  });
});
