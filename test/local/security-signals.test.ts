/**
 * The local run's security counters without HTTP: what SecuritySignals reads from a synthesized template (the
 * authorizer function, rate-based WAF rules, metric filters on a function's log group), how it counts log lines and
 * gateway refusals, the status line, and how often the status line is printed.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { CfnTemplate } from '../../local/intrinsics';
import { IntrinsicResolver, LOCAL_ENVIRONMENT } from '../../local/intrinsics';
import type { LocalFunction } from '../../local/lambda-functions';
import { SecuritySignals, StatusLinePrinter } from '../../local/security-signals';

const { FilterPattern } = logs;

/** A decision line in the shape the authorizer logs it (lambda/authorizer/authorizer.ts). */
function decisionLine(decision: string, reason: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    level: decision === 'error' ? 'ERROR' : 'INFO',
    message: decision === 'error' ? 'authorization failed' : 'authorization decision',
    service: 'secure-api-authorizer', decision, reason, routeKey: 'GET /items', durationMs: 2, ...extra,
  });
}

interface Fixture {
  readonly signals: SecuritySignals;
  readonly authorizerId: string;
  readonly itemsId: string;
}

/**
 * A stack with an authorizer function and an items function, each with its own log group; metric filters on the
 * authorizer's log group (one per kind the local run must handle) and one on the items log group; a web ACL with a
 * header rule and a rate-based rule.
 */
function fixture(): Fixture {
  const stack = new Stack(new App(), 'Signals');
  const authorizerLogs = new logs.LogGroup(stack, 'AuthorizerLogs');
  const itemsLogs = new logs.LogGroup(stack, 'ItemsLogs', { logGroupName: '/custom/items' });
  const code = lambda.Code.fromInline('exports.handler = async () => ({})');
  const authorizer = new lambda.Function(stack, 'Authorizer', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code, logGroup: authorizerLogs });
  const items = new lambda.Function(stack, 'Items', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code, logGroup: itemsLogs });
  authorizerLogs.addMetricFilter('Unauthorized', {
    filterPattern: FilterPattern.stringValue('$.decision', '=', 'unauthorized'),
    metricNamespace: 'SecureApi', metricName: 'Unauthorized', dimensions: { Reason: '$.reason' },
  });
  authorizerLogs.addMetricFilter('Duration', {
    filterPattern: FilterPattern.exists('$.durationMs'), metricNamespace: 'SecureApi', metricName: 'AuthorizerDuration', metricValue: '$.durationMs',
  });
  authorizerLogs.addMetricFilter('Errors', {
    filterPattern: FilterPattern.stringValue('$.decision', '=', 'error'), metricNamespace: 'SecureApi', metricName: 'AuthorizerErrors', defaultValue: 0,
  });
  authorizerLogs.addMetricFilter('Terms', { filterPattern: FilterPattern.allTerms('ERROR'), metricNamespace: 'SecureApi', metricName: 'Terms' });
  itemsLogs.addMetricFilter('ItemsErrors', { filterPattern: FilterPattern.exists('$.error'), metricNamespace: 'SecureApi', metricName: 'ItemsErrors' });
  new logs.MetricFilter(stack, 'ElsewhereFilter', {
    logGroup: new logs.LogGroup(stack, 'AccessLogs'), filterPattern: FilterPattern.allEvents(), metricNamespace: 'SecureApi', metricName: 'Access',
  });
  const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
  new wafv2.CfnWebACL(stack, 'Acl', {
    scope: 'REGIONAL', defaultAction: { allow: {} }, visibilityConfig: visibility('acl'),
    rules: [
      {
        name: 'DisallowedOrigin', priority: 0, action: { block: {} }, visibilityConfig: visibility('origin'),
        statement: { byteMatchStatement: { fieldToMatch: { singleHeader: { Name: 'origin' } }, positionalConstraint: 'EXACTLY', searchString: 'x', textTransformations: [{ priority: 0, type: 'NONE' }] } },
      },
      {
        name: 'RateLimitPerIp', priority: 1, action: { block: {} }, visibilityConfig: visibility('rate'),
        statement: { rateBasedStatement: { limit: 100, aggregateKeyType: 'IP' } },
      },
    ],
  });
  const template = App.of(stack)!.synth().getStackByName(stack.stackName).template as CfnTemplate;
  const resolver = new IntrinsicResolver(template, { ...LOCAL_ENVIRONMENT, stackName: stack.stackName });
  const idOf = (fn: lambda.Function) => stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
  const local = (fn: lambda.Function) => ({ logicalId: idOf(fn), name: resolver.ids.ref(idOf(fn)) }) as LocalFunction;
  const functions = new Map([
    [idOf(authorizer), { fn: local(authorizer), role: 'authorizer' as const }],
    [idOf(items), { fn: local(items), role: 'integration' as const }],
  ]);
  return { signals: SecuritySignals.fromTemplate(template, resolver, functions), authorizerId: idOf(authorizer), itemsId: idOf(items) };
}

describe('authorizer decisions', () => {
  test('are counted by decision and reason from the authorizer\'s lines only', () => {
    const { signals, authorizerId, itemsId } = fixture();
    for (let i = 0; i < 3; i++) signals.recordLogLine(authorizerId, decisionLine('unauthorized', 'invalid_signature'));
    signals.recordLogLine(authorizerId, decisionLine('unauthorized', 'unknown_kid'));
    signals.recordLogLine(authorizerId, decisionLine('deny', 'insufficient_scope'));
    signals.recordLogLine(authorizerId, decisionLine('allow', 'authorized'));
    signals.recordLogLine(authorizerId, decisionLine('error', 'jwks_unavailable'));
    // Not decisions: another line of the authorizer, a decision-shaped line of another function, text.
    signals.recordLogLine(authorizerId, JSON.stringify({ level: 'WARN', message: 'JWKS prefetch failed' }));
    signals.recordLogLine(authorizerId, JSON.stringify({ decision: 'maybe', reason: 'x' }));
    signals.recordLogLine(itemsId, decisionLine('unauthorized', 'invalid_signature'));
    signals.recordLogLine(authorizerId, 'START RequestId: 1');
    expect(signals.snapshot().authorizer).toEqual({
      allow: { authorized: 1 },
      deny: { insufficient_scope: 1 },
      unauthorized: { invalid_signature: 3, unknown_kid: 1 },
      error: { jwks_unavailable: 1 },
    });
    expect(signals.statusLine()).toBe('security: 401 invalid_signature×3 unknown_kid×1 · 403 insufficient_scope×1 · 500 jwks_unavailable×1');
  });

  test('a reason that is not a plain code is counted as (other), so nothing odd reaches the terminal', () => {
    const { signals, authorizerId } = fixture();
    signals.recordLogLine(authorizerId, decisionLine('unauthorized', 'evil\u001b[2Jreason'));
    signals.recordLogLine(authorizerId, JSON.stringify({ decision: 'deny' }));
    expect(signals.snapshot().authorizer).toMatchObject({ unauthorized: { '(other)': 1 }, deny: { '(other)': 1 } });
  });
});

describe('gateway refusals', () => {
  test('WAF blocks by rule with their status, rate-based rules flagged; usage plan and stage 429s apart', () => {
    const { signals } = fixture();
    signals.record({ kind: 'waf-block', rule: 'DisallowedOrigin', status: 403 });
    signals.record({ kind: 'waf-block', rule: 'DisallowedOrigin', status: 403 });
    for (let i = 0; i < 4; i++) signals.record({ kind: 'waf-block', rule: 'RateLimitPerIp', status: 429 });
    for (let i = 0; i < 5; i++) signals.record({ kind: 'usage-plan', verdict: 'throttled' });
    signals.record({ kind: 'usage-plan', verdict: 'quota-exceeded' });
    signals.record({ kind: 'stage-throttle' });
    const snapshot = signals.snapshot();
    expect(snapshot.waf).toEqual({
      DisallowedOrigin: { status: 403, rateBased: false, count: 2 },
      RateLimitPerIp: { status: 429, rateBased: true, count: 4 },
    });
    expect(snapshot.throttling).toEqual({ usagePlanThrottle: 5, usagePlanQuota: 1, stageThrottle: 1 });
    expect(snapshot.statusLine).toBe('security: 403 waf DisallowedOrigin×2 · 429 waf RateLimitPerIp×4 · 429 usage-plan throttle×5 quota×1 · 429 stage throttle×1');
  });

  test('before any refusal the line says so', () => {
    expect(fixture().signals.statusLine()).toBe('security: nothing refused yet');
  });
});

describe('metric filters of the template', () => {
  test('each filter on the authorizer\'s log group sums what it would publish, per dimension set', () => {
    const { signals, authorizerId } = fixture();
    signals.recordLogLine(authorizerId, decisionLine('unauthorized', 'invalid_signature', { durationMs: 3 }));
    signals.recordLogLine(authorizerId, decisionLine('unauthorized', 'invalid_signature', { durationMs: 4 }));
    signals.recordLogLine(authorizerId, decisionLine('unauthorized', 'token_expired', { durationMs: 5 }));
    signals.recordLogLine(authorizerId, decisionLine('allow', 'authorized', { durationMs: 10 }));
    signals.recordLogLine(authorizerId, decisionLine('error', 'jwks_unavailable', { durationMs: 30 }));
    const filters = signals.snapshot().metricFilters;
    const byName = Object.fromEntries(filters.map((f) => [f.metricName, f]));
    expect(byName.Unauthorized.metrics).toEqual([
      { dimensions: { Reason: 'invalid_signature' }, sum: 2, sampleCount: 2 },
      { dimensions: { Reason: 'token_expired' }, sum: 1, sampleCount: 1 },
    ]);
    expect(byName.AuthorizerDuration.metrics).toEqual([{ dimensions: {}, sum: 52, sampleCount: 5 }]);
    // DefaultValue 0 for each of the four events that are not errors.
    expect(byName.AuthorizerErrors.metrics).toEqual([{ dimensions: {}, sum: 1, sampleCount: 5 }]);
    expect(byName.Unauthorized).toMatchObject({
      filterPattern: '{ $.decision = "unauthorized" }', metricNamespace: 'SecureApi', unit: 'None', droppedSeries: 0,
    });
  });

  test('a filter on another function\'s log group counts that function\'s lines; one on a log group no function writes is absent', () => {
    const { signals, authorizerId, itemsId } = fixture();
    signals.recordLogLine(authorizerId, JSON.stringify({ error: 'x' }));
    signals.recordLogLine(itemsId, JSON.stringify({ error: 'boom' }));
    const filters = signals.snapshot().metricFilters;
    expect(filters.find((f) => f.metricName === 'ItemsErrors')).toMatchObject({ logGroupName: '/custom/items', metrics: [{ dimensions: {}, sum: 1, sampleCount: 1 }] });
    expect(filters.map((f) => f.metricName).sort()).toEqual(['AuthorizerDuration', 'AuthorizerErrors', 'ItemsErrors', 'Terms', 'Unauthorized']);
  });

  test('a pattern the local evaluator cannot read is listed with its error and reported as a warning, never counted', () => {
    const { signals, authorizerId } = fixture();
    signals.recordLogLine(authorizerId, 'ERROR something');
    const terms = signals.snapshot().metricFilters.find((f) => f.metricName === 'Terms');
    expect(terms).toMatchObject({ filterPattern: '"ERROR"', metrics: [], error: expect.stringMatching(/only JSON patterns/) });
    expect(signals.warnings).toEqual([expect.stringMatching(/^metric filter \w+ is not evaluated locally: filter pattern "\\"ERROR\\""/)]);
  });
});

describe('the status line printer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('prints the first refusal at once, then at most one line per interval with the latest counts', () => {
    const { signals, authorizerId } = fixture();
    const printed: string[] = [];
    const printer = new StatusLinePrinter(signals, (line) => printed.push(line), 1000);
    signals.record({ kind: 'stage-throttle' });
    jest.advanceTimersByTime(0);
    expect(printed).toEqual(['security: 429 stage throttle×1']);
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(100);
      signals.record({ kind: 'stage-throttle' });
    }
    expect(printed).toHaveLength(1);
    jest.advanceTimersByTime(500);
    expect(printed).toEqual(['security: 429 stage throttle×1', 'security: 429 stage throttle×6']);
    // An allow changes no refusal count: nothing is printed.
    signals.recordLogLine(authorizerId, decisionLine('allow', 'authorized'));
    jest.advanceTimersByTime(5000);
    expect(printed).toHaveLength(2);
    printer.stop();
    signals.record({ kind: 'stage-throttle' });
    jest.advanceTimersByTime(5000);
    expect(printed).toHaveLength(2);
  });
});
