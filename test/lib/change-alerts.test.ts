// Change alerts against CloudTrail records: the rules are synthesized from real constructs (their targets are
// tokens), the template's references are replaced by the identifiers of the resources in AWS's documented records,
// and the resolved patterns are run through an independent matcher (test/support/event-pattern.ts).
// Which records are AWS's and which are inferred: test/assets/cloudtrail/README.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Errors, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { ChangeAlerts, changeAlertDefinitions } from '../../lib/change-alerts';
import { Json, matchesEventPattern } from '../support/event-pattern';

const FIXTURES = path.join(__dirname, '..', 'assets', 'cloudtrail');

/** A fixture event, without its `_source`/`_inferred`/`_note` fields. */
function fixture(name: string): any {
  const raw = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('_')));
}

/** A deep copy of an event with `change` applied to its detail. */
function withDetail(event: any, change: (detail: any) => void): any {
  const copy = structuredClone(event);
  change(copy.detail);
  return copy;
}

// The identifiers of the resources named by the fixtures.
const DOC_KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const FIRST_TRAIL = 'arn:aws:cloudtrail:us-east-2:123456789012:trail/My-First-Trail';
const MY_TRAIL_2 = 'arn:aws:cloudtrail:us-east-2:123456789012:trail/myTrail2';
const STRATUS_TRAIL = 'arn:aws:cloudtrail:cn-northsouth-2r:958312252124:trail/stratus-red-team-ctes-trail-khlvciwdor';
const DOC_WEB_ACL = 'arn:aws:wafv2:us-west-2:112233445566:regional/webacl/foo/ebbcb976-8d59-4d20-8ca8-4ab2f6b7c07b';

/** What the template's references stand for. */
interface Identity {
  readonly keyArns: [string, string];
  readonly trailArn: string;
  readonly webAclArn: string;
  readonly ipSetArns: [string, string];
  readonly restApiId: string;
  readonly stageName: string;
  readonly tableName: string;
  readonly tableArn: string;
  readonly region: string;
  readonly partition: string;
}

/** The resources of the fixtures. */
const OURS: Identity = {
  keyArns: [DOC_KEY, 'arn:aws:kms:us-west-2:111122223333:key/5a5a5a5a-12ab-34cd-56ef-1234567890ab'],
  trailArn: FIRST_TRAIL,
  webAclArn: DOC_WEB_ACL,
  ipSetArns: [
    'arn:aws:wafv2:us-west-2:112233445566:regional/ipset/allow-list/1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b',
    'arn:aws:wafv2:us-west-2:112233445566:regional/ipset/deny-list/2a3b4c5d-6e7f-4081-9293-a4b5c6d7e8f9',
  ],
  restApiId: '3rbEXAMPLE',
  stageName: 'prod',
  tableName: 'Music',
  tableArn: 'arn:aws:dynamodb:us-west-2:111122223333:table/Music',
  region: 'us-west-2',
  partition: 'aws',
};

/** Other resources of the same kinds: the key of the documented external-key-store Decrypt, another trail, … */
const OTHERS: Identity = {
  keyArns: ['arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321', 'arn:aws:kms:us-west-2:111122223333:key/6b6b6b6b-12ab-34cd-56ef-1234567890ab'],
  trailArn: 'arn:aws:cloudtrail:us-east-2:123456789012:trail/Other-Trail',
  webAclArn: 'arn:aws:wafv2:us-west-2:112233445566:regional/webacl/foo/0f0f0f0f-8d59-4d20-8ca8-4ab2f6b7c07b',
  ipSetArns: [
    'arn:aws:wafv2:us-west-2:112233445566:regional/ipset/allow-list/3c3c3c3c-5b6a-4798-8a7b-6c5d4e3f2a1b',
    'arn:aws:wafv2:us-west-2:112233445566:regional/ipset/deny-list/4d4d4d4d-6e7f-4081-9293-a4b5c6d7e8f9',
  ],
  restApiId: 'a1b2c3d4e5',
  stageName: 'prod',
  tableName: 'Other',
  tableArn: 'arn:aws:dynamodb:us-west-2:111122223333:table/Other',
  region: 'us-west-2',
  partition: 'aws',
};

// A SecureApi-like stack: the real constructs whose tokens the alerts receive.
const stack = new Stack(new App(), 'AlertsStack');
const logKey = new kms.Key(stack, 'LogKey');
const tableKey = new kms.Key(stack, 'TableKey');
const trail = new cloudtrail.Trail(stack, 'Trail');
const visibilityConfig = { cloudWatchMetricsEnabled: true, metricName: 'm', sampledRequestsEnabled: true };
const allowSet = new wafv2.CfnIPSet(stack, 'AllowV4', { addresses: ['192.0.2.0/24'], ipAddressVersion: 'IPV4', scope: 'REGIONAL' });
const denySet = new wafv2.CfnIPSet(stack, 'DenyV4', { addresses: ['198.51.100.0/24'], ipAddressVersion: 'IPV4', scope: 'REGIONAL' });
const webAcl = new wafv2.CfnWebACL(stack, 'WebAcl', { defaultAction: { allow: {} }, scope: 'REGIONAL', visibilityConfig });
const api = new apigw.RestApi(stack, 'Api');
api.root.addMethod('GET', new apigw.MockIntegration());
const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
const topic = new sns.Topic(stack, 'Topic');
const alerts = new ChangeAlerts(stack, 'Alerts', {
  topic,
  keyArns: [logKey.keyArn, tableKey.keyArn],
  trail: { trailArn: trail.trailArn },
  webAcl: { webAclArn: webAcl.attrArn, ipSetArns: [allowSet.attrArn, denySet.attrArn] },
  api: { restApiId: api.restApiId, stageName: api.deploymentStage.stageName, stageArn: api.deploymentStage.stageArn },
  table: { tableName: table.tableName, tableArn: table.tableArn },
});
const template = Template.fromStack(stack);
const rules = template.findResources('AWS::Events::Rule') as Record<string, any>;
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);

/** The rule of an alert, from the template. */
function ruleOf(id: string): any {
  return rules[stack.getLogicalId(alerts.rules[id].node.defaultChild as any)];
}

/** Evaluates the template's intrinsic functions with the references standing for `identity`. */
function resolveCfn(value: unknown, identity: Identity): unknown {
  const refs: Record<string, string> = {
    'AWS::Partition': identity.partition,
    'AWS::Region': identity.region,
    [logicalId(api)]: identity.restApiId,
    [logicalId(api.deploymentStage)]: identity.stageName,
    [logicalId(table)]: identity.tableName,
  };
  const arns: Record<string, string> = {
    [logicalId(logKey)]: identity.keyArns[0],
    [logicalId(tableKey)]: identity.keyArns[1],
    [logicalId(trail)]: identity.trailArn,
    [stack.getLogicalId(webAcl)]: identity.webAclArn,
    [stack.getLogicalId(allowSet)]: identity.ipSetArns[0],
    [stack.getLogicalId(denySet)]: identity.ipSetArns[1],
    [logicalId(table)]: identity.tableArn,
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (typeof v !== 'object' || v === null) return v;
    const entries = Object.entries(v);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      const [fn, args] = entries[0] as [string, any];
      switch (fn) {
        case 'Ref':
          if (!(args in refs)) throw new Error(`no value for Ref ${args}`);
          return refs[args];
        case 'Fn::GetAtt':
          if (args[1] !== 'Arn' || !(args[0] in arns)) throw new Error(`no value for GetAtt ${args.join('.')}`);
          return arns[args[0]];
        case 'Fn::Join':
          return (resolve(args[1]) as string[]).join(args[0]);
        case 'Fn::Split':
          return (resolve(args[1]) as string).split(args[0]);
        case 'Fn::Select':
          return (resolve(args[1]) as string[])[args[0]];
        default:
          throw new Error(`intrinsic ${fn} is not resolved by this test`);
      }
    }
    return Object.fromEntries(entries.map(([key, sub]) => [key, resolve(sub)]));
  };
  return resolve(value);
}

/** The resolved patterns of the alerts, by identity (resolving is the slow part). */
const resolvedPatterns = new Map<string, Array<[string, unknown]>>();

/** The ids of the alerts whose resolved pattern matches the event. */
function alertsFiring(event: Json, identity: Identity = OURS): string[] {
  const key = JSON.stringify(identity);
  if (!resolvedPatterns.has(key)) {
    resolvedPatterns.set(key, alerts.definitions.map((d) => [d.id, resolveCfn(ruleOf(d.id).Properties.EventPattern, identity)]));
  }
  return resolvedPatterns.get(key)!.filter(([, pattern]) => matchesEventPattern(pattern, event)).map(([id]) => id);
}

/** Reads `$.a.b[0].c` from an event; undefined when a step is missing. */
function readPath(event: any, jsonPath: string): unknown {
  const steps = jsonPath.replace(/^\$\.?/, '').split('.').flatMap((step) => step.split(/\[(\d+)\]/).filter((s) => s !== ''));
  return steps.reduce((value: any, step) => (value === undefined || value === null ? undefined : value[step]), event);
}

/** The message the SNS target would get for the event, built as EventBridge builds it from the input transformer. */
function message(id: string, event: any, identity: Identity = OURS): string {
  const transformer = ruleOf(id).Properties.Targets[0].InputTransformer;
  const inputTemplate = resolveCfn(transformer.InputTemplate, identity) as string;
  const filled = inputTemplate.replace(/<([\w-]+)>/g, (_match, name: string) => String(readPath(event, transformer.InputPathsMap[name])));
  return JSON.parse(filled);
}

/** Each alert with the records of its kind, and which resources those records are about. */
const FIRES: Array<[string, string, Partial<Identity>?]> = [
  ['KeyDisabledOrScheduledForDeletion', 'kms-disable-key'],
  ['KeyDisabledOrScheduledForDeletion', 'kms-schedule-key-deletion'],
  ['KeyDisabledOrScheduledForDeletion', 'kms-delete-imported-key-material'],
  ['KeyPolicyChanged', 'kms-put-key-policy'],
  ['KeyRotationDisabled', 'kms-disable-key-rotation'],
  ['TrailStoppedOrDeleted', 'cloudtrail-stop-logging'],
  ['TrailStoppedOrDeleted', 'cloudtrail-delete-trail'],
  ['TrailSettingsChanged', 'cloudtrail-update-trail', { trailArn: MY_TRAIL_2 }],
  ['TrailSettingsChanged', 'cloudtrail-put-event-selectors', { trailArn: STRATUS_TRAIL }],
  ['WebAclChangedOrDeleted', 'wafv2-update-web-acl'],
  ['WebAclChangedOrDeleted', 'wafv2-delete-web-acl'],
  ['WebAclRemovedFromStage', 'wafv2-disassociate-web-acl'],
  ['WebAclRemovedFromStage', 'wafv2-associate-web-acl'],
  ['WebAclLoggingChanged', 'wafv2-delete-logging-configuration'],
  ['IpSetChangedOrDeleted', 'wafv2-update-ip-set'],
  ['IpSetChangedOrDeleted', 'wafv2-delete-ip-set'],
  ['ApiStageChanged', 'apigateway-update-stage'],
  ['ApiAuthorizerChanged', 'apigateway-delete-authorizer'],
  ['ApiDefinitionChanged', 'apigateway-update-rest-api'],
  ['TableDeletionProtectionDisabled', 'dynamodb-update-table-deletion-protection-off'],
  ['TableDeleted', 'dynamodb-delete-table'],
  ['TablePointInTimeRecoveryDisabled', 'dynamodb-update-continuous-backups-pitr-off'],
  ['TableResourcePolicyChanged', 'dynamodb-put-resource-policy'],
];

describe('ChangeAlerts rules', () => {
  test('one rule per definition, in the order of the definitions, each with a fixed id', () => {
    expect(Object.keys(alerts.rules)).toEqual(alerts.definitions.map((d) => d.id));
    expect(Object.keys(rules)).toHaveLength(alerts.definitions.length);
    expect(alerts.definitions.map((d) => d.id)).toEqual([
      'KeyDisabledOrScheduledForDeletion', 'KeyPolicyChanged', 'KeyRotationDisabled',
      'TrailStoppedOrDeleted', 'TrailSettingsChanged',
      'WebAclChangedOrDeleted', 'WebAclLoggingChanged', 'WebAclRemovedFromStage', 'IpSetChangedOrDeleted',
      'ApiStageChanged', 'ApiAuthorizerChanged', 'ApiDefinitionChanged',
      'TableDeletionProtectionDisabled', 'TableDeleted', 'TablePointInTimeRecoveryDisabled', 'TableResourcePolicyChanged',
    ]);
  });

  test.each(Object.keys(alerts.rules))('%s targets the topic with an input transformer and no role', (id) => {
    const rule = ruleOf(id);
    expect(rule.Properties.State).toBe('ENABLED');
    expect(rule.Properties.Targets).toHaveLength(1);
    const [target] = rule.Properties.Targets;
    expect(target.Arn).toEqual({ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) });
    expect(target).not.toHaveProperty('RoleArn');
    expect(target.InputTransformer.InputTemplate).toBeDefined();
  });

  test('EventBridge may publish to the topic through its resource policy', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }],
      PolicyDocument: { Statement: [{ Action: 'sns:Publish', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) } }] },
    });
  });

  // Event pattern size: 2,048 characters by default (an adjustable quota), counted on the deployed pattern.
  // @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
  test.each(Object.keys(alerts.rules))('%s fits the default event pattern size quota with realistic identifiers', (id) => {
    expect(JSON.stringify(resolveCfn(ruleOf(id).Properties.EventPattern, OURS)).length).toBeLessThanOrEqual(2048);
  });

  test('every alert has a record of its kind in the cases below', () => {
    expect([...new Set(FIRES.map(([id]) => id))].sort()).toEqual(alerts.definitions.map((d) => d.id).sort());
  });
});

describe.each(FIRES)('%s on %s', (id, name, resources) => {
  const event = fixture(name);
  const ours: Identity = { ...OURS, ...resources };

  test('fires for our resource, and no other alert fires', () => {
    expect(alertsFiring(event, ours)).toEqual([id]);
  });

  test('does not fire for the same event on another resource', () => {
    expect(alertsFiring(event, OTHERS)).toEqual([]);
  });

  test('does not fire when the call failed (errorCode set)', () => {
    const failed = withDetail(event, (detail) => { detail.errorCode = 'AccessDenied'; detail.errorMessage = 'User is not authorized'; });
    expect(alertsFiring(failed, ours)).toEqual([]);
  });

  test('the message reads fields the record has, and no request parameters', () => {
    const transformer = ruleOf(id).Properties.Targets[0].InputTransformer;
    for (const jsonPath of Object.values(transformer.InputPathsMap) as string[]) {
      expect(jsonPath).not.toMatch(/requestParameters|responseElements/);
      const value = readPath(event, jsonPath);
      expect({ jsonPath, type: typeof value }).toEqual({ jsonPath, type: 'string' });
    }
    const text = message(id, event, ours);
    const { detail } = event;
    for (const expected of [id, detail.eventName, detail.userIdentity.arn, detail.sourceIPAddress, event.account, event.region, event.time, detail.eventID]) {
      expect(text).toContain(expected);
    }
  });
});

describe('messages carry no policy text', () => {
  test.each([
    ['KeyPolicyChanged', 'kms-put-key-policy', (d: any) => d.requestParameters.policy],
    ['ApiDefinitionChanged', 'apigateway-update-rest-api', (d: any) => d.requestParameters.patchOperations[0].value],
    ['TableResourcePolicyChanged', 'dynamodb-put-resource-policy', (d: any) => d.requestParameters.policy],
  ])('%s on %s', (id, name, policyOf) => {
    const event = fixture(name);
    const text = message(id, event);
    expect(text).toContain(event.detail.eventID);
    expect(text).not.toContain(policyOf(event.detail));
    expect(text).not.toContain('Statement');
  });
});

describe('each event name of a definition fires it, on a record of its kind renamed', () => {
  const kind = new Map(FIRES.map(([id, name, resources]) => [id, { name, resources }]));
  const cases = alerts.definitions.flatMap((d) => d.eventNames.map((eventName) => [d.id, eventName] as [string, string]));
  test.each(cases)('%s: %s', (id, eventName) => {
    const { name, resources } = kind.get(id)!;
    const event = withDetail(fixture(name), (detail) => { detail.eventName = eventName; });
    // AssociateWebACL names the web ACL it associates; the others do not, so the stage record stands for both.
    if (eventName === 'DisassociateWebACL') delete event.detail.requestParameters.webACLArn;
    expect(alertsFiring(event, { ...OURS, ...resources })).toEqual([id]);
  });
});

describe('harmless events on our resources fire nothing', () => {
  test.each([
    ['kms-encrypt', {}],
    ['kms-decrypt', {}],
    ['cloudtrail-start-logging', {}],
    ['cloudtrail-update-trail-failed', { trailArn: MY_TRAIL_2 }],
    ['wafv2-get-web-acl', {}],
    ['apigateway-get-resource', {}],
    ['dynamodb-update-table-throughput', {}],
    ['dynamodb-update-table-deletion-protection-on', {}],
  ] as Array<[string, Partial<Identity>]>)('%s', (name, resources) => {
    expect(alertsFiring(fixture(name), { ...OURS, ...resources })).toEqual([]);
  });

  test('associating our own web ACL with the stage again', () => {
    const event = withDetail(fixture('wafv2-associate-web-acl'), (detail) => { detail.requestParameters.webACLArn = DOC_WEB_ACL; });
    expect(alertsFiring(event)).toEqual([]);
  });

  test('turning point-in-time recovery on', () => {
    const event = withDetail(fixture('dynamodb-update-continuous-backups-pitr-off'), (detail) => {
      detail.requestParameters.pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled = true;
    });
    expect(alertsFiring(event)).toEqual([]);
  });

  // The same records with the one thing that makes them harmless changed do fire: what the harmless ones miss is the
  // event name, the value or the success, not the resource.
  test.each([
    ['kms-encrypt', 'DisableKey', 'KeyDisabledOrScheduledForDeletion'],
    ['kms-decrypt', 'PutKeyPolicy', 'KeyPolicyChanged'],
    ['cloudtrail-start-logging', 'StopLogging', 'TrailStoppedOrDeleted'],
    ['apigateway-get-resource', 'DeleteResource', 'ApiDefinitionChanged'],
    // The documented UpdateTable names the table in responseElements only.
    ['dynamodb-update-table-throughput', 'DeleteTable', 'TableDeleted'],
  ])('%s renamed %s fires %s', (name, eventName, id) => {
    expect(alertsFiring(withDetail(fixture(name), (detail) => { detail.eventName = eventName; }))).toEqual([id]);
  });

  test('the failed UpdateTrail fires once it succeeds', () => {
    const event = withDetail(fixture('cloudtrail-update-trail-failed'), (detail) => { delete detail.errorCode; delete detail.errorMessage; });
    expect(alertsFiring(event, { ...OURS, trailArn: MY_TRAIL_2 })).toEqual(['TrailSettingsChanged']);
  });

  test('turning deletion protection on does not fire; the same record turning it off does', () => {
    const event = withDetail(fixture('dynamodb-update-table-deletion-protection-on'), (detail) => { detail.requestParameters.deletionProtectionEnabled = false; });
    expect(alertsFiring(event)).toEqual(['TableDeletionProtectionDisabled']);
  });
});

describe('the ways a request can name the resource', () => {
  test('a KMS request naming the key by alias is matched on the key ARN in resources', () => {
    const event = withDetail(fixture('kms-disable-key'), (detail) => { detail.requestParameters.keyId = 'alias/secure-api/logs'; });
    expect(alertsFiring(event)).toEqual(['KeyDisabledOrScheduledForDeletion']);
  });

  test('a KMS record without resources is matched on a key ARN in requestParameters.keyId', () => {
    const event = withDetail(fixture('kms-disable-key-rotation'), (detail) => { delete detail.resources; });
    expect(alertsFiring(event)).toEqual(['KeyRotationDisabled']);
  });

  test('the second key of the list is watched too', () => {
    expect(alertsFiring(fixture('kms-put-key-policy'), { ...OURS, keyArns: [OTHERS.keyArns[0], DOC_KEY] })).toEqual(['KeyPolicyChanged']);
  });

  test('StopLogging naming the trail by name instead of ARN', () => {
    const event = withDetail(fixture('cloudtrail-stop-logging'), (detail) => { detail.requestParameters.name = 'My-First-Trail'; });
    expect(alertsFiring(event)).toEqual(['TrailStoppedOrDeleted']);
  });

  test('PutEventSelectors naming the trail by ARN instead of name', () => {
    const event = withDetail(fixture('cloudtrail-put-event-selectors'), (detail) => { detail.requestParameters.trailName = STRATUS_TRAIL; });
    expect(alertsFiring(event, { ...OURS, trailArn: STRATUS_TRAIL })).toEqual(['TrailSettingsChanged']);
  });

  test('DeleteTable naming the table by ARN', () => {
    const event = withDetail(fixture('dynamodb-delete-table'), (detail) => {
      detail.requestParameters.tableName = OURS.tableArn;
      detail.responseElements = null;
    });
    expect(alertsFiring(event)).toEqual(['TableDeleted']);
  });

  test('the second IP set of the list is watched too', () => {
    const event = withDetail(fixture('wafv2-delete-ip-set'), (detail) => { detail.requestParameters.id = '2a3b4c5d-6e7f-4081-9293-a4b5c6d7e8f9'; });
    expect(alertsFiring(event)).toEqual(['IpSetChangedOrDeleted']);
  });

  test('an association whose record names the web ACL under another field alerts rather than passing', () => {
    const event = withDetail(fixture('wafv2-associate-web-acl'), (detail) => {
      detail.requestParameters.webAclArn = DOC_WEB_ACL;
      delete detail.requestParameters.webACLArn;
    });
    expect(alertsFiring(event)).toEqual(['WebAclRemovedFromStage']);
  });
});

describe('changeAlertDefinitions (the pure builder)', () => {
  const ids = (targets: Parameters<typeof changeAlertDefinitions>[0]) => changeAlertDefinitions(targets).map((d) => d.id);

  test('creates the alerts of the parts it is given only', () => {
    expect(ids({})).toEqual([]);
    expect(ids({ table: { tableName: 'Music' } })).toEqual(['TableDeletionProtectionDisabled', 'TableDeleted', 'TablePointInTimeRecoveryDisabled']);
    expect(ids({ table: { tableName: 'Music', tableArn: OURS.tableArn } })).toContain('TableResourcePolicyChanged');
    expect(ids({ webAcl: { webAclArn: DOC_WEB_ACL } })).toEqual(['WebAclChangedOrDeleted', 'WebAclLoggingChanged']);
    expect(ids({ keyArns: [] })).toEqual([]);
    expect(ids({ trail: { trailArn: FIRST_TRAIL } })).toEqual(['TrailStoppedOrDeleted', 'TrailSettingsChanged']);
  });

  test('takes the trail name, web ACL id and IP set ids from literal ARNs', () => {
    const definitions = changeAlertDefinitions({
      trail: { trailArn: FIRST_TRAIL },
      webAcl: { webAclArn: DOC_WEB_ACL, ipSetArns: [OURS.ipSetArns[0]] },
    });
    const detail = (id: string) => definitions.find((d) => d.id === id)!.eventPattern.detail!;
    expect(detail('TrailStoppedOrDeleted').requestParameters).toEqual({ name: ['My-First-Trail', FIRST_TRAIL] });
    expect(detail('WebAclChangedOrDeleted').$or[0]).toEqual({ requestParameters: { id: ['ebbcb976-8d59-4d20-8ca8-4ab2f6b7c07b'] } });
    expect(detail('IpSetChangedOrDeleted').$or[0]).toEqual({ requestParameters: { id: ['1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b'] } });
  });

  test('literal patterns match the records without CDK in between', () => {
    const definitions = changeAlertDefinitions({ trail: { trailArn: FIRST_TRAIL, trailName: 'My-First-Trail' }, keyArns: [DOC_KEY] });
    const firing = (event: Json) => definitions.filter((d) => matchesEventPattern(renderPattern(d.eventPattern), event)).map((d) => d.id);
    expect(firing(fixture('cloudtrail-delete-trail'))).toEqual(['TrailStoppedOrDeleted']);
    expect(firing(fixture('kms-schedule-key-deletion'))).toEqual(['KeyDisabledOrScheduledForDeletion']);
    expect(firing(fixture('kms-encrypt'))).toEqual([]);
  });

  test('every definition has a description of one line and lists its event names in its pattern', () => {
    for (const definition of alerts.definitions) {
      expect(definition.description).toMatch(/^[A-Z][^\n]+\.$/);
      expect(definition.eventPattern.detail!.eventName).toEqual(definition.eventNames);
    }
  });
});

describe('ChangeAlerts validation', () => {
  const newTopic = () => new sns.Topic(new Stack(new App(), 'S'), 'Topic');

  test('rejects props with nothing to watch', () => {
    const t = newTopic();
    expect(() => new ChangeAlerts(Stack.of(t), 'Alerts', { topic: t }))
      .toThrow(/ChangeAlerts at 'S\/Alerts': nothing to watch: set at least one of 'keyArns', 'trail', 'webAcl', 'api' or 'table'/);
  });

  test.each([
    ['keyArns', { keyArns: ['alias/secure-api/logs'] }, 'alias/secure-api/logs'],
    ['trail.trailArn', { trail: { trailArn: 'My-First-Trail' } }, 'My-First-Trail'],
    ['webAcl.webAclArn', { webAcl: { webAclArn: 'arn:aws:wafv2:us-west-2:112233445566:regional/ipset/foo/1' } }, 'arn:aws:wafv2:us-west-2:112233445566:regional/ipset/foo/1'],
    ['webAcl.ipSetArns', { webAcl: { webAclArn: DOC_WEB_ACL, ipSetArns: ['allow-list'] } }, 'allow-list'],
    ['table.tableArn', { table: { tableName: 'Music', tableArn: 'Music' } }, 'Music'],
  ])('rejects a literal %s that is not an ARN of its kind', (prop, props, value) => {
    const t = newTopic();
    let error: unknown;
    try {
      new ChangeAlerts(Stack.of(t), 'Alerts', { topic: t, ...props });
    } catch (e) {
      error = e;
    }
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toContain(`'${prop}' must be an ARN of the form`);
    expect((error as Error).message).toContain(`(got '${value}')`);
  });
});

/** An EventPattern as CloudFormation gets it (`detailType` → `detail-type`), for literal patterns. */
function renderPattern(pattern: events.EventPattern): Json {
  const { detailType, ...rest } = pattern;
  return { ...rest, ...(detailType ? { 'detail-type': detailType } : {}) } as Json;
}
