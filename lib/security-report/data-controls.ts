/*
 * Data and audit controls of a template: DynamoDB encryption with a customer managed key, point-in-time recovery
 * and deletion protection; KMS key rotation; the CloudTrail trail; log group encryption and retention.
 */
import { recordsTableDataEvents } from './cost';
import { control, evidence } from './evidence';
import { Control, Evidence } from './report-model';
import { describeValue, nameOf, referencedId, resourceById, resourcesOfType, StackTemplate } from './template';

/** The data and audit controls of a template. */
export function dataControls(stack: StackTemplate): Control[] {
  const tables = resourcesOfType(stack, 'AWS::DynamoDB::Table');
  const keys = resourcesOfType(stack, 'AWS::KMS::Key');
  const trails = resourcesOfType(stack, 'AWS::CloudTrail::Trail');
  const logGroups = resourcesOfType(stack, 'AWS::Logs::LogGroup');
  const noTable = 'no DynamoDB table in this stack';
  const noTrail = 'no CloudTrail trail in this stack (an existing trail may record the API: check that one)';

  const encryption = tables.map((table) => {
    const sse = table.properties.SSESpecification as { SSEEnabled?: unknown; SSEType?: unknown; KMSMasterKeyId?: unknown } | undefined;
    const keyId = referencedId(sse?.KMSMasterKeyId);
    const customerKey = resourceById(stack, keyId)?.type === 'AWS::KMS::Key'
      || (typeof sse?.KMSMasterKeyId === 'string' && !sse.KMSMasterKeyId.includes('alias/aws/'));
    const ok = sse?.SSEEnabled === true && customerKey;
    return evidence(table, 'SSESpecification.KMSMasterKeyId', ok, ok
      ? `encrypted with customer managed key ${describeValue(sse?.KMSMasterKeyId)}`
      : `encrypted with ${sse?.SSEEnabled === true ? 'the AWS managed key' : 'an AWS owned key'}, not a customer managed key`);
  });

  const dataEvents: Evidence[] = tables.map((table) => {
    const trail = trails.find((t) => recordsTableDataEvents(t, table));
    if (!trail) return evidence(table, 'TableName', false, `data events of ${table.logicalId} are recorded by no trail in this stack`);
    const selectors = Array.isArray(trail.properties.AdvancedEventSelectors) ? trail.properties.AdvancedEventSelectors as unknown[] : [];
    const index = selectors.findIndex((s) => JSON.stringify(s).includes(table.logicalId));
    return evidence(trail, index >= 0 ? `AdvancedEventSelectors[${index}]` : 'EventSelectors', true, `records the data events (reads and writes) of ${table.logicalId}`);
  });

  return [
    control('data.table-encryption', 'DynamoDB encrypted with a customer managed KMS key', encryption, noTable),
    control('data.table-pitr', 'DynamoDB point-in-time recovery', tables.map((table) => evidence(table, 'PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled',
      (table.properties.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: unknown } | undefined)?.PointInTimeRecoveryEnabled === true,
      `point-in-time recovery ${describeValue((table.properties.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: unknown } | undefined)?.PointInTimeRecoveryEnabled ?? false)}`)), noTable),
    control('data.table-deletion-protection', 'DynamoDB deletion protection', tables.map((table) => evidence(table, 'DeletionProtectionEnabled',
      table.properties.DeletionProtectionEnabled === true, `deletion protection ${describeValue(table.properties.DeletionProtectionEnabled ?? false)}`)), noTable),
    control('kms.key-rotation', 'KMS keys with automatic rotation', keys.map((key) => {
      const symmetric = key.properties.KeySpec === undefined || key.properties.KeySpec === 'SYMMETRIC_DEFAULT';
      return evidence(key, 'EnableKeyRotation', key.properties.EnableKeyRotation === true,
        `${describeValue(key.properties.Description ?? key.logicalId)}: rotation ${describeValue(key.properties.EnableKeyRotation ?? false)}`,
        symmetric ? undefined : 'asymmetric and HMAC keys cannot rotate automatically');
    }), 'no KMS key in this stack'),
    control('audit.trail', 'CloudTrail trail logging', trails.map((trail) => evidence(trail, 'IsLogging', trail.properties.IsLogging === true,
      `trail ${describeValue(trail.properties.TrailName ?? trail.logicalId)}: logging ${describeValue(trail.properties.IsLogging)}, encrypted with ${describeValue(trail.properties.KMSKeyId)}`)), noTrail),
    control('audit.trail-multi-region', 'CloudTrail multi-region trail', trails.map((trail) => evidence(trail, 'IsMultiRegionTrail',
      trail.properties.IsMultiRegionTrail === true, `multi-region ${describeValue(trail.properties.IsMultiRegionTrail ?? false)}`)), noTrail),
    control('audit.trail-log-validation', 'CloudTrail log file validation', trails.map((trail) => evidence(trail, 'EnableLogFileValidation',
      trail.properties.EnableLogFileValidation === true, `log file validation ${describeValue(trail.properties.EnableLogFileValidation ?? false)}`)), noTrail),
    control('audit.trail-data-events', 'CloudTrail data events of the tables', dataEvents, tables.length === 0 ? noTable : noTrail),
    control('logs.encryption', 'Log groups encrypted with a KMS key', logGroups.map((group) => evidence(group, 'KmsKeyId', group.properties.KmsKeyId !== undefined,
      `${nameOf(group, 'LogGroupName')}: ${group.properties.KmsKeyId !== undefined ? `key ${describeValue(group.properties.KmsKeyId)}` : 'no KMS key'}`)),
    'no log group in this stack'),
    control('logs.retention', 'Log groups with a retention period', logGroups.map((group) => evidence(group, 'RetentionInDays', group.properties.RetentionInDays !== undefined,
      `${nameOf(group, 'LogGroupName')}: ${group.properties.RetentionInDays !== undefined ? `${describeValue(group.properties.RetentionInDays)} days` : 'kept forever'}`)),
    'no log group in this stack'),
  ];
}
