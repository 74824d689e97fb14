/**
 * Offline checks of the deploy test (test/integ/integ.deploy-test.ts): its committed snapshot matches what the app
 * synthesizes (asset hashes aside), and the stacks it deploys keep no secret and leave only the documented
 * resources behind. No AWS credentials and no network: the app is synthesized in-process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareSnapshots, formatDifferences, SNAPSHOT_DIR, synthSnapshot, UPDATE_COMMAND } from './snapshot';
import { DEPLOY_TEST_STACKS } from './deploy-test';
import { NOT_LIMITED } from './probe/probe';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }> };

let actualDir: string;
const template = (dir: string, stack: string): Template =>
  JSON.parse(fs.readFileSync(path.join(dir, `${stack}.template.json`), 'utf8'));

/** A copy of `dir` whose `stack` template is changed by `edit`. */
function editedCopy(dir: string, stack: string, edit: (text: string) => string, assets?: (text: string) => string): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-test-edited-'));
  fs.cpSync(dir, copy, { recursive: true });
  const file = path.join(copy, `${stack}.template.json`);
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
  if (assets) {
    const assetsFile = path.join(copy, `${stack}.assets.json`);
    fs.writeFileSync(assetsFile, assets(fs.readFileSync(assetsFile, 'utf8')));
  }
  return copy;
}

beforeAll(() => {
  actualDir = synthSnapshot();
}, 120_000);

afterAll(() => {
  fs.rmSync(actualDir, { recursive: true, force: true });
});

describe('the deploy test snapshot', () => {
  test('matches what the app synthesizes now', () => {
    const differences = compareSnapshots(SNAPSHOT_DIR, actualDir);
    if (differences.length > 0) {
      throw new Error([
        `The deploy test's snapshot (${path.relative(process.cwd(), SNAPSHOT_DIR)}) is stale: the app now synthesizes other templates.`,
        formatDifferences(differences),
        `If the change is intended, update the snapshot with '${UPDATE_COMMAND}' and commit it.`,
      ].join('\n'));
    }
  });

  test('ignores a change of a Lambda bundle alone (its asset hash)', () => {
    const assets = JSON.parse(fs.readFileSync(path.join(actualDir, `${DEPLOY_TEST_STACKS.demo}.assets.json`), 'utf8'));
    const [hash] = Object.keys(assets.files);
    const otherHash = hash.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a'));
    const rehash = (text: string) => text.split(hash).join(otherHash);
    const edited = editedCopy(actualDir, DEPLOY_TEST_STACKS.demo, rehash, rehash);
    try {
      expect(template(edited, DEPLOY_TEST_STACKS.demo)).not.toEqual(template(actualDir, DEPLOY_TEST_STACKS.demo));
      expect(compareSnapshots(actualDir, edited)).toEqual([]);
    } finally {
      fs.rmSync(edited, { recursive: true, force: true });
    }
  });

  test('reports a changed template property with its stack, resource and path', () => {
    const edited = editedCopy(actualDir, DEPLOY_TEST_STACKS.demo, (text) => {
      const t = JSON.parse(text) as Template;
      const acl = Object.values(t.Resources).find((r) => r.Type === 'AWS::WAFv2::WebACL')!;
      const rules = acl.Properties!.Rules as Array<{ Name: string; Statement: { SizeConstraintStatement: { Size: number } } }>;
      rules.find((r) => r.Name === 'BodySizeLimit')!.Statement.SizeConstraintStatement.Size = 1024;
      return JSON.stringify(t);
    });
    try {
      const differences = compareSnapshots(actualDir, edited);
      expect(differences).toEqual([expect.objectContaining({
        stack: DEPLOY_TEST_STACKS.demo,
        path: expect.stringMatching(/^Resources\.\w+\(AWS::WAFv2::WebACL\)\.Properties\.Rules\.\d+\.Statement\.SizeConstraintStatement\.Size$/),
        expected: 16384,
        actual: 1024,
      })]);
    } finally {
      fs.rmSync(edited, { recursive: true, force: true });
    }
  });

  test('reports a resource the app adds', () => {
    const edited = editedCopy(actualDir, DEPLOY_TEST_STACKS.identity, (text) => {
      const t = JSON.parse(text) as Template;
      t.Resources.Extra = { Type: 'AWS::SNS::Topic' };
      return JSON.stringify(t);
    });
    try {
      expect(compareSnapshots(actualDir, edited)).toEqual([
        { stack: DEPLOY_TEST_STACKS.identity, path: 'Resources.Extra(AWS::SNS::Topic)', expected: undefined, actual: { Type: 'AWS::SNS::Topic' } },
      ]);
    } finally {
      fs.rmSync(edited, { recursive: true, force: true });
    }
  });

  test('keeps templates and manifests only, not the asset bundles', () => {
    const entries = fs.readdirSync(SNAPSHOT_DIR);
    expect(entries.filter((e) => e.startsWith('asset.'))).toEqual([]);
    expect(entries).toEqual(expect.arrayContaining(['manifest.json', 'integ.json', `${DEPLOY_TEST_STACKS.demo}.template.json`]));
  });
});

describe('the deploy test stacks', () => {
  const stacks = Object.values(DEPLOY_TEST_STACKS);

  test('carry no secret: the probe reads the client secrets and the API key at run time', () => {
    const probe = template(actualDir, DEPLOY_TEST_STACKS.probe);
    const fn = Object.values(probe.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    const variables = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual([
      'API_KEY_ID', 'API_URL', 'READER_CLIENT_ID', 'READ_SCOPE', 'TOKEN_URL', 'USER_POOL_ID', 'WRITER_CLIENT_ID', 'WRITE_SCOPE',
    ]);
    const identity = template(actualDir, DEPLOY_TEST_STACKS.identity);
    const clients = Object.values(identity.Resources).filter((r) => r.Type === 'AWS::Cognito::UserPoolClient');
    expect(clients.map((c) => c.Properties!.GenerateSecret)).toEqual([true, true]);
    for (const stack of stacks) {
      // Neither the attribute CDK's userPoolClientSecret reads, nor a custom resource that would fetch it.
      const text = fs.readFileSync(path.join(actualDir, `${stack}.template.json`), 'utf8');
      expect(text).not.toMatch(/ClientSecret"/);
      expect(text).not.toMatch(/Custom::DescribeCognitoUserPoolClient/);
    }
  });

  test('are deleted with the stacks, except the account logging role and the audit buckets', () => {
    const retained = stacks.flatMap((stack) => Object.entries(template(actualDir, stack).Resources)
      .filter(([, r]) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete')
      .map(([id, r]) => `${stack}/${r.Type}/${r.DeletionPolicy}/${id.replace(/[0-9A-F]{8}$/, '')}`));
    expect(retained.sort()).toEqual([
      `${DEPLOY_TEST_STACKS.demo}/AWS::ApiGateway::Account/Retain/SecureApiAccountLoggingAccount`,
      `${DEPLOY_TEST_STACKS.demo}/AWS::IAM::Role/Retain/SecureApiAccountLoggingCloudWatchRole`,
      `${DEPLOY_TEST_STACKS.demo}/AWS::S3::Bucket/Retain/SecureApiAuditTrailBucket`,
      `${DEPLOY_TEST_STACKS.demo}/AWS::S3::Bucket/Retain/SecureApiAuditTrailServerAccessLogsBucket`,
    ]);
  });

  test('give every function a log group that goes with its stack', () => {
    for (const stack of stacks) {
      const t = template(actualDir, stack);
      for (const [id, r] of Object.entries(t.Resources).filter(([, res]) => res.Type === 'AWS::Lambda::Function')) {
        const logGroup = (r.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
        expect({ stack, id, logGroup: logGroup && t.Resources[logGroup]?.Type }).toEqual({ stack, id, logGroup: 'AWS::Logs::LogGroup' });
      }
    }
  });
});

// The assertion provider's own matching code (what runs in AWS), from integ-tests-alpha. Its base module imports the
// Step Functions client for the waiter, a path these tests never take, and which is no dependency of this project.
jest.mock('@aws-sdk/client-sfn', () => ({ SFN: class {} }), { virtual: true });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AssertionHandler } = require('@aws-cdk/integ-tests-alpha/lib/assertions/providers/lambda-handler/assertion');

describe('the deploy test assertions', () => {
  type Assertion = { event: Record<string, unknown>; expected: string };
  let assertions: Assertion[];

  beforeAll(() => {
    const t = template(actualDir, DEPLOY_TEST_STACKS.assertions);
    assertions = Object.values(t.Resources)
      .filter((r) => r.Type === 'Custom::DeployAssert@SdkCallLambdainvoke')
      .map((r) => ({
        // The provider encodes each parameter as JSON: the payload is a JSON string of the probe's JSON event.
        event: JSON.parse(JSON.parse((r.Properties!.parameters as { Payload: string }).Payload)),
        expected: r.Properties!.expected as string,
      }));
  });

  /**
   * Whether the assertion for the probe event matching `event` accepts the probe's answer `payload`, decided as the
   * waiter decides in AWS: `isComplete` passes unless the assertion reports a failure (a thrown matcher error counts
   * as a pass there, so these tests must see it too).
   */
  async function accepts(event: Record<string, unknown>, payload: unknown): Promise<boolean> {
    const matching = assertions.filter((a) => Object.entries(event).every(([k, v]) => JSON.stringify(a.event[k]) === JSON.stringify(v)));
    expect(matching).toHaveLength(1);
    const handler = new AssertionHandler({
      RequestType: 'Create',
      LogicalResourceId: 'Assertion',
      // What the SDK call gives the assertion: the Lambda Invoke response, the probe's answer as a JSON string.
      ResourceProperties: { expected: matching[0].expected, actual: { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: JSON.stringify(payload) } },
    }, { getRemainingTimeInMillis: () => 60_000 });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      return !(await handler.handleIsComplete())?.failed;
    } finally {
      log.mockRestore();
    }
  }

  const problem = (status: number, title: string) => ({ status, body: { type: 'about:blank', title, status, requestId: 'r' } });
  const itemRequest = { action: 'request', method: 'POST', path: '/items' };

  test('are six probe calls: five requests, then the burst', () => {
    expect(assertions.map((a) => a.event.action)).toEqual(['request', 'request', 'request', 'request', 'request', 'burst']);
  });

  test('1: no token is 401, and nothing else', async () => {
    const event = { method: 'GET', token: undefined, apiKey: true };
    expect(await accepts(event, problem(401, 'Unauthorized'))).toBe(true);
    expect(await accepts(event, problem(403, 'Forbidden'))).toBe(false);
    expect(await accepts(event, { status: 200, body: { items: [] } })).toBe(false);
  });

  test('2: the read scope on a write route is 403', async () => {
    const event = { ...itemRequest, token: 'reader' };
    expect(await accepts(event, problem(403, 'Forbidden'))).toBe(true);
    expect(await accepts(event, { status: 201, body: { name: 'deploy-test item' } })).toBe(false);
  });

  test('3 and 4: the writer creates the item and finds it in its list', async () => {
    const item = { id: 'i', name: 'deploy-test item', version: 1 };
    expect(await accepts({ ...itemRequest, token: 'writer' }, { status: 201, body: item })).toBe(true);
    expect(await accepts({ ...itemRequest, token: 'writer' }, problem(403, 'Forbidden'))).toBe(false);
    const list = { method: 'GET', token: 'writer' };
    expect(await accepts(list, { status: 200, body: { items: [{ id: 'j', name: 'other' }, item] } })).toBe(true);
    expect(await accepts(list, { status: 200, body: { items: [] } })).toBe(false);
  });

  test('5: an oversized body is answered by WAF, not by API Gateway', async () => {
    const event = { ...itemRequest, bodyBytes: 17 * 1024 };
    expect(await accepts(event, { status: 413, body: { message: 'Request Entity Too Large' } })).toBe(true);
    expect(await accepts(event, problem(401, 'Unauthorized'))).toBe(false);
    expect(await accepts(event, problem(413, 'Request Entity Too Large'))).toBe(false);
  });

  test('6: the burst is stopped by WAF\'s rate rule, not by the API Gateway throttle', async () => {
    const event = { action: 'burst' };
    const counts = { 401: 1100, 429: 1 };
    expect(await accepts(event, { sent: 1101, counts, limited: { status: 429, body: { message: 'Too Many Requests' } } })).toBe(true);
    expect(await accepts(event, { sent: 1101, counts, limited: problem(429, 'Too Many Requests') })).toBe(false);
    expect(await accepts(event, { sent: 3000, counts: { 401: 3000 }, limited: NOT_LIMITED })).toBe(false);
  });

  test('fail when the probe itself fails', async () => {
    expect(await accepts({ action: 'burst' }, { errorType: 'Error', errorMessage: 'probe: the token endpoint answered 400 (invalid_client)' })).toBe(false);
  });
});
