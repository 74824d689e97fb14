/**
 * SecureApi's threat monitoring: the topic and its key, the metric filters, the alarms (each on the right metric with
 * its documented default), their options, and the dashboard.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { SecureApi } from '../../lib';
import { SECURITY_ALARMS } from '../../lib/security-alarms';
import { backend, MINIMAL, newStack, synth, validationErrorOf } from './helpers';

const resourcesOf = (template: Template, type: string) => template.findResources(type) as { [id: string]: any };

/** Each alarm's metric as the AWS docs name it, written out here independently of the construct. */
function expectedMetrics(namespace: string, webAcl: string, apiName: string): { [alarm: string]: unknown } {
  const decisions = (decision: string, reason: string) => ({
    namespace, metricName: 'Decisions', dimensions: { Decision: decision, Reason: reason }, stat: 'Sum',
  });
  const waf = (rule: string) => ({
    namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', dimensions: { WebACL: webAcl, Rule: rule, Region: 'eu-west-1' }, stat: 'Sum',
  });
  const stage = (metricName: string, stat: string) => ({
    namespace: 'AWS/ApiGateway', metricName, dimensions: { ApiName: apiName, Stage: 'prod' }, stat,
  });
  return {
    RejectedTokens: { namespace, metricName: 'RejectedTokens', dimensions: {}, stat: 'Sum' },
    UnknownKeyIds: decisions('unauthorized', 'unknown_kid'),
    ScopeProbing: [decisions('deny', 'insufficient_scope'), decisions('deny', 'claim_mismatch')],
    JwksUnavailable: decisions('error', 'jwks_unavailable'),
    AuthorizerFailures: { namespace, metricName: 'AuthorizerFailures', dimensions: {}, stat: 'Sum' },
    AuthorizerThrottles: { namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: { FunctionName: 'AUTHORIZER' }, stat: 'Sum' },
    WafBlocked: waf('ALL'),
    WafRateLimited: [waf('RateLimitPerIp'), waf('RateLimitPerCaller')],
    ServerErrorRate: stage('5XXError', 'Average'),
    ApiLatencyP99: stage('Latency', 'p99'),
    TableThrottles: [
      { namespace: 'AWS/DynamoDB', metricName: 'ReadThrottleEvents', dimensions: { TableName: 'TABLE' }, stat: 'Sum' },
      { namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensions: { TableName: 'TABLE' }, stat: 'Sum' },
    ],
    TableSystemErrors: ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem',
      'TransactGetItems', 'TransactWriteItems'].map((operation) => ({
      namespace: 'AWS/DynamoDB', metricName: 'SystemErrors', dimensions: { TableName: 'TABLE', Operation: operation }, stat: 'Sum',
    })),
    UndeliveredAlerts: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'QUEUE' }, stat: 'Maximum' },
    'IntegrationErrors-Backend': { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'BACKEND' }, stat: 'Sum' },
    'IntegrationThrottles-Backend': { namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: { FunctionName: 'BACKEND' }, stat: 'Sum' },
  };
}

/** An alarm's metric (or the metrics of its expression) with references to the stack's own resources named. */
function watchedMetrics(template: Template, alarm: any): unknown {
  const names: { [logicalId: string]: string } = {};
  for (const [id, r] of Object.entries(template.toJSON().Resources) as [string, any][]) {
    if (r.Type === 'AWS::Lambda::Function') names[id] = /Authorizer/.test(id) ? 'AUTHORIZER' : 'BACKEND';
    if (r.Type === 'AWS::DynamoDB::Table') names[id] = 'TABLE';
    if (r.Type === 'AWS::SQS::Queue') names[id] = 'QUEUE';
    // A stage's Ref is its name.
    if (r.Type === 'AWS::ApiGateway::Stage') names[id] = r.Properties.StageName;
  }
  const value = (v: any) => (typeof v === 'object' && v?.Ref ? names[v.Ref] ?? v.Ref
    : typeof v === 'object' && v?.['Fn::GetAtt'] ? names[v['Fn::GetAtt'][0]] ?? v : v);
  const metric = (m: any) => ({
    namespace: m.Namespace,
    metricName: m.MetricName,
    dimensions: Object.fromEntries((m.Dimensions ?? []).map((d: any) => [d.Name, value(d.Value)])),
    stat: m.Statistic ?? m.ExtendedStatistic ?? m.Stat,
  });
  const p = alarm.Properties;
  if (p.MetricName) return metric(p);
  return p.Metrics.filter((m: any) => m.MetricStat).map((m: any) => metric({ ...m.MetricStat.Metric, Stat: m.MetricStat.Stat }));
}

describe('SecureApi monitoring defaults', () => {
  const { template, api } = synth();
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
  const byId = new Map(Object.values(alarms).map((a) => [a.Properties.AlarmName.replace(/^.*?-Monitoring-[0-9A-F]{8}-/, ''), a]));

  test('alarms and alerts go to a topic encrypted with a rotating customer-managed key, published to over TLS only', () => {
    const [topicId] = Object.keys(resourcesOf(template, 'AWS::SNS::Topic'));
    const topic = template.toJSON().Resources[topicId];
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiMonitoringTopicKey/), 'Arn'] });
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'SecureApi: encrypts the alarm and alert topic', EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny', Action: 'sns:Publish', Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsOfThisApi', Effect: 'Allow', Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '123456789012' },
              ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp('^:cloudwatch:eu-west-1:123456789012:alarm:TestStack-Api-Monitoring-[0-9A-F]{8}-\\*$')]] } },
            },
          }),
        ]),
      },
    });
  });

  test("the topic's key lets CloudWatch (this API's alarms), EventBridge and SNS's own dead-letter delivery use it, and nothing more", () => {
    const key = Object.values(resourcesOf(template, 'AWS::KMS::Key')).find((k) => k.Properties.Description.includes('alert'));
    const statements = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal?.Service);
    expect(statements).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': expect.anything() } },
      }),
      // SNS moving an undeliverable notification of this topic to the dead-letter queue.
      {
        Sid: 'AllowSnsDeadLetterDelivery', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/^:sns:eu-west-1:123456789012:TestStack-Api-Monitoring-[0-9A-F]{8}$/)]] } } },
      },
      // Added by the change alerts' SNS targets. No source condition: EventBridge's KMS requests carry none.
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' },
    ]);
  });

  test('each alarm watches the right metric with its documented default, and notifies the topic of ALARM and OK', () => {
    const namespace = api.monitoring.metricNamespace;
    const webAcl = api.webAcl.name!;
    const expected = expectedMetrics(namespace, webAcl, api.api.restApiName);
    expect([...byId.keys()].sort()).toEqual(Object.keys(expected).sort());
    const [topicId] = Object.keys(resourcesOf(template, 'AWS::SNS::Topic'));
    for (const [id, alarm] of byId) {
      expect([id, watchedMetrics(template, alarm)]).toEqual([id, expected[id]]);
      const definition = Object.values(SECURITY_ALARMS).find((d) => id === d.id || id.startsWith(`${d.id}-`))!;
      const p = alarm.Properties;
      const period = p.Period ?? p.Metrics?.find((m: any) => m.MetricStat)?.MetricStat.Period;
      expect([id, p.Threshold, period, p.EvaluationPeriods, p.DatapointsToAlarm, p.ComparisonOperator, p.TreatMissingData]).toEqual([
        id, definition.threshold, definition.periodMinutes * 60, definition.evaluationPeriods, definition.datapointsToAlarm,
        'GreaterThanOrEqualToThreshold', 'notBreaching',
      ]);
      expect(p.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(p.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  test('the security metrics are metric filters on the authorizer log group, with only bounded dimensions', () => {
    const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter'));
    for (const filter of filters) {
      expect(filter.Properties.LogGroupName).toEqual({ Ref: expect.stringMatching(/^ApiAuthorizerHandlerLogGroup/) });
      const [transformation] = filter.Properties.MetricTransformations;
      expect(transformation.MetricNamespace).toBe(api.monitoring.metricNamespace);
      for (const dimension of transformation.Dimensions ?? []) expect(['$.decision', '$.reason']).toContain(dimension.Value);
    }
    expect(filters.map((f) => [f.Properties.MetricTransformations[0].MetricName, f.Properties.FilterPattern])).toEqual([
      ['Decisions', '{ ($.decision = "*") && ($.reason = "*") }'],
      ['RejectedTokens', '{ $.decision = "unauthorized" }'],
      ['DeniedRequests', '{ $.decision = "deny" }'],
      ['AuthorizerFailures', '{ $.decision = "error" }'],
    ]);
  });

  test('Contributor Insights rank the source IPs answered 401, 403 or 429, and the denied clients', () => {
    const rules = Object.values(resourcesOf(template, 'AWS::CloudWatch::InsightRule'));
    const bodies = rules.map((r) => JSON.parse(r.Properties.RuleBody['Fn::Join'][1]
      .map((part: any) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('')));
    expect(bodies).toEqual([
      expect.objectContaining({
        LogGroupNames: [expect.stringMatching(/^<ApiAccessLogs/)],
        Contribution: { Keys: ['$.sourceIp'], Filters: [{ Match: '$.status', In: ['401', '403', '429'] }] },
        AggregateOn: 'Count',
      }),
      expect.objectContaining({
        LogGroupNames: [expect.stringMatching(/^<ApiAuthorizerHandlerLogGroup/)],
        Contribution: { Keys: ['$.clientId', '$.reason'], Filters: [{ Match: '$.decision', In: ['deny'] }] },
      }),
    ]);
  });

  test('a dashboard shows the alarms, traffic, decisions by reason, WAF actions and the top rejected source IPs', () => {
    const [dashboard] = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Alarms', 'Requests, 4XX and 5XX', 'Authorizer: rejected (401) by reason', 'WAF: blocked by rule',
      'Top source IPs answered 401, 403 or 429', 'Function Backend: invocations, errors, throttles', 'Table: throttled reads and writes']) {
      expect(body).toContain(title);
    }
    expect(body).toContain(`SEARCH('{${api.monitoring.metricNamespace},Decision,Reason} MetricName=\\\\\\"Decisions\\\\\\" Decision=\\\\\\"unauthorized\\\\\\"'`);
  });
});

describe('SecureApi monitoring options', () => {
  test('an alarm is tuned or turned off in props', () => {
    const { template } = synth({
      monitoring: {
        alarms: {
          rejectedTokens: { threshold: 500, period: Duration.minutes(10), evaluationPeriods: 3 },
          wafBlocked: { enabled: false },
        },
      },
    });
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    const rejected = alarms.find((a) => a.Properties.AlarmName.endsWith('-RejectedTokens'));
    expect(rejected.Properties).toMatchObject({ Threshold: 500, Period: 600, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    expect(alarms.some((a) => a.Properties.AlarmName.endsWith('-WafBlocked'))).toBe(false);
  });

  test("the user's own topic receives the alarms, SecureApi creates no key, and subscriptions come from props", () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OwnTopic', { enforceSSL: true });
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    new SecureApi(stack, 'Api', {
      ...MINIMAL,
      routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } },
      monitoring: { alarmTopic: topic, alarmEmails: ['security@example.com'], subscriptions: [new subscriptions.SqsSubscription(queue)] },
    });
    const template = Template.fromStack(stack);
    expect(Object.keys(resourcesOf(template, 'AWS::SNS::Topic'))).toEqual([expect.stringMatching(/^OwnTopic/)]);
    expect(Object.values(resourcesOf(template, 'AWS::KMS::Key')).some((k) => k.Properties.Description.includes('alert topic'))).toBe(false);
    // The alert queue then has a key of its own, which EventBridge may use.
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'SecureApi: encrypts the change alerts EventBridge could not deliver',
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowEventBridgeRules', Principal: { Service: 'events.amazonaws.com' } })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com', TopicArn: { Ref: Match.stringLikeRegexp('^OwnTopic') } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', TopicArn: { Ref: Match.stringLikeRegexp('^OwnTopic') } });
    // CloudWatch may publish to it, for this API's alarms only.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^OwnTopic') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsOfThisApi', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    for (const alarm of Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OwnTopic/) }]);
    }
  });

  test('without a dashboard, no dashboard; without a table, no table alarms', () => {
    const { template } = synth({ monitoring: { dashboard: false }, withoutTable: true });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    const names = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName);
    expect(names.some((n) => /Table/.test(n))).toBe(false);
    expect(names.some((n) => n.endsWith('-RejectedTokens'))).toBe(true);
  });

  test('a function behind a route added after the constructor gets its alarms; the authorizer is not an integration', () => {
    const { template } = synth({}, (api, stack) => {
      const late = new lambda.Function(stack, 'Late', {
        runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      });
      api.addRoute('GET /late', { integration: new apigw.LambdaIntegration(late, { scopePermissionToMethod: false }), scopes: ['late:read'] });
    });
    const names = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    expect(names.filter((n) => n.includes('-Integration')).map((n) => n.replace(/^.*-Monitoring-[0-9A-F]{8}-/, '')).sort()).toEqual([
      'IntegrationErrors-Backend', 'IntegrationErrors-Late', 'IntegrationThrottles-Backend', 'IntegrationThrottles-Late',
    ]);
  });

  test("in a nested stack of its own, the monitoring's resources leave the API's stack", () => {
    const stack = newStack();
    const nested = new NestedStack(stack, 'Monitoring');
    new SecureApi(stack, 'Api', { ...MINIMAL, monitoring: { stack: nested }, routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } } });
    const parent = Template.fromStack(stack);
    const child = Template.fromStack(nested);
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::Events::Rule', 'AWS::Logs::MetricFilter', 'AWS::SNS::Topic', 'AWS::CloudWatch::Dashboard']) {
      expect([type, Object.keys(parent.findResources(type)).length]).toEqual([type, 0]);
      expect([type, Object.keys(child.findResources(type)).length > 0]).toEqual([type, true]);
    }
    // The integration's alarms are found across the stacks too.
    expect(Object.values(child.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties.AlarmName))
      .toContainEqual(expect.stringMatching(/IntegrationErrors-Backend$/));
  });

  test("rejects a monitoring stack of another app", () => {
    const other = new Stack(new App(), 'Elsewhere');
    expect(validationErrorOf(() => synth({ monitoring: { stack: other } })).message)
      .toBe("SecureApi at 'TestStack/Api': 'monitoring.stack' must be a stack of the API's app and stage (got 'Elsewhere')");
  });

  test.each([
    [{ rejectedTokens: { threshold: 0 } }, "'monitoring.alarms.rejectedTokens.threshold' must be a number greater than 0 (got 0)"],
    [{ serverErrorRate: { threshold: 5 } }, "'monitoring.alarms.serverErrorRate.threshold' must be a rate greater than 0 and at most 1 (got 5)"],
    [{ quotaNearLimit: { threshold: 120 } }, "'monitoring.alarms.quotaNearLimit.threshold' must be a percentage greater than 0 and at most 100 (got 120)"],
    [{ wafBlocked: { period: Duration.seconds(90) } }, "'monitoring.alarms.wafBlocked.period' must be a whole number of minutes (got 90 seconds)"],
    [{ wafBlocked: { period: Duration.hours(2), evaluationPeriods: 13 } }, "'monitoring.alarms.wafBlocked.evaluationPeriods' must be a whole number from 1, with 'period' × 'evaluationPeriods' at most one day (got 13 of 120 minutes)"],
    [{ unknownKeyIds: { evaluationPeriods: 2, datapointsToAlarm: 3 } }, "'monitoring.alarms.unknownKeyIds.datapointsToAlarm' must be a whole number from 1 to 'evaluationPeriods' (2) (got 3)"],
  ])('rejects invalid alarm options %j', (alarms, message) => {
    const error = validationErrorOf(() => synth({ monitoring: { alarms } }));
    expect(error.message).toBe(`SecurityMonitoring at 'TestStack/Api/Monitoring': ${message}`);
  });

  test('rejects an alarm email that is not an address', () => {
    expect(validationErrorOf(() => synth({ monitoring: { alarmEmails: ['security team'] } })).message)
      .toBe("SecurityMonitoring at 'TestStack/Api/Monitoring': 'monitoring.alarmEmails' must hold email addresses (got 'security team')");
  });
});


describe('the README runbook', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

  test('has a row for every change alert, with the calls it fires on, its meaning and first steps', () => {
    const { api } = synth({ ipAllowList: ['203.0.113.0/24'] });
    const table = readme.split('<!-- runbook: alerts -->')[1].split('\n\n').find((block) => block.startsWith('| alert |'))!;
    const alertRows = new Map(table.split('\n').filter((l) => l.startsWith('| `')).map((l) => {
      const cells = l.split(' | ');
      return [cells[0].replace(/^\| `|`$/g, ''), cells];
    }));
    const definitions = api.monitoring.changeAlerts!.definitions;
    expect([...alertRows.keys()]).toEqual(definitions.map((d) => d.id));
    for (const d of definitions) {
      const [, firesOn, means, steps] = alertRows.get(d.id)!;
      for (const name of d.eventNames) {
        // Method, integration and resource calls are summarised in one phrase.
        if (!/^(Put|Update|Delete)(Method|Integration|Resource)$/.test(name)) expect([d.id, firesOn]).toEqual([d.id, expect.stringContaining(`\`${name}\``)]);
      }
      expect([d.id, means.length > 30, steps.length > 20]).toEqual([d.id, true, true]);
    }
  });

  const table = readme.split('<!-- runbook: alarms -->')[1].split('\n\n')[0];
  const rows = new Map(table.split('\n').filter((l) => l.startsWith('| `')).map((l) => {
    const cells = l.split(' | ');
    return [cells[0].replace(/^\| `|`$/g, ''), cells];
  }));

  test('has a row for every alarm, with its default threshold and window, its meaning and first steps', () => {
    expect([...rows.keys()]).toEqual(Object.values(SECURITY_ALARMS).map((d) => d.id));
    for (const d of Object.values(SECURITY_ALARMS)) {
      const window = d.evaluationPeriods === 1 ? `${d.periodMinutes} min` : `${d.datapointsToAlarm} of ${d.evaluationPeriods} periods of ${d.periodMinutes} min`;
      const [, defaults, means, steps] = rows.get(d.id)!;
      expect([d.id, defaults]).toEqual([d.id, `≥ ${d.threshold} in ${window}`]);
      expect([d.id, means.length > 30, steps.length > 30]).toEqual([d.id, true, true]);
    }
  });
});
