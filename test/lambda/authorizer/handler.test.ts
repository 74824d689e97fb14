/**
 * The Lambda entry point, loaded as Lambda loads it: configuration from the environment at module scope, then
 * invoked end to end against a real HTTPS JWKS.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { AUTHORIZER_CONFIG_FILE_ENV } from '../../../lib/common/authorizer-config';
import { JwksServer, startJwksServer } from '../../support/jwks-server';
import { claims, generateRsaKey, signToken, TestKey } from '../../support/tokens';
import { bearer, captureLogs, configFile, configFor, event } from './fixtures';

type Handler = (event: APIGatewayTokenAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'secure-api-authorizer',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:secure-api-authorizer',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/secure-api-authorizer',
  logStreamName: '2024/01/01/[$LATEST]abc',
  getRemainingTimeInMillis: () => 3000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

let server: JwksServer;
let rsa: TestKey;
let logs: ReturnType<typeof captureLogs>;
const saved = process.env[AUTHORIZER_CONFIG_FILE_ENV];

function loadHandler(config: string | undefined): Handler {
  if (config === undefined) delete process.env[AUTHORIZER_CONFIG_FILE_ENV];
  else process.env[AUTHORIZER_CONFIG_FILE_ENV] = configFile(config);
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = (require('../../../lambda/authorizer/handler') as { handler: Handler }).handler;
  });
  return handler!;
}

beforeAll(async () => {
  rsa = generateRsaKey('rsa-1');
  server = await startJwksServer({ keys: [rsa.publicJwk] });
});

beforeEach(() => {
  logs = captureLogs();
});

afterEach(() => {
  logs.restore();
  if (saved === undefined) delete process.env[AUTHORIZER_CONFIG_FILE_ENV];
  else process.env[AUTHORIZER_CONFIG_FILE_ENV] = saved;
});

afterAll(async () => {
  await server.close();
});

test('reads its configuration from the file the environment names, prefetches the JWKS at load, and authorizes end to end', async () => {
  const handler = loadHandler(JSON.stringify(configFor(server)));
  // The JWKS request arrives without any invocation: it was started while the module loaded.
  for (let waited = 0; server.requestCount() === 0 && waited < 5000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(server.requestCount()).toBe(1);
  const result = await handler(event(bearer(signToken(rsa, claims(server.issuer, { scope: 'items:read' }))), 'GET /items/1'), lambdaContext);
  expect(result.principalId).toBe('user-1');
  expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  // One fetch in all: started at module load, awaited by the first invocation.
  expect(server.requestCount()).toBe(1);
  await expect(handler(event('Bearer junk'), lambdaContext)).rejects.toThrow(/^Unauthorized$/);
  const decisions = logs.entries().filter((e) => e.decision !== undefined);
  expect(decisions).toEqual([
    expect.objectContaining({ decision: 'allow', service: 'secure-api-authorizer', function_request_id: lambdaContext.awsRequestId }),
    expect.objectContaining({ decision: 'unauthorized', reason: 'malformed_token' }),
  ]);
});

test('loads with an API key mapping without calling AWS until a mapped client needs its key', async () => {
  const handler = loadHandler(JSON.stringify(configFor(server, { apiKey: { claim: 'client_id', keyIds: { 'app-1': 'k1' } } })));
  const result = await handler(event(bearer(signToken(rsa, claims(server.issuer, { scope: 'items:read', client_id: 'nobody' })))), lambdaContext);
  expect(result.policyDocument.Statement).toEqual([expect.objectContaining({ Effect: 'Deny' })]);
});

test('fails at load when the configuration is missing', () => {
  expect(() => loadHandler(undefined)).toThrow(`AuthorizerConfig: environment variable ${AUTHORIZER_CONFIG_FILE_ENV} is not set`);
  expect(logs.lines().join('\n')).toContain('invalid authorizer configuration');
});

test('fails at load when the configuration file is missing', () => {
  process.env[AUTHORIZER_CONFIG_FILE_ENV] = '/opt/secure-api/no-such-file.json';
  let handler: Handler | undefined;
  expect(() => jest.isolateModules(() => {
    handler = (require('../../../lambda/authorizer/handler') as { handler: Handler }).handler;
  })).toThrow("AuthorizerConfig: cannot read the configuration file /opt/secure-api/no-such-file.json (ENOENT): is the authorizer's configuration layer attached?");
  expect(handler).toBeUndefined();
  expect(logs.lines().join('\n')).toContain('invalid authorizer configuration');
});

test('fails at load when the configuration is not JSON or not valid', () => {
  expect(() => loadHandler('{issuers:')).toThrow(/is not valid JSON/);
  expect(() => loadHandler(JSON.stringify({ ...configFor(server), maxTokenBytes: 0 })))
    .toThrow("AuthorizerConfig: 'maxTokenBytes' must be a positive integer (got 0)");
});
