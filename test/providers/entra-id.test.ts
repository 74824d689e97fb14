/**
 * The Microsoft Entra ID guide of README.md, run as written: v1.0 and v2.0 access tokens, delegated and app-only, of
 * the listed tenants.
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens (the sample tokens, issuer and key checks)
 * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 * @see https://learn.microsoft.com/entra/identity-platform/optional-claims-reference (idtyp)
 * @see https://learn.microsoft.com/entra/identity-platform/claims-validation
 */
import { generateRsaKey } from '../support/tokens';
import { backendFunction, guideAuthorizer, GuideAuthorizer, guideStack, providerToken } from './support';

const API_APP_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const MICROSOFT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CONTOSO = '00001111-aaaa-2222-bbbb-3333cccc4444';
const V2 = (tenant: string) => `https://login.microsoftonline.com/${tenant}/v2.0`;
const V1 = (tenant: string) => `https://sts.windows.net/${tenant}/`;
const JWKS = [MICROSOFT, CONTOSO].flatMap((t) => [
  `https://login.microsoftonline.com/${t}/discovery/v2.0/keys`,
  `https://login.microsoftonline.com/${t}/discovery/keys`,
]);

// The kid of the documented samples. Entra's keys are common to all tenants, so every tenant's JWKS serves this one.
const key = generateRsaKey('i6lGk3FZzxRcUb2C3nEQ7syHJlY');
const V2_HEADER = { typ: 'JWT' };
const V1_HEADER = { typ: 'JWT', x5t: key.kid };

/** The v2.0 sample access token of the Access tokens page, decoded, verbatim (times made current). */
const USER_V2 = {
  aud: API_APP_ID,
  iss: V2(MICROSOFT),
  iat: 1537231048,
  nbf: 1537231048,
  exp: 1537234948,
  aio: 'AXQAi/8IAAAAtAaZLo3ChMif6KOnttRB7eBq4/DccQzjcJGxPYy/C3jDaNGxXd6wNIIVGRghNRnwJ1lOcAnNZcjvkoyrFxCttv33140RioOFJ4bCCGVuoCag1uOTT22222gHwLPYQ/uf79QX+0KIijdrmp69RctzmQ==',
  azp: API_APP_ID,
  azpacr: '0',
  name: 'Abe Lincoln',
  oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
  preferred_username: 'abeli@microsoft.com',
  rh: 'I',
  scp: 'access_as_user',
  sub: 'HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ',
  tid: MICROSOFT,
  uti: 'fqiBqXLPj0eQa82S-IYFAA',
  ver: '2.0',
};

/**
 * The v1.0 sample of the same page, decoded. It belongs to another app and another (deliberately altered) tenant: its
 * aud, iss, tid and scp are this API's (aud its App ID URI), every other claim is verbatim.
 */
const USER_V1 = {
  aud: `api://${API_APP_ID}`,
  iss: V1(MICROSOFT),
  iat: 1537233106,
  nbf: 1537233106,
  exp: 1537237006,
  acr: '1',
  aio: 'AXQAi/8IAAAAFm+E/QTG+gFnVxLjWdw8K+61AGrSOuMMF6ebaMj7XO3IbmD3fGmrOyD+NvZyGn2VaT/kDKXw4MIhrgGVq6Bn8wLXoT1LkIZ+FzQVkJPPLQOV4KcXqSlCVPDS/DiCDgE222TImMvWNaEMaUOTsIGvTQ==',
  amr: ['wia'],
  appid: '75dbe77f-10a3-4e59-85fd-8c127544f17c',
  appidacr: '0',
  email: 'AbeLi@microsoft.com',
  family_name: 'Lincoln',
  given_name: 'Abe (MSFT)',
  idp: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd0122247/',
  ipaddr: '222.222.222.22',
  name: 'abeli',
  oid: '02223b6b-aa1d-42d4-9ec0-1b2bb9194438',
  rh: 'I',
  scp: 'access_as_user',
  sub: 'l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA',
  tid: MICROSOFT,
  unique_name: 'abeli@microsoft.com',
  uti: 'FVsGxYXI30-TuikuuUoFAA',
  ver: '1.0',
};

/** An app-only v2.0 token, assembled from the claim tables (Microsoft publishes no sample); `sub` = `oid` is unconfirmed. */
const APP_V2 = {
  aud: API_APP_ID,
  iss: V2(CONTOSO),
  iat: 1537231048,
  nbf: 1537231048,
  exp: 1537234948,
  azp: '11112222-bbbb-3333-cccc-4444dddd5555',
  azpacr: '1',
  idtyp: 'app',
  oid: 'aaaabbbb-0000-cccc-1111-dddd2222eeee',
  roles: ['Orders.Read.All'],
  sub: 'aaaabbbb-0000-cccc-1111-dddd2222eeee',
  tid: CONTOSO,
  uti: 'xxxxxxxxxxxxxxxxxxxxxx',
  ver: '2.0',
};

let api: GuideAuthorizer;
beforeAll(async () => {
  api = await guideAuthorizer(guideStack('entra-id', (s) => ({ ordersFunction: backendFunction(s) })), { jwks: JWKS, keys: [key] });
});
afterAll(() => api.close());

test('trusts exactly the v2.0 and v1.0 issuers of the two tenants, each with its tenant JWKS', () => {
  expect(api.config.issuers.map((i) => [i.issuer, i.jwksUri, i.audience])).toEqual([
    [V2(MICROSOFT), JWKS[0], [API_APP_ID]],
    [V2(CONTOSO), JWKS[2], [API_APP_ID]],
    [V1(MICROSOFT), JWKS[1], [API_APP_ID, `api://${API_APP_ID}`]],
    [V1(CONTOSO), JWKS[3], [API_APP_ID, `api://${API_APP_ID}`]],
  ]);
  expect([...api.fetched].sort()).toEqual([...JWKS].sort());
});

test("Microsoft's v2.0 sample: a delegated scope, named by oid, tenant from tid", async () => {
  expect(await api.call(providerToken(key, USER_V2, V2_HEADER), 'GET /orders')).toEqual({
    decision: 'allow',
    allowed: true,
    reason: 'authorized',
    principalId: USER_V2.oid,
    context: {
      sub: USER_V2.sub, principal: USER_V2.oid, principalClaim: 'oid', clientId: API_APP_ID, scope: 'access_as_user',
      tenant: MICROSOFT, iss: V2(MICROSOFT),
    },
  });
});

test("Microsoft's v1.0 sample (x5t in the header, App ID URI audience); its client, in appid, is the context's clientId", async () => {
  expect(await api.call(providerToken(key, USER_V1, V1_HEADER), 'GET /orders')).toEqual({
    decision: 'allow',
    allowed: true,
    reason: 'authorized',
    principalId: USER_V1.oid,
    context: {
      sub: USER_V1.sub, principal: USER_V1.oid, principalClaim: 'oid', clientId: USER_V1.appid, scope: 'access_as_user',
      tenant: MICROSOFT, iss: V1(MICROSOFT),
    },
  });
});

test('an app-only token of the other tenant: its app role with idtyp app; not the admin route', async () => {
  const token = providerToken(key, APP_V2, V2_HEADER);
  expect(await api.call(token, 'GET /orders')).toMatchObject({
    allowed: true, principalId: APP_V2.oid,
    context: { principal: APP_V2.oid, principalClaim: 'oid', clientId: APP_V2.azp, scope: '', tenant: CONTOSO, iss: V2(CONTOSO) },
  });
  expect(await api.call(token, 'DELETE /orders/1')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
});

test('without the optional claim idtyp, an app-only token is refused (fail closed)', async () => {
  expect(await api.call(providerToken(key, { ...APP_V2, idtyp: undefined }, V2_HEADER), 'GET /orders'))
    .toMatchObject({ decision: 'deny', allowed: false, reason: 'claim_mismatch' });
});

test("a user's app role in roles is not app-only; the admin role allows deleting", async () => {
  const user = { ...USER_V2, scp: 'User.Read', roles: ['Orders.Read.All'] };
  expect(await api.call(providerToken(key, user, V2_HEADER), 'GET /orders')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
  const admin = { ...USER_V2, roles: ['Orders.Admin'] };
  expect(await api.call(providerToken(key, admin, V2_HEADER), 'DELETE /orders/1')).toMatchObject({ allowed: true });
});

test('refuses a tenant that is not listed, in either version, and an App ID URI audience on a v2.0 token', async () => {
  const other = 'ffffffff-eeee-dddd-cccc-bbbbbbbbbbbb';
  expect(await api.call(providerToken(key, { ...USER_V2, iss: V2(other), tid: other }, V2_HEADER), 'GET /orders'))
    .toEqual({ decision: 'unauthorized', allowed: false, reason: 'unknown_issuer' });
  expect(await api.call(providerToken(key, { ...USER_V1, iss: V1(other), tid: other }, V1_HEADER), 'GET /orders'))
    .toEqual({ decision: 'unauthorized', allowed: false, reason: 'unknown_issuer' });
  // v2.0 tokens always carry the application id: an App ID URI there is another API's token.
  expect(await api.call(providerToken(key, { ...USER_V2, aud: `api://${API_APP_ID}` }, V2_HEADER), 'GET /orders'))
    .toMatchObject({ decision: 'unauthorized', reason: 'invalid_audience' });
});
