/**
 * The Amazon Cognito guides of README.md (access tokens, ID tokens), run as written, against tokens of the shapes AWS
 * documents.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetClientToken.html
 */
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { generateRsaKey } from '../support/tokens';
import { backendFunction, guideAuthorizer, GuideAuthorizer, guideStack, OBJECT_SCHEMA, providerToken } from './support';

// Cognito's documented header is `{ kid, alg }`: no typ. ID and access tokens are signed with different keys.
const accessKey = generateRsaKey('cognito-access-kid');
const idKey = generateRsaKey('cognito-id-kid');

/** CloudFormation references in the configuration: an imported pool's issuer is built on AWS::URLSuffix. */
const references = (reference: unknown) => (JSON.stringify(reference) === '{"Ref":"AWS::URLSuffix"}' ? 'amazonaws.com' : undefined);

describe('Cognito guide: access tokens', () => {
  const ISS = 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_example';
  const WEB_CLIENT = '57cbishk4j24pabc1234567890';
  const JOB_CLIENT = '1h2k3m4n5p6q7r8s9t0u1v2w3x';

  /** AWS's sample user access token, verbatim (times made current). */
  const USER_ACCESS = {
    sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    device_key: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    'cognito:groups': ['admin'],
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: 1562190524,
    iss: ISS,
    exp: 1562194124,
    iat: 1562190524,
    origin_jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    client_id: WEB_CLIENT,
    username: 'janedoe@example.com',
  };
  /** A client-credentials token: constructed from the docs (AWS publishes no sample); `sub` is unconfirmed. */
  const MACHINE = {
    sub: JOB_CLIENT,
    token_use: 'access',
    scope: 'orders/read orders/write',
    auth_time: 1700000000,
    iss: ISS,
    exp: 1700003600,
    iat: 1700000000,
    jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    client_id: JOB_CLIENT,
  };

  let api: GuideAuthorizer;
  beforeAll(async () => {
    const stack = guideStack('cognito-access', (s) => ({
      userPool: cognito.UserPool.fromUserPoolId(s, 'Users', 'us-west-2_example'),
      ordersFunction: backendFunction(s),
      importSchema: OBJECT_SCHEMA,
    }));
    api = await guideAuthorizer(stack, {
      jwks: [`${ISS}/.well-known/jwks.json`], keys: [accessKey, idKey], references,
    });
  });
  afterAll(() => api.close());

  test('trusts the user pool of the documented sample, its JWKS and both app clients', () => {
    expect(api.config.issuers).toEqual([{
      issuer: ISS,
      audience: [WEB_CLIENT, JOB_CLIENT],
      jwksUri: `${ISS}/.well-known/jwks.json`,
      cognito: { userPoolId: 'us-west-2_example', tokenUse: 'access' },
    }]);
    expect(api.fetched).toEqual([`${ISS}/.well-known/jwks.json`]);
  });

  test("AWS's sample user access token: allowed by its group, refused where a custom scope is needed", async () => {
    const token = providerToken(accessKey, USER_ACCESS);
    expect(await api.call(token, 'DELETE /orders/42')).toEqual({
      decision: 'allow',
      allowed: true,
      reason: 'authorized',
      principalId: USER_ACCESS.sub,
      context: {
        sub: USER_ACCESS.sub, principal: USER_ACCESS.sub, principalClaim: 'sub', clientId: WEB_CLIENT,
        scope: 'aws.cognito.signin.user.admin', tenant: '', iss: ISS,
      },
    });
    expect(await api.call(token, 'GET /orders')).toMatchObject({ decision: 'deny', allowed: false, reason: 'insufficient_scope' });
  });

  test('a user with the custom scope and no group reads, and may not delete', async () => {
    const token = providerToken(accessKey, { ...USER_ACCESS, 'cognito:groups': undefined, scope: 'openid orders/read' });
    expect(await api.call(token, 'GET /orders')).toMatchObject({ allowed: true, principalId: USER_ACCESS.sub });
    expect(await api.call(token, 'DELETE /orders/42')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
  });

  test('a client-credentials token with sub: its scopes, never a group route; named by sub', async () => {
    const token = providerToken(accessKey, MACHINE);
    expect(await api.call(token, 'POST /orders/import')).toMatchObject({
      allowed: true, principalId: JOB_CLIENT, context: { principal: JOB_CLIENT, principalClaim: 'sub', clientId: JOB_CLIENT, scope: 'orders/read orders/write' },
    });
    expect(await api.call(token, 'GET /orders')).toMatchObject({ allowed: true });
    expect(await api.call(token, 'DELETE /orders/42')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
  });

  test('a client-credentials token without sub (unconfirmed either way) is named by client_id', async () => {
    const token = providerToken(accessKey, { ...MACHINE, sub: undefined });
    expect(await api.call(token, 'POST /orders/import')).toMatchObject({
      allowed: true, principalId: JOB_CLIENT, context: { sub: '', principal: JOB_CLIENT, principalClaim: 'client_id' },
    });
  });

  test('refuses an ID token of the same pool and client (token_use id)', async () => {
    const id = providerToken(idKey, {
      sub: USER_ACCESS.sub, aud: WEB_CLIENT, email_verified: true, token_use: 'id', auth_time: 1500009400, iss: ISS,
      'cognito:username': 'janedoe', exp: 1500013000, given_name: 'Jane', iat: 1500009400, email: 'janedoe@example.com',
      jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', origin_jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', 'cognito:groups': ['admin'],
    });
    expect(await api.call(id, 'DELETE /orders/42')).toEqual({ decision: 'unauthorized', allowed: false, reason: 'invalid_token_use' });
  });

  test('refuses an access token of an app client it does not list', async () => {
    const token = providerToken(accessKey, { ...USER_ACCESS, client_id: '7otherclient0000000000000a' });
    expect(await api.call(token, 'DELETE /orders/42')).toMatchObject({ decision: 'unauthorized', reason: 'invalid_audience' });
  });
});

describe('Cognito guide: ID tokens', () => {
  const ISS = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example';

  /** AWS's sample ID token, verbatim (times made current). */
  const ID = {
    sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    aud: 'xxxxxxxxxxxxexample',
    email_verified: true,
    token_use: 'id',
    auth_time: 1500009400,
    iss: ISS,
    'cognito:username': 'janedoe',
    exp: 1500013000,
    given_name: 'Jane',
    iat: 1500009400,
    email: 'janedoe@example.com',
    jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    origin_jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  };

  let api: GuideAuthorizer;
  beforeAll(async () => {
    const stack = guideStack('cognito-id', (s) => ({
      userPool: cognito.UserPool.fromUserPoolId(s, 'Users', 'us-east-1_example'),
      profileFunction: backendFunction(s),
    }));
    api = await guideAuthorizer(stack, { jwks: [`${ISS}/.well-known/jwks.json`], keys: [accessKey, idKey], references });
  });
  afterAll(() => api.close());

  test("AWS's sample ID token reads its profile; the team route needs the group of the longer sample", async () => {
    const token = providerToken(idKey, ID);
    expect(await api.call(token, 'GET /profile')).toEqual({
      decision: 'allow',
      allowed: true,
      reason: 'authorized',
      principalId: ID.sub,
      // An ID token names its client in aud: the context's clientId.
      context: { sub: ID.sub, principal: ID.sub, principalClaim: 'sub', clientId: ID.aud, scope: '', tenant: '', iss: ISS },
    });
    expect(await api.call(token, 'GET /team')).toMatchObject({ allowed: false, reason: 'claim_mismatch' });
    const member = providerToken(idKey, { ...ID, 'cognito:groups': ['test-group-a', 'test-group-b'] });
    expect(await api.call(member, 'GET /team')).toMatchObject({ allowed: true });
  });

  test('refuses an unverified email, and an access token of the same client', async () => {
    expect(await api.call(providerToken(idKey, { ...ID, email_verified: false }), 'GET /profile'))
      .toMatchObject({ allowed: false, reason: 'claim_mismatch' });
    const access = providerToken(accessKey, {
      sub: ID.sub, token_use: 'access', scope: 'openid', iss: ISS, iat: 1500009400, exp: 1500013000, client_id: ID.aud, username: 'janedoe',
    });
    expect(await api.call(access, 'GET /profile')).toMatchObject({ decision: 'unauthorized', reason: 'invalid_token_use' });
  });
});
