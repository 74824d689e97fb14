/*
 * What only a real account would show (issue 8): each test pins a template property that the AWS documentation
 * requires for the stack to deploy and for its controls to work, since nothing here can deploy.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import { SecureApi } from '../../lib';
import { backend, MINIMAL, synth, validationErrorOf } from './helpers';

const resourcesOf = (template: Template, type: string) => Object.entries(template.findResources(type)) as Array<[string, any]>;

describe('audit buckets', () => {
  const { template } = synth();
  const buckets = resourcesOf(template, 'AWS::S3::Bucket');
  const trailBucket = buckets.find(([, b]) => b.Properties.ObjectLockConfiguration)!;
  const accessLogBucket = buckets.find(([id]) => id === trailBucket[1].Properties.LoggingConfiguration.DestinationBucketName.Ref)!;

  // S3 delivers server access logs only to a target without Object Lock or SSE-KMS default encryption.
  // @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_LoggingEnabled.html
  test('the server access log bucket has no Object Lock and SSE-S3 encryption, so S3 can deliver to it', () => {
    expect(buckets).toHaveLength(2);
    const props = accessLogBucket[1].Properties;
    expect(props.ObjectLockEnabled).toBeUndefined();
    expect(props.ObjectLockConfiguration).toBeUndefined();
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test('the server access log bucket is a new resource, not the Object Lock bucket of 0.1.0 (which cannot be unlocked)', () => {
    expect(accessLogBucket[0]).toMatch(/^SecureApiAuditTrailServerAccessLogsBucket/);
  });

  test('the trail bucket keeps Object Lock', () => {
    expect(trailBucket[1].Properties.ObjectLockEnabled).toBe(true);
  });

  // A Bucket Key swaps CloudTrail's aws:cloudtrail:arn encryption context for the bucket ARN: the key policy's
  // conditions on that context would not match. @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
  test('the trail bucket uses SSE-KMS without an S3 Bucket Key, matching the key policy CloudTrail documents', () => {
    const [rule] = trailBucket[1].Properties.BucketEncryption.ServerSideEncryptionConfiguration;
    expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(rule.BucketKeyEnabled).toBe(false);
  });

  // @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
  test('the trail key lets CloudTrail encrypt under its trail context and readers decrypt under the same context', () => {
    const [, key] = resourcesOf(template, 'AWS::KMS::Key').find(([, k]) => k.Properties.Description === 'SecureApi: encrypts CloudTrail log files')!;
    const statements = key.Properties.KeyPolicy.Statement;
    const sid = (s: string) => statements.find((st: any) => st.Sid === s);
    const context = 'kms:EncryptionContext:aws:cloudtrail:arn';
    expect(sid('AllowCloudTrailToEncryptLogs').Condition.StringLike[context]).toBeDefined();
    expect(sid('AllowAccountToDecryptLogFilesThroughS3').Condition.StringLike[context]).toBeDefined();
  });
});

describe('execution logs', () => {
  const { template, stack } = synth();

  // @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
  test('the stack creates the execution log group API Gateway writes to, encrypted with the log key and expiring', () => {
    const [[id, group]] = resourcesOf(template, 'AWS::Logs::LogGroup').filter(([, g]) => JSON.stringify(g.Properties.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'));
    expect(stack.resolve(group.Properties.LogGroupName)).toEqual({ 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: expect.stringMatching(/^Api[A-Z0-9]/) }, '/prod']] });
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiLogKey/), 'Arn'] });
    expect(group.Properties.RetentionInDays).toBe(365);
    const [, stage] = resourcesOf(template, 'AWS::ApiGateway::Stage')[0];
    expect(stage.DependsOn).toContain(id);
  });

  test('the execution log group follows the stage name', () => {
    const { template: t, stack: s } = synth({ stageName: 'v2' });
    const names = resourcesOf(t, 'AWS::Logs::LogGroup').map(([, g]) => JSON.stringify(s.resolve(g.Properties.LogGroupName ?? '')));
    expect(names.filter((n) => n.includes('API-Gateway-Execution-Logs_') && n.includes('/v2'))).toHaveLength(1);
  });
});

describe('deployments', () => {
  const deploymentId = (...args: Parameters<typeof synth>) => {
    const [[id]] = resourcesOf(synth(...args).template, 'AWS::ApiGateway::Deployment');
    return id;
  };
  const base = deploymentId();

  // A Deployment snapshots the API; a change the stage must see needs a new one, so a new logical id. aws-cdk-lib
  // hashes the whole RestApi L1 into it (so since before 2.276.0, our floor): these pin that it stays so.
  test.each([
    ['securityPolicy', { securityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09' }, undefined],
    ['ipAllowList (the resource policy)', { ipAllowList: ['192.0.2.0/24'] }, undefined],
    ['endpoint access mode', {}, (api: SecureApi) => { (api.api.node.defaultChild as apigw.CfnRestApi).endpointAccessMode = 'BASIC'; }],
    ['disableExecuteApiEndpoint', {}, (api: SecureApi) => { (api.api.node.defaultChild as apigw.CfnRestApi).disableExecuteApiEndpoint = true; }],
  ] as Array<[string, any, any]>)('a change of %s creates a new deployment', (_name, props, configure) => {
    expect(deploymentId(props, configure)).not.toBe(base);
  });
});

describe('security policies', () => {
  test.each([
    ['securityPolicy', { securityPolicy: 'SecurityPolicy_TLS13_2025_EDGE' }, /'securityPolicy' must be a policy for regional endpoints: '_EDGE' policies .*\(got 'SecurityPolicy_TLS13_2025_EDGE'\)/],
    ['customDomain.securityPolicy', { customDomain: { domainName: 'api.example.com', certificate: {} as any, securityPolicy: apigw.SecurityPolicy.TLS12_PFS_2025_EDGE } },
      /'customDomain.securityPolicy' must be a policy for regional domains: .*\(got 'SecurityPolicy_TLS12_PFS_2025_EDGE'\)/],
  ])('rejects an edge-only %s, since the endpoint is regional', (_name, props, message) => {
    const error = validationErrorOf(() => synth(props as any));
    expect(error.message).toMatch(/^SecureApi at 'TestStack\/Api': /);
    expect(error.message).toMatch(message);
  });
});

describe('methods outside the route table', () => {
  test('a method added to the RestApi directly fails synth, naming it', () => {
    const error = validationErrorOf(() => synth({}, (api, stack, integration) => {
      api.api.root.addResource('admin').addMethod('GET', integration);
      Template.fromStack(stack);
    }));
    expect(error.message).toMatch(/method 'GET \/admin' was added to the RestApi directly, not with addRoute\(\).*\(got authorization type 'NONE' at 'TestStack\/Api\/Api\/Default\/admin\/GET'\).*'publicAccess: true'/);
  });

  test('a direct method fails even with the SecureApi authorizer, since no route rule covers it', () => {
    const error = validationErrorOf(() => synth({}, (api, stack, integration) => {
      api.api.root.addResource('admin').addMethod('POST', integration, { authorizer: api.tokenAuthorizer });
      Template.fromStack(stack);
    }));
    expect(error.message).toMatch(/method 'POST \/admin' was added .*authorization type 'CUSTOM'/);
  });

  test('routes, a public route and the CORS preflight methods pass', () => {
    const { template } = synth((integration) => ({
      cors: { allowOrigins: ['https://app.example.com'] },
      routes: {
        'GET /things': { integration, scopes: ['things:read'] },
        'GET /health': { integration, publicAccess: true },
      },
    }));
    expect(resourcesOf(template, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties.HttpMethod).sort())
      .toEqual(['GET', 'GET', 'OPTIONS', 'OPTIONS', 'OPTIONS']);
  });
});

describe('AWS Backup', () => {
  const { template: withoutPlan } = synth();

  test('without a plan the table key is usable only through DynamoDB, and the table is in no plan', () => {
    expect(resourcesOf(withoutPlan, 'AWS::Backup::BackupSelection')).toHaveLength(0);
    withoutPlan.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'DenyUseOutsideDynamoDB',
        Condition: Match.objectLike({ StringNotEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } }),
      })]) },
    });
  });

  test('table.backupPlan puts the table in the plan and lets AWS Backup use the table key', () => {
    const stack = new Stack(new App(), 'B', { env: { account: '123456789012', region: 'eu-west-1' } });
    const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    const withPlan = new SecureApi(stack, 'Api', {
      ...MINIMAL,
      table: { backupPlan: plan },
      routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'DenyUseOutsideDynamoDB',
        Condition: Match.objectLike({ StringNotEquals: { 'kms:ViaService': ['dynamodb.eu-west-1.amazonaws.com', 'backup.eu-west-1.amazonaws.com'] } }),
      })]) },
    });
    const [[, selection]] = resourcesOf(t, 'AWS::Backup::BackupSelection');
    expect(JSON.stringify(selection.Properties.BackupSelection.Resources)).toContain(stack.getLogicalId(withPlan.table!.node.defaultChild as any));
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });
});

describe('an account logging role SecureApi does not manage', () => {
  const checks = (t: Template) => resourcesOf(t, 'Custom::SecureApiAccountLoggingCheck');

  test("with cloudWatchRole: false, a custom resource checks the account's role before the stage is created", () => {
    const { template, stack } = synth({ cloudWatchRole: false });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const [[checkId, check]] = checks(template);
    const [, stage] = resourcesOf(template, 'AWS::ApiGateway::Stage')[0];
    expect(stage.DependsOn).toContain(checkId);
    const [[fnId, fn]] = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('SecureApiAccountLoggingCheck'));
    expect(check.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    // Its only permission beyond its own logs and traces: reading the account settings.
    const [, policy] = resourcesOf(template, 'AWS::IAM::ManagedPolicy').find(([id]) => id.startsWith('SecureApiAccountLoggingCheck'))!;
    const read = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'ReadAccountSettings');
    expect(stack.resolve(read)).toEqual({
      Sid: 'ReadAccountSettings', Effect: 'Allow', Action: 'apigateway:GET',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1::/account']] },
    });
  });

  test('two SecureApis of a stack share one check; SecureApi-managed roles need none', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const integration = backend(stack);
    for (const id of ['A', 'B']) {
      new SecureApi(stack, id, { ...MINIMAL, cloudWatchRole: false, routes: { 'GET /x': { integration, scopes: ['x'] } } });
    }
    const t = Template.fromStack(stack);
    const [[checkId]] = checks(t);
    expect(checks(t)).toHaveLength(1);
    for (const [, stage] of resourcesOf(t, 'AWS::ApiGateway::Stage')) expect(stage.DependsOn).toContain(checkId);
    expect(checks(synth().template)).toHaveLength(0);
  });
});
