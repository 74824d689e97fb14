/**
 * The EMF documents the watcher writes through the real Powertools Metrics, parsed back as CloudWatch Logs reads them:
 * namespace, dimension sets, metric definitions and values.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { createQuotaMetrics, publishClientUse, publishPlanUse } from '../../../lambda/quota-watcher/quota-metrics';
import { watcherOutputPerTest } from './output';

const WINDOW = { startDate: '2024-02-01', endDate: '2024-02-29' };
const capture = watcherOutputPerTest();

test("a client's document: namespace, exactly the UsagePlan and Client dimensions, both metrics with their units", () => {
  const before = Date.now();
  publishClientUse(createQuotaMetrics(), 'gold', 'acme', { used: 400, usedPercent: 40, remaining: 600 }, WINDOW);
  const [doc, ...more] = capture().emf();
  expect(more).toEqual([]);
  expect(doc._aws.CloudWatchMetrics).toEqual([{
    Namespace: 'SecureApi/Orders',
    Dimensions: [['UsagePlan', 'Client']],
    Metrics: [{ Name: 'QuotaUsedPercent', Unit: 'Percent' }, { Name: 'QuotaUsed', Unit: 'Count' }],
  }]);
  expect(doc._aws.Timestamp).toBeGreaterThanOrEqual(before);
  expect(doc).toMatchObject({
    UsagePlan: 'gold', Client: 'acme', QuotaUsedPercent: 40, QuotaUsed: 400,
    periodStart: '2024-02-01', periodEnd: '2024-02-29', remainingReported: '600',
  });
  // No Powertools default `service` dimension: an alarm names exactly UsagePlan and Client.
  expect(doc).not.toHaveProperty('service');
});

test("a plan's document has the UsagePlan dimension alone and the highest client's percentage", () => {
  publishPlanUse(createQuotaMetrics(), 'gold', 97.5, 1, WINDOW);
  const [doc] = capture().emf();
  expect(doc._aws.CloudWatchMetrics).toEqual([{
    Namespace: 'SecureApi/Orders', Dimensions: [['UsagePlan']], Metrics: [{ Name: 'QuotaUsedPercent', Unit: 'Percent' }],
  }]);
  expect(doc).toMatchObject({ UsagePlan: 'gold', QuotaUsedPercent: 97.5, clientsMissing: '1' });
  expect(doc).not.toHaveProperty('Client');
});

test('one instance publishes one document per client: no dimension or metadata carries over', () => {
  const metrics = createQuotaMetrics();
  publishClientUse(metrics, 'gold', 'acme', { used: 1, usedPercent: 0.1, remaining: 999 }, WINDOW);
  publishClientUse(metrics, 'gold', 'globex', { used: 2, usedPercent: 0.2 }, WINDOW);
  publishPlanUse(metrics, 'gold', 0.2, 0, WINDOW);
  const docs = capture().emf();
  expect(docs.map((d) => [d.Client, d.QuotaUsed, d.QuotaUsedPercent])).toEqual([['acme', 1, 0.1], ['globex', 2, 0.2], [undefined, undefined, 0.2]]);
  expect(docs[1]).not.toHaveProperty('remainingReported');
  expect(docs[2]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['UsagePlan']]);
});
