import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  MAX_QUOTA_OFFSET, METRICS_NAMESPACE_ENV, QUOTA_DIMENSION, QUOTA_METRIC, QUOTA_PERIODS, QUOTA_WATCHER_CONFIG_ENV,
  QuotaPeriod, QuotaWatcherConfig, WATCHED_NAME,
} from './common/quota-watcher-config';
import { DEFAULTS } from './defaults';
import { configError } from './errors';
import { bundledCode, SecureFunction, SecureFunctionCaller } from './secure-function';

/** A client of a watched usage plan. */
export interface QuotaWatcherClient {
  /** The client's name: the value of the metrics' `Client` dimension, `[A-Za-z0-9][A-Za-z0-9_-]{0,63}`. */
  readonly name: string;
  /** The client's API key in the plan. The watcher reads its id, never its value. */
  readonly apiKey: apigw.IApiKey;
}

/** A usage plan whose clients' quota use the watcher publishes. */
export interface QuotaWatcherPlan {
  /** The plan's name: the value of the metrics' `UsagePlan` dimension, `[A-Za-z0-9][A-Za-z0-9_-]{0,63}`. */
  readonly name: string;
  /** The usage plan. */
  readonly usagePlan: apigw.IUsagePlan;
  /** The requests each key may make per period: the plan's quota limit. */
  readonly limit: number;
  /** The period of the plan's quota. */
  readonly period: apigw.Period;
  /**
   * The plan's quota offset, read as the day its period starts: 0 (Sunday) to 6 for WEEK, 0 (the 1st) to 27 for
   * MONTH, 0 for DAY. API Gateway's references also describe the offset as requests subtracted in the first period;
   * both readings agree on 0.
   * @see https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html
   * @default 0
   */
  readonly offset?: number;
  /** The plan's clients to watch. Only these become metric dimensions. */
  readonly clients: QuotaWatcherClient[];
}

/** Properties of a {@link QuotaWatcher}. */
export interface QuotaWatcherProps {
  /** The usage plans to watch. */
  readonly plans: QuotaWatcherPlan[];
  /**
   * CloudWatch namespace of the metrics. Plan and client names are only unique per API: give each watcher its own
   * namespace (`SecureApi/<api name>`, say).
   */
  readonly metricNamespace: string;
  /**
   * How often the watcher runs; also the period of its metrics. Whole minutes, from 1 minute to 1 day.
   * @default Duration.minutes(15)
   */
  readonly interval?: Duration;
  /** Key that encrypts the function's log group. */
  readonly logKey: kms.IKey;
  /**
   * Retention of the function's logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the function's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Publishes how much of its usage plan's quota each client has used, so that alarms can warn before API Gateway
 * answers a client `429`. CloudWatch has no metric for it: a Lambda function runs on a schedule, reads each client
 * key's usage in the current quota period with API Gateway's GetUsage, and writes the metrics as embedded metric
 * format log documents (no `cloudwatch:PutMetricData` permission).
 *
 * Metrics, in `metricNamespace`, every `interval`:
 * - `QuotaUsedPercent` {`UsagePlan`, `Client`}: the client's use of the quota, percent.
 * - `QuotaUsed` {`UsagePlan`, `Client`}: the client's requests in the period.
 * - `QuotaUsedPercent` {`UsagePlan`}: the highest of the plan's clients, computed by the watcher. An alarm cannot use
 *   SEARCH and its metric math takes at most 10 metrics, so a plan-wide value has to be published rather than
 *   derived: one alarm per plan then covers any number of clients. It is a lower bound when some client could not be
 *   read (the function then fails, and its Errors metric shows it).
 *
 * The watcher publishes one value per client and plan each run, so a metric period of `interval` may now and then
 * hold none or two: an alarm on these metrics should treat missing data as `IGNORE` (or `NOT_BREACHING`), and a
 * separate alarm on the function's Errors catches runs that fail.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_cloudwatch.MathExpression.html (an expression with SEARCH cannot be used in an alarm)
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html
 */
export class QuotaWatcher extends Construct {
  /** The watcher function. */
  public readonly function: lambda.Function;
  /** Its log group, which also carries the metric documents. */
  public readonly logGroup: logs.LogGroup;
  /** The schedule that runs it. */
  public readonly rule: events.Rule;
  /** Namespace of the metrics. */
  public readonly metricNamespace: string;
  /** How often it runs: the period of its metrics. */
  public readonly interval: Duration;
  private readonly clientsByPlan = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: QuotaWatcherProps) {
    super(scope, id);
    this.interval = props.interval ?? DEFAULT_INTERVAL;
    this.metricNamespace = props.metricNamespace;
    this.validate(props);
    const stack = Stack.of(this);

    const config: QuotaWatcherConfig = {
      plans: props.plans.map((plan) => ({
        name: plan.name,
        usagePlanId: plan.usagePlan.usagePlanId,
        limit: plan.limit,
        period: plan.period as string as QuotaPeriod,
        offset: plan.offset ?? 0,
        clients: plan.clients.map((client) => ({ name: client.name, keyId: client.apiKey.keyId })),
      })),
    };
    const size = estimatedConfigBytes(config);
    if (size > MAX_CONFIG_BYTES) {
      throw configError(this, `the configuration of ${props.plans.length} plans and ${countClients(props)} clients needs about ${size} bytes, more than the ${MAX_CONFIG_BYTES} that fit in Lambda's 4 KB of environment variables: split the plans over several QuotaWatchers`);
    }
    for (const plan of props.plans) this.clientsByPlan.set(plan.name, plan.clients.map((c) => c.name));

    const fn = new SecureFunction(this, 'Handler', {
      code: bundledCode('quota-watcher'),
      description: "SecureApi: publishes each API client's use of its usage plan quota as CloudWatch metrics",
      serviceName: 'secure-api-quota-watcher',
      memorySize: 256,
      // A run must end before the next one starts.
      timeout: this.interval.toSeconds() < MAX_TIMEOUT.toSeconds() ? this.interval : MAX_TIMEOUT,
      logKey: props.logKey,
      logRetention: props.logRetention ?? DEFAULTS.logRetention,
      logRemovalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      invokedBy: SecureFunctionCaller.SCHEDULE,
      environment: {
        [QUOTA_WATCHER_CONFIG_ENV]: stack.toJsonString(config),
        [METRICS_NAMESPACE_ENV]: props.metricNamespace,
      },
    });
    this.function = fn.function;
    this.logGroup = fn.logGroup;

    const watched = props.plans.filter((plan) => plan.clients.length > 0);
    if (watched.length > 0) {
      fn.addToPolicy(new iam.PolicyStatement({
        sid: 'ReadQuotaUsage',
        actions: ['apigateway:GET'],
        // GetUsage is GET /usageplans/{usageplanId}/usage; API Gateway's management ARNs are the resource's path.
        // @see https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html
        resources: watched.map((plan) => `arn:${stack.partition}:apigateway:${stack.region}::/usageplans/${plan.usagePlan.usagePlanId}/usage`),
      }));
    }

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'SecureApi: runs the quota watcher',
      schedule: events.Schedule.rate(this.interval),
      targets: [new targets.LambdaFunction(this.function)],
    });
    Validations.of(this.rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'The schedule\'s events carry no data: one EventBridge could not deliver holds nothing to replay, and the next scheduled event runs the watcher again over the whole quota period; a dead-letter queue would only collect empty schedule ticks.',
    });
  }

  /**
   * The share of its plan's quota a client used in the current period, percent; without `client`, the highest of the
   * plan's clients (one alarm per plan, whatever its number of clients). Statistic Maximum over `interval`.
   * @param plan the watched plan's name
   * @param client a watched client's name in that plan
   * @param options overrides of the metric's settings
   */
  public metricQuotaUsedPercent(plan: string, client?: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(QUOTA_METRIC.usedPercent, this.dimensions('metricQuotaUsedPercent', plan, client), options);
  }

  /**
   * The requests a client made in the current period of its plan's quota. Statistic Maximum over `interval`.
   * @param plan the watched plan's name
   * @param client a watched client's name in that plan
   * @param options overrides of the metric's settings
   */
  public metricQuotaUsed(plan: string, client: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(QUOTA_METRIC.used, this.dimensions('metricQuotaUsed', plan, client), options);
  }

  /**
   * The names of a watched plan's clients.
   * @param plan the watched plan's name
   */
  public clientNames(plan: string): string[] {
    return [...this.plan('clientNames', plan)];
  }

  private metric(metricName: string, dimensionsMap: { [name: string]: string }, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricNamespace,
      metricName,
      dimensionsMap,
      statistic: cloudwatch.Stats.MAXIMUM,
      period: this.interval,
      ...options,
    });
  }

  private plan(method: string, plan: string): string[] {
    const clients = this.clientsByPlan.get(plan);
    if (clients === undefined) {
      throw configError(this, `'${method}' names an unwatched plan (got '${plan}'; plans: ${[...this.clientsByPlan.keys()].join(', ')})`);
    }
    return clients;
  }

  private dimensions(method: string, plan: string, client?: string): { [name: string]: string } {
    const clients = this.plan(method, plan);
    if (client === undefined) return { [QUOTA_DIMENSION.plan]: plan };
    if (!clients.includes(client)) {
      throw configError(this, `'${method}' names a client that plan '${plan}' does not watch (got '${client}'; clients: ${clients.join(', ') || 'none'})`);
    }
    return { [QUOTA_DIMENSION.plan]: plan, [QUOTA_DIMENSION.client]: client };
  }

  private validate(props: QuotaWatcherProps): void {
    const ns = props.metricNamespace;
    if (!Token.isUnresolved(ns) && (!NAMESPACE.test(ns) || ns.trim() === '' || ns.startsWith('AWS/'))) {
      // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
      throw configError(this, `'metricNamespace' must be 1 to 255 printable ASCII characters, not only spaces, and must not start with 'AWS/' (got '${ns}')`);
    }
    const minutes = this.interval.toMinutes({ integral: false });
    if (!Token.isUnresolved(minutes) && (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60)) {
      throw configError(this, `'interval' must be whole minutes from 1 minute to 1 day (got ${this.interval.toHumanString()})`);
    }
    if (props.plans.length === 0) throw configError(this, "'plans' must name at least one usage plan");
    const names = new Set<string>();
    for (const [i, plan] of props.plans.entries()) {
      const at = `plans[${i}]`;
      if (!WATCHED_NAME.test(plan.name)) throw configError(this, `'${at}.name' must match ${WATCHED_NAME} (got '${plan.name}')`);
      if (names.has(plan.name)) throw configError(this, `'${at}.name' must be unique: plan '${plan.name}' is watched twice`);
      names.add(plan.name);
      if (!Token.isUnresolved(plan.limit) && (!Number.isInteger(plan.limit) || plan.limit < 1)) {
        throw configError(this, `'${at}.limit' must be a positive integer (got ${plan.limit})`);
      }
      const period = plan.period as string as QuotaPeriod;
      if (!QUOTA_PERIODS.includes(period)) {
        throw configError(this, `'${at}.period' must be DAY, WEEK or MONTH (got ${plan.period})`);
      }
      const offset = plan.offset ?? 0;
      if (!Number.isInteger(offset) || offset < 0 || offset > MAX_QUOTA_OFFSET[period]) {
        throw configError(this, `'${at}.offset' must be an integer from 0 to ${MAX_QUOTA_OFFSET[period]} for a ${period} quota, the day its period starts (got ${offset})`);
      }
      const clients = new Set<string>();
      for (const [j, client] of plan.clients.entries()) {
        if (!WATCHED_NAME.test(client.name)) {
          throw configError(this, `'${at}.clients[${j}].name' must match ${WATCHED_NAME} (got '${client.name}')`);
        }
        if (clients.has(client.name)) throw configError(this, `'${at}.clients[${j}].name' must be unique in the plan: client '${client.name}' is watched twice`);
        clients.add(client.name);
      }
    }
  }
}

const DEFAULT_INTERVAL = Duration.minutes(15);

/** Longest run: GetUsage calls are sequential, one per client, with the SDK's retries. */
const MAX_TIMEOUT = Duration.minutes(2);

/** CloudWatch namespaces: printable ASCII, at most 255 characters. */
const NAMESPACE = /^[\x20-\x7e]{1,255}$/;

/**
 * Room for the configuration in Lambda's 4 KB of environment variables, leaving 512 bytes to the others (Powertools'
 * settings, the namespace).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const MAX_CONFIG_BYTES = 3584;

/** Length allowed for an id known only at deploy time: API Gateway's usage plan and API key ids are about 10 characters. */
const DEPLOY_TIME_ID_BYTES = 16;

/** The configuration's JSON length once deployed, each deploy-time id counted at {@link DEPLOY_TIME_ID_BYTES}. */
function estimatedConfigBytes(config: QuotaWatcherConfig): number {
  return Buffer.byteLength(JSON.stringify(config, (_key, value: unknown) =>
    (typeof value === 'string' && Token.isUnresolved(value) ? 'x'.repeat(DEPLOY_TIME_ID_BYTES) : value)));
}

function countClients(props: QuotaWatcherProps): number {
  return props.plans.reduce((n, plan) => n + plan.clients.length, 0);
}
