/*
 * Monitoring controls, found by resource type so that they appear as soon as a template has them: CloudWatch
 * alarms, EventBridge rules, SNS topics, dashboards, metric filters and Contributor Insights rules.
 */
import { control, evidence } from './evidence';
import { Control } from './report-model';
import { describeValue, LocatedResource, resourcesOfType, StackTemplate } from './template';

function alarmSummary(alarm: LocatedResource): string {
  const p = alarm.properties;
  const name = describeValue(p.AlarmName ?? alarm.logicalId);
  const metric = Array.isArray(p.Metrics)
    ? `metric math over ${(p.Metrics as Array<{ MetricStat?: { Metric?: { Namespace?: unknown; MetricName?: unknown } } }>)
      .filter((m) => m.MetricStat).map((m) => `${describeValue(m.MetricStat!.Metric?.Namespace)}/${describeValue(m.MetricStat!.Metric?.MetricName)}`).join(', ')}`
    : `${describeValue(p.Namespace)}/${describeValue(p.MetricName)} ${describeValue(p.ExtendedStatistic ?? p.Statistic)}`;
  const actions = Array.isArray(p.AlarmActions) ? p.AlarmActions.length : 0;
  return `${name}: ${metric} ${describeValue(p.ComparisonOperator)} ${describeValue(p.Threshold)} for ${describeValue(p.EvaluationPeriods)} × ${describeValue(p.Period ?? '')} s; ${actions} alarm action${actions === 1 ? '' : 's'}`;
}

function ruleSummary(rule: LocatedResource): string {
  const pattern = (rule.properties.EventPattern ?? {}) as Record<string, unknown>;
  const detail = (pattern.detail ?? {}) as Record<string, unknown>;
  const parts = [
    pattern.source !== undefined ? `source ${describeValue(pattern.source)}` : undefined,
    pattern['detail-type'] !== undefined ? `detail-type ${describeValue(pattern['detail-type'])}` : undefined,
    detail.eventName !== undefined ? `eventName ${describeValue(detail.eventName)}` : undefined,
    rule.properties.ScheduleExpression !== undefined ? `schedule ${describeValue(rule.properties.ScheduleExpression)}` : undefined,
  ].filter((p) => p !== undefined);
  const targets = Array.isArray(rule.properties.Targets) ? rule.properties.Targets.length : 0;
  return `${describeValue(rule.properties.Name ?? rule.logicalId)}: ${parts.join(', ') || 'pattern'}; ${targets} target${targets === 1 ? '' : 's'}; ${describeValue(rule.properties.State ?? 'ENABLED')}`;
}

/** The monitoring controls of a template. */
export function monitoringControls(stack: StackTemplate): Control[] {
  const alarms = [
    ...resourcesOfType(stack, 'AWS::CloudWatch::Alarm').map((alarm) => evidence(alarm, 'Threshold', true, alarmSummary(alarm))),
    ...resourcesOfType(stack, 'AWS::CloudWatch::CompositeAlarm').map((alarm) => evidence(alarm, 'AlarmRule', true,
      `${describeValue(alarm.properties.AlarmName ?? alarm.logicalId)}: composite ${describeValue(alarm.properties.AlarmRule)}`)),
  ];
  return [
    control('monitoring.alarms', 'CloudWatch alarms', alarms, 'no CloudWatch alarm in this stack'),
    control('monitoring.event-rules', 'EventBridge rules', resourcesOfType(stack, 'AWS::Events::Rule').map((rule) =>
      evidence(rule, rule.properties.EventPattern !== undefined ? 'EventPattern' : 'ScheduleExpression', true, ruleSummary(rule))), 'no EventBridge rule in this stack'),
    control('monitoring.sns-topics', 'SNS topics encrypted with a KMS key', resourcesOfType(stack, 'AWS::SNS::Topic').map((topic) =>
      evidence(topic, 'KmsMasterKeyId', topic.properties.KmsMasterKeyId !== undefined,
        `${describeValue(topic.properties.TopicName ?? topic.logicalId)}: ${topic.properties.KmsMasterKeyId !== undefined ? `key ${describeValue(topic.properties.KmsMasterKeyId)}` : 'not encrypted with a KMS key'}`)),
    'no SNS topic in this stack'),
    control('monitoring.dashboards', 'CloudWatch dashboards', resourcesOfType(stack, 'AWS::CloudWatch::Dashboard').map((dashboard) =>
      evidence(dashboard, 'DashboardName', true, `dashboard ${describeValue(dashboard.properties.DashboardName ?? dashboard.logicalId)}`)), 'no dashboard in this stack'),
    control('monitoring.metric-filters', 'CloudWatch Logs metric filters', resourcesOfType(stack, 'AWS::Logs::MetricFilter').map((filter) => {
      const t = (Array.isArray(filter.properties.MetricTransformations) ? filter.properties.MetricTransformations[0] : {}) as { MetricNamespace?: unknown; MetricName?: unknown };
      return evidence(filter, 'FilterPattern', true, `${describeValue(filter.properties.FilterPattern)} → ${describeValue(t.MetricNamespace)}/${describeValue(t.MetricName)}`);
    }), 'no metric filter in this stack'),
    control('monitoring.contributor-insights', 'Contributor Insights rules', resourcesOfType(stack, 'AWS::CloudWatch::InsightRule').map((rule) =>
      evidence(rule, 'RuleState', rule.properties.RuleState !== 'DISABLED', `${describeValue(rule.properties.RuleName ?? rule.logicalId)}: ${describeValue(rule.properties.RuleState)}`)),
    'no Contributor Insights rule in this stack'),
  ];
}
