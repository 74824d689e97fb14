/**
 * The stack's metric filters against the authorizer's real log lines: every decision and reason code of the
 * vocabulary, printed by the real authorizer (test/support/decision-lines.ts), evaluated with the local run's
 * CloudWatch Logs filter pattern evaluator (local/filter-pattern.ts, written from the AWS docs, not from our patterns).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { compileMetricTransformation, matchesFilterPattern, MetricDatum, parseJsonLogEvent } from '../../local/filter-pattern';
import { DECISION_REASONS } from '../../lib/common/decision-reasons';
import { DecisionLine, realDecisionLines } from '../support/decision-lines';
import { synth } from './helpers';

let lines: DecisionLine[];

beforeAll(async () => {
  lines = await realDecisionLines();
}, 60_000);

const { template, api } = synth();

/** What every metric filter of the template emits for one printed log line. */
function emitted(t: Template, line: string): MetricDatum[] {
  const out: MetricDatum[] = [];
  for (const filter of Object.values(t.findResources('AWS::Logs::MetricFilter')) as any[]) {
    const matched = matchesFilterPattern(filter.Properties.FilterPattern, line);
    for (const transformation of filter.Properties.MetricTransformations) {
      const datum = compileMetricTransformation(transformation).apply(parseJsonLogEvent(line), matched);
      if (datum) out.push(datum);
    }
  }
  return out;
}

test('the real lines cover every decision and reason of the vocabulary', () => {
  const pairs = Object.entries(DECISION_REASONS).flatMap(([decision, reasons]) => reasons.map((r) => `${decision}/${r}`));
  expect(lines.map((l) => `${l.entry.decision}/${l.entry.reason}`).sort()).toEqual(pairs.sort());
});

test('each real decision line counts once in Decisions with its decision and reason, and once in its kind', () => {
  const namespace = api.monitoring.metricNamespace;
  const kindMetric: { [decision: string]: string[] } = {
    allow: [], deny: ['DeniedRequests'], unauthorized: ['RejectedTokens'], error: ['AuthorizerFailures'],
  };
  for (const { entry, line } of lines) {
    const data = emitted(template, line);
    expect([entry.reason, data]).toEqual([entry.reason, [
      { namespace, name: 'Decisions', value: 1, unit: 'Count', dimensions: { Decision: entry.decision, Reason: entry.reason } },
      ...kindMetric[entry.decision as string].map((name) => ({ namespace, name, value: 1, unit: 'Count', dimensions: {} })),
    ]]);
  }
});

test("the alarms on one reason receive that reason's real lines, and no other", () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
  // Every metric an alarm watches in the security namespace, as `name Decision/Reason`.
  const watched = new Set<string>();
  for (const alarm of alarms) {
    const metrics = alarm.Properties.MetricName ? [alarm.Properties]
      : alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => ({ ...m.MetricStat.Metric }));
    for (const m of metrics) {
      if (m.Namespace !== api.monitoring.metricNamespace) continue;
      const dims = Object.fromEntries((m.Dimensions ?? []).map((d: any) => [d.Name, d.Value]));
      watched.add(`${m.MetricName} ${dims.Decision ?? ''}/${dims.Reason ?? ''}`);
    }
  }
  const fedBy = (key: string) => lines.filter(({ line }) => emitted(template, line)
    .some((d) => `${d.name} ${d.dimensions.Decision ?? ''}/${d.dimensions.Reason ?? ''}` === key)).map((l) => `${l.entry.decision}/${l.entry.reason}`);
  expect(Object.fromEntries([...watched].sort().map((key) => [key, fedBy(key)]))).toEqual({
    'AuthorizerFailures /': ['error/jwks_unavailable', 'error/api_key_unavailable', 'error/internal_error'],
    'Decisions deny/claim_mismatch': ['deny/claim_mismatch'],
    'Decisions deny/insufficient_scope': ['deny/insufficient_scope'],
    'Decisions error/jwks_unavailable': ['error/jwks_unavailable'],
    'Decisions unauthorized/unknown_kid': ['unauthorized/unknown_kid'],
    'RejectedTokens /': lines.filter((l) => l.entry.decision === 'unauthorized').map((l) => `unauthorized/${l.entry.reason}`),
  });
});

test('lines that are not decisions feed no metric', () => {
  // The authorizer's other lines: a failed JWKS prefetch at init, and an invalid configuration.
  for (const line of [
    JSON.stringify({ level: 'WARN', message: 'JWKS prefetch failed; the verifier fetches it again on demand', service: 'secure-api-authorizer', issuer: 'https://issuer.example.com' }),
    JSON.stringify({ level: 'CRITICAL', message: 'invalid authorizer configuration', service: 'secure-api-authorizer', error: 'bad' }),
    'START RequestId: 8f5 Version: $LATEST',
  ]) {
    expect(emitted(template, line)).toEqual([]);
  }
});
