import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createKey } from './kms-keys';

/** Properties of an `EncryptedTable`. */
export interface EncryptedTableProps {
  /**
   * What happens to the table and its key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Deletion protection.
   * @default true, unless removalPolicy is DESTROY
   */
  readonly deletionProtection?: boolean;
  /**
   * An existing customer-managed key for the table.
   * @default - a new key with rotation on and an alias
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * An AWS Backup plan that backs the table up: the table is added to it (a backup selection with its own role), and
   * the key the table creates lets AWS Backup use it as well as DynamoDB.
   * @default - no AWS Backup plan: point-in-time recovery (35 days) and deletion protection only
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html
   */
  readonly backupPlan?: backup.IBackupPlan;
}

/**
 * The API's DynamoDB table: partition key `pk`, sort key `sk` (strings), on-demand billing, encrypted with a
 * customer-managed KMS key (rotation on, alias), point-in-time recovery, deletion protection and RETAIN by default.
 */
export class EncryptedTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;
  /** The customer-managed key that encrypts it. */
  public readonly encryptionKey: kms.IKey;

  /** The table's selection in `backupPlan`, if one was given. */
  public readonly backupSelection?: backup.BackupSelection;

  constructor(scope: Construct, id: string, props: EncryptedTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey ?? this.createKey(removalPolicy, props.backupPlan !== undefined);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    });
    if (props.backupPlan) {
      this.backupSelection = new backup.BackupSelection(this, 'Backup', {
        backupPlan: props.backupPlan,
        resources: [backup.BackupResource.fromDynamoDbTable(this.table)],
      });
      const role = this.backupSelection.node.tryFindChild('Role');
      if (role) {
        Validations.of(role).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
          reason: 'The role AWS Backup assumes to back up the table uses the AWS-maintained policy that AWS Backup documents for it.',
        });
      }
    } else {
      const noPlan = 'Point-in-time recovery is on (35 days of continuous backups, restorable to any second) and deletion protection guards the table; an AWS Backup plan (prop table.backupPlan) is the platform team\'s choice of vault and retention.';
      Validations.of(this.table).acknowledge(
        { id: 'NIST.800.53.R5-DynamoDBInBackupPlan', reason: noPlan },
        { id: 'HIPAA.Security-DynamoDBInBackupPlan', reason: noPlan },
      );
    }
  }

  private createKey(removalPolicy: RemovalPolicy, awsBackup: boolean): kms.Key {
    const stack = Stack.of(this);
    const key = createKey(this, 'Key', { description: 'SecureApi: encrypts the API DynamoDB table', aliasSuffix: 'table', removalPolicy });
    // Besides the account administrators (default key policy), only DynamoDB in this account (and AWS Backup, when
    // the table is in a backup plan) may use the key on a caller's behalf; callers still need their own kms:
    // permissions, which functions get from table grants and the backup role from its AWS managed policy.
    const viaServices = [`dynamodb.${stack.region}.amazonaws.com`, ...(awsBackup ? [`backup.${stack.region}.amazonaws.com`] : [])];
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyUseOutsideDynamoDB',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      resources: ['*'],
      conditions: {
        StringNotEquals: { 'kms:ViaService': viaServices.length === 1 ? viaServices[0] : viaServices },
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    }));
    return key;
  }
}
