/*
 * The quota watcher end to end: the real AWS SDK client against a local HTTPS server that answers GetUsage as the API
 * reference documents it (JSON `values`, paging with `position`, errors), the real Powertools Logger and Metrics, and
 * the EMF documents parsed back from standard capture(). Then the deployable bundle, in a fresh Node process configured
 * as the construct configures the function.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { APIGatewayClient, GetUsageCommand } from '@aws-sdk/client-api-gateway';
import type { QuotaWatcherConfig, WatchedPlanConfig } from '../../../lib/common/quota-watcher-config';
import { QuotaWatchError } from '../../../lambda/quota-watcher/errors';
import { createQuotaMetrics } from '../../../lambda/quota-watcher/quota-metrics';
import type { GetUsagePage } from '../../../lambda/quota-watcher/usage';
import { watchQuotas } from '../../../lambda/quota-watcher/watcher';
import { startUsageServer, UsageServer } from './get-usage-server';
import { parseLines, watcherOutputPerTest } from './output';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };
let server: UsageServer;
const capture = watcherOutputPerTest();
/** The environment before any test changed it: the bundle's child processes start from it. */
const env = { ...process.env };

beforeAll(async () => {
  server = await startUsageServer();
});
afterAll(() => server.close());

beforeEach(() => {
  server.requests.length = 0;
  server.behave({});
});

const gold: WatchedPlanConfig = {
  name: 'gold', usagePlanId: 'g0ld01', limit: 1000, period: 'MONTH', offset: 0,
  clients: [{ name: 'acme', keyId: 'acmekey001' }, { name: 'globex', keyId: 'globexkey1' }],
};

/** One run, as the handler wires it, against the local server, at a fixed instant. */
function run(config: QuotaWatcherConfig, now: string) {
  const client = new APIGatewayClient({ region: 'eu-west-1', endpoint: server.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  const getUsagePage: GetUsagePage = (request) => client.send(new GetUsageCommand(request));
  return watchQuotas(config, { getUsagePage, metrics: createQuotaMetrics(), logger: new Logger(), now: () => new Date(now) });
}

const byClient = (docs: any[]) => Object.fromEntries(docs.filter((d) => d.Client).map((d) => [`${d.UsagePlan}/${d.Client}`, d]));
const planDocs = (docs: any[]) => docs.filter((d) => d.Client === undefined);

test("publishes each client's use of the current month and the plan's highest, from GetUsage's daily entries", async () => {
  server.addPlan('g0ld01', 1000, ['acmekey001', 'globexkey1', 'otherkey99']);
  server.setDays('g0ld01', 'acmekey001', { '2024-01-31': [500, 500], '2024-02-01': [100, 900], '2024-02-28': [250, 650], '2024-02-29': [50, 600] });
  server.setDays('g0ld01', 'globexkey1', { '2024-02-10': [900, 100] });
  server.setDays('g0ld01', 'otherkey99', { '2024-02-10': [999, 1] });

  await expect(run({ plans: [gold] }, '2024-02-29T12:00:00Z')).resolves.toEqual({ clientsPublished: 2, clientsFailed: 0 });

  // One request per declared key, for the days of February up to today; never the undeclared key.
  expect(server.requests.map((r) => r.query)).toEqual([
    { startDate: '2024-02-01', endDate: '2024-02-29', keyId: 'acmekey001' },
    { startDate: '2024-02-01', endDate: '2024-02-29', keyId: 'globexkey1' },
  ]);
  expect(server.requests.every((r) => r.usagePlanId === 'g0ld01')).toBe(true);
  const docs = capture().emf();
  expect(docs.every((d) => d._aws.CloudWatchMetrics[0].Namespace === 'SecureApi/Orders')).toBe(true);
  // January's 500 are another period.
  expect(byClient(docs)['gold/acme']).toMatchObject({ QuotaUsed: 400, QuotaUsedPercent: 40, remainingReported: '600', periodStart: '2024-02-01', periodEnd: '2024-02-29' });
  expect(byClient(docs)['gold/globex']).toMatchObject({ QuotaUsed: 900, QuotaUsedPercent: 90 });
  expect(planDocs(docs)).toEqual([expect.objectContaining({ UsagePlan: 'gold', QuotaUsedPercent: 90, clientsMissing: '0' })]);
  expect(docs.some((d) => JSON.stringify(d).includes('other'))).toBe(false);
  expect(capture().logs()).toContainEqual(expect.objectContaining({
    level: 'INFO', message: 'quota usage published', plan: 'gold', periodStart: '2024-02-01', clients: 2, clientsMissing: 0, highestPercent: 90,
  }));
});

test('follows position over every page and sums the days of all of them', async () => {
  server.addPlan('g0ld01', 1000, ['acmekey001', 'globexkey1']);
  const days: Record<string, [number, number]> = {};
  for (let d = 1; d <= 29; d++) days[`2024-02-${String(d).padStart(2, '0')}`] = [10, 1000 - 10 * d];
  server.setDays('g0ld01', 'acmekey001', days);
  // One day per result and 25 results per page (the documented default): February's 29 days take two pages.
  server.behave({ daysPerResult: 1 });

  await run({ plans: [{ ...gold, clients: [gold.clients[0]] }] }, '2024-02-29T23:59:00Z');

  const pages = server.requests.map((r) => r.query);
  expect(pages).toHaveLength(2);
  expect(pages[0].position).toBeUndefined();
  expect(pages[1]).toEqual({ ...pages[0], position: expect.any(String) });
  expect(byClient(capture().emf())['gold/acme']).toMatchObject({ QuotaUsed: 290, QuotaUsedPercent: 29, remainingReported: '710' });
});

test('reads a WEEK quota from the weekday its offset names', async () => {
  server.addPlan('w33k01', 50, ['acmekey001']);
  server.setDays('w33k01', 'acmekey001', { '2024-02-25': [40, 10], '2024-02-26': [5, 45], '2024-03-03': [20, 25] });
  const weekly: WatchedPlanConfig = { name: 'weekly', usagePlanId: 'w33k01', limit: 50, period: 'WEEK', offset: 1, clients: [gold.clients[0]] };

  await run({ plans: [weekly] }, '2024-03-03T08:00:00Z');

  // Offset 1: the week began on Monday 2024-02-26; Sunday 2024-02-25 was the week before.
  expect(server.requests[0].query).toMatchObject({ startDate: '2024-02-26', endDate: '2024-03-03' });
  expect(byClient(capture().emf())['weekly/acme']).toMatchObject({ QuotaUsed: 25, QuotaUsedPercent: 50 });
});

test('reads usage filed under a name other than the key id, and never writes that name anywhere', async () => {
  server.addPlan('g0ld01', 1000, ['acmekey001']);
  server.setDays('g0ld01', 'acmekey001', { '2024-02-02': [123, 877] });
  server.behave({ keyName: (id) => `SeCrEtVaLuE${id}0123456789abcdef` });

  await run({ plans: [{ ...gold, clients: [gold.clients[0]] }] }, '2024-02-29T12:00:00Z');

  expect(byClient(capture().emf())['gold/acme']).toMatchObject({ QuotaUsed: 123 });
  expect(capture().raw.join('\n')).not.toMatch(/SeCrEtVaLuE/);
});

test('a client GetUsage refuses is logged and skipped, the others are published, and the run fails', async () => {
  server.addPlan('g0ld01', 1000, ['acmekey001', 'globexkey1']);
  server.setDays('g0ld01', 'globexkey1', { '2024-02-10': [970, 30] });
  server.behave({ failKey: { keyId: 'acmekey001', status: 403, type: 'AccessDeniedException', message: 'User is not authorized to perform: apigateway:GET' } });

  const result = run({ plans: [gold] }, '2024-02-29T12:00:00Z');
  await expect(result).rejects.toThrow(QuotaWatchError);
  await expect(result).rejects.toThrow('the quota usage of 1 of 2 clients could not be read');

  const docs = capture().emf();
  expect(Object.keys(byClient(docs))).toEqual(['gold/globex']);
  // The plan's value is a lower bound, and says so.
  expect(planDocs(docs)).toEqual([expect.objectContaining({ UsagePlan: 'gold', QuotaUsedPercent: 97, clientsMissing: '1' })]);
  expect(capture().logs()).toContainEqual(expect.objectContaining({
    level: 'ERROR', message: "could not read a client's quota usage", plan: 'gold', client: 'acme', keyId: 'acmekey001', error: 'AccessDeniedException',
  }));
});

test('a plan none of whose clients could be read publishes no plan value', async () => {
  server.addPlan('g0ld01', 1000, ['acmekey001']);
  server.behave({ failKey: { keyId: 'acmekey001', status: 404, type: 'NotFoundException', message: 'Invalid API Key identifier specified' } });

  await expect(run({ plans: [{ ...gold, clients: [gold.clients[0]] }] }, '2024-02-29T12:00:00Z')).rejects.toThrow(QuotaWatchError);
  expect(capture().emf()).toEqual([]);
});

test('a pager that never ends fails the client instead of looping', async () => {
  server.addPlan('g0ld01', 1000, ['acmekey001']);
  server.behave({ stuckPosition: 'c2FtZQ' });

  await expect(run({ plans: [{ ...gold, clients: [gold.clients[0]] }] }, '2024-02-29T12:00:00Z')).rejects.toThrow(QuotaWatchError);
  expect(server.requests).toHaveLength(2);
  expect(capture().logs()).toContainEqual(expect.objectContaining({ level: 'ERROR', error: 'UsageResponseError', reason: 'GetUsage returned a position it had already returned' }));
});

test('a plan without clients calls nothing and publishes 0', async () => {
  await run({ plans: [{ ...gold, clients: [] }] }, '2024-02-29T12:00:00Z');
  expect(server.requests).toEqual([]);
  expect(capture().emf()).toEqual([expect.objectContaining({ UsagePlan: 'gold', QuotaUsedPercent: 0 })]);
});

describe('the deployable bundle (assets/quota-watcher)', () => {
  const bundle = join(__dirname, '..', '..', '..', 'assets', 'quota-watcher', 'index.js');
  const script = `require(${JSON.stringify(bundle)}).handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' })`
    + '.then(() => process.exit(0), (e) => { console.error(e.name); process.exit(1); });';
  const invoke = (config: string) => promisify(execFile)(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: {
      ...env,
      SECURE_API_QUOTA_WATCHER_CONFIG: config,
      POWERTOOLS_METRICS_NAMESPACE: 'SecureApi/Bundle',
      POWERTOOLS_SERVICE_NAME: 'secure-api-quota-watcher',
      AWS_ENDPOINT_URL_API_GATEWAY: server.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_MAX_ATTEMPTS: '1',
    },
  });

  test("publishes today's DAY and this month's MONTH use in a fresh Node process", async () => {
    const today = () => new Date().toISOString().slice(0, 10);
    const before = today();
    server.addPlan('d4y001', 200, ['acmekey001']);
    server.addPlan('m0nth1', 5000, ['globexkey1']);
    server.setDays('d4y001', 'acmekey001', { [before]: [50, 150] });
    server.setDays('m0nth1', 'globexkey1', { [before]: [1000, 4000] });
    const config: QuotaWatcherConfig = {
      plans: [
        { name: 'daily', usagePlanId: 'd4y001', limit: 200, period: 'DAY', offset: 0, clients: [{ name: 'acme', keyId: 'acmekey001' }] },
        { name: 'monthly', usagePlanId: 'm0nth1', limit: 5000, period: 'MONTH', offset: 0, clients: [{ name: 'globex', keyId: 'globexkey1' }] },
      ],
    };

    const { stdout } = await invoke(JSON.stringify(config));

    const after = today();
    const queries: Array<Record<string, string>> = server.requests.map((r) => ({ plan: r.usagePlanId, ...r.query }));
    // Computed here from the calendar, not by the watcher's code: today, and the 1st of this month (UTC).
    expect([before, after]).toContain(queries[0].endDate);
    expect(queries).toEqual([
      { plan: 'd4y001', keyId: 'acmekey001', startDate: queries[0].endDate, endDate: queries[0].endDate },
      { plan: 'm0nth1', keyId: 'globexkey1', startDate: `${queries[0].endDate.slice(0, 8)}01`, endDate: queries[0].endDate },
    ]);
    const { emf } = parseLines(stdout);
    expect(emf.map((d) => [d._aws.CloudWatchMetrics[0].Namespace, d._aws.CloudWatchMetrics[0].Dimensions, d.UsagePlan, d.Client, d.QuotaUsedPercent])).toEqual([
      ['SecureApi/Bundle', [['UsagePlan', 'Client']], 'daily', 'acme', 25],
      ['SecureApi/Bundle', [['UsagePlan']], 'daily', undefined, 25],
      ['SecureApi/Bundle', [['UsagePlan', 'Client']], 'monthly', 'globex', 20],
      ['SecureApi/Bundle', [['UsagePlan']], 'monthly', undefined, 20],
    ]);
  });

  test('fails the invocation when a client cannot be read, so the Errors metric counts it', async () => {
    server.addPlan('d4y001', 200, ['acmekey001']);
    server.behave({ failKey: { keyId: 'acmekey001', status: 429, type: 'TooManyRequestsException', message: 'Too Many Requests' } });
    const config = { plans: [{ name: 'daily', usagePlanId: 'd4y001', limit: 200, period: 'DAY', offset: 0, clients: [{ name: 'acme', keyId: 'acmekey001' }] }] };
    await expect(invoke(JSON.stringify(config))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('QuotaWatchError') });
  });

  test('fails at init, naming the setting, on an invalid configuration', async () => {
    const failure = await invoke(JSON.stringify({ plans: [{ ...gold, period: 'YEAR' }] })).then(() => undefined, (e) => e);
    expect(failure).toBeDefined();
    const { logs } = parseLines(`${failure.stdout}\n${failure.stderr}`);
    expect(logs).toContainEqual(expect.objectContaining({
      level: 'CRITICAL', message: 'invalid quota watcher configuration', error: expect.stringContaining("'plans[0].period' must be one of DAY, WEEK, MONTH"),
    }));
    expect(server.requests).toEqual([]);
  });
});
