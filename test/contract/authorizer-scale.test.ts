/**
 * Any API size: 300 routes with claim rules and 50 issuers synthesize, and the authorizer reads what the construct
 * wrote (its configuration layer) and authorizes exactly the routes each token's claims grant. Real signed tokens
 * and a real HTTPS JWKS.
 */
import { policyAllows } from '../../lib/common/execute-api-policy';
import { ClaimPath, SecureApi } from '../../lib';
import { createAuthorizer } from '../../lambda/authorizer/authorizer';
import { readAuthorizerConfig } from '../../lambda/authorizer/config';
import { JwksServer, startJwksServer } from '../support/jwks-server';
import { claims, generateRsaKey, signToken, TestKey } from '../support/tokens';
import { bearer, event, methodArn, silentLogger } from '../lambda/authorizer/fixtures';
import { backend, deployedAuthorizerConfig, newStack } from '../lib/helpers';

const ROUTES = 300;
const ISSUERS = 50;
const ROLES = 30;

let server: JwksServer;
let key: TestKey;

beforeAll(async () => {
  key = generateRsaKey('scale-key');
  server = await startJwksServer({ keys: [key.publicJwk] });
});

afterAll(() => server.close());

const issuerUrl = (i: number) => `${server.issuer}/tenants/t${i}`;

test(`${ROUTES} routes with claim rules and ${ISSUERS} issuers synthesize and authorize exactly`, async () => {
  const stack = newStack();
  const integration = backend(stack);
  const api = new SecureApi(stack, 'Api', {
    additionalIssuers: Array.from({ length: ISSUERS }, (_, i) => ({
      issuer: issuerUrl(i), audience: [`api://scale-${i % 5}`], jwksUri: server.jwksUri,
    })),
  });
  for (let i = 0; i < ROUTES; i++) {
    api.addRoute(`GET /area-${i}/{id}`, {
      integration,
      scopes: ['api:read'],
      claims: [ClaimPath.of('app', 'roles').includes(`role-${i % ROLES}`), ClaimPath.of('https://example.com/tier').oneOf(['gold', 'silver'])],
    });
  }

  const { file, references } = deployedAuthorizerConfig(stack);
  const config = readAuthorizerConfig(file, references);
  expect(config.routes).toHaveLength(ROUTES);
  expect(config.issuers).toHaveLength(ISSUERS);

  const authorize = createAuthorizer(config, { logger: silentLogger() });
  await authorize.ready;
  const token = (issuer: number, roles: string[]) => bearer(signToken(key, claims(issuerUrl(issuer), {
    aud: `api://scale-${issuer % 5}`, scope: 'api:read', app: { roles }, 'https://example.com/tier': 'gold',
  })));

  const last = token(ISSUERS - 1, ['role-7', 'role-12']);
  const result = await authorize(event(last, 'GET /area-7/1'));
  for (let i = 0; i < ROUTES; i++) {
    const granted = i % ROLES === 7 || i % ROLES === 12;
    expect([i, policyAllows(result.policyDocument as never, methodArn(`GET /area-${i}/1`))]).toEqual([i, granted]);
  }
  // Another issuer's audience is not this one's.
  await expect(authorize(event(bearer(signToken(key, claims(issuerUrl(3), { aud: 'api://scale-4', scope: 'api:read' }))), 'GET /area-1/1')))
    .rejects.toThrow(/^Unauthorized$/);
  // Every issuer is trusted, and its tokens decide on their own claims.
  for (const issuer of [0, 17, 33, ISSUERS - 1]) {
    const own = await authorize(event(token(issuer, [`role-${issuer % ROLES}`]), `GET /area-${issuer % ROLES}/x`));
    expect(policyAllows(own.policyDocument as never, methodArn(`GET /area-${issuer % ROLES}/x`))).toBe(true);
    expect(policyAllows(own.policyDocument as never, methodArn(`GET /area-${(issuer + 1) % ROLES}/x`))).toBe(false);
  }
});
