/**
 * Composition: SecureApi next to existing resources and other SecureApis (bring your own table, no table, shared
 * account-level resources, a shared trail), and what can be added after construction.
 */
import { App, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AuditTrail, EdgeFirewall, SecureApi, SecureApiProps, TableDataEvents } from '../../lib';
import { authorizerConfig, backend, MINIMAL, newStack, synth, validationErrorOf } from './helpers';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const resourcesOf = (template: Template, type: string) => Object.values(template.findResources(type)) as any[];
const route = (stack: Stack): Partial<SecureApiProps> => ({ routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } } });

/** The DynamoDB data-event selectors of the trail in the template. */
function tableSelectors(template: Template): any[] {
  const [trail] = resourcesOf(template, 'AWS::CloudTrail::Trail');
  return trail.Properties.AdvancedEventSelectors.filter((s: any) =>
    s.FieldSelectors.some((f: any) => f.Field === 'resources.type' && f.Equals.includes('AWS::DynamoDB::Table')));
}

function ownTable(stack: Stack): { table: dynamodb.Table; key: kms.Key } {
  const key = new kms.Key(stack, 'OrdersKey', { enableKeyRotation: true });
  const table = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
  });
  return { table, key };
}

describe('the table', () => {
  test('an existing table replaces the one SecureApi would create, and the trail records it', () => {
    const stack = newStack();
    const { table, key } = ownTable(stack);
    const api = new SecureApi(stack, 'Api', { ...MINIMAL, ...route(stack), existingTable: table, existingTableKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(api.table).toBe(table);
    expect(api.tableKey).toBe(key);
    const [selector] = tableSelectors(template);
    expect(selector.FieldSelectors).toContainEqual({ Field: 'resources.ARN', Equals: [{ 'Fn::GetAtt': [stack.getLogicalId(table.node.defaultChild as dynamodb.CfnTable), 'Arn'] }] });
  });

  test("an existing table's key defaults to the table's own encryption key", () => {
    const stack = newStack();
    const { table, key } = ownTable(stack);
    const api = new SecureApi(stack, 'Api', { ...MINIMAL, ...route(stack), existingTable: table });
    expect(api.tableKey).toBe(key);
  });

  test('withoutTable creates no table and records no data events', () => {
    const { template, api } = synth({ withoutTable: true });
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(api.table).toBeUndefined();
    expect(api.tableKey).toBeUndefined();
    expect(tableSelectors(template)).toEqual([]);
  });
});

describe('account-level resources', () => {
  test('two SecureApis in one stack share one trail and one CloudWatch role, and the trail records both tables', () => {
    const stack = newStack();
    const one = new SecureApi(stack, 'One', { ...MINIMAL, ...route(stack) });
    const two = new SecureApi(stack, 'Two', { ...MINIMAL, routes: { 'GET /x': { integration: new apigw.MockIntegration(), scopes: ['x'] } },
      audit: { tableDataEvents: TableDataEvents.WRITES } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    expect(one.auditTrail).toBe(two.auditTrail);
    const selectors = tableSelectors(template);
    expect(selectors).toHaveLength(2);
    expect(selectors[1].FieldSelectors).toContainEqual({ Field: 'readOnly', Equals: ['false'] });
    // Each stage waits for the account's logging role: execution logging fails to deploy before it is set.
    const [accountId] = Object.keys(template.findResources('AWS::ApiGateway::Account'));
    for (const stage of resourcesOf(template, 'AWS::ApiGateway::Stage')) {
      expect(stage.DependsOn).toContain(accountId);
    }
  });

  test('SecureApis in two stacks of one environment share one CloudWatch role; the second stack deploys after the first', () => {
    const app = new App();
    const first = new Stack(app, 'First', { env: ENV });
    const second = new Stack(app, 'Second', { env: ENV });
    new SecureApi(first, 'Api', { ...MINIMAL, ...route(first) });
    new SecureApi(second, 'Api', { ...MINIMAL, ...route(second) });
    const assembly = app.synth();
    const count = (stack: Stack) => resourcesOf(Template.fromStack(stack), 'AWS::ApiGateway::Account').length;
    expect([count(first), count(second)]).toEqual([1, 0]);
    expect(assembly.getStackByName('Second').dependencies.map((d) => d.id)).toContain('First');
  });

  test('another account or region gets its own CloudWatch role', () => {
    const app = new App();
    const ireland = new Stack(app, 'Ireland', { env: ENV });
    const frankfurt = new Stack(app, 'Frankfurt', { env: { ...ENV, region: 'eu-central-1' } });
    new SecureApi(ireland, 'Api', { ...MINIMAL, ...route(ireland) });
    new SecureApi(frankfurt, 'Api', { ...MINIMAL, ...route(frankfurt) });
    Template.fromStack(ireland).resourceCountIs('AWS::ApiGateway::Account', 1);
    Template.fromStack(frankfurt).resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test("honours CDK's @aws-cdk/aws-apigateway:disableCloudWatchRole feature flag, unless cloudWatchRole is set", () => {
    const flagged = () => new Stack(new App({ context: { '@aws-cdk/aws-apigateway:disableCloudWatchRole': true } }), 'S', { env: ENV });
    const off = flagged();
    new SecureApi(off, 'Api', { ...MINIMAL, ...route(off) });
    Template.fromStack(off).resourceCountIs('AWS::ApiGateway::Account', 0);
    // A cdk init app sets the flag: the user is told the account must have the role.
    Annotations.fromStack(off).hasWarning('/S/Api', Match.stringLikeRegexp("disableCloudWatchRole' is set.*the account must already have one"));
    const silenced = flagged();
    new SecureApi(silenced, 'Api', { ...MINIMAL, ...route(silenced), cloudWatchRole: false });
    expect(Annotations.fromStack(silenced).findWarning('*', Match.stringLikeRegexp('disableCloudWatchRole'))).toEqual([]);
    const on = flagged();
    new SecureApi(on, 'Api', { ...MINIMAL, ...route(on), cloudWatchRole: true });
    Template.fromStack(on).resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('an AuditTrail passed as audit.trail serves SecureApis of other stacks, which create no trail of their own', () => {
    const app = new App();
    const audit = new Stack(app, 'Audit', { env: ENV });
    const service = new Stack(app, 'Service', { env: ENV });
    const trail = new AuditTrail(audit, 'Trail', { logKey: new kms.Key(audit, 'LogKey', { enableKeyRotation: true }) });
    const api = new SecureApi(service, 'Api', { ...MINIMAL, ...route(service), audit: { trail } });
    const serviceTemplate = Template.fromStack(service);
    serviceTemplate.resourceCountIs('AWS::CloudTrail::Trail', 0);
    serviceTemplate.resourceCountIs('AWS::S3::Bucket', 0);
    expect(api.auditTrail).toBe(trail);
    const [selector] = tableSelectors(Template.fromStack(audit));
    expect(JSON.stringify(selector)).toContain('Fn::ImportValue');
  });
});

describe('after construction', () => {
  test('addUsagePlan and addClient: keys join their plan, and routes declared earlier then require a key', () => {
    const { template, api } = synth({}, (secureApi) => {
      secureApi.addUsagePlan('gold', { throttle: { rateLimit: 5, burstLimit: 10 }, routeThrottles: { 'GET /things': { rateLimit: 1, burstLimit: 2 } } });
      secureApi.addClient('acme', { plan: 'gold' });
    });
    expect(Object.keys(api.usagePlans)).toEqual(['gold']);
    expect(Object.keys(api.apiKeys)).toEqual(['acme']);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', ApiKeyRequired: true });
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [Match.objectLike({ Throttle: { '/things/GET': { RateLimit: 1, BurstLimit: 2 } } })],
    });
  });

  test('without clients no route requires a key', () => {
    synth().template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', ApiKeyRequired: false });
  });

  test('clients added later with the AUTHORIZER key source reach the authorizer, under one read statement', () => {
    const { template } = synth({ apiKeySource: apigw.ApiKeySourceType.AUTHORIZER, usagePlans: { p: { throttle: { rateLimit: 1, burstLimit: 1 } } },
      clients: { alpha: { plan: 'p' } } }, (secureApi) => {
      secureApi.addClient('beta', { plan: 'p', claimValue: 'svc-beta' });
    });
    expect(Object.keys(authorizerConfig(template).apiKey.keyIds)).toEqual(['alpha', 'svc-beta']);
    const statements = resourcesOf(template, 'AWS::IAM::ManagedPolicy')
      .flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => s.Sid === 'ReadClientApiKeys');
    expect(statements).toHaveLength(1);
    expect(statements[0].Resource).toHaveLength(2);
  });

  test('a plan or a client declared twice is rejected, naming the construct', () => {
    const plan = { throttle: { rateLimit: 1, burstLimit: 1 } };
    expect(() => synth({ usagePlans: { p: plan } }, (api) => api.addUsagePlan('p', plan)))
      .toThrow(/^SecureApi at 'TestStack\/Api': usage plan 'p' is declared twice/);
    expect(() => synth({ usagePlans: { p: plan }, clients: { c: { plan: 'p' } } }, (api) => api.addClient('c', { plan: 'p', claimValue: 'other' })))
      .toThrow(/^SecureApi at 'TestStack\/Api': client 'c' is declared twice/);
  });

  test('the AUTHORIZER key source without any client fails at synth with a ValidationError naming the construct', () => {
    const error = validationErrorOf(() => synth({ apiKeySource: apigw.ApiKeySourceType.AUTHORIZER }));
    expect(error.message).toMatch(/SecureApi at 'TestStack\/Api': 'apiKeySource' AUTHORIZER needs clients/);
  });
});

describe('the REST API', () => {
  const certificate = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');

  test('a multi-level base path maps the stage with an API mapping', () => {
    const stack = newStack();
    new SecureApi(stack, 'Api', { ...MINIMAL, ...route(stack), customDomain: { domainName: 'api.example.com', certificate: certificate(stack), basePath: 'v1/orders' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { ApiMappingKey: 'v1/orders', DomainName: { Ref: Match.anyValue() } });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 0);
  });

  test('a single-level base path keeps the base path mapping', () => {
    const stack = newStack();
    new SecureApi(stack, 'Api', { ...MINIMAL, ...route(stack), customDomain: { domainName: 'api.example.com', certificate: certificate(stack), basePath: 'v1' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: 'v1' });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
  });

  test('passes binary media types, compression and description through', () => {
    synth({ binaryMediaTypes: ['image/png'], minCompressionSize: Size.kibibytes(1), description: 'Orders API' })
      .template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        BinaryMediaTypes: ['image/png'], MinimumCompressionSize: 1024, Description: 'Orders API',
        SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09', EndpointAccessMode: 'STRICT',
      });
  });
});

describe('the building blocks', () => {
  test('an EdgeFirewall on its own names its own props when they are invalid', () => {
    const stack = newStack();
    const logKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    expect(() => new EdgeFirewall(stack, 'Firewall', {
      stageArn: 'arn:aws:apigateway:eu-west-1::/restapis/abc/stages/prod', logKey, logRetention: 365, logRemovalPolicy: RemovalPolicy.RETAIN,
      ipRateLimit: 5,
    })).toThrow(/^EdgeFirewall at 'TestStack\/Firewall': 'ipRateLimit' must be an integer from 10/);
  });
});

describe('cross-stack limits and loose input', () => {
  test("a trail in the stack that holds the account logging settings cannot serve another stack's API (a cycle)", () => {
    const app = new App();
    const first = new Stack(app, 'First', { env: ENV });
    const second = new Stack(app, 'Second', { env: ENV });
    const firstApi = new SecureApi(first, 'Api', { ...MINIMAL, ...route(first) });
    expect(() => new SecureApi(second, 'Api', { ...MINIMAL, ...route(second), audit: { trail: firstApi.auditTrail } }))
      .toThrow(/^SecureApi at 'Second\/Api': 'audit.trail' is in stack 'First', which also holds the account's API Gateway logging settings/);
    // Without the account role there is no cycle, and the trail is shared.
    const app2 = new App();
    const a = new Stack(app2, 'A', { env: ENV });
    const b = new Stack(app2, 'B', { env: ENV });
    const aApi = new SecureApi(a, 'Api', { ...MINIMAL, ...route(a), cloudWatchRole: false });
    const bApi = new SecureApi(b, 'Api', { ...MINIMAL, ...route(b), cloudWatchRole: false, audit: { trail: aApi.auditTrail } });
    expect(bApi.auditTrail).toBe(aApi.auditTrail);
    expect(tableSelectors(Template.fromStack(a))[0].FieldSelectors.find((f: any) => f.Field === 'resources.ARN').Equals).toHaveLength(2);
  });

  test('an audience given as a string (JavaScript callers) is refused with a clear message', () => {
    expect(() => synth({ audience: 'api://demo' as unknown as string[] }))
      .toThrow(/'audience' must be a list of audiences, such as \['api:\/\/orders'\] \(got "api:\/\/demo"\)/);
  });

  test("an AuditTrail lets CloudWatch Logs use its log key, once when the key is a SecureApi's", () => {
    const stack = newStack();
    const logKey = new kms.Key(stack, 'TrailLogKey', { enableKeyRotation: true });
    new AuditTrail(stack, 'Trail', { logKey });
    const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
    const statement = (key: any) => key.Properties.KeyPolicy.Statement.filter((s: any) => s.Sid === 'AllowCloudWatchLogsOfThisAccount');
    expect(statement(keys[stack.getLogicalId(logKey.node.defaultChild as kms.CfnKey)])).toHaveLength(1);
    const { template } = synth();
    const logKeys = Object.entries(template.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith('ApiLogKey'));
    expect(logKeys).toHaveLength(1);
    expect(statement(logKeys[0][1])).toHaveLength(1);
  });
});
