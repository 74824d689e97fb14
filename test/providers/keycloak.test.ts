/**
 * The Keycloak guide of README.md, run as written: realm roles and client roles (nested claims), the audience mapper,
 * and service-account tokens.
 * @see https://www.keycloak.org/docs/latest/server_admin/ ("Role mappings in the token", "Audience support",
 *   "Using a service account")
 * @see https://gist.github.com/phacman/bd288c7abac1d3fc1694b7e191e27e4c (a community sample payload; Keycloak
 *   publishes no complete one)
 */
import { generateRsaKey } from '../support/tokens';
import { backendFunction, guideAuthorizer, GuideAuthorizer, guideStack, providerToken } from './support';

const ISS = 'https://kc.example.com/realms/demo';
const JWKS = `${ISS}/protocol/openid-connect/certs`;
// The header typ is unconfirmed (the payload's typ: Bearer is a claim); the realm's default key is RS256.
const key = generateRsaKey('kc-rsa-generated');
const HEADER = { typ: 'JWT' };

/**
 * The community sample, verbatim but for its issuer (a legacy `/auth` path over http) and its times: its only
 * audience is `account`, as on a realm without an audience mapper.
 */
const COMMUNITY = {
  exp: 1673171296,
  iat: 1673170996,
  jti: 'd58f5dc8-fd8f-462b-8a19-716f8f83985b',
  iss: ISS,
  aud: 'account',
  sub: '36fa0f91-f94d-4a0c-afed-6b7d952e47da',
  typ: 'Bearer',
  azp: 'something',
  session_state: '2a88c258-f73a-4103-b862-e1fbd8f4e04e',
  acr: '1',
  'allowed-origins': ['http://localhost:6080'],
  realm_access: { roles: ['offline_access', 'default-roles', 'uma_authorization'] },
  resource_access: { account: { roles: ['manage-account', 'manage-account-links', 'view-profile'] } },
  scope: 'email profile',
  sid: '2a88c258-f73a-4103-b862-e1fbd8f4e04e',
  email_verified: true,
  name: 'Something Name',
  preferred_username: 'username',
  given_name: 'Given Name',
  family_name: 'Family Name',
  email: 'some@thing.com',
};
/** The same user once the realm has an audience mapper for orders-api and gives them its reader role. */
const USER = {
  ...COMMUNITY,
  aud: ['orders-api', 'account'],
  azp: 'orders-web',
  realm_access: { roles: ['offline_access', 'default-roles', 'uma_authorization', 'orders-reader'] },
};
/** A service-account token, assembled from the Server Administration Guide and Keycloak's constants. */
const SERVICE_ACCOUNT = {
  exp: 1700000300,
  iat: 1700000000,
  jti: '0f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b',
  iss: ISS,
  aud: 'orders-api',
  sub: '9b1d8c2e-1111-2222-3333-444455556666',
  typ: 'Bearer',
  azp: 'orders-job',
  scope: 'profile email',
  realm_access: { roles: ['offline_access'] },
  resource_access: { 'orders-api': { roles: ['orders:write'] } },
  clientHost: '10.0.0.12',
  preferred_username: 'service-account-orders-job',
  clientAddress: '10.0.0.12',
  client_id: 'orders-job',
};

let api: GuideAuthorizer;
beforeAll(async () => {
  api = await guideAuthorizer(guideStack('keycloak', (s) => ({ ordersFunction: backendFunction(s) })), { jwks: [JWKS], keys: [key] });
});
afterAll(() => api.close());

test('trusts the realm, its certs endpoint and the API client as audience', () => {
  expect(api.config.issuers).toEqual([{ issuer: ISS, audience: ['orders-api'], jwksUri: JWKS }]);
  expect(api.config.routes.find((r) => r.method === 'DELETE')?.claims).toEqual([{ claim: ['resource_access', 'orders-api', 'roles'], includes: 'orders:write' }]);
  expect(api.fetched).toEqual([JWKS]);
});

test('a user with the realm role reads; without the client role may not delete', async () => {
  const token = providerToken(key, USER, HEADER);
  expect(await api.call(token, 'GET /orders')).toEqual({
    decision: 'allow',
    allowed: true,
    reason: 'authorized',
    principalId: USER.sub,
    context: { sub: USER.sub, principal: USER.sub, principalClaim: 'sub', clientId: 'orders-web', scope: 'email profile', tenant: '', iss: ISS },
  });
  expect(await api.call(token, 'DELETE /orders/1')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
});

test('the client role of another client grants nothing', async () => {
  const token = providerToken(key, { ...USER, resource_access: { account: { roles: ['orders:write'] } } }, HEADER);
  expect(await api.call(token, 'DELETE /orders/1')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
});

test('a service account with the client role deletes, named by its sub; it has no realm role to read', async () => {
  const token = providerToken(key, SERVICE_ACCOUNT, HEADER);
  expect(await api.call(token, 'DELETE /orders/1')).toMatchObject({
    allowed: true,
    principalId: SERVICE_ACCOUNT.sub,
    // client_id (the Client ID mapper) comes first in the context's clientId, azp after it: both name orders-job.
    context: { sub: SERVICE_ACCOUNT.sub, principal: SERVICE_ACCOUNT.sub, principalClaim: 'sub', clientId: 'orders-job' },
  });
  expect(await api.call(token, 'GET /orders')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
});

test('refuses the community sample: its only audience is account (no audience mapper)', async () => {
  expect(await api.call(providerToken(key, COMMUNITY, HEADER), 'GET /orders')).toEqual({ decision: 'unauthorized', allowed: false, reason: 'invalid_audience' });
});

test('refuses a token of another realm, and one without aud', async () => {
  expect(await api.call(providerToken(key, { ...USER, iss: 'https://kc.example.com/realms/master' }, HEADER), 'GET /orders'))
    .toMatchObject({ decision: 'unauthorized', reason: 'unknown_issuer' });
  expect(await api.call(providerToken(key, { ...USER, aud: undefined }, HEADER), 'GET /orders'))
    .toMatchObject({ decision: 'unauthorized', reason: 'invalid_audience' });
});
