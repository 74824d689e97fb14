import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The security metrics a SecureApi derives from its authorizer's decision log lines (`decision`, `reason`: see
 * lib/common/decision-reasons.ts), as CloudWatch Logs metric filters. Only fields the authorizer sets from a fixed
 * vocabulary become dimensions: a client id, issuer or principal would make one metric per value (CloudWatch Logs may
 * disable a filter that creates 1,000 dimension values in an hour) and could carry what a caller wrote into a token.
 * Top callers come from Contributor Insights rules instead ({@link contributorRules}).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html
 */

/** The metric of every decision, with dimensions `Decision` and `Reason`. */
export const DECISIONS_METRIC = 'Decisions';
/** Every 401 (decision `unauthorized`), without dimensions: what the rejected-tokens alarm sums. */
export const REJECTED_METRIC = 'RejectedTokens';
/** Every 403 (decision `deny`), without dimensions. */
export const DENIED_METRIC = 'DeniedRequests';
/** Every 500 of the authorizer (decision `error`), without dimensions. */
export const FAILURES_METRIC = 'AuthorizerFailures';

/** One metric filter on the authorizer's log group. */
export interface DecisionFilter {
  /** The construct id. */
  readonly id: string;
  readonly metricName: string;
  readonly filterPattern: logs.IFilterPattern;
  /** Dimension name → `$.field` of the log line. */
  readonly dimensions?: { [name: string]: string };
}

/** The metric filters of the authorizer's decisions. */
export function decisionFilters(): DecisionFilter[] {
  const decision = (value: string) => logs.FilterPattern.stringValue('$.decision', '=', value);
  return [
    {
      id: 'DecisionsFilter',
      metricName: DECISIONS_METRIC,
      filterPattern: logs.FilterPattern.all(logs.FilterPattern.exists('$.decision'), logs.FilterPattern.exists('$.reason')),
      dimensions: { Decision: '$.decision', Reason: '$.reason' },
    },
    { id: 'RejectedFilter', metricName: REJECTED_METRIC, filterPattern: decision('unauthorized') },
    { id: 'DeniedFilter', metricName: DENIED_METRIC, filterPattern: decision('deny') },
    { id: 'FailuresFilter', metricName: FAILURES_METRIC, filterPattern: decision('error') },
  ];
}

/** A Contributor Insights rule: the top contributors of a log group's matching lines. */
export interface ContributorRule {
  /** The construct id and the last part of the rule's name. */
  readonly id: string;
  readonly logGroup: 'access' | 'authorizer';
  /** The rule body without `LogGroupNames`. */
  readonly body: { [key: string]: unknown };
}

/**
 * The top-contributor rules: source IPs answered 401, 403 or 429 (from the API's access log, so it counts every
 * request, cached authorizer answers and WAF blocks included), and clients denied by the authorizer, by reason.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 */
export function contributorRules(): ContributorRule[] {
  const schema = { Name: 'CloudWatchLogRule', Version: 1 };
  return [
    {
      id: 'RejectedSourceIps',
      logGroup: 'access',
      body: {
        Schema: schema,
        LogFormat: 'JSON',
        // The access log writes `status` as a JSON string (lib/stage-settings.ts).
        Contribution: { Keys: ['$.sourceIp'], Filters: [{ Match: '$.status', In: ['401', '403', '429'] }] },
        AggregateOn: 'Count',
      },
    },
    {
      id: 'DeniedClients',
      logGroup: 'authorizer',
      body: {
        Schema: schema,
        LogFormat: 'JSON',
        Contribution: { Keys: ['$.clientId', '$.reason'], Filters: [{ Match: '$.decision', In: ['deny'] }] },
        AggregateOn: 'Count',
      },
    },
  ];
}
