/**
 * The Duende IdentityServer guide of README.md, run as written: `scope` as an array (the default) or a string, RFC 9068
 * headers, client-credentials tokens without `sub`, and the issuer with or without a trailing slash.
 * @see https://docs.duendesoftware.com/identityserver/tokens (the sample user access token)
 * @see https://docs.duendesoftware.com/identityserver/reference/options (AccessTokenJwtType, EmitScopesAsSpaceDelimitedStringInJwt)
 * @see https://docs.duendesoftware.com/identityserver/reference/endpoints/discovery (the JWKS path)
 * @see https://github.com/DuendeArchive/Support/issues/277 (a client-credentials token of IdentityServer 6.1)
 * @see https://github.com/DuendeArchive/IdentityServer4/issues/5126 (the header)
 */
import { generateRsaKey } from '../support/tokens';
import { backendFunction, guideAuthorizer, GuideAuthorizer, guideStack, providerToken } from './support';

const ISS = 'https://identity.example.com';
const JWKS = `${ISS}/.well-known/openid-configuration/jwks`;
// The header of a real IdentityServer token: RS256, a signing-key-… kid, typ at+jwt.
const key = generateRsaKey('signing-key-565648e5c1474f62a5d7aa79a5601f10');
const HEADER = { typ: 'at+jwt' };

/**
 * The sample of the tokens overview, verbatim but for the host (`https://localhost:5001` there) and the times. Its
 * scope is a string, as emitted with EmitScopesAsSpaceDelimitedStringInJwt = true.
 */
const USER = {
  iss: ISS,
  nbf: 1609932801,
  iat: 1609932801,
  exp: 1609936401,
  aud: 'urn:resource1',
  scope: 'openid resource1.scope1 offline_access',
  amr: ['pwd'],
  client_id: 'web_app',
  sub: '88421113',
  auth_time: 1609932794,
  idp: 'local',
  sid: 'F6E6F2EDE86EB8731EF609A4FE40ED89',
  jti: '2C56A356A306E64AFC7D2C6399E23A17',
};
/**
 * The client-credentials token of DuendeArchive/Support#277, verbatim but for the host and the times: no sub, scope an
 * array, issuer with a trailing slash, and only the template's static audience.
 */
const MACHINE = {
  iss: `${ISS}/`,
  nbf: 1665774178,
  iat: 1665774178,
  exp: 1665777778,
  aud: `${ISS}/resources`,
  scope: ['scope1'],
  client_id: 'm2m.client',
  jti: '1D736303BBF4AFCA27BC661E307F697B',
};
/** The same token once the client asks for a scope of the ApiResource urn:resource1 (aud lists both). */
const MACHINE_FOR_API = { ...MACHINE, aud: ['urn:resource1', `${ISS}/resources`] };

let api: GuideAuthorizer;
beforeAll(async () => {
  api = await guideAuthorizer(guideStack('duende', (s) => ({ ordersFunction: backendFunction(s) })), { jwks: [JWKS], keys: [key] });
});
afterAll(() => api.close());

test('trusts the host with and without the trailing slash, one JWKS, the ApiResource as audience', () => {
  expect(api.config.issuers).toEqual([
    { issuer: ISS, audience: ['urn:resource1'], jwksUri: JWKS },
    { issuer: `${ISS}/`, audience: ['urn:resource1'], jwksUri: JWKS },
  ]);
  expect(api.config.principalClaims).toEqual(['sub', 'client_id']);
  expect(api.fetched).toEqual([JWKS]);
});

test("Duende's sample user token, with scope as a string and as the default array", async () => {
  const expected = {
    decision: 'allow',
    allowed: true,
    reason: 'authorized',
    principalId: '88421113',
    context: {
      sub: '88421113', principal: '88421113', principalClaim: 'sub', clientId: 'web_app',
      scope: 'openid resource1.scope1 offline_access', tenant: '', iss: ISS,
    },
  };
  expect(await api.call(providerToken(key, USER, HEADER), 'GET /orders')).toEqual(expected);
  const array = { ...USER, scope: ['openid', 'resource1.scope1', 'offline_access'] };
  expect(await api.call(providerToken(key, array, HEADER), 'GET /orders')).toEqual(expected);
  expect(await api.call(providerToken(key, USER, HEADER), 'GET /orders/export')).toMatchObject({ allowed: false, reason: 'insufficient_scope' });
});

test('a client-credentials token without sub, named by client_id', async () => {
  expect(await api.call(providerToken(key, MACHINE_FOR_API, HEADER), 'GET /orders/export')).toEqual({
    decision: 'allow',
    allowed: true,
    reason: 'authorized',
    principalId: 'm2m.client',
    context: { sub: '', principal: 'm2m.client', principalClaim: 'client_id', clientId: 'm2m.client', scope: 'scope1', tenant: '', iss: `${ISS}/` },
  });
  expect(await api.call(providerToken(key, MACHINE_FOR_API, HEADER), 'GET /orders')).toMatchObject({ allowed: false, reason: 'insufficient_scope' });
});

test('the machine route wants its client: another client with the scope is refused', async () => {
  const other = { ...MACHINE_FOR_API, client_id: 'reporting.client' };
  expect(await api.call(providerToken(key, other, HEADER), 'GET /orders/export')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
});

test('refuses the verbatim client-credentials token: its only audience is the static <issuer>/resources', async () => {
  expect(await api.call(providerToken(key, MACHINE, HEADER), 'GET /orders/export')).toEqual({ decision: 'unauthorized', allowed: false, reason: 'invalid_audience' });
});
