/*
 * The security report's cost estimate: what a million requests to each REST API of a template cost in the
 * services the template configures, and what the configuration costs per month with no traffic. Computed from the
 * template's resources and the list prices in prices.ts; every usage figure that a template cannot tell (cache hit
 * ratio, log line sizes, table operations per request) is an assumption the report prints beside the result.
 */
import { price, PriceId } from './prices';
import { LocatedResource, methodRoute, referencedId, referencedIds, resourcesOfType, StackTemplate } from './template';

/** The usage figures the estimate assumes, all resolved. */
export interface CostAssumptionValues {
  readonly authorizerCacheHitRatio: number;
  readonly authorizerDurationMs: number;
  readonly accessLogBytesPerRequest?: number;
  readonly authorizerLogBytesPerInvocation: number;
  readonly wafLogBytesPerRequest: number;
  readonly tableReadsPerRequest: number;
  readonly tableWritesPerRequest: number;
  readonly trailEventBytes: number;
  readonly tracedRequestShare: number;
  readonly kmsRequestsPerMillionRequests: number;
}

/** The figures used when the app sets none. */
export const DEFAULT_COST_ASSUMPTIONS: CostAssumptionValues = {
  authorizerCacheHitRatio: 0.8,
  authorizerDurationMs: 50,
  authorizerLogBytesPerInvocation: 500,
  wafLogBytesPerRequest: 1500,
  tableReadsPerRequest: 1,
  tableWritesPerRequest: 0.25,
  trailEventBytes: 1500,
  // X-Ray's default sampling rule: the first request each second, then 5% (aws-xray-sdk DefaultSampler,
  // https://rubydoc.info/gems/aws-xray-sdk/0.9.0/XRay/DefaultSampler); at a million requests the reservoir is noise.
  tracedRequestShare: 0.05,
  kmsRequestsPerMillionRequests: 100,
};

/** One line of an estimate. */
export interface CostLine {
  /** What is charged. */
  readonly item: string;
  /** The resources it comes from. */
  readonly logicalIds: string[];
  /** How many units (of the price's unit). */
  readonly quantity: number;
  readonly priceId: PriceId;
  readonly unitPriceUsd: number;
  readonly unit: string;
  readonly usd: number;
  /** How the quantity was obtained when the template alone does not say. */
  readonly assumption?: string;
}

/** The cost of a million requests to one REST API. */
export interface RequestCost {
  /** The `AWS::ApiGateway::RestApi`. */
  readonly restApi: string;
  readonly constructPath?: string;
  readonly lines: CostLine[];
  readonly usd: number;
  /** What this estimate leaves out. */
  readonly notEstimated: string[];
}

/** A stack's estimate. */
export interface CostEstimate {
  readonly perMillionRequests: RequestCost[];
  readonly fixedMonthly: { readonly lines: CostLine[]; readonly usd: number };
  readonly notEstimated: string[];
}

const MILLION = 1_000_000;
const GB = 1_000_000_000;

/** Paid AWS managed rule groups: their own subscription and request fees are not in the estimate. */
const PAID_RULE_GROUPS = new Set([
  'AWSManagedRulesBotControlRuleSet', 'AWSManagedRulesATPRuleSet', 'AWSManagedRulesACFPRuleSet', 'AWSManagedRulesAntiDDoSRuleSet',
]);

function line(item: string, logicalIds: string[], priceId: PriceId, quantity: number, assumption?: string): CostLine {
  const p = price(priceId);
  return { item, logicalIds, quantity: round(quantity), priceId, unitPriceUsd: p.usd, unit: p.unit, usd: round(quantity * p.usd), assumption };
}

/** Money rounded to a millionth of a dollar, so that sums read as the lines do. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function sum(lines: CostLine[]): number {
  return round(lines.reduce((total, l) => total + l.usd, 0));
}

/** The estimate of one stack's template. */
export function estimateCost(stack: StackTemplate, assumptions: CostAssumptionValues): CostEstimate {
  const perMillionRequests = resourcesOfType(stack, 'AWS::ApiGateway::RestApi').map((api) => requestCost(stack, api, assumptions));
  const lines = fixedLines(stack);
  return {
    perMillionRequests,
    fixedMonthly: { lines, usd: sum(lines) },
    notEstimated: [
      'data transfer out', 'CloudWatch Logs storage (retention) and Logs Insights queries', 'S3 storage of trail logs',
      'the integrations behind the API (their Lambda functions or other backends)', 'SNS publishes and notification deliveries',
      'free tiers, volume tiers past the first, savings plans and taxes',
    ],
  };
}

function requestCost(stack: StackTemplate, api: LocatedResource, a: CostAssumptionValues): RequestCost {
  const lines: CostLine[] = [];
  const notEstimated: string[] = [];
  const onApi = (r: LocatedResource): boolean => referencedId(r.properties.RestApiId) === api.logicalId;
  const stages = resourcesOfType(stack, 'AWS::ApiGateway::Stage').filter(onApi);
  const stageIds = new Set(stages.map((s) => s.logicalId));
  const methods = resourcesOfType(stack, 'AWS::ApiGateway::Method').filter(onApi);

  lines.push(line('API Gateway REST API requests', [api.logicalId], 'apigw.rest.requests', 1));

  // WAF: each web ACL associated with one of the API's stages inspects every request.
  const associations = resourcesOfType(stack, 'AWS::WAFv2::WebACLAssociation')
    .filter((assoc) => [...referencedIds(assoc.properties.ResourceArn)].some((id) => stageIds.has(id) || id === api.logicalId));
  for (const assoc of associations) {
    const aclId = referencedId(assoc.properties.WebACLArn);
    lines.push(line('WAF requests inspected', [aclId ?? assoc.logicalId], 'waf.requests', 1));
    const logging = resourcesOfType(stack, 'AWS::WAFv2::LoggingConfiguration')
      .find((l) => aclId !== undefined && referencedId(l.properties.ResourceArn) === aclId);
    if (logging && logsToCloudWatch(stack, logging.properties.LogDestinationConfigs)) {
      lines.push(line('CloudWatch Logs ingestion of WAF log records', [logging.logicalId], 'logs.ingestion',
        MILLION * a.wafLogBytesPerRequest / GB, `${a.wafLogBytesPerRequest} bytes per WAF log record`));
    } else if (logging) {
      notEstimated.push(`WAF logs of ${aclId} go to a destination other than CloudWatch Logs`);
    }
  }

  // Authorizers: requests spread evenly over the API's methods; public methods call none.
  const authorizerUse = new Map<string, number>();
  for (const method of methods) {
    const authorizer = referencedId(method.properties.AuthorizerId);
    if (authorizer !== undefined) authorizerUse.set(authorizer, (authorizerUse.get(authorizer) ?? 0) + 1);
  }
  for (const [authorizerId, count] of authorizerUse) {
    const authorizer = resourcesOfType(stack, 'AWS::ApiGateway::Authorizer').find((r) => r.logicalId === authorizerId);
    if (!authorizer || authorizer.properties.Type === 'COGNITO_USER_POOLS') continue;
    const fn = [...referencedIds(authorizer.properties.AuthorizerUri)]
      .map((id) => resourcesOfType(stack, 'AWS::Lambda::Function').find((f) => f.logicalId === id))
      .find((f) => f !== undefined);
    if (!fn) {
      notEstimated.push(`authorizer ${authorizerId} invokes a function outside this template`);
      continue;
    }
    // AuthorizerResultTtlInSeconds: "If this field is not set, the default value is 300"
    // (https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.md).
    const ttl = typeof authorizer.properties.AuthorizerResultTtlInSeconds === 'number' ? authorizer.properties.AuthorizerResultTtlInSeconds : 300;
    const hitRatio = ttl > 0 ? a.authorizerCacheHitRatio : 0;
    const share = count / methods.length;
    const invocations = MILLION * share * (1 - hitRatio);
    const cacheNote = ttl > 0
      ? `${Math.round(hitRatio * 100)}% of requests answered from the authorizer cache (TTL ${ttl} s)`
      : 'authorizer cache off (TTL 0): every request invokes it';
    const assumption = `${cacheNote}; ${count} of ${methods.length} methods use it`;
    const memoryMb = typeof fn.properties.MemorySize === 'number' ? fn.properties.MemorySize : 128;
    const arm = Array.isArray(fn.properties.Architectures) && fn.properties.Architectures.includes('arm64');
    lines.push(line('Authorizer Lambda invocations', [fn.logicalId], 'lambda.requests', invocations / MILLION, assumption));
    lines.push(line(`Authorizer Lambda duration (${memoryMb} MB, ${arm ? 'arm64' : 'x86_64'})`, [fn.logicalId],
      arm ? 'lambda.duration.arm64' : 'lambda.duration.x86_64', invocations * (a.authorizerDurationMs / 1000) * (memoryMb / 1024),
      `${a.authorizerDurationMs} ms per invocation`));
    lines.push(line('CloudWatch Logs ingestion of authorizer log lines', [fn.logicalId], 'logs.ingestion',
      invocations * a.authorizerLogBytesPerInvocation / GB, `${a.authorizerLogBytesPerInvocation} bytes logged per invocation`));
  }

  for (const stage of stages) {
    const setting = stage.properties.AccessLogSetting as { DestinationArn?: unknown; Format?: unknown } | undefined;
    if (!setting) continue;
    if (!logsToCloudWatch(stack, [setting.DestinationArn])) {
      notEstimated.push(`access logs of ${stage.logicalId} go to a destination other than CloudWatch Logs`);
      continue;
    }
    const bytes = a.accessLogBytesPerRequest ?? accessLogBytes(setting.Format);
    const assumption = a.accessLogBytesPerRequest !== undefined
      ? `${bytes} bytes per access log line`
      : `${bytes} bytes per access log line: the format's text plus 20 bytes for each $context variable`;
    lines.push(line('CloudWatch Logs ingestion of access log lines', [stage.logicalId], 'logs.ingestion', MILLION * bytes / GB, assumption));
    if (stage.properties.TracingEnabled === true) {
      lines.push(line('X-Ray traces recorded', [stage.logicalId], 'xray.traces', a.tracedRequestShare,
        `${a.tracedRequestShare * 100}% of requests sampled`));
    }
  }

  // DynamoDB: only tables the API's integrations are given (in their function's environment).
  const tables = tablesUsedBy(stack, methods);
  const onDemand = tables.filter((t) => t.properties.BillingMode === 'PAY_PER_REQUEST');
  if (onDemand.length > 0) {
    const ids = onDemand.map((t) => t.logicalId);
    lines.push(line('DynamoDB on-demand reads', ids, 'dynamodb.read', a.tableReadsPerRequest,
      `${a.tableReadsPerRequest} read request unit per request (items up to 4 KB)`));
    lines.push(line('DynamoDB on-demand writes', ids, 'dynamodb.write', a.tableWritesPerRequest,
      `${a.tableWritesPerRequest} write request unit per request (items up to 1 KB)`));
  }
  if (tables.length > onDemand.length) notEstimated.push('tables with provisioned capacity (billed per hour, not per request)');
  for (const trail of resourcesOfType(stack, 'AWS::CloudTrail::Trail')) {
    if (!tables.some((t) => recordsTableDataEvents(trail, t))) continue;
    const events = MILLION * (a.tableReadsPerRequest + a.tableWritesPerRequest);
    const assumption = `one data event per table read or write (${a.tableReadsPerRequest + a.tableWritesPerRequest} per request)`;
    lines.push(line('CloudTrail data events of the table', [trail.logicalId], 'cloudtrail.dataEvents', events / 100_000, assumption));
    if (trail.properties.CloudWatchLogsLogGroupArn !== undefined) {
      lines.push(line('CloudWatch Logs ingestion of the trail\'s data events', [trail.logicalId], 'logs.ingestion',
        events * a.trailEventBytes / GB, `${a.trailEventBytes} bytes per CloudTrail event`));
    }
  }

  const keys = resourcesOfType(stack, 'AWS::KMS::Key');
  if (keys.length > 0) {
    lines.push(line('KMS requests', keys.map((k) => k.logicalId), 'kms.requests', a.kmsRequestsPerMillionRequests / 10_000,
      `${a.kmsRequestsPerMillionRequests} KMS requests per million API requests: DynamoDB, CloudWatch Logs and CloudTrail cache data keys`));
  }
  const insightRules = resourcesOfType(stack, 'AWS::CloudWatch::InsightRule');
  if (insightRules.length > 0) {
    lines.push(line('Contributor Insights matched log events', insightRules.map((r) => r.logicalId),
      'cloudwatch.contributorInsights.events', insightRules.length, 'each rule matches one log event per request'));
  }
  for (const method of methods) {
    const type = (method.properties.Integration as { Type?: unknown } | undefined)?.Type;
    if (type !== undefined && type !== 'AWS_PROXY' && type !== 'AWS' && type !== 'MOCK') {
      notEstimated.push(`integration of ${methodRoute(stack, method)} (${String(type)})`);
    }
  }
  return { restApi: api.logicalId, constructPath: api.constructPath, lines, usd: sum(lines), notEstimated };
}

/** The fixed monthly lines: charged per resource, whatever the traffic. */
function fixedLines(stack: StackTemplate): CostLine[] {
  const lines: CostLine[] = [];
  for (const acl of resourcesOfType(stack, 'AWS::WAFv2::WebACL')) {
    lines.push(line('WAF web ACL', [acl.logicalId], 'waf.webAcl', 1));
    const rules = Array.isArray(acl.properties.Rules) ? acl.properties.Rules as Array<Record<string, unknown>> : [];
    const names = rules.map((r) => String(r.Name));
    lines.push(line(`WAF rules: ${names.join(', ') || 'none'}`, [acl.logicalId], 'waf.rule', rules.length));
    const paid = rules.map((r) => managedGroupName(r.Statement)).filter((n): n is string => n !== undefined && PAID_RULE_GROUPS.has(n));
    if (paid.length > 0) {
      lines.push({ ...line(`Paid managed rule groups ${paid.join(', ')}: their own fees`, [acl.logicalId], 'waf.rule', 0),
        assumption: 'not estimated: see the group\'s pricing on https://aws.amazon.com/waf/pricing/' });
    }
  }
  const trails = resourcesOfType(stack, 'AWS::CloudTrail::Trail');
  if (trails.length > 0) {
    lines.push(line('CloudTrail trails (management events)', trails.map((t) => t.logicalId), 'cloudtrail.managementEvents', trails.length,
      'free when no other trail of the account records the same management events'));
  }
  const keys = resourcesOfType(stack, 'AWS::KMS::Key');
  if (keys.length > 0) lines.push(line('KMS customer managed keys', keys.map((k) => k.logicalId), 'kms.key', keys.length));
  for (const alarm of resourcesOfType(stack, 'AWS::CloudWatch::Alarm')) {
    const { metrics, highResolution } = alarmMetrics(alarm);
    lines.push(line(`CloudWatch alarm ${describeName(alarm.properties.AlarmName, alarm.logicalId)} (${metrics} metric${metrics === 1 ? '' : 's'})`,
      [alarm.logicalId], highResolution ? 'cloudwatch.alarm.highResolution' : 'cloudwatch.alarm.standard', metrics));
  }
  for (const alarm of resourcesOfType(stack, 'AWS::CloudWatch::CompositeAlarm')) {
    lines.push(line(`CloudWatch composite alarm ${describeName(alarm.properties.AlarmName, alarm.logicalId)}`, [alarm.logicalId], 'cloudwatch.alarm.composite', 1));
  }
  const dashboards = resourcesOfType(stack, 'AWS::CloudWatch::Dashboard');
  if (dashboards.length > 0) lines.push(line('CloudWatch dashboards', dashboards.map((d) => d.logicalId), 'cloudwatch.dashboard', dashboards.length));
  for (const filter of resourcesOfType(stack, 'AWS::Logs::MetricFilter')) {
    const transformations = Array.isArray(filter.properties.MetricTransformations) ? filter.properties.MetricTransformations as Array<Record<string, unknown>> : [];
    const dimensioned = transformations.some((t) => Array.isArray(t.Dimensions) && t.Dimensions.length > 0);
    lines.push(line(`Custom metrics of metric filter ${filter.logicalId}`, [filter.logicalId], 'cloudwatch.customMetric', transformations.length,
      dimensioned ? 'one metric per transformation; each distinct dimension value adds one more' : undefined));
  }
  const insightRules = resourcesOfType(stack, 'AWS::CloudWatch::InsightRule');
  if (insightRules.length > 0) {
    lines.push(line('Contributor Insights rules', insightRules.map((r) => r.logicalId), 'cloudwatch.contributorInsights.rule', insightRules.length));
  }
  const eventRules = resourcesOfType(stack, 'AWS::Events::Rule');
  if (eventRules.length > 0) lines.push(line('EventBridge rules', eventRules.map((r) => r.logicalId), 'eventbridge.awsServiceEvents', eventRules.length));
  const topics = resourcesOfType(stack, 'AWS::SNS::Topic');
  if (topics.length > 0) lines.push(line('SNS topics', topics.map((t) => t.logicalId), 'sns.topic', topics.length));
  return lines;
}

function describeName(name: unknown, logicalId: string): string {
  return typeof name === 'string' ? `'${name}'` : logicalId;
}

/** How many metrics an alarm is billed for, and whether any is high resolution (a period under 60 s). */
function alarmMetrics(alarm: LocatedResource): { metrics: number; highResolution: boolean } {
  const p = alarm.properties;
  if (Array.isArray(p.Metrics)) {
    const stats = (p.Metrics as Array<Record<string, unknown>>).map((m) => m.MetricStat as { Period?: unknown } | undefined).filter((m) => m !== undefined);
    return { metrics: Math.max(1, stats.length), highResolution: stats.some((s) => typeof s!.Period === 'number' && s!.Period < 60) };
  }
  return { metrics: 1, highResolution: typeof p.Period === 'number' && p.Period < 60 };
}

/** The name of a managed rule group statement, also inside a rate-based scope-down. */
export function managedGroupName(statement: unknown): string | undefined {
  const group = (statement as { ManagedRuleGroupStatement?: { Name?: unknown } } | undefined)?.ManagedRuleGroupStatement;
  return typeof group?.Name === 'string' ? group.Name : undefined;
}

/** Whether a log destination (an ARN or a reference) is a CloudWatch Logs log group. */
function logsToCloudWatch(stack: StackTemplate, destinations: unknown): boolean {
  if (!Array.isArray(destinations)) return false;
  const logGroups = new Set(resourcesOfType(stack, 'AWS::Logs::LogGroup').map((g) => g.logicalId));
  // A log group of the template, or an ARN (literal or joined) of the CloudWatch Logs service.
  return destinations.some((d) => [...referencedIds(d)].some((id) => logGroups.has(id)) || JSON.stringify(d ?? '').includes(':logs:'));
}

/** Bytes of one access log line: the format's literal text plus an assumed 20 bytes for each variable. */
export function accessLogBytes(format: unknown): number {
  if (typeof format !== 'string') return 0;
  const variables = format.match(/\$context\.[A-Za-z0-9_.]+/g) ?? [];
  const literal = format.replace(/\$context\.[A-Za-z0-9_.]+/g, '').length;
  return literal + variables.length * 20;
}

/** The tables whose logical id appears in the environment of a function the methods integrate with. */
function tablesUsedBy(stack: StackTemplate, methods: LocatedResource[]): LocatedResource[] {
  const tables = resourcesOfType(stack, 'AWS::DynamoDB::Table');
  const functionIds = new Set(methods.flatMap((m) => [...referencedIds((m.properties.Integration as { Uri?: unknown } | undefined)?.Uri)]));
  const used = new Set<string>();
  for (const fn of resourcesOfType(stack, 'AWS::Lambda::Function').filter((f) => functionIds.has(f.logicalId))) {
    for (const id of referencedIds(fn.properties.Environment)) used.add(id);
  }
  return tables.filter((t) => used.has(t.logicalId));
}

/** Whether a trail's selectors record this table's data events. */
export function recordsTableDataEvents(trail: LocatedResource, table: LocatedResource): boolean {
  const advanced = Array.isArray(trail.properties.AdvancedEventSelectors) ? trail.properties.AdvancedEventSelectors as Array<{ FieldSelectors?: unknown }> : [];
  const advancedMatch = advanced.some((selector) => {
    const fields = Array.isArray(selector.FieldSelectors) ? selector.FieldSelectors as Array<{ Field?: string; Equals?: unknown[] }> : [];
    const equals = (field: string): unknown[] | undefined => fields.find((f) => f.Field === field)?.Equals;
    if (!equals('eventCategory')?.includes('Data')) return false;
    if (!equals('resources.type')?.includes('AWS::DynamoDB::Table')) return false;
    const arns = equals('resources.ARN');
    return arns === undefined || arns.some((arn) => referencedId(arn) === table.logicalId);
  });
  const basic = Array.isArray(trail.properties.EventSelectors) ? trail.properties.EventSelectors as Array<{ DataResources?: unknown }> : [];
  const basicMatch = basic.some((selector) => Array.isArray(selector.DataResources) && (selector.DataResources as Array<{ Type?: string; Values?: unknown[] }>)
    .some((r) => r.Type === 'AWS::DynamoDB::Table' && (r.Values ?? []).some((v) => referencedIds(v).has(table.logicalId))));
  return advancedMatch || basicMatch;
}
