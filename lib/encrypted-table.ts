import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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

  constructor(scope: Construct, id: string, props: EncryptedTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey ?? this.createKey(removalPolicy);
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
    const backup = 'Point-in-time recovery is on (35 days of continuous backups, restorable to any second) and deletion protection guards the table; an AWS Backup plan with vault and retention is an account-level choice left to the platform team.';
    Validations.of(this.table).acknowledge(
      { id: 'NIST.800.53.R5-DynamoDBInBackupPlan', reason: backup },
      { id: 'HIPAA.Security-DynamoDBInBackupPlan', reason: backup },
    );
  }

  private createKey(removalPolicy: RemovalPolicy): kms.Key {
    const stack = Stack.of(this);
    const key = createKey(this, 'Key', { description: 'SecureApi: encrypts the API DynamoDB table', aliasSuffix: 'table', removalPolicy });
    // Besides the account administrators (default key policy), only DynamoDB in this account may use the key on a
    // caller's behalf; callers still need their own kms: permissions, which functions get from table grants.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyUseOutsideDynamoDB',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      resources: ['*'],
      conditions: {
        StringNotEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` },
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    }));
    return key;
  }
}
