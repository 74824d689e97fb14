/**
 * The Google guide of README.md, run as written: users' ID tokens (restricted to a Workspace domain) and service
 * accounts' ID tokens (restricted to one account).
 * @see https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
 * @see https://developers.google.com/identity/openid-connect/reference (iss: `https://accounts.google.com` or `accounts.google.com`)
 * @see https://developers.google.com/identity/gsi/web/guides/verify-google-id-token
 * @see https://developers.google.com/identity/sign-in/web/backend-auth (hd)
 * @see https://cloud.google.com/iam/credentials/reference/rest/v1/projects.serviceAccounts/generateIdToken
 */
import { SecureApi } from '../../lib';
import { backend, newStack, validationErrorOf } from '../lib/helpers';
import { generateRsaKey } from '../support/tokens';
import { backendFunction, guideAuthorizer, GuideAuthorizer, guideStack, providerToken } from './support';

const ISS = 'https://accounts.google.com';
const JWKS = 'https://www.googleapis.com/oauth2/v3/certs';
const CLIENT = '314159265-pi.apps.googleusercontent.com';
const key = generateRsaKey('google-kid');
const HEADER = { typ: 'JWT' };

/**
 * The sample of "Verify the Google ID token", verbatim but for its times: its `nbf` (161803398874, the digits of the
 * golden ratio, in the year 7097) is a placeholder and is set to `iat`, as in Google's real tokens.
 */
const GIS = {
  iss: ISS,
  nbf: 1596474000,
  aud: CLIENT,
  sub: '3141592653589793238',
  hd: 'gmail.com',
  email: 'elisa.g.beckett@gmail.com',
  email_verified: true,
  azp: CLIENT,
  name: 'Elisa Beckett',
  picture: 'https://lh3.googleusercontent.com/a-/e2718281828459045235360uler',
  given_name: 'Elisa',
  family_name: 'Beckett',
  iat: 1596474000,
  exp: 1596477600,
  jti: 'abc161803398874def',
};
/** A user of the guide's Workspace domain. */
const WORKSPACE_USER = { ...GIS, hd: 'example.com', email: 'elisa@example.com' };
/** A service account's ID token, assembled (azp and sub = the account's unique id come from a third-party summary). */
const SERVICE_ACCOUNT = {
  iss: ISS,
  aud: 'https://api.example.com',
  azp: '117263895423711100001',
  sub: '117263895423711100001',
  email: 'orders-job@my-project.iam.gserviceaccount.com',
  email_verified: true,
  iat: 1700000000,
  exp: 1700003600,
};
/** The older revision of Google's sample payload, verbatim (times made current): iss without scheme, email_verified a string. */
const LEGACY = {
  iss: 'accounts.google.com',
  at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
  email_verified: 'true',
  sub: '10769150350006150715113082367',
  azp: '1234987819200.apps.googleusercontent.com',
  email: 'jsmith@example.com',
  aud: '1234987819200.apps.googleusercontent.com',
  iat: 1353601026,
  exp: 1353604926,
  nonce: '0394852-3190485-2490358',
  hd: 'example.com',
};

let api: GuideAuthorizer;
beforeAll(async () => {
  api = await guideAuthorizer(guideStack('google', (s) => ({ ordersFunction: backendFunction(s) })), { jwks: [JWKS], keys: [key] });
});
afterAll(() => api.close());

test('trusts accounts.google.com with its certs, for the OAuth client and the service accounts audience', () => {
  expect(api.config.issuers).toEqual(['https://accounts.google.com', 'accounts.google.com']
    .map((issuer) => ({ issuer, audience: [CLIENT, 'https://api.example.com'], jwksUri: JWKS })));
  expect(api.fetched).toEqual([JWKS]);
});

test('a user of the Workspace domain: named by sub, client from azp, no scopes', async () => {
  expect(await api.call(providerToken(key, WORKSPACE_USER, HEADER), 'GET /orders')).toEqual({
    decision: 'allow',
    allowed: true,
    reason: 'authorized',
    principalId: GIS.sub,
    context: { sub: GIS.sub, principal: GIS.sub, principalClaim: 'sub', clientId: CLIENT, scope: '', tenant: '', iss: ISS },
  });
  expect(await api.call(providerToken(key, WORKSPACE_USER, HEADER), 'GET /orders/export')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
});

test("Google's sample token, of another hosted domain, is refused on the domain's route", async () => {
  expect(await api.call(providerToken(key, GIS, HEADER), 'GET /orders')).toMatchObject({ decision: 'deny', allowed: false, reason: 'claim_mismatch' });
});

test('the service account exports; another service account, asking for the same audience, does not', async () => {
  expect(await api.call(providerToken(key, SERVICE_ACCOUNT, HEADER), 'GET /orders/export')).toMatchObject({
    allowed: true, principalId: SERVICE_ACCOUNT.sub, context: { principal: SERVICE_ACCOUNT.sub, clientId: SERVICE_ACCOUNT.azp },
  });
  expect(await api.call(providerToken(key, SERVICE_ACCOUNT, HEADER), 'GET /orders')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
  const stranger = { ...SERVICE_ACCOUNT, sub: '100000000000000000042', azp: '100000000000000000042', email: 'scraper@other-project.iam.gserviceaccount.com' };
  expect(await api.call(providerToken(key, stranger, HEADER), 'GET /orders/export')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
});

test('refuses an ID token minted for another OAuth client', async () => {
  const token = providerToken(key, { ...WORKSPACE_USER, aud: '1234987819200.apps.googleusercontent.com' }, HEADER);
  expect(await api.call(token, 'GET /orders')).toMatchObject({ decision: 'unauthorized', reason: 'invalid_audience' });
});

describe('the legacy issuer value accounts.google.com', () => {
  // Google's reference still names `accounts.google.com` (no scheme) as a value of iss: the guide trusts it too.
  test('a token with iss accounts.google.com (the older documented sample) is allowed like the https form', async () => {
    const token = providerToken(key, { ...LEGACY, aud: CLIENT, hd: 'example.com' }, HEADER);
    expect(await api.call(token, 'GET /orders')).toMatchObject({ decision: 'allow', allowed: true });
  });

  test('the issuer accounts.google.com needs an explicit JWKS; other issuers without a scheme fail synth', () => {
    const attempt = (issuer: string, jwksUri?: string) => validationErrorOf(() => {
      const stack = newStack();
      new SecureApi(stack, 'Api', {
        issuer: ISS, jwksUri: JWKS, audience: [CLIENT],
        additionalIssuers: [{ issuer, jwksUri, audience: [CLIENT] }],
        routes: { 'GET /orders': { integration: backend(stack), scopes: ['x'] } },
      });
    }).message;
    expect(attempt('accounts.google.com')).toMatch(/'additionalIssuers\[0\]\.jwksUri' is required for the issuer 'accounts\.google\.com'/);
    expect(attempt('login.example.com', JWKS)).toMatch(/'additionalIssuers\[0\]\.issuer' must be an https URL, or Google's legacy 'accounts\.google\.com' \(got 'login\.example\.com'\)/);
  });
});
