/*
 * The list prices the security report's cost estimate uses: us-east-1, USD, without free tiers, savings plans or
 * volume tiers beyond the first. Each figure carries the page it was read from and the day it was read. The pages are
 * stored copies of public pages found with a search tool, not the live pages: AWS's own pricing pages render most of
 * their rates with scripts, so several rates here come from third-party pages that quote them. Those carry
 * `fromAwsPage: false` and the report marks them. Re-check every figure on the AWS page before quoting a number.
 */

/** One list price. */
export interface Price {
  /** Key the estimate uses. */
  readonly id: string;
  /** What is charged, in words. */
  readonly item: string;
  /** USD per `unit`. */
  readonly usd: number;
  /** The unit the price is for. */
  readonly unit: string;
  /** Where the figure was read. */
  readonly source: string;
  /** The day the source was read (stored copy, see above). */
  readonly read: string;
  /** Whether the source is an AWS page (aws.amazon.com, docs.aws.amazon.com, an AWS-authored guide). */
  readonly fromAwsPage: boolean;
  /** Anything the reader must know about the figure. */
  readonly note?: string;
}

const READ = '2026-12-02';

const PRICE_LIST = [
  {
    id: 'apigw.rest.requests', item: 'API Gateway REST API calls (first 333 million a month)', usd: 3.5, unit: 'million requests',
    source: 'https://docs.aws.amazon.com/pt_br/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    read: READ, fromAwsPage: true,
    note: 'AWS whitepaper table "REST and HTTP API pricing"; the live page https://aws.amazon.com/api-gateway/pricing/ renders its rates with scripts. Usage plans, API keys, authorizers and validators have no charge of their own ("you pay only for the API calls you receive and the amount of data transferred out", same page).',
  },
  {
    id: 'waf.webAcl', item: 'AWS WAF web ACL', usd: 5, unit: 'web ACL-month',
    source: 'https://c3x.dev/blog/aws-waf-cost-explained/', read: READ, fromAwsPage: false,
    note: 'AWS page https://aws.amazon.com/waf/pricing/ (rates rendered by script, not readable in the stored copy).',
  },
  {
    id: 'waf.rule', item: 'AWS WAF rule (a managed rule group counts as one rule)', usd: 1, unit: 'rule-month',
    source: 'https://c3x.dev/blog/aws-waf-cost-explained/', read: READ, fromAwsPage: false,
    note: 'That a rule group bills as one rule: AWS-authored guide https://aws.github.io/aws-security-services-best-practices/guides/waf/waf-cost/docs/. Paid groups (Bot Control, ATP, ACFP) add their own fees, not included.',
  },
  {
    id: 'waf.requests', item: 'AWS WAF requests inspected', usd: 0.6, unit: 'million requests',
    source: 'https://c3x.dev/blog/aws-waf-cost-explained/', read: READ, fromAwsPage: false,
  },
  {
    id: 'lambda.requests', item: 'Lambda invocations', usd: 0.2, unit: 'million requests',
    source: 'https://git.mcrn.ar/mariano/lambda_local_runner/src/branch/main/docs/lambdas-md/lambda-13-cost.md', read: READ, fromAwsPage: false,
    note: 'AWS page https://aws.amazon.com/lambda/pricing/ (rates rendered by script).',
  },
  {
    id: 'lambda.duration.arm64', item: 'Lambda duration, arm64', usd: 0.0000133334, unit: 'GB-second',
    source: 'https://git.mcrn.ar/mariano/lambda_local_runner/src/branch/main/docs/lambdas-md/lambda-13-cost.md', read: READ, fromAwsPage: false,
  },
  {
    id: 'lambda.duration.x86_64', item: 'Lambda duration, x86_64', usd: 0.0000166667, unit: 'GB-second',
    source: 'https://git.mcrn.ar/mariano/lambda_local_runner/src/branch/main/docs/lambdas-md/lambda-13-cost.md', read: READ, fromAwsPage: false,
  },
  {
    id: 'logs.ingestion', item: 'CloudWatch Logs ingestion (standard class)', usd: 0.5, unit: 'GB',
    source: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization', read: READ, fromAwsPage: false,
    note: 'WAF logs are vended logs, whose first tier is assumed to be the same rate (unconfirmed). Storage ($0.03/GB-month, same source) is not estimated: it depends on the retention and compression.',
  },
  {
    id: 'cloudtrail.dataEvents', item: 'CloudTrail data events', usd: 0.1, unit: '100,000 events',
    source: 'https://aws.amazon.com/cloudtrail/pricing/', read: READ, fromAwsPage: true,
  },
  {
    id: 'cloudtrail.managementEvents', item: 'CloudTrail trail, first copy of management events', usd: 0, unit: 'trail-month',
    source: 'https://aws.amazon.com/cloudtrail/pricing/', read: READ, fromAwsPage: true,
    note: 'Free for the first trail that records them in a Region; a second copy costs $2.00 per 100,000 events (same page).',
  },
  {
    id: 'kms.key', item: 'KMS customer managed key', usd: 1, unit: 'key-month',
    source: 'https://aws.amazon.com/kms/pricing/', read: READ, fromAwsPage: true,
    note: 'With automatic rotation, each newly generated backing key costs an additional $1/month (same page): a key rotated yearly costs $2/month in its second year.',
  },
  {
    id: 'kms.requests', item: 'KMS requests (symmetric)', usd: 0.03, unit: '10,000 requests',
    source: 'https://www.wring.co/blog/aws-kms-pricing-guide', read: READ, fromAwsPage: false,
  },
  {
    id: 'dynamodb.write', item: 'DynamoDB on-demand write request units', usd: 0.625, unit: 'million WRU',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing', read: READ, fromAwsPage: false,
    note: 'After the November 2024 on-demand price reduction (AWS News Blog, updated January 2025: https://aws.amazon.com/blogs/aws/amazon-dynamodb-on-demand-no-capacity-planning-and-pay-per-request-pricing/); the rate itself was not read on an AWS page.',
  },
  {
    id: 'dynamodb.read', item: 'DynamoDB on-demand read request units', usd: 0.125, unit: 'million RRU',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing', read: READ, fromAwsPage: false,
  },
  {
    id: 'xray.traces', item: 'X-Ray traces recorded', usd: 5, unit: 'million traces',
    source: 'https://aws.amazon.com/cn/xray/pricing/', read: READ, fromAwsPage: true,
    note: 'The page\'s example charges 0.000005 USD per recorded trace.',
  },
  {
    id: 'cloudwatch.alarm.standard', item: 'CloudWatch alarm metric, standard resolution', usd: 0.1, unit: 'alarm metric-month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm', read: READ, fromAwsPage: false,
    note: 'AWS page https://aws.amazon.com/cloudwatch/pricing/ (paid tier rendered by script; its free tier lists 10 alarm metrics).',
  },
  {
    id: 'cloudwatch.alarm.highResolution', item: 'CloudWatch alarm metric, high resolution', usd: 0.3, unit: 'alarm metric-month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm', read: READ, fromAwsPage: false,
  },
  {
    id: 'cloudwatch.alarm.composite', item: 'CloudWatch composite alarm', usd: 0.5, unit: 'alarm-month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm', read: READ, fromAwsPage: false,
  },
  {
    id: 'cloudwatch.dashboard', item: 'CloudWatch dashboard', usd: 3, unit: 'dashboard-month',
    source: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/', read: READ, fromAwsPage: false,
    note: 'The first 3 dashboards of an account (up to 50 metrics each) are free: https://aws.amazon.com/cloudwatch/pricing/.',
  },
  {
    id: 'cloudwatch.customMetric', item: 'CloudWatch custom metric (first 10,000)', usd: 0.3, unit: 'metric-month',
    source: 'https://signoz.io/guides/cloudwatch-pricing', read: READ, fromAwsPage: false,
    note: 'A metric filter has no charge of its own (unconfirmed); each metric it emits, per distinct dimension values, is a custom metric.',
  },
  {
    id: 'cloudwatch.contributorInsights.rule', item: 'Contributor Insights rule (CloudWatch Logs)', usd: 0.5, unit: 'rule-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/', read: READ, fromAwsPage: false,
    note: 'UNCONFIRMED: read on no page. The AWS page showed only the free tier (1 rule and the first 1 million matched log events a month); this is the commonly quoted rate, to check there.',
  },
  {
    id: 'cloudwatch.contributorInsights.events', item: 'Contributor Insights matched log events', usd: 0.02, unit: 'million events',
    source: 'https://aws.amazon.com/cloudwatch/pricing/', read: READ, fromAwsPage: false,
    note: 'UNCONFIRMED, as the rule rate.',
  },
  {
    id: 'eventbridge.awsServiceEvents', item: 'EventBridge rules on AWS service events (default bus)', usd: 0, unit: 'rule-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/', read: READ, fromAwsPage: true,
    note: '"All events except custom events are included".',
  },
  {
    id: 'sns.topic', item: 'SNS topic', usd: 0, unit: 'topic-month',
    source: 'https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/', read: READ, fromAwsPage: false,
    note: 'No charge per topic; publishes ($0.50 per million) and deliveries (email $2.00 per 100,000) are charged, and are not estimated here.',
  },
] as const satisfies readonly Price[];

/** The id of a price in the table. */
export type PriceId = (typeof PRICE_LIST)[number]['id'];

/** Every price, in table order. */
export const PRICES: readonly Price[] = PRICE_LIST;

/** The price with this id. */
export function price(id: PriceId): Price {
  return PRICES.find((p) => p.id === id)!;
}
