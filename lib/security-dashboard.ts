import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { SecurityMonitoring } from './security-monitoring';
import { DECISIONS_METRIC } from './security-signals';

/** What the dashboard shows. */
export interface SecurityDashboardSources {
  readonly monitoring: SecurityMonitoring;
  readonly api: apigw.RestApi;
  readonly authorizerFunction: lambda.IFunction;
  readonly accessLogGroup: logs.ILogGroup;
  readonly authorizerLogGroup: logs.ILogGroup;
  readonly table?: dynamodb.ITable;
  readonly functionRows: cloudwatch.IWidget[][];
  readonly quotaMetrics: cloudwatch.IMetric[];
  readonly alarms: cloudwatch.IAlarm[];
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The rows of the security and health dashboard: alarms, traffic and latency, the authorizer's decisions by reason,
 * WAF actions by rule, the top rejected source IPs and denied clients, the functions, the table and quota use.
 * Graphs by reason and by rule use SEARCH expressions, so a reason or rule appears once it has data.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-search-expressions.html
 */
export function securityDashboardRows(sources: SecurityDashboardSources): cloudwatch.IWidget[][] {
  const { monitoring, api } = sources;
  const stage = api.deploymentStage;
  const webAcl = monitoring.metricWafBlocked('ALL').dimensions?.WebACL;
  const search = (query: string, label: string) => new cloudwatch.MathExpression({
    expression: `SEARCH('${query}', 'Sum', ${FIVE_MINUTES.toSeconds()})`,
    label,
    period: FIVE_MINUTES,
  });
  const decisions = (decision: string) => search(
    `{${monitoring.metricNamespace},Decision,Reason} MetricName="${DECISIONS_METRIC}" Decision="${decision}"`, decision);
  const rows: cloudwatch.IWidget[][] = [
    [
      new cloudwatch.TextWidget({
        markdown: '# SecureApi security and health\nWhat each alarm means and what to do first: the SecureApi README, section "Runbook".',
        width: 24,
        height: 2,
      }),
    ],
    [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: sources.alarms, width: 24 })],
    [
      new cloudwatch.GraphWidget({
        title: 'Requests, 4XX and 5XX',
        left: [stage.metricCount({ statistic: 'Sum' }), stage.metricClientError({ statistic: 'Sum' }), stage.metricServerError({ statistic: 'Sum' })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Latency (ms)',
        left: [stage.metricLatency({ statistic: 'p50' }), stage.metricLatency({ statistic: 'p99' }), stage.metricIntegrationLatency({ statistic: 'p99' })],
        width: 12,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Authorizer: rejected (401) by reason',
        left: [decisions('unauthorized')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Authorizer: denied (403) by reason',
        left: [decisions('deny')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Authorizer: allowed, rejected, denied, failed',
        left: [
          monitoring.metricDecisions('allow', 'authorized', { label: 'allowed' }),
          monitoring.metricRejectedTokens({ label: 'rejected (401)' }),
          monitoring.metricDeniedRequests({ label: 'denied (403)' }),
          monitoring.metricAuthorizerFailures({ label: 'failed (500)' }),
        ],
        width: 8,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'WAF: allowed and blocked',
        left: [
          monitoring.metricWafAllowed('ALL', { label: 'allowed' }),
          monitoring.metricWafBlocked('ALL', { label: 'blocked' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'WAF: blocked by rule',
        left: [search(`{AWS/WAFV2,Region,Rule,WebACL} MetricName="BlockedRequests" WebACL="${webAcl}"`, 'blocked')],
        width: 12,
      }),
    ],
    [
      new cloudwatch.LogQueryWidget({
        title: 'Top source IPs answered 401, 403 or 429',
        logGroupNames: [sources.accessLogGroup.logGroupName],
        queryLines: [
          'fields sourceIp, status',
          'filter status in ["401", "403", "429"]',
          'stats count(*) as requests by sourceIp, status',
          'sort requests desc',
          'limit 20',
        ],
        width: 12,
      }),
      new cloudwatch.LogQueryWidget({
        title: 'Clients denied by the authorizer, by reason',
        logGroupNames: [sources.authorizerLogGroup.logGroupName],
        queryLines: [
          'fields clientId, reason',
          'filter decision = "deny"',
          'stats count(*) as denials by clientId, reason',
          'sort denials desc',
          'limit 20',
        ],
        width: 12,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Authorizer function: invocations, errors (401s included), throttles',
        left: [
          sources.authorizerFunction.metricInvocations({ statistic: 'Sum' }),
          sources.authorizerFunction.metricErrors({ statistic: 'Sum' }),
          sources.authorizerFunction.metricThrottles({ statistic: 'Sum' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Authorizer function: duration',
        left: [sources.authorizerFunction.metricDuration({ statistic: 'p99' }), sources.authorizerFunction.metricDuration({ statistic: 'p50' })],
        width: 12,
      }),
    ],
    ...sources.functionRows,
  ];
  const last: cloudwatch.IWidget[] = [];
  if (sources.table) {
    last.push(new cloudwatch.GraphWidget({
      title: 'Table: throttled reads and writes',
      left: [
        sources.table.metric('ReadThrottleEvents', { statistic: 'Sum' }),
        sources.table.metric('WriteThrottleEvents', { statistic: 'Sum' }),
      ],
      width: 12,
    }));
  }
  if (sources.quotaMetrics.length > 0) {
    last.push(new cloudwatch.GraphWidget({
      title: 'Usage plans: highest quota use of a client (%)',
      left: sources.quotaMetrics,
      leftYAxis: { min: 0, max: 100 },
      width: 12,
    }));
  }
  if (last.length > 0) rows.push(last);
  return rows;
}
