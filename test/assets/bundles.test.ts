/**
 * The deployable artifacts: the esbuild bundles (the library's authorizer in assets/, the demo's items service in
 * demo/assets/), loaded in a fresh Node process as Lambda would load
 * them, against a real HTTPS JWKS and a real DynamoDB API.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { AUTHORIZER_CONFIG_FILE_ENV } from '../../lib/common/authorizer-config';
import { bearer, configFile, configFor, event } from '../lambda/authorizer/fixtures';
import { startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite';
import { JwksServer, startJwksServer } from '../support/jwks-server';
import { claims, generateRsaKey, signToken, TestKey } from '../support/tokens';

const ROOT = path.join(__dirname, '..', '..');
const BUNDLES = { authorizer: path.join(ROOT, 'assets', 'authorizer'), items: path.join(ROOT, 'demo', 'assets', 'items') };

const MARKER = '@@RESULTS@@';

/**
 * Loads a bundle in a fresh Node process, calls its handler with each event in turn, and returns each result or
 * error message. Asynchronous, so this process keeps serving the JWKS and DynamoDB the child talks to.
 */
async function invokeBundle(bundle: keyof typeof BUNDLES, events: unknown[], env: Record<string, string>): Promise<Array<{ result?: any; error?: string }>> {
  const script = `
    const { handler } = require(${JSON.stringify(path.join(BUNDLES[bundle], 'index.js'))});
    const context = { awsRequestId: 'req-1', functionName: 'f', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '128', getRemainingTimeInMillis: () => 5000 };
    (async () => {
      const out = [];
      for (const e of ${JSON.stringify(events)}) {
        try { out.push({ result: await handler(e, context) }); } catch (err) { out.push({ error: err.message }); }
      }
      process.stdout.write('\\n${MARKER}' + JSON.stringify(out) + '\\n');
    })();`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'ERROR' }, encoding: 'utf8',
  });
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (!line) throw new Error(`no results from the ${bundle} bundle: ${stdout}`);
  return JSON.parse(line.slice(MARKER.length));
}

describe('authorizer bundle', () => {
  let server: JwksServer;
  let key: TestKey;
  beforeAll(async () => {
    key = generateRsaKey('bundle-key');
    server = await startJwksServer({ keys: [key.publicJwk] });
  });
  afterAll(() => server.close());

  test('allows, denies and rejects exactly as the source does', async () => {
    const reader = signToken(key, claims(server.issuer, { scope: 'items:read' }));
    const config = configFile(configFor(server));
    const results = await invokeBundle('authorizer', [
      event(bearer(reader), 'GET /items/42'),
      event(bearer(reader), 'POST /items'),
      event(bearer(`${reader.slice(0, -4)}AAAA`), 'GET /items'),
    ], { [AUTHORIZER_CONFIG_FILE_ENV]: config });
    expect(results[0].result.principalId).toBe('user-1');
    expect(results[0].result.policyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Allow', Resource: expect.arrayContaining(['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/*']),
    }));
    // The same cache-safe policy is returned for a route the token does not grant: API Gateway answers 403.
    expect(results[1].result.policyDocument).toEqual(results[0].result.policyDocument);
    expect(results[2]).toEqual({ error: 'Unauthorized' });
  });
});

describe('items bundle', () => {
  test('creates and reads an owner-scoped item in a real DynamoDB API, and hides it from another owner', async () => {
    const dynamo = await startDynalite();
    try {
      const base = {
        resource: '/items', path: '/items', headers: { 'content-type': 'application/json' }, multiValueHeaders: {},
        queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, stageVariables: null,
        isBase64Encoded: false,
      };
      const authorizer = (sub: string) => ({ sub, principal: sub, principalClaim: 'sub', tenant: '', iss: 'https://issuer.example.com/' });
      const context = (sub: string) => ({ requestContext: { authorizer: authorizer(sub), path: '/prod/items', stage: 'prod', requestId: 'r' } });
      const env = {
        TABLE_NAME: dynamo.tableName, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_REGION: TEST_REGION,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      };
      const [created] = await invokeBundle('items', [{ ...base, httpMethod: 'POST', body: JSON.stringify({ name: 'first' }), ...context('alice') }], env);
      expect(created.result.statusCode).toBe(201);
      const id = JSON.parse(created.result.body).id;
      const get = { ...base, resource: '/items/{id}', path: `/items/${id}`, httpMethod: 'GET', body: null, pathParameters: { id } };
      const [mine, theirs] = await invokeBundle('items', [{ ...get, ...context('alice') }, { ...get, ...context('bob') }], env);
      expect(mine.result.statusCode).toBe(200);
      expect(JSON.parse(mine.result.body)).toMatchObject({ id, name: 'first', version: 1 });
      expect(theirs.result.statusCode).toBe(404);
    } finally {
      await dynamo.stop();
    }
  });
});
