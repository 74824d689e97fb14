/**
 * The real Lambda entry point (`lambda/items/handler.ts`), loaded as Lambda would load it: configured only by
 * environment variables, with its module-scope DynamoDB client pointed at dynalite via AWS_ENDPOINT_URL_DYNAMODB.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Item } from '../../../../demo/lambda/items/item';
import { startDynalite, TEST_CREDENTIALS, TEST_REGION, TestDynamo } from '../../../support/dynalite';
import { apiEvent, DEFAULT_ISSUER, expectProblem, expectSecurityHeaders, json } from './events';

type Handler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

let dynamo: TestDynamo;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynalite({ tableName: 'items-handler-test' });
});

afterAll(async () => {
  await dynamo.stop();
});

afterEach(() => {
  process.env = { ...savedEnv };
  jest.restoreAllMocks();
});

/** Sets the environment the construct gives the function, then loads a fresh copy of the handler module. */
function loadHandler(env: Record<string, string | undefined>): Handler {
  process.env = {
    ...savedEnv,
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    // Powertools writes to the global console in dev mode, where the test can read it.
    POWERTOOLS_DEV: 'true',
    ...env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require('../../../../demo/lambda/items/handler') as { handler: Handler }).handler;
  });
  return handler!;
}

const context = {
  functionName: 'items', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:items',
  memoryLimitInMB: '256', awsRequestId: 'req-1', logGroupName: '/aws/lambda/items', logStreamName: 's', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

test('creates and reads an item through the deployed entry point, against the table named by TABLE_NAME', async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  const handler = loadHandler({ TABLE_NAME: dynamo.tableName });
  const caller = { sub: 'handler-alice', tenant: 'acme' };

  const created = await handler(apiEvent(caller, { method: 'POST', body: { name: 'via handler', tags: ['x'] } }), context);
  expect(created.statusCode).toBe(201);
  expectSecurityHeaders(created);
  const item = json<Item>(created);

  const read = await handler(apiEvent(caller, { method: 'GET', id: item.id }), context);
  expect(read.statusCode).toBe(200);
  expectSecurityHeaders(read);
  expect(json(read)).toEqual(item);

  const stored = await dynamo.client.send(new GetItemCommand({
    TableName: dynamo.tableName,
    Key: { pk: { S: `OWNER#${encodeURIComponent(DEFAULT_ISSUER)}#acme#sub#handler-alice` }, sk: { S: `ITEM#${item.id}` } },
  }));
  expect(stored.Item?.name?.S).toBe('via handler');

  const other = await handler(apiEvent({ sub: 'handler-alice', tenant: 'other' }, { method: 'GET', id: item.id }), context);
  expectProblem(other, 404, dynamo.tableName);
});

test('logs structured JSON with the service name and a reason code, without the body', async () => {
  const lines: string[] = [];
  for (const level of ['info', 'warn', 'error'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => { lines.push(String(args[0])); });
  }
  const handler = loadHandler({ TABLE_NAME: dynamo.tableName });
  const response = await handler(apiEvent(null, { method: 'POST', body: { name: 'SECRET-BODY' }, authorizer: {} }), context);
  expectProblem(response, 500, dynamo.tableName);
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(entries).toEqual([expect.objectContaining({
    level: 'ERROR', service: 'secure-api-items', message: 'Request failed', reason: 'MissingIssuer', function_request_id: 'req-1',
  })]);
  expect(lines.join('\n')).not.toContain('SECRET');
});

test('fails to load without TABLE_NAME, so a misconfigured function never serves', () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  expect(() => loadHandler({ TABLE_NAME: undefined })).toThrow('TABLE_NAME is required');
  expect(() => loadHandler({ TABLE_NAME: '' })).toThrow('TABLE_NAME is required');
});

test('answers with the CORS headers of the origins in SECURE_API_CORS_ALLOW_ORIGINS, for those origins only', async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  const app = 'https://app.example.com';
  const handler = loadHandler({ TABLE_NAME: dynamo.tableName, SECURE_API_CORS_ALLOW_ORIGINS: `${app},https://admin.example.com` });
  const caller = { sub: 'handler-cors' };
  const fromApp = await handler(apiEvent(caller, { method: 'GET', headers: { Origin: app } }), context);
  expect(fromApp.statusCode).toBe(200);
  expect(fromApp.headers).toMatchObject({ 'Access-Control-Allow-Origin': app, Vary: 'Origin' });
  const fromElsewhere = await handler(apiEvent(caller, { method: 'GET', headers: { Origin: 'https://evil.example.com' } }), context);
  expect(fromElsewhere.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
  expect(fromElsewhere.headers?.Vary).toBe('Origin');
});

test('sends no CORS headers without SECURE_API_CORS_ALLOW_ORIGINS', async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  const handler = loadHandler({ TABLE_NAME: dynamo.tableName, SECURE_API_CORS_ALLOW_ORIGINS: undefined });
  const response = await handler(apiEvent({ sub: 'handler-no-cors' }, { method: 'GET', headers: { origin: 'https://app.example.com' } }), context);
  expect(response.statusCode).toBe(200);
  expect(Object.keys(response.headers ?? {}).filter((h) => /^(access-control-|vary$)/i.test(h))).toEqual([]);
});
