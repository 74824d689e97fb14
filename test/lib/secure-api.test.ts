import { CfnParameter, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AuditTrail, CallerKey, ClaimCondition, CognitoTokenUse, ScopeMatch, SecureApi, TableDataEvents } from '../../lib';
import { authorizerConfig, backend, MINIMAL, newStack, synth, validationErrorOf } from './helpers';

const resourcesOf = (template: Template, type: string) => Object.values(template.findResources(type)) as any[];

describe('SecureApi defaults', () => {
  const { template } = synth();

  test('the API is regional with an enhanced TLS 1.3/1.2 policy in STRICT access mode', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      DisableExecuteApiEndpoint: false,
      ApiKeySourceType: 'HEADER',
    });
  });

  test('the stage traces, throttles, logs errors only and never logs request data', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({
        LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true,
        ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, HttpMethod: '*', ResourcePath: '/*',
      })],
    });
  });

  test('access logs are JSON with caller, route, status, latency, TLS, WAF and authorizer fields', () => {
    const [stage] = resourcesOf(template, 'AWS::ApiGateway::Stage');
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      principal: '$context.authorizer.principalId',
      route: '$context.resourcePath',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      tlsVersion: '$context.tlsVersion',
      cipherSuite: '$context.cipherSuite',
      wafStatus: '$context.waf.status',
      authorizerError: '$context.authorizer.error',
    });
  });

  test('every log group is KMS-encrypted with the log key and keeps logs for a year', () => {
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(4);
    for (const group of groups) {
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiLogKey/), 'Arn'] });
      expect(group.Properties.RetentionInDays).toBe(365);
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  test('the account-wide CloudWatch role is retained so other APIs keep logging', () => {
    template.hasResource('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] }) },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('gateway errors are generic problem+json with security headers', () => {
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 18);
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': "'Bearer'",
        'gatewayresponse.header.Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
      }),
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"title":"Unauthorized"') },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '404' });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'THROTTLED', StatusCode: '429' });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'WAF_FILTERED', StatusCode: '403' });
    for (const response of resourcesOf(template, 'AWS::ApiGateway::GatewayResponse')) {
      expect(response.Properties.ResponseTemplates['application/json']).not.toMatch(/\$context\.error\.(message|validationErrorString)/);
    }
  });

  test('routes go through the TOKEN authorizer with parameter validation and no API key without clients', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^ApiAuthorizer') },
      RequestValidatorId: { Ref: Match.stringLikeRegexp('ParametersOnly') },
      ApiKeyRequired: false,
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: Match.stringLikeRegexp('earer'),
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  test('the authorizer runs on Node.js 24, arm64, traced, with JSON logs, explicit memory and timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 5,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: { Variables: Match.objectLike({ SECURE_API_AUTHORIZER_CONFIG_FILE: '/opt/secure-api/authorizer-config.json' }) },
      Layers: [{ Ref: Match.stringLikeRegexp('^ApiAuthorizerConfig') }],
    });
  });

  test('the authorizer configuration ships in a layer of its own, not in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['nodejs24.x'],
      CompatibleArchitectures: ['arm64'],
      Description: Match.stringLikeRegexp('authorizer configuration'),
    });
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', {
      Properties: { Description: 'SecureApi JWT/claims authorizer' },
    })) as any[];
    // No deploy-time values in this configuration: nothing but the file's path in the environment.
    expect(fn.Properties.Environment.Variables.SECURE_API_AUTHORIZER_CONFIG_REFS).toBeUndefined();
    expect(JSON.stringify(fn.Properties.Environment)).not.toContain('things:read');
  });

  test('the authorizer configuration carries issuers, the route table and the token limits', () => {
    expect(authorizerConfig(template)).toEqual({
      issuers: [{ issuer: 'https://issuer.example.com', audience: ['api://demo'], jwksUri: 'https://issuer.example.com/.well-known/jwks.json' }],
      routes: [{ method: 'GET', path: '/things', scopes: ['things:read'] }],
      clockSkewSeconds: 60,
      maxTokenBytes: 8192,
      maxTokenLifetimeSeconds: 86400,
      jwksTimeoutMs: 3000,
      jwksMaxAgeSeconds: 600,
    });
  });

  test('function roles have no inline policy: permissions sit in one customer-managed policy each', () => {
    const policies = resourcesOf(template, 'AWS::IAM::Policy');
    // The only inline policy is the CDK Trail's CloudWatch Logs delivery role.
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyName).toMatch(/LogsRole/);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'WriteOwnLogs', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] })]) },
    });
  });

  test('API Gateway Lambda permissions name this account and the API', () => {
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission')
      .filter((p) => p.Properties.Principal === 'apigateway.amazonaws.com');
    expect(permissions.length).toBeGreaterThan(0);
    for (const p of permissions) {
      expect(p.Properties.SourceAccount).toBe('123456789012');
      expect(p.Properties.SourceArn).toBeDefined();
    }
  });

  test('WAF has IP and caller rate rules answered 429, a body limit and the managed groups', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Statement: { RateBasedStatement: { Limit: 1000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } },
          Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rate-limited' } } },
        }),
        Match.objectLike({
          Name: 'RateLimitPerCaller',
          Statement: { RateBasedStatement: Match.objectLike({ Limit: 500, AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }] }) },
        }),
        Match.objectLike({
          Name: 'BodySizeLimit',
          Statement: { SizeConstraintStatement: Match.objectLike({ ComparisonOperator: 'GT', Size: 16384, FieldToMatch: { Body: { OversizeHandling: 'MATCH' } } }) },
          Action: { Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: 'too-large' } } },
        }),
      ]),
      CustomResponseBodies: Match.objectLike({ 'rate-limited': { ContentType: 'APPLICATION_JSON', Content: '{"message":"Too Many Requests"}' } }),
    });
    const [acl] = resourcesOf(template, 'AWS::WAFv2::WebACL');
    const groups = acl.Properties.Rules.filter((r: any) => r.Statement.ManagedRuleGroupStatement).map((r: any) => r.Name);
    expect(groups).toEqual(['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet']);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test('WAF logs go to an encrypted aws-waf-logs- group with credentials redacted', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-') });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'x-api-key' } }]),
    });
  });

  test('the table is encrypted with a rotating customer-managed key, recoverable, protected and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: Match.stringLikeRegexp('^alias/secure-api/TestStack-Api-Data-[A-Za-z0-9]+/table$') });
  });

  test('every key rotates and lets only AWS services create grants', () => {
    const keys = resourcesOf(template, 'AWS::KMS::Key');
    expect(keys).toHaveLength(4);
    for (const key of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
        Sid: 'DenyGrantsExceptForAwsServices',
        Effect: 'Deny',
        Action: 'kms:CreateGrant',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }));
    }
  });

  test('the table key is usable only through DynamoDB', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'SecureApi: encrypts the API DynamoDB table',
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'DenyUseOutsideDynamoDB', Effect: 'Deny',
        Condition: Match.objectLike({ StringNotEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } }),
      })]) },
    });
  });

  test('CloudTrail is multi-region, validated, encrypted, in CloudWatch Logs and records the table data events', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      IncludeGlobalServiceEvents: true,
      KMSKeyId: Match.anyValue(),
      CloudWatchLogsLogGroupArn: Match.anyValue(),
      AdvancedEventSelectors: [
        { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        Match.objectLike({ FieldSelectors: Match.arrayWith([{ Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] }]) }),
      ],
    });
    const [trail] = resourcesOf(template, 'AWS::CloudTrail::Trail');
    expect(trail.Properties.EventSelectors).toBeUndefined();
    const dataSelector = trail.Properties.AdvancedEventSelectors[1].FieldSelectors;
    expect(dataSelector.find((f: any) => f.Field === 'readOnly')).toBeUndefined();
  });

  test('the trail bucket is KMS-encrypted, private, SSL-only, versioned, locked, logged and has a lifecycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'trail-bucket/' }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 2555, Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }] })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('no CORS preflight methods and no resource policy unless configured', () => {
    expect(resourcesOf(template, 'AWS::ApiGateway::Method').filter((m) => m.Properties.HttpMethod === 'OPTIONS')).toHaveLength(0);
    const [api] = resourcesOf(template, 'AWS::ApiGateway::RestApi');
    expect(api.Properties.Policy).toBeUndefined();
  });
});

describe('SecureApi props', () => {
  test('securityPolicy selects another enhanced policy', () => {
    const { template } = synth({ securityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09' });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09', EndpointAccessMode: 'STRICT' });
  });

  test('a custom domain gets TLS 1.2, a mapping, an alias record, and disables the execute-api endpoint', () => {
    const stack = newStack();
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    new SecureApi(stack, 'Api', { ...MINIMAL, customDomain: { domainName: 'api.example.com', certificate, hostedZone: zone },
      routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'api.example.com', SecurityPolicy: 'TLS_1_2', EndpointConfiguration: { Types: ['REGIONAL'] } });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', Type: 'A' });
  });

  test('a custom domain can use a TLS 1.3 policy (STRICT) and keep the execute-api endpoint', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    new SecureApi(stack, 'Api', { ...MINIMAL, customDomain: { domainName: 'api.example.com', certificate,
      securityPolicy: apigw.SecurityPolicy.TLS13_1_3_2025_09, keepExecuteApiEndpoint: true },
    routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09', EndpointAccessMode: 'STRICT' });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: false });
  });

  test('cors allows only the configured origins', () => {
    const { template } = synth({ cors: { allowOrigins: ['https://app.example.com'] } });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({ IntegrationResponses: [Match.objectLike({
        ResponseParameters: Match.objectLike({ 'method.response.header.Access-Control-Allow-Origin': "'https://app.example.com'" }),
      })] }),
    });
  });

  test('ipAllowList denies other sources in the resource policy and in WAF', () => {
    const { template } = synth({ ipAllowList: ['203.0.113.0/24', '2001:db8::/32'] });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: { Statement: Match.arrayWith([Match.objectLike({
        Effect: 'Deny', Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
      })]) },
    });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24'] });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32'] });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({ Name: 'NotInAllowList', Statement: { NotStatement: { Statement: { OrStatement: Match.anyValue() } } } })]),
    });
  });

  test('waf options set limits, window, caller key, deny list, geo blocking and extra groups', () => {
    const { template } = synth({ waf: {
      ipRateLimit: 200, callerRateLimit: 50, evaluationWindow: Duration.minutes(1), callerKey: CallerKey.API_KEY,
      maxBodyBytes: 4096, denyCidrs: ['198.51.100.7/32'], blockedCountries: ['KP'],
      additionalManagedRuleGroups: [{ name: 'AWSManagedRulesAnonymousIpList' }],
      countOnlyManagedRules: { AWSManagedRulesSQLiRuleSet: ['SQLi_BODY'] },
    } });
    const [acl] = resourcesOf(template, 'AWS::WAFv2::WebACL');
    const rule = (name: string) => acl.Properties.Rules.find((r: any) => r.Name === name);
    expect(rule('RateLimitPerIp').Statement.RateBasedStatement).toMatchObject({ Limit: 200, EvaluationWindowSec: 60 });
    expect(rule('RateLimitPerCaller').Statement.RateBasedStatement).toMatchObject({ Limit: 50, CustomKeys: [{ Header: { Name: 'x-api-key' } }] });
    expect(rule('BodySizeLimit').Statement.SizeConstraintStatement.Size).toBe(4096);
    expect(acl.Properties.AssociationConfig).toBeUndefined();
    expect(rule('DenyListV4').Action.Block.CustomResponse.ResponseCode).toBe(403);
    expect(rule('BlockedCountries').Statement.GeoMatchStatement.CountryCodes).toEqual(['KP']);
    expect(rule('AWSManagedRulesAnonymousIpList')).toBeDefined();
    expect(rule('AWSManagedRulesSQLiRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides)
      .toEqual([{ Name: 'SQLi_BODY', ActionToUse: { Count: {} } }]);
    // Rules are evaluated deny list first, rate limits before managed groups.
    expect(acl.Properties.Rules.map((r: any) => r.Priority)).toEqual(acl.Properties.Rules.map((_: any, i: number) => i));
    expect(rule('DenyListV4').Priority).toBeLessThan(rule('RateLimitPerIp').Priority);
  });

  test('a body limit above 16 KiB widens the WAF inspection window to match', () => {
    const { template } = synth({ waf: { maxBodyBytes: 40000 } });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_48' } } },
    });
  });

  test('usage plans and clients: throttles, quotas, route throttles, one key per client, keys required', () => {
    const { template } = synth({
      usagePlans: {
        basic: { throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 1000, period: apigw.Period.DAY },
          routeThrottles: { 'GET /things': { rateLimit: 1, burstLimit: 2 } } },
        gold: { throttle: { rateLimit: 50, burstLimit: 100 }, quota: { limit: 100000, period: apigw.Period.MONTH } },
      },
      clients: { alpha: { plan: 'basic' }, beta: { plan: 'gold' } },
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 5, BurstLimit: 10 }, Quota: { Limit: 1000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Throttle: { '/things/GET': { RateLimit: 1, BurstLimit: 2 } } })],
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Quota: { Limit: 100000, Period: 'MONTH' } });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 2);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 2);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', ApiKeyRequired: true });
    template.hasOutput('*', { Description: Match.stringLikeRegexp("client 'alpha'") });
  });

  test('API key source AUTHORIZER maps the client claim to key ids and lets the authorizer read only those keys', () => {
    const { template } = synth({
      apiKeySource: apigw.ApiKeySourceType.AUTHORIZER,
      apiKeyClaim: 'azp',
      usagePlans: { basic: { throttle: { rateLimit: 5, burstLimit: 10 } } },
      clients: { alpha: { plan: 'basic', claimValue: 'client-123' } },
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    const config = authorizerConfig(template);
    expect(config.apiKey).toEqual({ claim: 'azp', keyIds: { 'client-123': 'TOKEN' } });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'ReadClientApiKeys', Action: 'apigateway:GET',
        Resource: { 'Fn::Join': ['', Match.arrayWith([':apigateway:eu-west-1::/apikeys/'])] },
      })]) },
    });
  });

  test('tokenPolicy and cache TTL reach the authorizer', () => {
    const { template } = synth({
      tokenPolicy: { clockSkew: Duration.seconds(5), maxTokenBytes: 4096, maxTokenLifetime: Duration.hours(1), jwksTimeout: Duration.millis(1500), jwksMaxAge: Duration.minutes(2), tenantClaim: 'tenant_id' },
      authorizerCacheTtl: Duration.seconds(0),
    });
    expect(authorizerConfig(template)).toMatchObject({ clockSkewSeconds: 5, maxTokenBytes: 4096, maxTokenLifetimeSeconds: 3600, jwksTimeoutMs: 1500, jwksMaxAgeSeconds: 120, tenantClaim: 'tenant_id' });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
  });

  test('allowAnyTokenLifetime explicitly removes the lifetime cap', () => {
    const { template } = synth({ tokenPolicy: { allowAnyTokenLifetime: true } });
    expect(authorizerConfig(template).maxTokenLifetimeSeconds).toBeUndefined();
  });

  test('several issuers, an explicit audience opt-out, and a Cognito user pool', () => {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    new SecureApi(stack, 'Api', {
      issuer: 'https://a.example.com/', allowAnyAudience: true, jwksUri: 'https://keys.example.com/jwks',
      additionalIssuers: [{ issuer: 'https://b.example.com', audience: ['x', 'y'] }],
      cognito: { userPool: pool, clientIds: ['client1'], tokenUse: CognitoTokenUse.ID },
      routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } },
    });
    const config = authorizerConfig(Template.fromStack(stack), stack);
    expect(config.issuers).toEqual([
      { issuer: 'https://a.example.com/', audience: null, jwksUri: 'https://keys.example.com/jwks' },
      { issuer: 'https://b.example.com', audience: ['x', 'y'], jwksUri: 'https://b.example.com/.well-known/jwks.json' },
      // The user pool id and the partition's URL suffix are CloudFormation references.
      { issuer: 'https://cognito-idp.eu-west-1.TOKEN/TOKEN', audience: ['client1'],
        jwksUri: 'https://cognito-idp.eu-west-1.TOKEN/TOKEN/.well-known/jwks.json', cognito: { userPoolId: 'TOKEN', tokenUse: 'id' } },
    ]);
  });

  test('a Cognito user pool imported from another region is trusted with its own region\'s issuer', () => {
    const stack = newStack(); // eu-west-1
    new SecureApi(stack, 'Api', {
      cognito: { userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_AbC123'), clientIds: ['client1'] },
      routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } },
    });
    const config = authorizerConfig(Template.fromStack(stack), stack);
    expect(config.issuers).toEqual([{
      issuer: 'https://cognito-idp.us-east-1.TOKEN/us-east-1_AbC123', audience: ['client1'],
      jwksUri: 'https://cognito-idp.us-east-1.TOKEN/us-east-1_AbC123/.well-known/jwks.json',
      cognito: { userPoolId: 'us-east-1_AbC123', tokenUse: 'access' },
    }]);
  });

  test('a Cognito user pool imported by a token id takes its region from the id in CloudFormation', () => {
    const stack = newStack();
    const poolId = new CfnParameter(stack, 'PoolId').valueAsString;
    new SecureApi(stack, 'Api', {
      cognito: { userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', poolId), clientIds: ['client1'] },
      routes: { 'GET /things': { integration: backend(stack), scopes: ['things:read'] } },
    });
    const [fn] = (Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as any[])
      .filter((f) => f.Properties.Environment?.Variables?.SECURE_API_AUTHORIZER_CONFIG_FILE !== undefined);
    // The deploy-time values of the configuration travel in the environment, resolved by CloudFormation.
    expect(JSON.stringify(fn.Properties.Environment.Variables.SECURE_API_AUTHORIZER_CONFIG_REFS))
      .toContain('{"Fn::Select":[0,{"Fn::Split":["_",{"Ref":"PoolId"}]}]}');
  });

  test('routes: public, body models, query parameters, claims, and addRoute after construction', () => {
    const { template } = synth((integration) => ({
      routes: {
        'GET /health': { integration, publicAccess: true },
        'POST /things': { integration, scopes: ['things:write'], requestSchema: { type: apigw.JsonSchemaType.OBJECT, additionalProperties: false } },
        'GET /things': { integration, scopes: ['things:read', 'admin'], scopeMatch: ScopeMatch.ANY, queryParameters: { limit: false } },
      },
    }), (api, _stack, integration) => {
      api.addRoute('DELETE /things/{id}', { integration, scopes: ['things:write'], claims: [ClaimCondition.includes('groups', 'admins')] });
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'NONE', ApiKeyRequired: false, AuthorizerId: Match.absent() });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST', RequestValidatorId: { Ref: Match.stringLikeRegexp('BodyAndParameters') },
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('ModelPostThings') } },
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', { ContentType: 'application/json', Schema: { type: 'object', additionalProperties: false } });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', RequestParameters: { 'method.request.querystring.limit': false } });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'DELETE', RequestParameters: { 'method.request.path.id': true } });
    expect(authorizerConfig(template).routes).toEqual([
      { method: 'GET', path: '/health', public: true },
      { method: 'POST', path: '/things', scopes: ['things:write'] },
      { method: 'GET', path: '/things', scopes: ['things:read', 'admin'], scopeMatch: 'any' },
      { method: 'DELETE', path: '/things/{id}', scopes: ['things:write'], claims: [{ claim: 'groups', includes: 'admins' }] },
    ]);
  });

  test('a throwaway table: DESTROY turns deletion protection off', () => {
    const { template } = synth({ table: { removalPolicy: RemovalPolicy.DESTROY } });
    template.hasResource('AWS::DynamoDB::Table', { Properties: Match.objectLike({ DeletionProtectionEnabled: false }), DeletionPolicy: 'Delete' });
  });

  test('audit: write-only data events, none, or an existing organization trail', () => {
    const writes = synth({ audit: { tableDataEvents: TableDataEvents.WRITES } }).template;
    const [trail] = resourcesOf(writes, 'AWS::CloudTrail::Trail');
    expect(trail.Properties.AdvancedEventSelectors[1].FieldSelectors).toContainEqual({ Field: 'readOnly', Equals: ['false'] });
    const none = synth({ audit: { tableDataEvents: TableDataEvents.NONE } }).template;
    expect(resourcesOf(none, 'AWS::CloudTrail::Trail')[0].Properties.AdvancedEventSelectors).toHaveLength(1);
    const { template, api } = synth({ audit: { existingTrailArn: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/org' } });
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(api.trailArn).toBe('arn:aws:cloudtrail:eu-west-1:111111111111:trail/org');
  });

  test('stage throttle, log retention, no account role, and reserved concurrency', () => {
    const { template } = synth({ throttle: { rateLimit: 10, burstLimit: 20 }, logRetention: 30 as any, cloudWatchRole: false, authorizerReservedConcurrency: 25 });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })] });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 25 });
  });

  test('two SecureApis in one stack get distinct key aliases and WAF names', () => {
    const stack = newStack();
    const integration = backend(stack);
    for (const id of ['One', 'Two']) {
      new SecureApi(stack, id, { ...MINIMAL, routes: { 'GET /things': { integration, scopes: ['things:read'] } } });
    }
    const template = Template.fromStack(stack);
    const names = (type: string, prop: string) => resourcesOf(template, type).map((r) => r.Properties[prop]);
    for (const [type, prop] of [['AWS::KMS::Alias', 'AliasName'], ['AWS::WAFv2::WebACL', 'Name']]) {
      const values = names(type, prop);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  test('a throwaway stage keeps audit logs (no auto-delete) but drops the default Object Lock retention', () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY });
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    expect(buckets.map((b) => b.Properties.ObjectLockConfiguration?.Rule)).toEqual([undefined, undefined]);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('exposes its children', () => {
    const { api } = synth();
    expect(api.api).toBeInstanceOf(apigw.RestApi);
    expect(api.webAcl).toBeDefined();
    expect(api.authorizerFunction).toBeDefined();
    expect(api.table).toBeDefined();
    expect(api.tableKey).toBeDefined();
    expect(api.tokenAuthorizer).toBeInstanceOf(apigw.TokenAuthorizer);
    expect(api.auditTrail?.trail).toBeDefined();
    expect(api.routeKeys).toEqual(['GET /things']);
  });
});

describe('SecureApi invalid configuration', () => {
  /** The props fail with CDK's ValidationError, naming this construct and its path, the prop, the rule and the value. */
  const fails = (props: Parameters<typeof synth>[0], message: RegExp) => {
    const error = validationErrorOf(() => synth(props));
    expect(error.message).toMatch(/^SecureApi at 'TestStack\/Api': /);
    expect(error.message).toMatch(message);
    expect(error.constructPath).toBe('TestStack/Api');
  };

  test.each([
    ['no issuer at all', { issuer: undefined, audience: undefined }, /a token issuer is required/],
    ['issuer without audience', { audience: undefined }, /'audience' is required: .*'allowAnyAudience: true' to explicitly accept any audience/],
    ['an audience and the audience opt-out', { allowAnyAudience: true }, /'audience' and 'allowAnyAudience' exclude each other/],
    ['an additional issuer without audience', { additionalIssuers: [{ issuer: 'https://b.example.com' }] }, /'additionalIssuers\[0\]\.audience' is required/],
    ['a lifetime cap and its opt-out', { tokenPolicy: { maxTokenLifetime: Duration.hours(1), allowAnyTokenLifetime: true } }, /'tokenPolicy.maxTokenLifetime' and 'tokenPolicy.allowAnyTokenLifetime' exclude each other/],
    ['a lifetime cap under a minute', { tokenPolicy: { maxTokenLifetime: Duration.seconds(30) } }, /'tokenPolicy.maxTokenLifetime' must be at least 60 seconds/],
    ['table settings and an existing table', { table: {}, withoutTable: true }, /'table', 'existingTable' and 'withoutTable' exclude each other \(got table and withoutTable\)/],
    ['a table key without a table', { existingTableKey: {} as kms.IKey }, /'existingTableKey' needs 'existingTable'/],
    ['a trail and an existing trail', { audit: { trail: {} as AuditTrail, existingTrailArn: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/org' } }, /'audit.trail' and 'audit.existingTrailArn' exclude each other/],
    ['a base path with a leading slash', { customDomain: { domainName: 'api.example.com', certificate: {} as any, basePath: '/v1' } }, /'customDomain.basePath' must be path segments .*\(got '\/v1'\)/],
    ['compression above 10 MiB', { minCompressionSize: Size.mebibytes(11) }, /'minCompressionSize' must be at most 10 MiB \(got 11534336 bytes\)/],
    ['plain-http issuer', { issuer: 'http://issuer.example.com' }, /'issuer' must be an https URL, or Google's legacy 'accounts\.google\.com' \(got 'http:\/\/issuer.example.com'\)/],
    ['plain-http JWKS', { jwksUri: 'http://issuer.example.com/jwks' }, /'jwksUri' must be an https URL/],
    ['empty audience list', { audience: [] }, /'audience' must list non-empty values \(got \[\]\)/],
    ['legacy API security policy', { securityPolicy: 'TLS_1_2' }, /'securityPolicy' must be an enhanced policy .*\(got 'TLS_1_2'\)/],
    ['WAF rate limit below the minimum', { waf: { ipRateLimit: 5 } }, /'waf.ipRateLimit' must be an integer from 10 to 2000000000 .*\(got 5\)/],
    ['WAF window WAF does not offer', { waf: { evaluationWindow: Duration.minutes(3) } }, /'waf.evaluationWindow' must be 60, 120, 300 or 600 seconds \(got 180\)/],
    ['WAF body limit over 64 KiB', { waf: { maxBodyBytes: 100000 } }, /'waf.maxBodyBytes' must be an integer from 1 to 65536 .*\(got 100000\)/],
    ['malformed CIDR', { ipAllowList: ['10.0.0.0'] }, /'ipAllowList' entries must be IPv4 or IPv6 CIDRs .*\(got '10.0.0.0'\)/],
    ['unknown country code', { waf: { blockedCountries: ['North Korea'] } }, /'waf.blockedCountries' entries must be ISO 3166-1 alpha-2 codes .*\(got 'North Korea'\)/],
    ['quota without a period', { usagePlans: { p: { throttle: { rateLimit: 1, burstLimit: 1 }, quota: { limit: 10 } as any } } }, /'usagePlans.p.quota.period' is required/],
    ['plan without a throttle', { usagePlans: { p: {} as any } }, /'usagePlans.p.throttle' is required/],
    ['a zero stage rate', { throttle: { rateLimit: 0, burstLimit: 10 } }, /'throttle.rateLimit' must be a positive number \(got 0\)/],
    ['a fractional stage burst', { throttle: { rateLimit: 10, burstLimit: 1.5 } }, /'throttle.burstLimit' must be a positive integer \(got 1.5\)/],
    ['negative plan rate', { usagePlans: { p: { throttle: { rateLimit: -1, burstLimit: 1 } } } }, /'usagePlans.p.throttle.rateLimit' must be a positive number \(got -1\)/],
    ['client in an unknown plan', { usagePlans: { p: { throttle: { rateLimit: 1, burstLimit: 1 } } }, clients: { c: { plan: 'gold' } } }, /'clients.c.plan' must name a usage plan \(got 'gold'; plans: p\)/],
    ['clients without plans', { clients: { c: { plan: 'p' } } }, /'clients.c.plan' must name a usage plan \(got 'p'; plans: none\)/],
    ['two clients with one claim value', { usagePlans: { p: { throttle: { rateLimit: 1, burstLimit: 1 } } }, clients: { a: { plan: 'p', claimValue: 'x' }, b: { plan: 'p', claimValue: 'x' } } }, /'clients.b.claimValue' must be unique/],
    ['apiKeyClaim with HEADER keys', { apiKeyClaim: 'client_id' }, /'apiKeyClaim' only applies with 'apiKeySource' AUTHORIZER/],
    ['wildcard CORS origin', { cors: { allowOrigins: ['*'] } }, /'cors.allowOrigins' entries must be https origins .*\(got '\*'\)/],
    ['token size limit too large', { tokenPolicy: { maxTokenBytes: 1_000_000 } }, /'tokenPolicy.maxTokenBytes' must be an integer from 1024 to 16384 \(got 1000000\)/],
    ['clock skew too large', { tokenPolicy: { clockSkew: Duration.minutes(10) } }, /'tokenPolicy.clockSkew' must be at most 300 seconds \(got 600\)/],
    ['cache TTL over an hour', { authorizerCacheTtl: Duration.hours(2) }, /'authorizerCacheTtl' must be at most 3600 seconds \(got 7200\)/],
    ['a Cognito pool id without its region', { issuer: undefined, audience: undefined, cognito: { userPool: { userPoolId: 'AbC123', stack: undefined } as any, clientIds: ['c'] } }, /'cognito.userPool' must have a user pool id of the form <region>_<id>.*\(got 'AbC123'\)/],
    ['a JWKS max age under a minute', { tokenPolicy: { jwksMaxAge: Duration.seconds(30) } }, /'tokenPolicy.jwksMaxAge' must be from 1 minute to 24 hours \(got 30 seconds\)/],
    ['a JWKS max age over a day', { tokenPolicy: { jwksMaxAge: Duration.days(2) } }, /'tokenPolicy.jwksMaxAge' must be from 1 minute to 24 hours \(got 172800 seconds\)/],
  ])('rejects %s', (_name, props, message) => fails(props as any, message));

  test('rejects a route with no scopes or claims that is not marked public', () => {
    fails((integration) => ({ routes: { 'GET /open': { integration } } }), /route 'GET \/open' must declare 'scopes', 'claims' or 'anyOf', or explicitly 'publicAccess: true'/);
  });

  test('rejects a public route that also declares scopes', () => {
    fails((integration) => ({ routes: { 'GET /open': { integration, publicAccess: true, scopes: ['x'] } } }), /route 'GET \/open': a route with 'publicAccess: true' must not declare/);
  });

  test('rejects a malformed route key and a greedy path', () => {
    fails((integration) => ({ routes: { 'FETCH /x': { integration, scopes: ['x'] } } }), /'routes': route key 'FETCH \/x': unknown method 'FETCH'/);
    fails((integration) => ({ routes: { 'GET /x/{proxy+}': { integration, scopes: ['x'] } } }), /'routes': .*greedy/);
  });

  test('rejects a body route without a schema unless allowAnyBody is explicit', () => {
    fails((integration) => ({ routes: { 'POST /x': { integration, scopes: ['x'] } } }), /route 'POST \/x' takes a body: set 'requestSchema'/);
    expect(() => synth((integration) => ({ routes: { 'POST /x': { integration, scopes: ['x'], allowAnyBody: true } } }))).not.toThrow();
  });

  test('rejects a route declared twice', () => {
    expect(() => synth({}, (api, _s, integration) => api.addRoute('GET /things', { integration, scopes: ['y'] })))
      .toThrow(/route 'GET \/things' is declared twice/);
  });

  test('fails synth when a route throttle names an unknown route', () => {
    expect(() => synth({ usagePlans: { p: { throttle: { rateLimit: 1, burstLimit: 1 }, routeThrottles: { 'GET /nope': { rateLimit: 1, burstLimit: 1 } } } } }))
      .toThrow(/'usagePlans.p.routeThrottles' names an unknown route \(got 'GET \/nope'; routes: GET \/things\)/);
  });

  test('fails synth when the API has no route', () => {
    expect(() => synth({ routes: {} })).toThrow(/no routes: declare at least one/);
  });

});
