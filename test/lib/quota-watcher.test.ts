/**
 * The QuotaWatcher construct's template: schedule, function, least-privilege IAM, the configuration it hands the
 * Lambda (parsed back by the Lambda's own reader), its metrics, and each invalid configuration.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { parseQuotaWatcherConfig } from '../../lambda/quota-watcher/config';
import { QuotaWatcher, QuotaWatcherPlan, QuotaWatcherProps } from '../../lib/quota-watcher';
import { newStack, validationErrorOf } from './helpers';

function watcher(overrides: Partial<QuotaWatcherProps> = {}, plans?: (stack: Stack) => QuotaWatcherPlan[]) {
  const stack = newStack();
  const gold = apigw.UsagePlan.fromUsagePlanId(stack, 'Gold', 'g0ld01');
  const free = apigw.UsagePlan.fromUsagePlanId(stack, 'Free', 'fr33p1');
  const key = (id: string) => apigw.ApiKey.fromApiKeyId(stack, `Key${id}`, id);
  const w = new QuotaWatcher(stack, 'Quota', {
    metricNamespace: 'SecureApi/Orders',
    logKey: new kms.Key(stack, 'LogKey'),
    plans: plans?.(stack) ?? [
      { name: 'gold', usagePlan: gold, limit: 10000, period: apigw.Period.MONTH, clients: [{ name: 'acme', apiKey: key('acmekey001') }, { name: 'globex', apiKey: key('globexkey1') }] },
      { name: 'free', usagePlan: free, limit: 100, period: apigw.Period.WEEK, offset: 1, clients: [{ name: 'hobby', apiKey: key('hobbykey01') }] },
    ],
    ...overrides,
  });
  // Synthesized when first read: a test may add to the stack before.
  let template: Template | undefined;
  return { stack, watcher: w, get template() { return (template ??= Template.fromStack(stack)); } };
}

function functionOf(template: Template): any {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { SECURE_API_QUOTA_WATCHER_CONFIG: Match.anyValue() } } },
  })) as any[];
  return fn;
}

/** The configuration as the deployed function reads it: CloudFormation references rendered by `render`. */
function deployedConfig(template: Template, render: (reference: any) => string): string {
  const value = functionOf(template).Properties.Environment.Variables.SECURE_API_QUOTA_WATCHER_CONFIG;
  return typeof value === 'string' ? value : value['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : render(p))).join('');
}

describe('defaults', () => {
  test('runs every 15 minutes on an EventBridge schedule', () => {
    const { template } = watcher();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QuotaHandlerFunction'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QuotaSchedule'), 'Arn'] },
    });
  });

  test('the function: a SecureFunction on arm64 with a 2-minute timeout, its namespace and its configuration', () => {
    const { template } = watcher();
    const fn = functionOf(template);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 256, Timeout: 120,
      TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(fn.Properties.Environment.Variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'secure-api-quota-watcher',
      POWERTOOLS_METRICS_NAMESPACE: 'SecureApi/Orders',
    });
  });

  test('hands the Lambda a configuration its own reader accepts: plans, quotas, key ids and client names', () => {
    const { template } = watcher();
    expect(parseQuotaWatcherConfig(deployedConfig(template, () => 'unused'))).toEqual({
      plans: [
        {
          name: 'gold', usagePlanId: 'g0ld01', limit: 10000, period: 'MONTH', offset: 0,
          clients: [{ name: 'acme', keyId: 'acmekey001' }, { name: 'globex', keyId: 'globexkey1' }],
        },
        { name: 'free', usagePlanId: 'fr33p1', limit: 100, period: 'WEEK', offset: 1, clients: [{ name: 'hobby', keyId: 'hobbykey01' }] },
      ],
    });
  });

  test('may read only the watched plans\' usage: apigateway:GET on /usageplans/<id>/usage, in the one managed policy', () => {
    const { template } = watcher();
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('apigateway:')))).toEqual([{
      Sid: 'ReadQuotaUsage',
      Effect: 'Allow',
      Action: 'apigateway:GET',
      Resource: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1::/usageplans/g0ld01/usage']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1::/usageplans/fr33p1/usage']] },
      ],
    }]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('logs into a KMS-encrypted log group kept for a year and retained', () => {
    const { template } = watcher();
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogKey'), 'Arn'] }, RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
    expect(functionOf(template).Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/^QuotaHandlerLogGroup/) });
  });
});

describe('props', () => {
  test('interval sets the schedule, the metric period, and bounds the timeout', () => {
    const hourly = watcher({ interval: Duration.hours(1) });
    hourly.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    expect(functionOf(hourly.template).Properties.Timeout).toBe(120);
    expect(hourly.watcher.metricQuotaUsedPercent('gold').period.toMinutes()).toBe(60);
    const everyMinute = watcher({ interval: Duration.minutes(1) });
    everyMinute.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    expect(functionOf(everyMinute.template).Properties.Timeout).toBe(60);
  });

  test('log retention and removal policy', () => {
    const { template } = watcher({ logRetention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::Logs::LogGroup', { Properties: Match.objectLike({ RetentionInDays: 30 }), DeletionPolicy: 'Delete' });
  });

  test('a plan without clients is watched (its value is 0) but grants nothing', () => {
    const { template } = watcher({}, (stack) => [
      { name: 'empty', usagePlan: apigw.UsagePlan.fromUsagePlanId(stack, 'Empty', 'empty1'), limit: 5, period: apigw.Period.DAY, clients: [] },
    ]);
    const statements = (Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[]).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s) => s.Sid)).toEqual(['WriteOwnLogs', 'WriteTraces']);
    expect(parseQuotaWatcherConfig(deployedConfig(template, () => 'unused')).plans[0]).toMatchObject({ name: 'empty', clients: [] });
  });

  test("plans and keys created in the stack are referenced, and render into the configuration at deploy time", () => {
    const { template } = watcher({}, (stack) => {
      const api = new apigw.RestApi(stack, 'Api');
      api.root.addMethod('GET', new apigw.MockIntegration());
      const plan = api.addUsagePlan('Plan', { quota: { limit: 500, period: apigw.Period.DAY } });
      const apiKey = new apigw.ApiKey(stack, 'Key');
      plan.addApiKey(apiKey);
      return [{ name: 'basic', usagePlan: plan, limit: 500, period: apigw.Period.DAY, clients: [{ name: 'acme', apiKey }] }];
    });
    const ids: Record<string, string> = {};
    const config = parseQuotaWatcherConfig(deployedConfig(template, (ref) => {
      ids[ref.Ref] = ref.Ref.startsWith('ApiPlan') ? 'pl4n01' : 'k3y0000001';
      return ids[ref.Ref];
    }));
    expect(Object.keys(ids)).toEqual([expect.stringMatching(/^ApiPlan/), expect.stringMatching(/^Key/)]);
    expect(config.plans[0]).toMatchObject({ usagePlanId: 'pl4n01', clients: [{ name: 'acme', keyId: 'k3y0000001' }] });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'ReadQuotaUsage',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1::/usageplans/', { Ref: Match.stringLikeRegexp('^ApiPlan') }, '/usage']] },
      })]) },
    });
  });
});

describe('metrics', () => {
  test("a client's QuotaUsedPercent and QuotaUsed: the namespace, both dimensions, Maximum over the interval", () => {
    const { watcher: w } = watcher();
    const percent = w.metricQuotaUsedPercent('gold', 'acme');
    expect([percent.namespace, percent.metricName, percent.dimensions, percent.statistic, percent.period.toMinutes()])
      .toEqual(['SecureApi/Orders', 'QuotaUsedPercent', { UsagePlan: 'gold', Client: 'acme' }, 'Maximum', 15]);
    const used = w.metricQuotaUsed('free', 'hobby');
    expect([used.metricName, used.dimensions]).toEqual(['QuotaUsed', { UsagePlan: 'free', Client: 'hobby' }]);
  });

  test("without a client, the plan's own metric: one alarm per plan, whatever its number of clients", () => {
    const { stack, watcher: w } = watcher();
    new cloudwatch.Alarm(stack, 'GoldNearQuota', {
      metric: w.metricQuotaUsedPercent('gold'), threshold: 80, evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SecureApi/Orders', MetricName: 'QuotaUsedPercent', Dimensions: [{ Name: 'UsagePlan', Value: 'gold' }],
      Statistic: 'Maximum', Period: 900, Threshold: 80,
    });
  });

  test('options override the metric settings', () => {
    const { watcher: w } = watcher();
    expect(w.metricQuotaUsedPercent('gold', undefined, { period: Duration.hours(1), label: 'gold' }).period.toMinutes()).toBe(60);
  });

  test('clientNames lists a plan\'s watched clients', () => {
    expect(watcher().watcher.clientNames('gold')).toEqual(['acme', 'globex']);
  });

  test.each([
    [(w: QuotaWatcher) => w.metricQuotaUsedPercent('silver'), /'metricQuotaUsedPercent' names an unwatched plan \(got 'silver'; plans: gold, free\)/],
    [(w: QuotaWatcher) => w.metricQuotaUsed('gold', 'hobby'), /'metricQuotaUsed' names a client that plan 'gold' does not watch \(got 'hobby'; clients: acme, globex\)/],
    [(w: QuotaWatcher) => w.clientNames('silver'), /'clientNames' names an unwatched plan/],
  ])('names outside the watched plans are errors (%#)', (call, message) => {
    const { watcher: w } = watcher();
    expect(validationErrorOf(() => call(w)).message).toMatch(message);
  });
});

describe('invalid configurations', () => {
  const plan = (stack: Stack, overrides: Partial<QuotaWatcherPlan> = {}): QuotaWatcherPlan => ({
    name: 'gold', usagePlan: apigw.UsagePlan.fromUsagePlanId(stack, `P${Math.random()}`, 'g0ld01'), limit: 100, period: apigw.Period.MONTH,
    clients: [{ name: 'acme', apiKey: apigw.ApiKey.fromApiKeyId(stack, `K${Math.random()}`, 'acmekey001') }], ...overrides,
  });

  test.each<[string, Partial<QuotaWatcherProps>, ((stack: Stack) => QuotaWatcherPlan[]) | undefined, RegExp]>([
    ['no plans', {}, () => [], /'plans' must name at least one usage plan/],
    ['a plan name that is not a dimension-safe name', {}, (s) => [plan(s, { name: 'gold plan' })], /'plans\[0\].name' must match .* \(got 'gold plan'\)/],
    ['a plan watched twice', {}, (s) => [plan(s), plan(s)], /'plans\[1\].name' must be unique: plan 'gold' is watched twice/],
    ['a limit of zero', {}, (s) => [plan(s, { limit: 0 })], /'plans\[0\].limit' must be a positive integer \(got 0\)/],
    ['a fractional limit', {}, (s) => [plan(s, { limit: 2.5 })], /'plans\[0\].limit' must be a positive integer \(got 2.5\)/],
    ['a DAY offset', {}, (s) => [plan(s, { period: apigw.Period.DAY, offset: 1 })], /'plans\[0\].offset' must be an integer from 0 to 0 for a DAY quota, the day its period starts \(got 1\)/],
    ['a WEEK offset past Saturday', {}, (s) => [plan(s, { period: apigw.Period.WEEK, offset: 7 })], /from 0 to 6 for a WEEK quota.*\(got 7\)/],
    ['a MONTH offset past the 28th', {}, (s) => [plan(s, { offset: 28 })], /from 0 to 27 for a MONTH quota.*\(got 28\)/],
    ['a client name that is not a dimension-safe name', {}, (s) => [plan(s, { clients: [{ name: 'ac/me', apiKey: apigw.ApiKey.fromApiKeyId(s, 'K1', 'k1') }] })], /'plans\[0\].clients\[0\].name' must match .* \(got 'ac\/me'\)/],
    ['a client watched twice in a plan', {}, (s) => [plan(s, { clients: ['acme', 'acme'].map((name, i) => ({ name, apiKey: apigw.ApiKey.fromApiKeyId(s, `K${i}`, `k${i}`) })) })], /'plans\[0\].clients\[1\].name' must be unique in the plan: client 'acme' is watched twice/],
    ['a namespace in AWS/', { metricNamespace: 'AWS/ApiGateway' }, undefined, /'metricNamespace' must .* not start with 'AWS\/' \(got 'AWS\/ApiGateway'\)/],
    ['an empty namespace', { metricNamespace: '' }, undefined, /'metricNamespace' must be 1 to 255 printable ASCII characters/],
    ['a blank namespace', { metricNamespace: '   ' }, undefined, /'metricNamespace' must be 1 to 255 printable ASCII characters, not only spaces/],
    ['a non-ASCII namespace', { metricNamespace: 'Sécure' }, undefined, /'metricNamespace' must be 1 to 255 printable ASCII/],
    ['a namespace over 255 characters', { metricNamespace: 'n'.repeat(256) }, undefined, /'metricNamespace' must be 1 to 255/],
    ['an interval under a minute', { interval: Duration.seconds(30) }, undefined, /'interval' must be whole minutes from 1 minute to 1 day \(got 30 seconds\)/],
    ['an interval of a minute and a half', { interval: Duration.seconds(90) }, undefined, /'interval' must be whole minutes .*\(got 1 minute 30 seconds\)/],
    ['an interval over a day', { interval: Duration.days(2) }, undefined, /'interval' must be whole minutes .*\(got 2 days\)/],
  ])('rejects %s', (_what, overrides, plans, message) => {
    const error = validationErrorOf(() => watcher(overrides, plans));
    expect(error.message).toMatch(/^QuotaWatcher at 'TestStack\/Quota': /);
    expect(error.message).toMatch(message);
  });

  test('rejects more clients than fit in the 4 KB of environment variables, counting each deploy-time id at its longest', () => {
    const many = (count: number) => (stack: Stack): QuotaWatcherPlan[] => {
      const api = new apigw.RestApi(stack, 'Api');
      api.root.addMethod('GET', new apigw.MockIntegration());
      const usagePlan = api.addUsagePlan('Plan');
      return [{
        name: 'gold', usagePlan, limit: 100, period: apigw.Period.MONTH,
        clients: Array.from({ length: count }, (_, i) => ({ name: `client-number-${i}`, apiKey: new apigw.ApiKey(stack, `Key${i}`) })),
      }];
    };
    expect(() => watcher({}, many(50))).not.toThrow();
    expect(validationErrorOf(() => watcher({}, many(80))).message)
      .toMatch(/the configuration of 1 plans and 80 clients needs about \d+ bytes, more than the 3584 that fit in Lambda's 4 KB of environment variables: split the plans over several QuotaWatchers/);
  });
});
