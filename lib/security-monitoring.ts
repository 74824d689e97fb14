import { Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ChangeAlerts, ChangeAlertTargets } from './change-alerts';
import { configError } from './errors';
import { QuotaWatcher, QuotaWatcherPlan } from './quota-watcher';
import { createKey } from './kms-keys';
import { resolveAlarm, ResolvedAlarm, SecurityAlarmName } from './security-alarms';
import { securityDashboardRows } from './security-dashboard';
import { MonitoringOptions } from './security-monitoring-props';
import { contributorRules, decisionFilters, DECISIONS_METRIC, DENIED_METRIC, FAILURES_METRIC, REJECTED_METRIC } from './security-signals';

/** Properties of a {@link SecurityMonitoring}: what it watches, and how. */
export interface SecurityMonitoringProps extends MonitoringOptions {
  /** The REST API (its deployment stage is watched). */
  readonly api: apigw.RestApi;
  /** The authorizer function. */
  readonly authorizerFunction: lambda.IFunction;
  /** The authorizer's log group: its decision lines become metrics. */
  readonly authorizerLogGroup: logs.ILogGroup;
  /** The API's access log group. */
  readonly accessLogGroup: logs.ILogGroup;
  /** The web ACL in front of the stage (its `name` is the WebACL dimension of its metrics). */
  readonly webAcl: wafv2.CfnWebACL;
  /**
   * The table behind the API.
   * @default - no table alarms
   */
  readonly table?: dynamodb.ITable;
  /**
   * The resources whose weakening raises a change alert (unless `changeAlerts: false`).
   * @default - no change alerts
   */
  readonly changeAlertTargets?: ChangeAlertTargets;
  /**
   * What happens to the topic's key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The threat monitoring of a SecureApi: metric filters on the authorizer's decisions, Contributor Insights rules of
 * the top rejected source IPs and denied clients, alarms (each tunable or off), a dashboard, and the SNS topic that
 * notifies people. SecureApi creates it as `secureApi.monitoring`.
 */
export class SecurityMonitoring extends Construct {
  /** The topic every alarm and alert publishes to. */
  public readonly topic: sns.ITopic;
  /** The key of the topic, when SecureApi created the topic. */
  public readonly topicKey?: kms.Key;
  /** The CloudWatch namespace of the authorizer's security metrics, `SecureApi/<unique name>`. */
  public readonly metricNamespace: string;
  /** The alarms by id (`RejectedTokens`, `IntegrationErrors-<function>`…); late ones are added at synth. */
  public readonly alarms: { [id: string]: cloudwatch.Alarm } = {};
  /** The metric filters on the authorizer's log group. */
  public readonly metricFilters: logs.MetricFilter[];
  /** The Contributor Insights rules by id (`RejectedSourceIps`, `DeniedClients`). */
  public readonly contributorRules: { [id: string]: cloudwatch.CfnInsightRule } = {};
  /** The dashboard, unless `dashboard: false`. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The change alerts (EventBridge rules on CloudTrail management events), unless `changeAlerts: false`. */
  public readonly changeAlerts?: ChangeAlerts;
  /**
   * The scheduled function that measures the quota use of the usage plans' clients (API Gateway has no metric for
   * it), when a plan has a quota and clients and the `quotaNearLimit` alarm is on; created at synth.
   */
  public quotaWatcher?: QuotaWatcher;
  /**
   * The queue that keeps what could not be delivered: change alerts EventBridge could not publish to the topic, and
   * notifications SNS could not deliver to an email subscription (with change alerts or `alarmEmails`).
   */
  public alertDeadLetterQueue?: sqs.Queue;

  private readonly props: SecurityMonitoringProps;
  private readonly alarmPrefix: string;
  private readonly monitoredFunctions = new Set<lambda.IFunction>();
  private readonly functionRows: cloudwatch.IWidget[][] = [];
  private completed = false;
  private allowedPrefixes = 0;

  constructor(scope: Construct, id: string, props: SecurityMonitoringProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);
    const unique = Names.uniqueResourceName(this, { maxLength: 200, separator: '-' });
    this.metricNamespace = `SecureApi/${unique}`;
    this.alarmPrefix = unique;
    // Check every alarm's options before creating anything.
    const alarms = props.alarms ?? {};
    for (const name of Object.keys(alarms) as SecurityAlarmName[]) resolveAlarm(this, name, alarms[name]);

    if (props.alarmTopic) {
      this.topic = props.alarmTopic;
    } else {
      this.topicKey = createKey(this, 'TopicKey', {
        description: 'SecureApi: encrypts the alarm and alert topic',
        aliasSuffix: 'alerts',
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      this.topic = new sns.Topic(this, 'Topic', {
        // Named, so that its key's policy can name its ARN without referring to it (a reference would be a cycle).
        topicName: unique.slice(0, 256),
        displayName: 'SecureApi alarms and alerts',
        masterKey: this.topicKey,
        enforceSSL: true,
      });
      // CloudWatch publishes to an encrypted topic only with the use of its key: for this account's alarms of this
      // construct only. (The change alerts' SNS targets grant EventBridge the same, without conditions.)
      // @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    }
    // The topic policy SecureApi writes (enforceSSL) replaces SNS's default one, which let this account's services
    // publish: CloudWatch is let in again, for this construct's alarms only. EventBridge rule targets add their own.
    // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
    this.allowCloudWatch(`${this.alarmArn('')}${this.alarmPrefix}-*`, 'AllowCloudWatchAlarmsOfThisApi');
    for (const email of props.alarmEmails ?? []) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw configError(this, `'monitoring.alarmEmails' must hold email addresses (got '${email}')`);
      }
      // A notification SNS cannot deliver (after its retries) waits in the dead-letter queue instead of being lost.
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: this.deadLetterQueue() }));
    }
    for (const subscription of props.subscriptions ?? []) this.topic.addSubscription(subscription);

    this.metricFilters = decisionFilters().map((filter) => new logs.MetricFilter(this, filter.id, {
      logGroup: props.authorizerLogGroup,
      filterPattern: filter.filterPattern,
      metricNamespace: this.metricNamespace,
      metricName: filter.metricName,
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
      dimensions: filter.dimensions,
    }));
    for (const rule of contributorRules()) {
      const logGroup = rule.logGroup === 'access' ? props.accessLogGroup : props.authorizerLogGroup;
      this.contributorRules[rule.id] = new cloudwatch.CfnInsightRule(this, rule.id, {
        ruleName: `${unique.slice(0, 100)}-${rule.id}`,
        ruleState: 'ENABLED',
        ruleBody: stack.toJsonString({ ...rule.body, LogGroupNames: [logGroup.logGroupName] }),
      });
    }

    this.addAlarm('rejectedTokens', this.metricRejectedTokens());
    this.addAlarm('unknownKeyIds', this.metricDecisions('unauthorized', 'unknown_kid'));
    this.addAlarm('scopeProbing', new cloudwatch.MathExpression({
      expression: 'scope + claims',
      usingMetrics: {
        scope: this.metricDecisions('deny', 'insufficient_scope'),
        claims: this.metricDecisions('deny', 'claim_mismatch'),
      },
      label: 'insufficient_scope + claim_mismatch',
    }));
    this.addAlarm('jwksUnavailable', this.metricDecisions('error', 'jwks_unavailable'));
    this.addAlarm('authorizerFailures', this.metricAuthorizerFailures());
    this.addAlarm('authorizerThrottles', props.authorizerFunction.metricThrottles({ statistic: 'Sum' }));
    this.addAlarm('wafBlocked', this.metricWafBlocked('ALL'));
    this.addAlarm('wafRateLimited', new cloudwatch.MathExpression({
      expression: 'ip + caller',
      usingMetrics: { ip: this.metricWafBlocked('RateLimitPerIp'), caller: this.metricWafBlocked('RateLimitPerCaller') },
      label: 'RateLimitPerIp + RateLimitPerCaller',
    }));
    const stage = props.api.deploymentStage;
    this.addAlarm('serverErrorRate', stage.metricServerError({ statistic: 'Average' }));
    this.addAlarm('apiLatencyP99', stage.metricLatency({ statistic: 'p99' }));
    if (props.table) {
      const table = props.table;
      this.addAlarm('tableThrottles', new cloudwatch.MathExpression({
        expression: 'reads + writes',
        usingMetrics: {
          reads: table.metric('ReadThrottleEvents', { statistic: 'Sum' }),
          writes: table.metric('WriteThrottleEvents', { statistic: 'Sum' }),
        },
        label: 'ReadThrottleEvents + WriteThrottleEvents',
      }));
      // An alarm's expression may use at most 10 metrics: the operations the SDK's item and transaction calls use.
      // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_alarm_on_metric_math_expression.html
      this.addAlarm('tableSystemErrors', table.metricSystemErrorsForOperations({
        operations: TABLE_OPERATIONS,
        statistic: 'Sum',
      }));
    }
    if (props.changeAlerts !== false && props.changeAlertTargets) {
      // The topic's own key is watched too: disabling it would silence every alarm and alert.
      const targets = props.changeAlertTargets;
      const queue = this.deadLetterQueue();
      this.changeAlerts = new ChangeAlerts(this, 'ChangeAlerts', {
        ...targets,
        keyArns: [...(targets.keyArns ?? []), ...new Set([queue.encryptionMasterKey!.keyArn, ...(this.topicKey ? [this.topicKey.keyArn] : [])])],
        topic: this.topic,
        deadLetterQueue: queue,
      });
    }
    if (props.dashboard !== false) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
        dashboardName: unique.slice(0, 255),
        defaultInterval: Duration.hours(3),
      });
    }
  }

  /**
   * The authorizer's decisions of one kind and reason, e.g. `('unauthorized', 'invalid_signature')`: a count per period.
   * @param decision `allow`, `deny`, `unauthorized` or `error`
   * @param reason a reason code of the README's reason table
   */
  public metricDecisions(decision: string, reason: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.securityMetric(DECISIONS_METRIC, { Decision: decision, Reason: reason }, props);
  }

  /** Tokens the authorizer rejected with 401, every reason: a count per period. */
  public metricRejectedTokens(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.securityMetric(REJECTED_METRIC, undefined, props);
  }

  /** Valid tokens the authorizer denied a route (403), every reason: a count per period. */
  public metricDeniedRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.securityMetric(DENIED_METRIC, undefined, props);
  }

  /** Authorizations that failed with 500, every reason: a count per period. */
  public metricAuthorizerFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.securityMetric(FAILURES_METRIC, undefined, props);
  }

  /**
   * Requests a rule of the web ACL blocked (`ALL`: every rule), a count per period. WAF sends the metric only for
   * periods with blocked requests.
   * @param rule a rule's metric name (`RateLimitPerIp`, `AWSManagedRulesCommonRuleSet`…) or `ALL`
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html
   */
  public metricWafBlocked(rule: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWaf('BlockedRequests', rule, props);
  }

  /**
   * Requests a rule of the web ACL allowed (`ALL`: the whole web ACL), a count per period.
   * @param rule a rule's metric name or `ALL`
   */
  public metricWafAllowed(rule: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWaf('AllowedRequests', rule, props);
  }

  private metricWaf(metricName: string, rule: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const name = this.props.webAcl.name;
    if (name === undefined) throw configError(this, "the web ACL has no 'name': its metrics cannot be named");
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName,
      dimensionsMap: { WebACL: name, Rule: rule, Region: Stack.of(this).region },
      statistic: 'Sum',
      ...props,
    });
  }

  /**
   * Lets CloudWatch alarms whose names start with `prefix` publish to the topic (and, when SecureApi created the topic,
   * use its key), for this account and Region only. The topic accepts only this construct's own alarms otherwise:
   * call it for your own alarms, or those of cdk-monitoring-constructs, that notify `topic`.
   * @param prefix the start of the alarms' names, e.g. `orders-`
   */
  public allowAlarmsNamed(prefix: string): void {
    if (!Token.isUnresolved(prefix) && !/^[^*?\s]{1,200}$/.test(prefix)) {
      throw configError(this, `'allowAlarmsNamed' needs an alarm name prefix of 1 to 200 characters without '*', '?' or spaces (got '${prefix}')`);
    }
    this.allowCloudWatch(`${this.alarmArn('')}${prefix}*`, `AllowCloudWatchAlarms${this.allowedPrefixes++}`);
  }

  /**
   * Adds the error and throttle alarms of a Lambda function the API calls. SecureApi calls it at synth for every
   * function of its stack behind a route; call it for a function of another stack.
   */
  public monitorFunction(fn: lambda.IFunction): void {
    if (this.monitoredFunctions.has(fn)) return;
    this.monitoredFunctions.add(fn);
    // The function's path in its stack, e.g. `Items-Handler-Function`: unique there, and readable in an alarm name.
    const scopes = fn.node.scopes;
    const label = scopes.slice(scopes.indexOf(Stack.of(fn)) + 1).map((s) => s.node.id).join('-').replace(/[^A-Za-z0-9-]/g, '').slice(0, 100);
    const errors = this.addAlarm('integrationErrors', fn.metricErrors({ statistic: 'Sum' }), label);
    const throttles = this.addAlarm('integrationThrottles', fn.metricThrottles({ statistic: 'Sum' }), label);
    this.functionRows.push([
      new cloudwatch.GraphWidget({
        title: `Function ${fn.node.id}: invocations, errors, throttles`,
        left: [fn.metricInvocations({ statistic: 'Sum' }), fn.metricErrors({ statistic: 'Sum' }), fn.metricThrottles({ statistic: 'Sum' })],
        leftAnnotations: [errors, throttles].filter((a): a is cloudwatch.Alarm => a !== undefined).map((a) => a.toAnnotation()),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: `Function ${fn.node.id}: duration`,
        left: [fn.metricDuration({ statistic: 'p99' }), fn.metricDuration({ statistic: 'p50' })],
        width: 12,
      }),
    ]);
  }

  /**
   * Adds what depends on the whole API (the functions behind its routes, its quota alarms) and fills the dashboard.
   * SecureApi calls it once, at synth.
   * @internal
   */
  public _complete(late: {
    functions: lambda.IFunction[];
    quotaPlans: QuotaWatcherPlan[];
    logKey: kms.IKey;
    logRetention: logs.RetentionDays;
    removalPolicy: RemovalPolicy;
  }): void {
    if (this.completed) return;
    this.completed = true;
    for (const fn of late.functions) this.monitorFunction(fn);
    const quotaMetrics: cloudwatch.IMetric[] = [];
    if (late.quotaPlans.length > 0 && this.props.alarms?.quotaNearLimit?.enabled !== false) {
      const watcher = new QuotaWatcher(this, 'QuotaWatcher', {
        plans: late.quotaPlans,
        metricNamespace: this.metricNamespace,
        logKey: late.logKey,
        logRetention: late.logRetention,
        removalPolicy: late.removalPolicy,
      });
      this.quotaWatcher = watcher;
      for (const plan of late.quotaPlans) {
        const metric = watcher.metricQuotaUsedPercent(plan.name, undefined, { label: plan.name });
        this.addAlarm('quotaNearLimit', metric, plan.name);
        quotaMetrics.push(metric);
      }
      // A failing watcher publishes nothing, which the quota alarms read as not breaching.
      this.addAlarm('quotaWatcherErrors', watcher.function.metricErrors({ statistic: 'Sum' }));
    }
    this.dashboard?.addWidgets(...securityDashboardRows({
      monitoring: this,
      api: this.props.api,
      authorizerFunction: this.props.authorizerFunction,
      accessLogGroup: this.props.accessLogGroup,
      authorizerLogGroup: this.props.authorizerLogGroup,
      table: this.props.table,
      functionRows: this.functionRows,
      quotaMetrics,
      alarms: Object.values(this.alarms),
    }).flat());
  }

  private securityMetric(metricName: string, dimensionsMap: { [name: string]: string } | undefined,
    props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: this.metricNamespace, metricName, dimensionsMap, statistic: 'Sum', ...props });
  }

  /** Creates the alarm `name` (once per `qualifier`) unless it is turned off; its name starts with the prefix the topic lets in. */
  private addAlarm(name: SecurityAlarmName, metric: cloudwatch.IMetric, qualifier?: string): cloudwatch.Alarm | undefined {
    const resolved: ResolvedAlarm | undefined = resolveAlarm(this, name, this.props.alarms?.[name]);
    if (resolved === undefined) return undefined;
    const id = qualifier === undefined ? resolved.id : `${resolved.id}-${qualifier}`;
    const alarm = new cloudwatch.Alarm(this, `Alarm${id}`, {
      alarmName: `${this.alarmPrefix}-${id}`,
      alarmDescription: `${resolved.description}${qualifier === undefined ? '' : ` (${qualifier})`}. Runbook: the SecureApi README, "Runbook", ${resolved.id}.`,
      metric: withPeriod(metric, resolved.period),
      threshold: resolved.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: resolved.evaluationPeriods,
      datapointsToAlarm: resolved.datapointsToAlarm,
      // Most of these metrics are only sent for periods with events (WAF, metric filters without a default value).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms[id] = alarm;
    return alarm;
  }

  /** The dead-letter queue, created when first needed, with its alarm. */
  private deadLetterQueue(): sqs.Queue {
    if (this.alertDeadLetterQueue) return this.alertDeadLetterQueue;
    const queueKey = this.topicKey ?? this.eventBridgeKey(this.props.removalPolicy);
    // SNS moves an undeliverable notification to an encrypted dead-letter queue only with the use of its key.
    // @see https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html
    queueKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowSnsDeadLetterDelivery',
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:SourceArn': this.topicKey ? this.ownTopicArn() : this.topic.topicArn } },
    }));
    const queue = new sqs.Queue(this, 'AlertDeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reason = "This queue is the dead-letter queue of the change alert rules' SNS targets (EventBridge DeadLetterConfig) and of the topic's email subscriptions (SNS RedrivePolicy), which the rules cannot see: a queue behind it would only move undeliverable alerts again, and its depth raises the UndeliveredAlerts alarm.";
    Validations.of(queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason },
      { id: 'Serverless-SQSRedrivePolicy', reason },
      { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason },
    );
    this.alertDeadLetterQueue = queue;
    this.addAlarm('undeliveredAlerts', queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }));
    return queue;
  }

  /**
   * A key for the alert queue when the topic is the user's: EventBridge must be able to use it. (With SecureApi's
   * topic, the queue shares the topic's key, which the SNS targets already let EventBridge use.)
   */
  private eventBridgeKey(removalPolicy?: RemovalPolicy): kms.Key {
    const key = createKey(this, 'AlertQueueKey', {
      description: 'SecureApi: encrypts the change alerts EventBridge could not deliver',
      aliasSuffix: 'alert-queue',
      removalPolicy: removalPolicy ?? RemovalPolicy.RETAIN,
    });
    allowEventBridge(key);
    return key;
  }

  /** The ARN of the topic SecureApi creates, built from its name. */
  private ownTopicArn(): string {
    return Stack.of(this).formatArn({ service: 'sns', resource: (this.topic.node.defaultChild as sns.CfnTopic).topicName! });
  }

  /** The ARN of an alarm of this account and Region. */
  private alarmArn(name: string): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${name}`;
  }

  /**
   * Lets CloudWatch publish to the topic, and use its key when SecureApi created it, for the alarms matching
   * `sourceArn` only (the confused-deputy conditions the CloudWatch and SNS docs describe).
   */
  private allowCloudWatch(sourceArn: string, sid: string): void {
    const conditions = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account }, ArnLike: { 'aws:SourceArn': sourceArn } };
    const principals = [new iam.ServicePrincipal('cloudwatch.amazonaws.com')];
    this.topicKey?.addToResourcePolicy(new iam.PolicyStatement({
      sid, principals, actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions,
    }));
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid, principals, actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions,
    }));
  }
}

/**
 * Lets EventBridge rules encrypt with the key (an encrypted topic or queue as a target). No source condition: the KMS
 * requests EventBridge makes for SNS and SQS targets carry none, and a condition would drop every alert.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
function allowEventBridge(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEventBridgeRules',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
  }));
}

const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM, dynamodb.Operation.BATCH_GET_ITEM, dynamodb.Operation.QUERY, dynamodb.Operation.SCAN,
  dynamodb.Operation.PUT_ITEM, dynamodb.Operation.UPDATE_ITEM, dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.BATCH_WRITE_ITEM, dynamodb.Operation.TRANSACT_GET_ITEMS, dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

/** The metric with the alarm's period (a math expression's period applies to each metric it uses). */
function withPeriod(metric: cloudwatch.IMetric, period: Duration): cloudwatch.IMetric {
  if (metric instanceof cloudwatch.Metric || metric instanceof cloudwatch.MathExpression) return metric.with({ period });
  return metric;
}
