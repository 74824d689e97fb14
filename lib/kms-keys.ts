import { Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of {@link createKey}. */
export interface SecureKeyOptions {
  /** What the key encrypts. */
  readonly description: string;
  /** Last part of the alias: `alias/secure-api/<unique construct name>/<aliasSuffix>`. */
  readonly aliasSuffix: string;
  /** What happens to the key when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A customer-managed KMS key with rotation on, an alias, and a key policy that lets nobody but AWS services create
 * grants on it (Control Tower CT.KMS.PR.3): grants are how a stolen role would quietly extend its access.
 */
export function createKey(scope: Construct, id: string, options: SecureKeyOptions): kms.Key {
  const key = new kms.Key(scope, id, {
    description: options.description,
    enableKeyRotation: true,
    removalPolicy: options.removalPolicy,
    // Unique per construct, so two SecureApis in one stack (or account) never fight over an alias.
    alias: `alias/secure-api/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}/${options.aliasSuffix}`,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  }));
  return key;
}

/**
 * The key of every log group of a SecureApi (access, WAF, Lambda and CloudTrail logs), usable by CloudWatch Logs in
 * this account and region only, for this account's log groups.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function createLogKey(scope: Construct, removalPolicy: RemovalPolicy): kms.Key {
  const key = createKey(scope, 'LogKey', {
    description: 'SecureApi: encrypts the API access, WAF, Lambda and CloudTrail log groups',
    aliasSuffix: 'logs',
    removalPolicy,
  });
  allowCloudWatchLogs(key);
  return key;
}

/**
 * Lets CloudWatch Logs of this account and region use the key for this account's log groups: what a log group
 * encrypted with a customer-managed key needs. No effect on an imported key (its policy is not ours to change).
 */
export function allowCloudWatchLogs(key: kms.IKey): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
    },
  }));
}
