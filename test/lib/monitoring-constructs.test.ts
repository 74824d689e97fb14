/**
 * The README's cdk-monitoring-constructs example, run as written: the facade's alarms notify SecureApi's topic, and
 * `allowAlarmsNamed` lets exactly those alarm names publish to it.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecureApi } from '../../lib';
import { guideStack } from '../providers/support';
import { backend, MINIMAL } from './helpers';

test("the README's MonitoringFacade example alarms through SecureApi's topic, which lets in exactly its alarm names", () => {
  let api: SecureApi | undefined;
  const stack = guideStack('monitoring-constructs', (s) => {
    api = new SecureApi(s, 'Api', { ...MINIMAL, routes: { 'GET /things': { integration: backend(s), scopes: ['things:read'] } } });
    return { api };
  }, 'snippet');
  const template = Template.fromStack(stack);
  const topicRef = { Ref: stack.getLogicalId(api!.monitoring.topic.node.defaultChild as any) };
  const facadeAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .filter((a: any) => String(a.Properties.AlarmName).startsWith('orders-')) as any[];
  expect(facadeAlarms.length).toBeGreaterThan(0);
  for (const alarm of facadeAlarms) expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
  const allowed = Match.objectLike({
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Condition: {
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:123456789012:alarm:orders-*']] } },
    },
  });
  template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([allowed]) } });
  template.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([allowed]) } });
});

test('allowAlarmsNamed rejects a prefix with wildcards', () => {
  const stack = guideStack('monitoring-constructs', (s) => ({
    api: new SecureApi(s, 'Api', { ...MINIMAL, routes: { 'GET /things': { integration: backend(s), scopes: ['things:read'] } } }),
  }), 'snippet');
  const api = stack.node.findChild('Api') as SecureApi;
  expect(() => api.monitoring.allowAlarmsNamed('*')).toThrow("SecurityMonitoring at 'TestStack/Api/Monitoring': 'allowAlarmsNamed' needs an alarm name prefix of 1 to 200 characters without '*', '?' or spaces (got '*')");
});
