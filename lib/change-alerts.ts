import { Fn, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { configError } from './errors';

// Change alerts: EventBridge rules on the CloudTrail management events that weaken a control of the API.
//
// How the patterns are built, and why:
// - Every pattern is `source: aws.<service>`, `detail-type: AWS API Call via CloudTrail`, `detail.eventSource`,
//   `detail.eventName`, as each service's EventBridge reference page documents. CloudTrail delivers these events to
//   the default bus of the account and Region where the call was made, best effort, and only while a trail logs.
//   @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-kms.html (and events-ref-cloudtrail,
//   events-ref-wafv2, events-ref-apigateway, events-ref-dynamodb)
//   @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
// - The resource is matched inside `detail` (the CloudTrail record), never in the envelope's `resources`, which
//   CloudTrail events leave empty ("API calls with AWS CloudTrail do not include resource ARNs").
//   @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events.html
// - `detail.errorCode` must not exist: the alerts report changes that happened. CloudTrail records failed calls too,
//   with `errorCode`/`errorMessage` (a denied StopLogging is an attack signal, but not a weakened control: it is in
//   the trail, and alerting on it would tell the reader that logging stopped when it did not).
//   @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
// - Where a record can name the resource in more than one way, `$or` lists each way: an attacker picks the form the
//   alert does not watch. KMS requests name a key by id, ARN or alias, so the key is matched on the ARN CloudTrail
//   puts in `detail.resources[].ARN`; a trail is named by name or ARN; a DynamoDB table by name or ARN.
//   @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-disablekey.html
//   @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html
//   @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
// - Matching a field of the objects of an array (`detail.resources` → `{ "ARN": [...] }`) is Event Ruler's
//   documented array handling ("the array structure is crushed out"); Event Ruler is the matcher that powers
//   EventBridge. @see https://github.com/aws/event-ruler#json-array-matching
//   @see https://aws.amazon.com/blogs/opensource/open-sourcing-event-ruler/
// - Field names of records AWS publishes no sample for follow CloudTrail's rendering of request members, the first
//   letter lower-cased (`ResourceArn` → `resourceArn`, `ARN` → `aRN` in the documented WAF record); see
//   test/assets/cloudtrail/README.md for which records are documented and which are inferred.

const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/** The trail whose logging the alerts watch. */
export interface TrailAlertTarget {
  /** ARN of the trail (may be a token). */
  readonly trailArn: string;
  /**
   * Name of the trail: requests name a trail by name or by ARN, and the alerts match both.
   * @default - the part of `trailArn` after `:trail/`
   */
  readonly trailName?: string;
}

/** The WAF web ACL of the API, and its IP sets. */
export interface WebAclAlertTarget {
  /** ARN of the web ACL (`arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>`; may be a token). */
  readonly webAclArn: string;
  /**
   * ARNs of the IP sets the web ACL references (allow and deny lists).
   * @default - none: no IP set alert
   */
  readonly ipSetArns?: string[];
}

/** The REST API and its stage. */
export interface RestApiAlertTarget {
  /** Id of the REST API (`RestApi.restApiId`). */
  readonly restApiId: string;
  /** Name of the stage the web ACL protects. */
  readonly stageName: string;
  /** ARN of that stage, as the web ACL association names it (`Stage.stageArn`). */
  readonly stageArn: string;
}

/** The DynamoDB table of the API. */
export interface TableAlertTarget {
  /** Name of the table. */
  readonly tableName: string;
  /**
   * ARN of the table: DynamoDB requests may name the table by ARN, and resource-policy requests always do.
   * @default - the table is matched by name only, and there is no resource policy alert
   */
  readonly tableArn?: string;
}

/**
 * The resources whose weakening the alerts report. Each part is optional: the alerts of an absent part are not
 * created. Values may be unresolved tokens.
 */
export interface ChangeAlertTargets {
  /**
   * ARNs of the API's customer-managed KMS keys (log key, table key, trail key).
   * @default - no KMS alerts
   */
  readonly keyArns?: string[];
  /**
   * The trail that records the account.
   * @default - no CloudTrail alerts
   */
  readonly trail?: TrailAlertTarget;
  /**
   * The web ACL in front of the stage.
   * @default - no WAF alerts
   */
  readonly webAcl?: WebAclAlertTarget;
  /**
   * The REST API.
   * @default - no API Gateway alerts, and no alert on the web ACL leaving the stage
   */
  readonly api?: RestApiAlertTarget;
  /**
   * The DynamoDB table.
   * @default - no DynamoDB alerts
   */
  readonly table?: TableAlertTarget;
}

/** One change alert: an EventBridge pattern on CloudTrail management events, with what a match means. */
export interface ChangeAlertDefinition {
  /** Fixed PascalCase id: the construct id of its rule and its key in `ChangeAlerts.rules`. */
  readonly id: string;
  /** One line: what happened when the alert fires, in plain words. */
  readonly description: string;
  /** The CloudTrail event names (API actions) the alert can fire on. */
  readonly eventNames: string[];
  /**
   * Which resource the message names: plain words with target values and, where every record the pattern matches
   * carries it, a field of the event (`events.EventField`).
   */
  readonly subject: string;
  /** The EventBridge pattern. */
  readonly eventPattern: events.EventPattern;
}

/**
 * The change alerts for the given targets: KMS keys disabled, scheduled for deletion, re-policied or no longer
 * rotated; the trail stopped, deleted or reconfigured; the web ACL or its IP sets changed, deleted, unlogged or
 * taken off the stage; stages, authorizers, methods or the policy of the API changed; the table unprotected,
 * deleted, without point-in-time recovery or given a resource policy. A pure function: no construct is created.
 */
export function changeAlertDefinitions(targets: ChangeAlertTargets): ChangeAlertDefinition[] {
  return [
    ...keyAlerts(targets.keyArns ?? []),
    ...(targets.trail ? trailAlerts(targets.trail) : []),
    ...(targets.webAcl ? webAclAlerts(targets.webAcl, targets.api) : []),
    ...(targets.api ? apiAlerts(targets.api) : []),
    ...(targets.table ? tableAlerts(targets.table) : []),
  ];
}

function keyAlerts(keyArns: string[]): ChangeAlertDefinition[] {
  if (keyArns.length === 0) return [];
  // Every documented KMS record carries the key ARN in resources[]; requestParameters.keyId is matched too for the
  // calls that name the key by ARN, in case a record comes without resources.
  const key = { $or: [{ resources: { ARN: keyArns } }, { requestParameters: { keyId: keyArns } }] };
  const subject = `KMS key ${events.EventField.fromPath('$.detail.resources[0].ARN')}`;
  return [
    alert('KeyDisabledOrScheduledForDeletion', 'A KMS key of the API was disabled, scheduled for deletion or lost its imported key material: what it encrypts (table, logs, trail) can no longer be read.',
      'kms', ['DisableKey', 'ScheduleKeyDeletion', 'DeleteImportedKeyMaterial'], subject, key),
    alert('KeyPolicyChanged', 'The key policy of a KMS key of the API was replaced: who may use or manage the key may have changed.',
      'kms', ['PutKeyPolicy'], subject, key),
    alert('KeyRotationDisabled', 'Automatic rotation was turned off on a KMS key of the API.',
      'kms', ['DisableKeyRotation'], subject, key),
  ];
}

function trailAlerts(trail: TrailAlertTarget): ChangeAlertDefinition[] {
  const trailName = trail.trailName ?? Fn.select(1, Fn.split(':trail/', trail.trailArn));
  const names = [trailName, trail.trailArn];
  const subject = `trail ${trailName}`;
  return [
    alert('TrailStoppedOrDeleted', 'The CloudTrail trail of the API stopped logging or was deleted: API calls in the account are no longer recorded.',
      'cloudtrail', ['StopLogging', 'DeleteTrail'], subject, { requestParameters: { name: names } }),
    // PutEventSelectors names the trail in TrailName, the other actions in Name.
    // @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
    alert('TrailSettingsChanged', 'The CloudTrail trail of the API was reconfigured (its settings or event selectors): it may record less, or deliver elsewhere.',
      'cloudtrail', ['UpdateTrail', 'PutEventSelectors'], subject,
      { $or: [{ requestParameters: { name: names } }, { requestParameters: { trailName: names } }] }),
  ];
}

function webAclAlerts(webAcl: WebAclAlertTarget, api?: RestApiAlertTarget): ChangeAlertDefinition[] {
  const arn = webAcl.webAclArn;
  // The documented UpdateWebACL/DeleteWebACL records name the ACL by Name, Scope and Id; the id is unique.
  // @see https://docs.aws.amazon.com/waf/latest/developerguide/logging-using-cloudtrail.html
  const [name, id] = wafNameAndId(arn);
  const subject = `web ACL ${name}`;
  const definitions = [
    alert('WebAclChangedOrDeleted', 'The WAF web ACL of the API was updated or deleted: its rules may no longer protect the API.',
      'wafv2', ['UpdateWebACL', 'DeleteWebACL'], subject,
      { $or: [{ requestParameters: { id: [id] } }, { resources: { ARN: [arn] } }] }),
    // DeleteLoggingConfiguration takes ResourceArn, PutLoggingConfiguration a LoggingConfiguration with ResourceArn.
    // @see https://docs.aws.amazon.com/waf/latest/APIReference/API_DeleteLoggingConfiguration.html
    // @see https://docs.aws.amazon.com/waf/latest/APIReference/API_PutLoggingConfiguration.html
    alert('WebAclLoggingChanged', 'WAF logging of the web ACL of the API was changed or turned off.',
      'wafv2', ['DeleteLoggingConfiguration', 'PutLoggingConfiguration'], subject,
      { $or: [{ requestParameters: { resourceArn: [arn] } }, { requestParameters: { loggingConfiguration: { resourceArn: [arn] } } }] }),
  ];
  if (api) {
    // Another web ACL associated with the stage replaces this one. The record's field for it is inferred
    // (`webACLArn` from WebACLArn): if the field is not there under that name, every association alerts.
    // @see https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html
    // @see https://docs.aws.amazon.com/waf/latest/APIReference/API_DisassociateWebACL.html
    const stage = { resourceArn: [api.stageArn] };
    definitions.push(alert('WebAclRemovedFromStage', 'The WAF web ACL was removed from the API stage, or another web ACL replaced it.',
      'wafv2', ['DisassociateWebACL', 'AssociateWebACL'], `stage ${api.stageName} of REST API ${api.restApiId}`, {
        $or: [
          { eventName: ['DisassociateWebACL'], requestParameters: stage },
          { eventName: ['AssociateWebACL'], requestParameters: { ...stage, webACLArn: [{ 'anything-but': arn }] } },
          { eventName: ['AssociateWebACL'], requestParameters: { ...stage, webACLArn: [{ exists: false }] } },
        ],
      }));
  }
  const ipSetArns = webAcl.ipSetArns ?? [];
  if (ipSetArns.length > 0) {
    // UpdateIPSet and DeleteIPSet take Name, Scope, Id (and Addresses, LockToken), as the web ACL actions do.
    // @see https://docs.aws.amazon.com/waf/latest/APIReference/API_UpdateIPSet.html
    const ids = ipSetArns.map((ipSetArn) => wafNameAndId(ipSetArn)[1]);
    definitions.push(alert('IpSetChangedOrDeleted', 'An IP set of the web ACL of the API (an allow or deny list) was changed or deleted.',
      'wafv2', ['UpdateIPSet', 'DeleteIPSet'], `an IP set of ${subject}`,
      { $or: [{ requestParameters: { id: ids } }, { resources: { ARN: ipSetArns } }] }));
  }
  return definitions;
}

function apiAlerts(api: RestApiAlertTarget): ChangeAlertDefinition[] {
  // REST API (v1) records carry the path parameter restApiId; HTTP APIs (v2) share the event source and some event
  // names but say apiId, so they do not match. @see https://docs.aws.amazon.com/apigateway/latest/developerguide/cloudtrail.html
  const restApi = { requestParameters: { restApiId: [api.restApiId] } };
  const subject = `REST API ${api.restApiId}`;
  return [
    // A new stage has no web ACL, logging or throttling of its own; an update can change them or the deployment.
    alert('ApiStageChanged', 'A stage of the API was created, updated or deleted: a new stage has no web ACL, and an update can change logging, throttling or the deployed version.',
      'apigateway', ['CreateStage', 'UpdateStage', 'DeleteStage'], subject, restApi),
    alert('ApiAuthorizerChanged', 'An authorizer of the API was updated or deleted.',
      'apigateway', ['UpdateAuthorizer', 'DeleteAuthorizer'], subject, restApi),
    // The resource policy is part of the RestApi (UpdateRestApi patches /policy; PutRestApi overwrites everything).
    // CreateDeployment is left out: it deploys the definition as it is, and changing that definition alerts here.
    alert('ApiDefinitionChanged', 'The API\'s methods, integrations, resources or resource policy were changed, or the API was deleted.',
      'apigateway', ['UpdateRestApi', 'PutRestApi', 'DeleteRestApi', 'PutMethod', 'UpdateMethod', 'DeleteMethod',
        'PutIntegration', 'UpdateIntegration', 'DeleteIntegration', 'UpdateResource', 'DeleteResource'], subject, restApi),
  ];
}

function tableAlerts(table: TableAlertTarget): ChangeAlertDefinition[] {
  const names = table.tableArn ? [table.tableName, table.tableArn] : [table.tableName];
  // The documented UpdateTable record names the table only in responseElements.tableDescription.tableName.
  // @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/understanding-ddb-log-entries.html
  const identity: object[] = [
    { requestParameters: { tableName: names } },
    { responseElements: { tableDescription: { tableName: [table.tableName] } } },
    ...(table.tableArn ? [{ resources: { ARN: [table.tableArn] } }] : []),
  ];
  const subject = `DynamoDB table ${table.tableName}`;
  const definitions = [
    // @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html (DeletionProtectionEnabled)
    alert('TableDeletionProtectionDisabled', 'Deletion protection was turned off on the DynamoDB table of the API.',
      'dynamodb', ['UpdateTable'], subject, { $or: identity, requestParameters: { deletionProtectionEnabled: [false] } }),
    alert('TableDeleted', 'The DynamoDB table of the API was deleted.',
      'dynamodb', ['DeleteTable'], subject, { $or: identity }),
    // @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
    alert('TablePointInTimeRecoveryDisabled', 'Point-in-time recovery was turned off on the DynamoDB table of the API.',
      'dynamodb', ['UpdateContinuousBackups'], subject,
      { $or: identity, requestParameters: { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: [false] } } }),
  ];
  if (table.tableArn) {
    // A resource policy can grant other accounts access to the table. @see
    // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
    definitions.push(alert('TableResourcePolicyChanged', 'A resource policy was put on the DynamoDB table of the API or removed from it: who may read or write the table may have changed.',
      'dynamodb', ['PutResourcePolicy', 'DeleteResourcePolicy'], subject,
      { $or: [{ requestParameters: { resourceArn: [table.tableArn] } }, { resources: { ARN: [table.tableArn] } }] }));
  }
  return definitions;
}

/** A definition on successful calls of `eventNames` to `service`, with `match` inside `detail`. */
function alert(id: string, description: string, service: string, eventNames: string[], subject: string,
  match: { [key: string]: unknown }): ChangeAlertDefinition {
  return {
    id,
    description,
    eventNames,
    subject,
    eventPattern: {
      source: [`aws.${service}`],
      detailType: [CLOUDTRAIL_API_CALL],
      detail: {
        eventSource: [`${service}.amazonaws.com`],
        // A definition whose `$or` branches name their own events keeps this list as the union of them.
        eventName: eventNames,
        errorCode: [{ exists: false }],
        ...match,
      },
    },
  };
}

/** Name and id of a WAFv2 resource from its ARN (`…:regional/<webacl|ipset>/<name>/<id>`), for literals and tokens. */
function wafNameAndId(arn: string): [string, string] {
  if (!Token.isUnresolved(arn)) {
    const parts = arn.split('/');
    return [parts[parts.length - 2], parts[parts.length - 1]];
  }
  const parts = Fn.split('/', arn, 4);
  return [parts[2], parts[3]];
}

/** Properties of `ChangeAlerts`. */
export interface ChangeAlertsProps extends ChangeAlertTargets {
  /**
   * The topic the alerts publish to. EventBridge publishes with the topic's resource policy (which `SnsTopic`
   * targets add), never with a role: a role on an SNS target breaks delivery to KMS-encrypted topics. A topic
   * encrypted with a customer-managed key must let `events.amazonaws.com` use that key.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
   */
  readonly topic: sns.ITopic;
  /**
   * Where EventBridge puts an alert it could not publish (the topic deleted, its policy or key changed), so that a
   * broken notification path loses nothing. An encrypted queue's key must let `events.amazonaws.com` use it.
   * @default - none: an alert EventBridge cannot deliver after its retries is dropped
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * EventBridge rules that publish to an SNS topic when a control of the API is weakened through the AWS API: one
 * rule per `ChangeAlertDefinition` (see `changeAlertDefinitions`), on the default event bus of the stack's account
 * and Region. The message says in plain words what changed, who changed it (`userIdentity.arn`), from where
 * (`sourceIPAddress`), with which call, in which account and Region and when; it carries no request parameters.
 *
 * CloudTrail delivers these events only while a trail logs, best effort, in the Region of the call: the trail's
 * own actions must be called in its home Region, so the rules of a stack in another Region do not see them.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 */
export class ChangeAlerts extends Construct {
  /** The alert definitions the rules implement, in order. */
  public readonly definitions: ChangeAlertDefinition[];
  /** The rules, by definition id. */
  public readonly rules: { [id: string]: events.Rule } = {};

  constructor(scope: Construct, id: string, props: ChangeAlertsProps) {
    super(scope, id);
    validateTargets(this, props);
    this.definitions = changeAlertDefinitions(props);
    if (this.definitions.length === 0) {
      throw configError(this, 'nothing to watch: set at least one of \'keyArns\', \'trail\', \'webAcl\', \'api\' or \'table\'');
    }
    for (const definition of this.definitions) {
      const rule = new events.Rule(this, definition.id, {
        description: `SecureApi change alert: ${definition.description}`,
        eventPattern: definition.eventPattern,
      });
      rule.addTarget(new targets.SnsTopic(props.topic, { message: alertMessage(definition), deadLetterQueue: props.deadLetterQueue }));
      this.rules[definition.id] = rule;
    }
  }
}

/** ARN shapes the patterns take names and ids from; unresolved tokens are not checked. */
const ARN_SHAPES: Array<[string, RegExp, string]> = [
  ['keyArns', /^arn:[\w-]+:kms:[\w-]+:\d{12}:key\/[\w-]+$/, 'arn:<partition>:kms:<region>:<account>:key/<key id>'],
  ['trail.trailArn', /^arn:[\w-]+:cloudtrail:[\w-]+:\d{12}:trail\/[\w.-]+$/, 'arn:<partition>:cloudtrail:<region>:<account>:trail/<name>'],
  ['webAcl.webAclArn', /^arn:[\w-]+:wafv2:[\w-]+:\d{12}:(regional|global)\/webacl\/[\w-]+\/[\w-]+$/, 'arn:<partition>:wafv2:<region>:<account>:regional/webacl/<name>/<id>'],
  ['webAcl.ipSetArns', /^arn:[\w-]+:wafv2:[\w-]+:\d{12}:(regional|global)\/ipset\/[\w-]+\/[\w-]+$/, 'arn:<partition>:wafv2:<region>:<account>:regional/ipset/<name>/<id>'],
  ['table.tableArn', /^arn:[\w-]+:dynamodb:[\w-]+:\d{12}:table\/[\w.-]+$/, 'arn:<partition>:dynamodb:<region>:<account>:table/<name>'],
];

function validateTargets(scope: Construct, props: ChangeAlertTargets): void {
  const values: { [prop: string]: Array<string | undefined> } = {
    'keyArns': props.keyArns ?? [],
    'trail.trailArn': [props.trail?.trailArn],
    'webAcl.webAclArn': [props.webAcl?.webAclArn],
    'webAcl.ipSetArns': props.webAcl?.ipSetArns ?? [],
    'table.tableArn': [props.table?.tableArn],
  };
  for (const [prop, shape, form] of ARN_SHAPES) {
    for (const value of values[prop]) {
      if (value !== undefined && !Token.isUnresolved(value) && !shape.test(value)) {
        throw configError(scope, `'${prop}' must be an ARN of the form ${form} (got '${value}')`);
      }
    }
  }
}

/**
 * The SNS message of an alert. Only envelope fields and CloudTrail fields that every record has are read: an input
 * path missing from the event is left out of the message, and EventBridge inserts values unescaped, so nothing a
 * caller chooses freely (user agent, request parameters) goes in.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
function alertMessage(definition: ChangeAlertDefinition): events.RuleTargetInput {
  const field = (path: string) => events.EventField.fromPath(path);
  return events.RuleTargetInput.fromText([
    `SecureApi change alert ${definition.id}: ${definition.description}`,
    `Changed: ${definition.subject}.`,
    `Call: ${field('$.detail.eventName')} by ${field('$.detail.userIdentity.arn')} from ${field('$.detail.sourceIPAddress')},`,
    `account ${events.EventField.account}, Region ${events.EventField.region}, at ${events.EventField.time}`,
    `(CloudTrail event ${field('$.detail.eventID')}).`,
  ].join(' '));
}
