import { CustomResource, Duration, FeatureFlags, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { AuditTrail } from './audit-trail';
import { bundledCode, SecureFunction, SecureFunctionCaller } from './secure-function';

/*
 * Resources that exist once per account and region, or once per stack, and that every SecureApi there shares:
 * API Gateway's account-wide CloudWatch Logs role, and the audit trail.
 */

/** One `AWS::ApiGateway::Account` per account and region of an app, by the root of the construct tree. */
const accountLoggingByApp = new WeakMap<IConstruct, Map<string, apigw.CfnAccount>>();

/** Construct id of the shared account logging settings, a child of the stack that holds them. */
const ACCOUNT_LOGGING_ID = 'SecureApiAccountLogging';
/** Construct id of the stack's account logging check. */
const ACCOUNT_LOGGING_CHECK_ID = 'SecureApiAccountLoggingCheck';
/** Construct id of the stack's shared trail. */
const SHARED_TRAIL_ID = 'SecureApiAuditTrail';

/** Whether SecureApi sets the account's CloudWatch role by default: CDK's own default for RestApi, by feature flag. */
export function cloudWatchRoleByDefault(scope: IConstruct): boolean {
  return !FeatureFlags.of(scope).isEnabled(cxapi.APIGATEWAY_DISABLE_CLOUDWATCH_ROLE);
}

/**
 * API Gateway's account-wide CloudWatch Logs settings (the role it writes execution logs with), created once per
 * account and region of the app, in the stack of the first SecureApi there, and retained on deletion: other APIs of
 * the account keep logging. A stage that logs must depend on it, across stacks too (CDK then orders the stacks).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 */
export function accountLogging(scope: IConstruct): apigw.CfnAccount {
  const stack = Stack.of(scope);
  const envKey = `${stack.account}/${stack.region}`;
  let byEnv = accountLoggingByApp.get(stack.node.root);
  if (!byEnv) {
    byEnv = new Map();
    accountLoggingByApp.set(stack.node.root, byEnv);
  }
  const existing = byEnv.get(envKey);
  if (existing) return existing;

  const holder = new Construct(stack, ACCOUNT_LOGGING_ID);
  const role = new iam.Role(holder, 'CloudWatchRole', {
    description: 'API Gateway account-wide role that writes execution and access logs to CloudWatch Logs (shared by every API of the account and region)',
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
  });
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason: "API Gateway's account-wide logging role uses the AWS-maintained policy that API Gateway documents for it; it only allows writing to CloudWatch Logs.",
  });
  const account = new apigw.CfnAccount(holder, 'Account', { cloudWatchRoleArn: role.roleArn });
  account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  byEnv.set(envKey, account);
  return account;
}

/** Settings of the function of the account logging check, from the SecureApi that creates it. */
export interface AccountLoggingCheckOptions {
  /** Key of the function's log group. */
  readonly logKey: kms.IKey;
  /** Retention of that log group. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of that log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * When SecureApi does not set the account's CloudWatch Logs role, a custom resource that checks, before any stage
 * of the stack is created, that the account has one, and otherwise fails the deployment with a message that says
 * what to do. One per stack: the first SecureApi there creates it, every stage waits for it.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html
 */
export function accountLoggingCheck(scope: IConstruct, options: AccountLoggingCheckOptions): CustomResource {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(ACCOUNT_LOGGING_CHECK_ID)?.node.tryFindChild('Check');
  if (existing instanceof CustomResource) return existing;
  const holder = new Construct(stack, ACCOUNT_LOGGING_CHECK_ID);
  const fn = new SecureFunction(holder, 'Handler', {
    code: bundledCode('account-logging-check'),
    description: "SecureApi: checks at deploy time that API Gateway's account settings name a CloudWatch Logs role",
    serviceName: 'secure-api-account-logging-check',
    memorySize: 256,
    timeout: Duration.seconds(30),
    logKey: options.logKey,
    logRetention: options.logRetention,
    logRemovalPolicy: options.removalPolicy,
    invokedBy: SecureFunctionCaller.CLOUDFORMATION,
  });
  fn.addToPolicy(new iam.PolicyStatement({
    sid: 'ReadAccountSettings',
    actions: ['apigateway:GET'],
    resources: [`arn:${stack.partition}:apigateway:${stack.region}::/account`],
  }));
  // CloudFormation invokes the function with the deploying principal's credentials: no resource policy needed. The
  // function waits for its role, which references its policy, so its permissions exist before the invocation.
  return new CustomResource(holder, 'Check', {
    serviceToken: fn.function.functionArn,
    resourceType: 'Custom::SecureApiAccountLoggingCheck',
  });
}

/** Settings of the stack's shared trail, from the SecureApi that creates it. */
export interface SharedTrailOptions {
  /** Key of the trail's CloudWatch Logs log group. */
  readonly logKey: kms.IKey;
  /** Retention of that log group. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the trail's buckets, key and log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The stack's shared audit trail: the first SecureApi of the stack creates it with its settings, every other one
 * records its table in it. One multi-region trail per stack: a second one would bill management events again.
 */
export function sharedTrail(scope: IConstruct, options: SharedTrailOptions): AuditTrail {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(SHARED_TRAIL_ID);
  if (existing instanceof AuditTrail) return existing;
  return new AuditTrail(stack, SHARED_TRAIL_ID, {
    logKey: options.logKey,
    logRetention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });
}
