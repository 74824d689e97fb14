import { NestedStack } from 'aws-cdk-lib';
/**
 * Any API size: 300 routes with claim rules and 50 issuers synthesize, and the authorizer reads what the construct
 * wrote (its configuration layer) and authorizes exactly the routes each token's claims grant. Real signed tokens
 * and a real HTTPS JWKS. The API is shaped as real ones are, 60 collections of 5 CRUD routes each, with one backend
 * function permitted once for the whole API (`scopePermissionToMethod: false`): 300 methods and 120 resources stay
 * under CloudFormation's 500 resources per stack.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { policyAllows } from '../../lib/common/execute-api-policy';
import { ClaimPath, SecureApi } from '../../lib';
import { createAuthorizer } from '../../lambda/authorizer/authorizer';
import { readAuthorizerConfig } from '../../lambda/authorizer/config';
import { JwksServer, startJwksServer } from '../support/jwks-server';
import { claims, generateRsaKey, signToken, TestKey } from '../support/tokens';
import { bearer, event, methodArn, silentLogger } from '../lambda/authorizer/fixtures';
import { deployedAuthorizerConfig, newStack } from '../lib/helpers';

const COLLECTIONS = 60;
const CRUD = ['GET /c{i}', 'POST /c{i}', 'GET /c{i}/{id}', 'PUT /c{i}/{id}', 'DELETE /c{i}/{id}'];
const ROUTES = COLLECTIONS * CRUD.length;
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
  const fn = new lambda.Function(stack, 'Backend', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  const integration = new apigw.LambdaIntegration(fn, { scopePermissionToMethod: false });
  // Monitoring (about 50 resources) goes into a nested stack, which counts as one resource of the API's stack.
  const monitoring = new NestedStack(stack, 'Monitoring');
  const api = new SecureApi(stack, 'Api', {
    monitoring: { stack: monitoring },
    additionalIssuers: Array.from({ length: ISSUERS }, (_, i) => ({
      issuer: issuerUrl(i), audience: [`api://scale-${i % 5}`], jwksUri: server.jwksUri,
    })),
  });
  // Route n (0..299) needs role n % 30: the k-th route of collection i is route 5i + k.
  const requests: string[] = [];
  for (let i = 0; i < COLLECTIONS; i++) {
    CRUD.forEach((key, k) => {
      const n = i * CRUD.length + k;
      requests.push(key.replace('{i}', String(i)).replace('{id}', 'x-1'));
      api.addRoute(key.replace('{i}', String(i)), {
        integration,
        allowAnyBody: true,
        scopes: ['api:read'],
        claims: [ClaimPath.of('app', 'roles').includes(`role-${n % ROLES}`), ClaimPath.of('https://example.com/tier').oneOf(['gold', 'silver'])],
      });
    });
  }

  const { file, references } = deployedAuthorizerConfig(stack);
  // The API's stack stays within CloudFormation's 500 resources; the nested stack holds every alarm and alert.
  expect(Object.keys(Template.fromStack(stack).toJSON().Resources).length).toBeLessThanOrEqual(500);
  const watched = Template.fromStack(monitoring);
  expect(Object.keys(watched.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThanOrEqual(15);
  expect(Object.keys(watched.findResources('AWS::Events::Rule')).length).toBeGreaterThanOrEqual(10);
  const config = readAuthorizerConfig(file, references);
  expect(config.routes).toHaveLength(ROUTES);
  expect(config.issuers).toHaveLength(ISSUERS);

  const authorize = createAuthorizer(config, { logger: silentLogger() });
  await authorize.ready;
  const token = (issuer: number, roles: string[]) => bearer(signToken(key, claims(issuerUrl(issuer), {
    aud: `api://scale-${issuer % 5}`, scope: 'api:read', app: { roles }, 'https://example.com/tier': 'gold',
  })));

  const last = token(ISSUERS - 1, ['role-7', 'role-12']);
  const result = await authorize(event(last, requests[7]));
  requests.forEach((request, n) => {
    const granted = n % ROLES === 7 || n % ROLES === 12;
    expect([request, policyAllows(result.policyDocument as never, methodArn(request))]).toEqual([request, granted]);
  });
  // Another issuer's audience is not this one's.
  await expect(authorize(event(bearer(signToken(key, claims(issuerUrl(3), { aud: 'api://scale-4', scope: 'api:read' }))), requests[1])))
    .rejects.toThrow(/^Unauthorized$/);
  // Every issuer is trusted, and its tokens decide on their own claims.
  for (const issuer of [0, 17, 33, ISSUERS - 1]) {
    const own = await authorize(event(token(issuer, [`role-${issuer % ROLES}`]), requests[issuer % ROLES]));
    expect(policyAllows(own.policyDocument as never, methodArn(requests[issuer % ROLES]))).toBe(true);
    expect(policyAllows(own.policyDocument as never, methodArn(requests[(issuer + 1) % ROLES]))).toBe(false);
  }
});
