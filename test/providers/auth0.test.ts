/**
 * The Auth0 guide of README.md, run as written: user tokens of both access token profiles, RBAC permissions,
 * namespaced custom claims and client-credentials tokens.
 * @see https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles (the sample payloads)
 * @see https://auth0.com/docs/secure/tokens/json-web-tokens/json-web-key-sets
 * @see https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis
 * @see https://auth0.com/docs/secure/tokens/json-web-tokens/create-custom-claims
 * @see https://community.auth0.com/t/sub-claim-format-for-m2m-tokens/39451 (M2M sub)
 * @see https://github.com/auth0/docs/issues/6729 and https://github.com/auth0/docs-v2/pull/1282 (the two gty spellings)
 */
import { generateRsaKey } from '../support/tokens';
import { backendFunction, guideAuthorizer, GuideAuthorizer, guideStack, providerToken } from './support';

const ISS = 'https://my-domain.auth0.com/';
const JWKS = 'https://my-domain.auth0.com/.well-known/jwks.json';
const API = 'https://example.com/health-api';
const key = generateRsaKey('auth0-kid');

/** The user access token of the Auth0 profile, verbatim (times made current). */
const USER = {
  iss: ISS,
  sub: 'auth0|123456',
  aud: [API, 'https://my-domain.auth0.com/userinfo'],
  azp: 'my_client_id',
  exp: 1311281970,
  iat: 1311280970,
  scope: 'openid profile read:patients read:admin',
  my_custom_claim: 'my_custom_value',
};
/** The same user's token in the RFC 9068 profile, verbatim (the doc's excerpt ends after my_custom_claim). */
const USER_RFC9068 = {
  iss: ISS,
  sub: 'auth0|123456',
  aud: [API, 'https://my-domain.auth0.com/userinfo'],
  client_id: 'my_client_id',
  exp: 1311281970,
  iat: 1311280970,
  jti: '73WakrfVbNJBaAmhQtEeDv',
  scope: 'openid profile read:patients read:admin',
  my_custom_claim: 'my_custom_value',
};
/** A client-credentials token: sub and gty as observed (not in the reference docs), permissions with RBAC, a role an Action adds. */
const MACHINE = {
  iss: ISS,
  sub: 'my_client_id@clients',
  aud: API,
  iat: 1311280970,
  exp: 1311367370,
  scope: 'read:patients',
  gty: 'client-credentials',
  azp: 'my_client_id',
  permissions: ['read:patients'],
  'https://example.com/roles': ['billing-service'],
};

let api: GuideAuthorizer;
beforeAll(async () => {
  api = await guideAuthorizer(guideStack('auth0', (s) => ({ patientsFunction: backendFunction(s) })), { jwks: [JWKS], keys: [key] });
});
afterAll(() => api.close());

test('trusts the issuer with its trailing slash; the default JWKS URI is Auth0s', () => {
  expect(api.config.issuers).toEqual([{ issuer: ISS, audience: [API], jwksUri: JWKS }]);
  expect(api.fetched).toEqual([JWKS]);
});

test("Auth0's sample user token (aud an array with userinfo): its scope, named by sub, client from azp", async () => {
  expect(await api.call(providerToken(key, USER, { typ: 'JWT' }), 'GET /patients')).toEqual({
    decision: 'allow',
    allowed: true,
    reason: 'authorized',
    principalId: 'auth0|123456',
    context: {
      sub: 'auth0|123456', principal: 'auth0|123456', principalClaim: 'sub', clientId: 'my_client_id',
      scope: 'openid profile read:patients read:admin', tenant: '', iss: ISS,
    },
  });
});

test('the RFC 9068 profile (client_id; header typ at+jwt, unconfirmed for Auth0) works the same', async () => {
  expect(await api.call(providerToken(key, USER_RFC9068, { typ: 'at+jwt' }), 'GET /patients')).toMatchObject({
    allowed: true, principalId: 'auth0|123456', context: { clientId: 'my_client_id' },
  });
});

test('the RBAC route reads the permissions array, not the scope string', async () => {
  // The sample has read:admin in scope but no permissions claim (RBAC off, or without "Add Permissions").
  expect(await api.call(providerToken(key, USER), 'GET /admin/reports')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
  const rbac = { ...USER, permissions: ['read:patients', 'read:admin'] };
  expect(await api.call(providerToken(key, rbac), 'GET /admin/reports')).toMatchObject({ allowed: true });
});

test.each(['client-credentials', 'client_credentials'])('a client-credentials token with gty %s and the namespaced role', async (gty) => {
  expect(await api.call(providerToken(key, { ...MACHINE, gty }), 'GET /billing/invoices')).toEqual({
    decision: 'allow',
    allowed: true,
    reason: 'authorized',
    principalId: 'my_client_id@clients',
    context: {
      sub: 'my_client_id@clients', principal: 'my_client_id@clients', principalClaim: 'sub', clientId: 'my_client_id',
      scope: 'read:patients', tenant: '', iss: ISS,
    },
  });
});

test('the machine route refuses a user with the role, and a machine without it', async () => {
  const user = { ...USER, 'https://example.com/roles': ['billing-service'] };
  expect(await api.call(providerToken(key, user), 'GET /billing/invoices')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
  const other = { ...MACHINE, 'https://example.com/roles': ['reporting'] };
  expect(await api.call(providerToken(key, other), 'GET /billing/invoices')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
});

test('refuses the issuer without its trailing slash, and a token for another API', async () => {
  expect(await api.call(providerToken(key, { ...USER, iss: 'https://my-domain.auth0.com' }), 'GET /patients'))
    .toEqual({ decision: 'unauthorized', allowed: false, reason: 'unknown_issuer' });
  expect(await api.call(providerToken(key, { ...USER, aud: ['https://example.com/other-api', 'https://my-domain.auth0.com/userinfo'] }), 'GET /patients'))
    .toMatchObject({ decision: 'unauthorized', reason: 'invalid_audience' });
});
