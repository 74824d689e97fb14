import { Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * How one alarm of a SecureApi fires: its threshold and evaluation window, or `enabled: false` to leave it out. Every
 * alarm's defaults are in the README's runbook.
 */
export interface AlarmOptions {
  /**
   * Create this alarm. Turning an alarm off is explicit: the threat it watches then goes unnoticed.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The value at or above which the alarm fires: a count of requests or events in one period, a rate from 0 to 1
   * (`serverErrorRate`), milliseconds (`apiLatencyP99`) or a percentage (`quotaNearLimit`).
   * @default - the alarm's default in the README's runbook
   */
  readonly threshold?: number;
  /**
   * The length of one evaluation period: a whole number of minutes.
   * @default - the alarm's default in the README's runbook
   */
  readonly period?: Duration;
  /**
   * How many recent periods the alarm evaluates.
   * @default - the alarm's default in the README's runbook
   */
  readonly evaluationPeriods?: number;
  /**
   * How many of those periods must breach the threshold.
   * @default - the alarm's default in the README's runbook (all of `evaluationPeriods` when that is set alone)
   */
  readonly datapointsToAlarm?: number;
}

/** The alarms of a SecureApi, each tunable or off. Every alarm is on by default. */
export interface SecurityAlarmsOptions {
  /**
   * Tokens rejected with 401 (forged, expired, wrong issuer or audience…): forgery or credential stuffing.
   * @default - 100 in 5 minutes
   */
  readonly rejectedTokens?: AlarmOptions;
  /**
   * Tokens signed with a key id the issuer does not publish: key probing, or a signing key rotated without the JWKS.
   * @default - 10 in 5 minutes
   */
  readonly unknownKeyIds?: AlarmOptions;
  /**
   * Valid tokens denied a route for their scopes or claims (`insufficient_scope`, `claim_mismatch`): privilege probing.
   * @default - 50 in 5 minutes
   */
  readonly scopeProbing?: AlarmOptions;
  /**
   * The authorizer could not fetch an issuer's JWKS: every token of that issuer fails with 500 until it can.
   * @default - 1 in 1 minute
   */
  readonly jwksUnavailable?: AlarmOptions;
  /**
   * Authorizations that failed with 500 for any reason (JWKS, API key lookup, internal error).
   * @default - 5 in 5 minutes
   */
  readonly authorizerFailures?: AlarmOptions;
  /**
   * The authorizer function was throttled: callers get 500 or 503.
   * @default - 1 in 5 minutes
   */
  readonly authorizerThrottles?: AlarmOptions;
  /**
   * Requests the web ACL blocked, every rule together.
   * @default - 1000 in 5 minutes
   */
  readonly wafBlocked?: AlarmOptions;
  /**
   * Requests the web ACL's rate-based rules (per IP, per caller) answered 429.
   * @default - 100 in 5 minutes
   */
  readonly wafRateLimited?: AlarmOptions;
  /**
   * The share of requests the API answered with 5XX, from 0 to 1.
   * @default - 0.05 in 3 of 5 one-minute periods
   */
  readonly serverErrorRate?: AlarmOptions;
  /**
   * The API's 99th percentile latency, milliseconds.
   * @default - 2500 ms in 3 consecutive 5-minute periods
   */
  readonly apiLatencyP99?: AlarmOptions;
  /**
   * Errors of each Lambda function behind the API's routes (one alarm per function).
   * @default - 1 in 5 minutes
   */
  readonly integrationErrors?: AlarmOptions;
  /**
   * Throttles of each Lambda function behind the API's routes (one alarm per function).
   * @default - 1 in 5 minutes
   */
  readonly integrationThrottles?: AlarmOptions;
  /**
   * Read and write requests the table throttled.
   * @default - 1 in 5 minutes
   */
  readonly tableThrottles?: AlarmOptions;
  /**
   * Requests the table failed with a DynamoDB system error (HTTP 500).
   * @default - 1 in 5 minutes
   */
  readonly tableSystemErrors?: AlarmOptions;
  /**
   * Change alerts EventBridge could not publish to the topic (the topic or its key policy changed), kept in the alert
   * dead-letter queue.
   * @default - 1 in 5 minutes
   */
  readonly undeliveredAlerts?: AlarmOptions;
  /**
   * A client of a usage plan with a quota has used this percentage of its quota in the current period (one alarm per
   * plan with a quota and clients; API Gateway has no metric for it, so a scheduled function of SecureApi, the quota
   * watcher, reads each client's usage every 15 minutes; turning this alarm off leaves the watcher out).
   * @default - 80 percent
   */
  readonly quotaNearLimit?: AlarmOptions;
  /**
   * Failed runs of the quota watcher (it could not read a client's usage, so `quotaNearLimit` cannot fire).
   * @default - 1 in 15 minutes
   */
  readonly quotaWatcherErrors?: AlarmOptions;
}

/**
 * Threat monitoring of a SecureApi: security metrics from the authorizer's decisions, alarms, alerts on changes that
 * weaken the stack's controls, a dashboard, and the topic that notifies people.
 */
export interface MonitoringOptions {
  /**
   * The topic alarms and change alerts publish to. Your own topic must let CloudWatch and EventBridge publish (and, when
   * it is encrypted, use its key): SecureApi adds the topic policy statements to a `Topic` of the app (an imported
   * topic's policy is not ours to change), never key policy statements.
   * @default - a new topic, encrypted with a new customer-managed key, that accepts only TLS publishers
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Email addresses to subscribe to the topic (each confirms by email).
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * Other subscriptions of the topic (SQS, Lambda, HTTPS…).
   * @default - none
   */
  readonly subscriptions?: sns.ITopicSubscription[];
  /**
   * The alarms, each tunable or off.
   * @default - every alarm with its defaults
   */
  readonly alarms?: SecurityAlarmsOptions;
  /**
   * Create the CloudWatch dashboard of the API's security and health.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Alert on changes that weaken the stack's controls (keys disabled or scheduled for deletion, the trail stopped,
   * the web ACL changed or detached, the stage or authorizer changed, table protection off), from CloudTrail through
   * EventBridge.
   * @default true
   */
  readonly changeAlerts?: boolean;
  /**
   * The stack that holds the monitoring's resources (some 50: alarms, alert rules, metric filters, the topic and its
   * key, the dashboard, the quota watcher). Give a `NestedStack` of the API's stack when the API's own stack nears
   * CloudFormation's 500 resources: a nested stack counts as one, and CDK passes the references between them.
   * @default - the API's stack
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
   */
  readonly stack?: Stack;
}
