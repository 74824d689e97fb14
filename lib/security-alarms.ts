import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { configError } from './errors';
import { AlarmOptions, SecurityAlarmsOptions } from './security-monitoring-props';

/** The name of an alarm in `monitoring.alarms`. */
export type SecurityAlarmName = keyof SecurityAlarmsOptions;

/** What an alarm's threshold measures, which bounds the values it accepts. */
type ThresholdKind = 'count' | 'rate' | 'milliseconds' | 'percent';

/** An alarm's defaults and what it means: the README's runbook shows the same figures (a test compares them). */
export interface SecurityAlarmDefinition {
  /** The construct id and the last part of the alarm's name, e.g. `RejectedTokens`. */
  readonly id: string;
  /** What the alarm watches, as its description in CloudWatch says. */
  readonly description: string;
  readonly kind: ThresholdKind;
  readonly threshold: number;
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** Every alarm of a SecureApi with its defaults, in the order of the runbook. */
export const SECURITY_ALARMS: { readonly [N in SecurityAlarmName]-?: SecurityAlarmDefinition } = {
  rejectedTokens: {
    id: 'RejectedTokens', kind: 'count', threshold: 100, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'Tokens the authorizer rejected with 401 (forged, expired, other issuer or audience): forgery or credential stuffing',
  },
  unknownKeyIds: {
    id: 'UnknownKeyIds', kind: 'count', threshold: 10, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: "Tokens signed with a key id the issuer's JWKS does not publish: key probing, or a key rotated badly",
  },
  scopeProbing: {
    id: 'ScopeProbing', kind: 'count', threshold: 50, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: "Valid tokens denied a route for their scopes or claims (insufficient_scope, claim_mismatch): privilege probing",
  },
  jwksUnavailable: {
    id: 'JwksUnavailable', kind: 'count', threshold: 1, periodMinutes: 1, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: "The authorizer could not fetch an issuer's JWKS: that issuer's tokens fail with 500",
  },
  authorizerFailures: {
    id: 'AuthorizerFailures', kind: 'count', threshold: 5, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'Authorizations that failed with 500 (JWKS, API key lookup or internal error)',
  },
  authorizerThrottles: {
    id: 'AuthorizerThrottles', kind: 'count', threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'The authorizer function was throttled: callers get 5XX',
  },
  wafBlocked: {
    id: 'WafBlocked', kind: 'count', threshold: 1000, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'Requests the web ACL blocked (every rule)',
  },
  wafRateLimited: {
    id: 'WafRateLimited', kind: 'count', threshold: 100, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: "Requests the web ACL's rate-based rules answered 429 (per IP and per caller)",
  },
  serverErrorRate: {
    id: 'ServerErrorRate', kind: 'rate', threshold: 0.05, periodMinutes: 1, evaluationPeriods: 5, datapointsToAlarm: 3,
    description: 'Share of requests the API answered with 5XX',
  },
  apiLatencyP99: {
    id: 'ApiLatencyP99', kind: 'milliseconds', threshold: 2500, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 3,
    description: "The API's 99th percentile latency, milliseconds",
  },
  integrationErrors: {
    id: 'IntegrationErrors', kind: 'count', threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'Errors of a Lambda function behind the API',
  },
  integrationThrottles: {
    id: 'IntegrationThrottles', kind: 'count', threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'Throttles of a Lambda function behind the API',
  },
  tableThrottles: {
    id: 'TableThrottles', kind: 'count', threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'Read and write requests the table throttled',
  },
  tableSystemErrors: {
    id: 'TableSystemErrors', kind: 'count', threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'Table requests that failed with a DynamoDB system error',
  },
  undeliveredAlerts: {
    id: 'UndeliveredAlerts', kind: 'count', threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'Change alerts EventBridge could not publish to the topic, kept in the alert dead-letter queue',
  },
  quotaNearLimit: {
    id: 'QuotaNearLimit', kind: 'percent', threshold: 80, periodMinutes: 15, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: 'A client of a usage plan has used this share of its quota for the current period, percent',
  },
  quotaWatcherErrors: {
    id: 'QuotaWatcherErrors', kind: 'count', threshold: 1, periodMinutes: 15, evaluationPeriods: 1, datapointsToAlarm: 1,
    description: "The quota watcher failed to read a client's usage: the quota alarms are blind until it succeeds",
  },
};

/** An alarm as it will be created: its definition with the user's options applied. */
export interface ResolvedAlarm {
  readonly name: SecurityAlarmName;
  readonly id: string;
  readonly description: string;
  readonly threshold: number;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/**
 * CloudWatch evaluates at most one day of periods for a standard-resolution alarm.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
const MAX_EVALUATION_MINUTES = 24 * 60;

/**
 * The alarm `name` with `options` applied, or undefined when it is turned off. Checks the options, naming the prop
 * (`monitoring.alarms.<name>.<option>`), the rule and the value.
 */
export function resolveAlarm(scope: IConstruct, name: SecurityAlarmName, options: AlarmOptions = {}): ResolvedAlarm | undefined {
  const definition = SECURITY_ALARMS[name];
  if (options.enabled === false) return undefined;
  const prop = (option: string) => `'monitoring.alarms.${name}.${option}'`;
  const threshold = options.threshold ?? definition.threshold;
  if (!Token.isUnresolved(threshold)) {
    const [max, rule] = {
      count: [Number.MAX_SAFE_INTEGER, 'a number greater than 0'],
      rate: [1, 'a rate greater than 0 and at most 1'],
      milliseconds: [Number.MAX_SAFE_INTEGER, 'a number of milliseconds greater than 0'],
      percent: [100, 'a percentage greater than 0 and at most 100'],
    }[definition.kind] as [number, string];
    // A threshold of 0 would alarm on every quiet period: an alarm that always fires is as good as none.
    if (!Number.isFinite(threshold) || threshold <= 0 || threshold > max) {
      throw configError(scope, `${prop('threshold')} must be ${rule} (got ${threshold})`);
    }
  }
  const period = options.period ?? Duration.minutes(definition.periodMinutes);
  let minutes = definition.periodMinutes;
  if (!period.isUnresolved()) {
    const seconds = period.toSeconds();
    if (seconds < 60 || seconds % 60 !== 0) {
      throw configError(scope, `${prop('period')} must be a whole number of minutes (got ${seconds} seconds)`);
    }
    minutes = seconds / 60;
  }
  const evaluationPeriods = options.evaluationPeriods ?? definition.evaluationPeriods;
  if (!Token.isUnresolved(evaluationPeriods) && (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1
    || evaluationPeriods * minutes > MAX_EVALUATION_MINUTES)) {
    throw configError(scope, `${prop('evaluationPeriods')} must be a whole number from 1, with 'period' × 'evaluationPeriods' at most one day (got ${evaluationPeriods} of ${minutes} minutes)`);
  }
  // Setting only the number of periods means "all of them", as CloudWatch reads a missing datapointsToAlarm.
  const datapointsToAlarm = options.datapointsToAlarm
    ?? (options.evaluationPeriods !== undefined ? evaluationPeriods : definition.datapointsToAlarm);
  if (!Token.isUnresolved(datapointsToAlarm) && !Token.isUnresolved(evaluationPeriods)
    && (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods)) {
    throw configError(scope, `${prop('datapointsToAlarm')} must be a whole number from 1 to 'evaluationPeriods' (${evaluationPeriods}) (got ${datapointsToAlarm})`);
  }
  return { name, id: definition.id, description: definition.description, threshold, period, evaluationPeriods, datapointsToAlarm };
}
