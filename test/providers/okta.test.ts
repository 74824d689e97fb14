/**
 * The Okta guide of README.md, run as written, against access tokens of a custom authorization server.
 * @see https://developer.okta.com/docs/reference/api/oidc/ (claims of an access token, the /keys endpoint)
 * @see https://developer.okta.com/docs/guides/customize-tokens-groups-claim/add-groups-claim-custom-as/
 * @see https://developer.okta.com/docs/guides/implement-client-creds/overview/
 */
import { generateRsaKey } from '../support/tokens';
import { backendFunction, guideAuthorizer, GuideAuthorizer, guideStack, providerToken } from './support';

const ISS = 'https://example.okta.com/oauth2/0oacqf8qaJw56czJi0g4';
const JWKS = `${ISS}/v1/keys`;
// "alg … This is always RS256"; the documented header is `{ alg, kid }`, without typ (whether Okta sends one is
// unconfirmed; the authorizer does not read it, and the tests sign both ways).
const key = generateRsaKey('okta-kid');

/** Okta's sample access token of a custom authorization server, verbatim but for the domain (and current times). */
const USER = {
  ver: 1,
  jti: 'AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE',
  iss: ISS,
  aud: 'https://api.example.com',
  sub: '00ujmkLgagxeRrAg20g3',
  iat: 1467145094,
  exp: 1467148694,
  cid: 'nmdP1fcyvdVO11AL7ECm',
  uid: '00ujmkLgagxeRrAg20g3',
  scp: ['openid', 'email', 'flights', 'custom'],
  custom_claim: 'CustomValue',
};
/** A client-credentials token, assembled from the claim table: `sub` = the client id, no `uid`. */
const MACHINE = {
  ver: 1,
  jti: 'AT.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  iss: ISS,
  aud: 'https://api.example.com',
  sub: '0oa1serviceappclient',
  iat: 1467145094,
  exp: 1467148694,
  cid: '0oa1serviceappclient',
  scp: ['service_api'],
};

let api: GuideAuthorizer;
beforeAll(async () => {
  api = await guideAuthorizer(guideStack('okta', (s) => ({ flightsFunction: backendFunction(s) })), { jwks: [JWKS], keys: [key] });
});
afterAll(() => api.close());

test('trusts the custom authorization server, its /v1/keys and its audience', () => {
  expect(api.config.issuers).toEqual([{ issuer: ISS, audience: ['https://api.example.com'], jwksUri: JWKS }]);
  expect(api.config.principalClaims).toEqual(['uid', 'sub']);
  expect(api.fetched).toEqual([JWKS]);
});

test("Okta's sample user token: scopes from the scp array, named by uid", async () => {
  for (const header of [{}, { typ: 'JWT' }]) {
    expect(await api.call(providerToken(key, USER, header), 'GET /flights')).toEqual({
      decision: 'allow',
      allowed: true,
      reason: 'authorized',
      principalId: USER.uid,
      context: {
        sub: USER.sub, principal: USER.uid, principalClaim: 'uid', clientId: USER.cid,
        scope: 'openid email flights custom', tenant: '', iss: ISS,
      },
    });
  }
});

test('deleting needs the custom groups claim; the service scope is not a user scope', async () => {
  expect(await api.call(providerToken(key, USER), 'DELETE /flights/7')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
  expect(await api.call(providerToken(key, { ...USER, groups: ['Everyone', 'Admins'] }), 'DELETE /flights/7')).toMatchObject({ allowed: true });
  expect(await api.call(providerToken(key, USER), 'GET /flights/export')).toMatchObject({ allowed: false, reason: 'insufficient_scope' });
});

test('a client-credentials token: its custom scope, named by sub (the client id)', async () => {
  const token = providerToken(key, MACHINE);
  expect(await api.call(token, 'GET /flights/export')).toMatchObject({
    allowed: true, principalId: MACHINE.cid, context: { principal: MACHINE.cid, principalClaim: 'sub', clientId: MACHINE.cid, scope: 'service_api' },
  });
  expect(await api.call(token, 'GET /flights')).toMatchObject({ allowed: false, reason: 'insufficient_scope' });
});

test('refuses tokens of the org authorization server and of the default server', async () => {
  for (const iss of ['https://example.okta.com', 'https://example.okta.com/oauth2/default']) {
    expect(await api.call(providerToken(key, { ...USER, iss }), 'GET /flights')).toEqual({ decision: 'unauthorized', allowed: false, reason: 'unknown_issuer' });
  }
});

test('refuses a token for another audience', async () => {
  expect(await api.call(providerToken(key, { ...USER, aud: 'api://default' }), 'GET /flights')).toMatchObject({ decision: 'unauthorized', reason: 'invalid_audience' });
});
