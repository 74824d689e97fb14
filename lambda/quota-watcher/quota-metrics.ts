/**
 * Publishes quota use as CloudWatch embedded metric format (EMF) documents through Powertools Metrics: one document
 * per client (dimensions `UsagePlan` and `Client`) and one per plan (dimension `UsagePlan`: its highest client).
 * CloudWatch Logs turns each document of the function's log into metric data, so the function needs no
 * `cloudwatch:PutMetricData` permission. Dimension values are the declared plan and client names only, so the number
 * of metrics is bounded by the configuration.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * @see https://docs.aws.amazon.com/powertools/typescript/latest/features/metrics/
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { QUOTA_DIMENSION, QUOTA_METRIC } from '../../lib/common/quota-watcher-config';
import type { QuotaWindow } from './quota-window';
import type { QuotaUse } from './usage';

/**
 * The watcher's Powertools Metrics: its namespace from `POWERTOOLS_METRICS_NAMESPACE`, and no default dimension.
 * Powertools adds a `service` dimension to every metric by default; the watcher's metrics have exactly the dimensions
 * it declares (`UsagePlan`, `Client`), which alarms name.
 */
export function createQuotaMetrics(): Metrics {
  const metrics = new Metrics();
  metrics.clearDefaultDimensions();
  return metrics;
}

/** The slice of Powertools Metrics the watcher uses. */
export type QuotaMetrics = Pick<Metrics, 'addDimension' | 'addMetric' | 'addMetadata' | 'publishStoredMetrics'>;

/** Publishes one client's use of its plan's quota over the current period. */
export function publishClientUse(metrics: QuotaMetrics, plan: string, client: string, use: QuotaUse, window: QuotaWindow): void {
  metrics.addDimension(QUOTA_DIMENSION.plan, plan);
  metrics.addDimension(QUOTA_DIMENSION.client, client);
  metrics.addMetric(QUOTA_METRIC.usedPercent, 'Percent', use.usedPercent);
  metrics.addMetric(QUOTA_METRIC.used, 'Count', use.used);
  // Metadata is part of the log document but not a metric: it costs nothing in CloudWatch and explains the values.
  metrics.addMetadata('periodStart', window.startDate);
  metrics.addMetadata('periodEnd', window.endDate);
  if (use.remaining !== undefined) metrics.addMetadata('remainingReported', String(use.remaining));
  metrics.publishStoredMetrics();
}

/**
 * Publishes a plan's quota use: the highest percentage among the clients that could be read. It is a lower bound
 * when some could not (`clientsMissing` > 0): an alarm on it can then miss a client, never fire for nothing.
 */
export function publishPlanUse(metrics: QuotaMetrics, plan: string, highestPercent: number, clientsMissing: number, window: QuotaWindow): void {
  metrics.addDimension(QUOTA_DIMENSION.plan, plan);
  metrics.addMetric(QUOTA_METRIC.usedPercent, 'Percent', highestPercent);
  metrics.addMetadata('periodStart', window.startDate);
  metrics.addMetadata('periodEnd', window.endDate);
  metrics.addMetadata('clientsMissing', String(clientsMissing));
  metrics.publishStoredMetrics();
}
