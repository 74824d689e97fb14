import { Duration, Lazy, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEFAULTS } from './defaults';
import { allowCloudWatchLogs, createKey } from './kms-keys';

/** Which DynamoDB data events the trail records (data events are billed per event). */
export enum TableDataEvents {
  /** Reads and writes. */
  ALL = 'ALL',
  /** Writes only (PutItem, UpdateItem, DeleteItem, …). */
  WRITES = 'WRITES',
  /** Reads only (GetItem, Query, Scan, …). */
  READS = 'READS',
  /** No data events: management events only. */
  NONE = 'NONE',
}

/** Properties of an `AuditTrail`. */
export interface AuditTrailProps {
  /**
   * Key that encrypts the trail's CloudWatch Logs log group. The trail lets CloudWatch Logs of this account use it
   * (a statement in the key policy; an imported key's policy must already allow it).
   */
  readonly logKey: kms.IKey;
  /**
   * Retention of the trail's CloudWatch Logs copy.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the buckets, the key and the log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A CloudTrail trail for the API's account: multi-region, global service events, log file validation, delivered to a
 * KMS-encrypted, versioned, SSL-only, access-logged S3 bucket with a lifecycle and to an encrypted CloudWatch Logs
 * log group, with DynamoDB data events of the tables recorded with `AuditTrail.recordTable` through advanced
 * event selectors. One trail serves every SecureApi of a stack (or, passed as `audit.trail`, of an app).
 */
export class AuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.Trail;
  /** The trail's name, known at synth (so other stacks can name the trail without a reference to this one). */
  public readonly trailName: string;
  /** The bucket that receives the trail's log files. */
  public readonly bucket: s3.Bucket;
  /** The bucket that receives the trail bucket's server access logs. */
  public readonly accessLogsBucket: s3.Bucket;
  /** The key that encrypts the trail's log files. */
  public readonly encryptionKey: kms.Key;
  /** The CloudWatch Logs log group the trail delivers to. */
  public readonly logGroup: logs.LogGroup;
  /** Table ARNs whose data events the trail records, by which events. */
  private readonly tables = new Map<TableDataEvents, string[]>();

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // Audit logs are never deleted automatically, not even with DESTROY (empty the buckets by hand); a throwaway
    // stage only skips the default Object Lock retention so that the buckets can be emptied.
    const throwaway = removalPolicy === RemovalPolicy.DESTROY;
    const trailName = Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    this.trailName = trailName;
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });

    this.encryptionKey = createKey(this, 'Key', { description: 'SecureApi: encrypts CloudTrail log files', aliasSuffix: 'trail', removalPolicy });
    const cloudTrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    // The key policy CloudTrail needs, scoped to this trail (confused-deputy protection through aws:SourceArn).
    // @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToEncryptLogs',
      principals: [cloudTrailPrincipal],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
      },
    }));
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToDescribeKey',
      principals: [cloudTrailPrincipal],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
    }));
    // Readers in this account decrypt log files only through S3.
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowAccountToDecryptLogFilesThroughS3',
      principals: [new iam.AccountRootPrincipal()],
      actions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:CallerAccount': stack.account },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
      },
    }));

    // What both buckets enforce: private, TLS 1.2+ only, versioned, owner-enforced.
    const lockedDown: s3.BucketProps = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    };
    // S3 delivers server access logs only to a bucket without Object Lock and without SSE-KMS default encryption:
    // this one has neither (versioning keeps overwritten or deleted log objects for 30 days). Object Lock cannot be
    // turned off on an existing bucket, so the bucket of 0.1.0 (id 'AccessLogsBucket', locked) is
    // replaced by a new one; the old one is retained with its logs.
    // @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
    // @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_LoggingEnabled.html
    this.accessLogsBucket = new s3.Bucket(this, 'ServerAccessLogsBucket', {
      ...lockedDown,
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ expiration: DEFAULTS.trailExpireAfter, noncurrentVersionExpiration: Duration.days(30) }],
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...lockedDown,
      objectLockEnabled: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      // No S3 Bucket Key: with one, S3 asks KMS for a bucket-level data key under the encryption context of the
      // bucket ARN instead of CloudTrail's 'aws:cloudtrail:arn' context, so the key policy's conditions on that
      // context (CloudTrail's GenerateDataKey, readers' Decrypt) would not match, and CloudTrail would need
      // kms:Decrypt to create or update the trail. Without it, CloudTrail's documented key policy is exactly enough.
      // @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
      // @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
      bucketKeyEnabled: false,
      // Log files cannot be overwritten or deleted during retention (GOVERNANCE: a privileged admin can still lift it).
      objectLockDefaultRetention: throwaway ? undefined : s3.ObjectLockRetention.governance(DEFAULTS.trailLockRetention),
      lifecycleRules: [{
        transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: DEFAULTS.trailTransitionAfter }],
        expiration: DEFAULTS.trailExpireAfter,
        noncurrentVersionExpiration: Duration.days(30),
      }],
    });

    // Server access logging through a bucket policy (not the legacy LogDeliveryWrite ACL, which ownership
    // enforcement forbids), set on the L1 so it does not depend on the app's feature flags.
    const accessLogPrefix = 'trail-bucket/';
    this.accessLogsBucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'S3ServerAccessLogsDelivery',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [this.accessLogsBucket.arnForObjects(`${accessLogPrefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    }));
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogsBucket.bucketName,
      logFilePrefix: accessLogPrefix,
    };

    // The key must let CloudWatch Logs use it: a key of a SecureApi does already (the statement is then one).
    allowCloudWatchLogs(props.logKey);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? DEFAULTS.trailLogRetention,
      removalPolicy,
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName,
      bucket: this.bucket,
      encryptionKey: this.encryptionKey,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
    });

    // Object-level events (deletions, lock changes) go to EventBridge for alerting. Set on the L1 resource: the L2
    // prop would deploy a custom-resource Lambda just to do what CloudFormation supports natively.
    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    }
    acknowledgeTrailFindings(this);

    const cfnTrail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    cfnTrail.addPropertyDeletionOverride('EventSelectors');
    // The L2 Trail offers only basic event selectors, which cannot name DynamoDB tables: advanced ones are an
    // override, rendered at synth so that tables recorded after construction are in it.
    cfnTrail.addPropertyOverride('AdvancedEventSelectors', Lazy.any({ produce: () => advancedEventSelectors(this.tables) }));
  }

  /**
   * Records the data events of a DynamoDB table (billed per event).
   * @param table the table
   * @param events which data events (NONE records none); TableDataEvents.ALL when omitted
   */
  public recordTable(table: dynamodb.ITable, events?: TableDataEvents): void {
    const which = events ?? TableDataEvents.ALL;
    if (which === TableDataEvents.NONE) return;
    const arns = this.tables.get(which) ?? [];
    arns.push(table.tableArn);
    this.tables.set(which, arns);
  }
}

/** Management events always; DynamoDB data events of the recorded tables, one selector per choice of events. */
function advancedEventSelectors(tables: ReadonlyMap<TableDataEvents, string[]>): unknown[] {
  const selectors: unknown[] = [{
    Name: 'Management events',
    FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
  }];
  const choices: Array<[TableDataEvents, string]> = [
    [TableDataEvents.ALL, 'reads and writes'], [TableDataEvents.WRITES, 'writes'], [TableDataEvents.READS, 'reads'],
  ];
  for (const [events, what] of choices) {
    const tableArns = tables.get(events);
    if (!tableArns?.length) continue;
    const fieldSelectors: unknown[] = [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
      { Field: 'resources.ARN', Equals: tableArns },
    ];
    if (events !== TableDataEvents.ALL) {
      fieldSelectors.push({ Field: 'readOnly', Equals: [events === TableDataEvents.READS ? 'true' : 'false'] });
    }
    selectors.push({ Name: `DynamoDB data events (${what}) of the API tables`, FieldSelectors: fieldSelectors });
  }
  return selectors;
}

function acknowledgeTrailFindings(trail: AuditTrail): void {
  const accessLogsSse = 'S3 server access logs can only be delivered to a bucket encrypted with SSE-S3, not SSE-KMS; this bucket only holds the access logs of the KMS-encrypted trail bucket.';
  const accessLogsLogging = 'This is the server access log bucket itself: logging it into itself or another bucket would recurse.';
  const accessLogsLock = 'S3 cannot deliver server access logs to a bucket with Object Lock (S3 API reference, LoggingEnabled); this bucket holds only the access logs of the trail bucket, which keeps Object Lock. Versioning keeps overwritten or deleted access logs for 30 days.';
  const replication = 'The trail is multi-region with log file validation and Object Lock; cross-region replication needs a bucket in a second region, which an organization (Control Tower) log archive usually provides.';
  Validations.of(trail.accessLogsBucket).acknowledge(
    { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: accessLogsSse },
    { id: 'PCI.DSS.321-S3DefaultEncryptionKMS', reason: accessLogsSse },
    { id: 'HIPAA.Security-S3DefaultEncryptionKMS', reason: accessLogsSse },
    { id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', reason: accessLogsSse },
    { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: accessLogsLogging },
    { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: accessLogsLock },
  );
  for (const bucket of [trail.bucket, trail.accessLogsBucket]) {
    Validations.of(bucket).acknowledge(
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: replication },
      { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason: replication },
      { id: 'HIPAA.Security-S3BucketReplicationEnabled', reason: replication },
    );
  }
  const logsRole = trail.trail.node.tryFindChild('LogsRole');
  if (logsRole) {
    const inline = "The CDK Trail construct writes this role's only policy inline: logs:CreateLogStream and logs:PutLogEvents on the trail's own log group, nothing else.";
    Validations.of(logsRole).acknowledge(
      { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: inline },
      { id: 'PCI.DSS.321-IAMNoInlinePolicy', reason: inline },
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: inline },
    );
  }
}
