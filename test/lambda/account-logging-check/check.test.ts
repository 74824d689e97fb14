/*
 * The account logging check against a real HTTPS server that plays both API Gateway's GetAccount endpoint (the real
 * AWS SDK client talks to it) and CloudFormation's pre-signed response URL.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/crpg-ref-responses.html
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { createHandler, CustomResourceEvent, MISSING_ROLE_REASON, PHYSICAL_ID } from '../../../lambda/account-logging-check/check';

interface Recorded { method: string; path: string; headers: Record<string, unknown>; body: string }

let server: Server;
let base: string;
let account: { status: number; body: object } = { status: 200, body: {} };
let responseStatus = 200;
const requests: Recorded[] = [];

beforeAll(async () => {
  const dir = process.env.SECURE_API_TEST_TLS_DIR!;
  server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.crt')) }, (req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      if (req.method === 'GET' && req.url === '/account') {
        res.writeHead(account.status, { 'content-type': 'application/json' }).end(JSON.stringify(account.body));
      } else if (req.method === 'PUT' && req.url!.startsWith('/cfn-response')) {
        res.writeHead(responseStatus).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  requests.length = 0;
  account = { status: 200, body: {} };
  responseStatus = 200;
});

const client = () => new APIGatewayClient({
  region: 'eu-west-1',
  endpoint: base,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' },
  maxAttempts: 1,
});
const handler = () => createHandler(() => client().send(new GetAccountCommand({})));

const event = (requestType: CustomResourceEvent['RequestType']): CustomResourceEvent => ({
  RequestType: requestType,
  ResponseURL: `${base}/cfn-response?X-Amz-Signature=abc`,
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Demo/1',
  RequestId: 'req-1',
  LogicalResourceId: 'SecureApiAccountLoggingCheck',
});

const answered = () => {
  const put = requests.find((r) => r.method === 'PUT');
  expect(put).toBeDefined();
  return { request: put!, body: JSON.parse(put!.body) };
};

test('succeeds when the account names a CloudWatch Logs role', async () => {
  account = { status: 200, body: { cloudwatchRoleArn: 'arn:aws:iam::123456789012:role/ApiGatewayLogs', throttleSettings: { rateLimit: 10000, burstLimit: 5000 } } };
  await handler()(event('Create'));
  expect(requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['GET /account', 'PUT /cfn-response']);
  const { body } = answered();
  expect(body).toEqual({
    Status: 'SUCCESS',
    Reason: "API Gateway's account CloudWatch Logs role is set",
    PhysicalResourceId: PHYSICAL_ID,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Demo/1',
    RequestId: 'req-1',
    LogicalResourceId: 'SecureApiAccountLoggingCheck',
  });
});

test('fails the deployment, saying how to fix it, when the account has no role', async () => {
  account = { status: 200, body: { throttleSettings: { rateLimit: 10000, burstLimit: 5000 } } };
  await handler()(event('Update'));
  const { body } = answered();
  expect(body.Status).toBe('FAILED');
  expect(body.Reason).toBe(MISSING_ROLE_REASON);
  expect(body.Reason).toMatch(/'cloudWatchRole: true'.*aws apigateway update-account/);
});

test('fails with the error name, not its message, when GetAccount is refused', async () => {
  account = { status: 403, body: { message: 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized' } };
  await handler()(event('Create'));
  const { body } = answered();
  expect(body.Status).toBe('FAILED');
  expect(body.Reason).toMatch(/^SecureApi: could not read API Gateway's account settings \(apigateway:GET \/account\): \w+$/);
  expect(body.Reason).not.toContain('assumed-role');
});

test('a delete checks nothing and succeeds, keeping the physical id', async () => {
  await handler()({ ...event('Delete'), PhysicalResourceId: PHYSICAL_ID });
  expect(requests.map((r) => r.method)).toEqual(['PUT']);
  expect(answered().body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
});

test('the response is a PUT without a content type (the pre-signed URL signs none) and with its length', async () => {
  account = { status: 200, body: { cloudwatchRoleArn: 'arn:aws:iam::123456789012:role/ApiGatewayLogs' } };
  await handler()(event('Create'));
  const { request } = answered();
  expect(request.headers['content-type']).toBe('');
  expect(Number(request.headers['content-length'])).toBe(Buffer.byteLength(request.body));
  expect(request.path).toBe('/cfn-response?X-Amz-Signature=abc');
});

test('throws when the response URL refuses the answer, so Lambda retries', async () => {
  responseStatus = 403;
  await expect(handler()(event('Delete'))).rejects.toThrow(/CloudFormation response URL answered 403/);
});

test('the deployable bundle (assets/account-logging-check) does the same in a fresh Node process', async () => {
  account = { status: 200, body: {} };
  const bundle = join(__dirname, '..', '..', '..', 'assets', 'account-logging-check', 'index.js');
  const script = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event('Create'))}).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
  await promisify(execFile)(process.execPath, ['-e', script], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_API_GATEWAY: base,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_MAX_ATTEMPTS: '1',
    },
  });
  expect(requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['GET /account', 'PUT /cfn-response']);
  expect(answered().body).toMatchObject({ Status: 'FAILED', Reason: MISSING_ROLE_REASON });
});
