import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CallerKey, ClaimCondition, ScopeMatch, SecureApi, TableDataEvents } from '../../lib';
import { DemoStack } from '../../demo/demo-stack';
import { ItemsService } from '../../demo/items-service';

/*
 * The templates the validators check, each synthesized once into a directory of its own.
 */

const ROOT = path.join(__dirname, '..', '..');

/** A synthesized template on disk. */
export interface SynthesizedTemplate {
  /** What it is, as the tests name it. */
  readonly name: string;
  /** The cloud assembly directory. */
  readonly outdir: string;
  /** The template file. */
  readonly templateFile: string;
}

/** Context every feature flag that `cdk init` writes into a new app's cdk.json. */
export type FlagContext = Record<string, unknown>;

/**
 * The feature flags a new CDK app starts with: what `cdk init` (the aws-cdk CLI installed here) writes into
 * cdk.json, and aws-cdk-lib's own list of currently recommended values. The two agree for matching versions;
 * taking both means a flag added by either is on.
 */
export function recommendedFlags(): FlagContext {
  const cliRoot = path.dirname(require.resolve('aws-cdk/package.json', { paths: [ROOT] }));
  const initFlags = JSON.parse(fs.readFileSync(path.join(cliRoot, 'lib', 'init-templates', '.recommended-feature-flags.json'), 'utf8')) as FlagContext;
  return { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, ...initFlags };
}

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `secure-api-${name}-`));
}

function synthStack(name: string, context: FlagContext, build: (app: App) => Stack): SynthesizedTemplate {
  const outdir = tempDir(name);
  const app = new App({ outdir, context });
  const stack = build(app);
  const assembly = app.synth();
  return { name, outdir, templateFile: assembly.getStackByName(stack.stackName).templateFullPath };
}

/** The demo app's synthesis: its template, and how the process ended. */
export interface DemoAppSynthesis extends SynthesizedTemplate {
  /** Exit status of the app. */
  readonly status: number | null;
  /** What it printed. */
  readonly output: string;
}

/**
 * The demo app exactly as `npx cdk synth` runs it: `bin/app.ts` with the context of the repository's cdk.json
 * (its settings and feature flags), and the compliance packs `bin/app.ts` adds. Synthesis fails on any
 * unacknowledged pack finding; the report is `validation-report.json` in `outdir`. A child process, so that the
 * other templates synthesize meanwhile.
 */
export function synthDemoApp(): Promise<DemoAppSynthesis> {
  const outdir = tempDir('demo-app');
  const context = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: FlagContext }).context ?? {};
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'bin', 'app.ts')], {
    cwd: ROOT,
    // What the CDK CLI hands the app: where to write the assembly, and cdk.json's context.
    env: { ...process.env, [cxapi.OUTDIR_ENV]: outdir, [cxapi.CONTEXT_ENV]: JSON.stringify(context) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({
      name: 'demo app', outdir, templateFile: path.join(outdir, 'SecureApiDemo.template.json'), status, output,
    }));
  });
}

/** The demo stack in an app that sets no feature flag (an app older than the flags). */
export function synthDemoWithoutFlags(): SynthesizedTemplate {
  return synthStack('demo-no-flags', {}, (app) => new DemoStack(app, 'SecureApiDemo', {
    issuer: 'https://issuer.example.com', audience: ['secure-api-demo'],
  }));
}

/**
 * A SecureApi with every prop that changes the template: custom domain (certificate, hosted zone, multi-level base
 * path, enhanced TLS policy), IP allow-list, CORS, usage plans with quotas and route throttles, clients with the
 * AUTHORIZER key source, three issuers (one of them Cognito), every WAF option, every token check, routes of every
 * kind, and the items service on its table; a second SecureApi in the same stack shares the trail and brings no table.
 */
export function synthFullyConfigured(name: string, context: FlagContext): SynthesizedTemplate {
  return synthStack(name, context, (app) => {
    const stack = new Stack(app, 'FullyConfigured');
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', `arn:${stack.partition}:acm:${stack.region}:${stack.account}:certificate/11111111-2222-3333-4444-555555555555`);
    const backend = new lambda.Function(stack, 'Backend', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
    });
    const integration = new apigw.LambdaIntegration(backend, { allowTestInvoke: false });
    const api = new SecureApi(stack, 'Api', {
      issuer: 'https://login.example.com', audience: ['api://full'],
      jwksUri: 'https://login.example.com/keys',
      additionalIssuers: [
        { issuer: 'https://partner.example.org', audience: ['api://full', 'api://partner'] },
        { issuer: 'https://any.example.net', allowAnyAudience: true, jwksUri: 'https://any.example.net/jwks' },
      ],
      cognito: { userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abcdefghi'), clientIds: ['client-a', 'client-b'] },
      tokenPolicy: {
        clockSkew: Duration.seconds(30), maxTokenBytes: 4096, maxTokenLifetime: Duration.hours(2),
        jwksTimeout: Duration.seconds(2), tenantClaim: 'tenant',
      },
      apiName: 'fully-configured',
      description: 'Every option of SecureApi',
      binaryMediaTypes: ['image/png'],
      minCompressionSize: Size.kibibytes(1),
      stageName: 'v1',
      securityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      throttle: { rateLimit: 300, burstLimit: 600 },
      customDomain: {
        domainName: 'api.example.com', certificate, hostedZone: zone,
        securityPolicy: apigw.SecurityPolicy.TLS13_1_3_2025_09, basePath: 'v1/orders',
      },
      cors: { allowOrigins: ['https://app.example.com'], allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST'], maxAge: Duration.minutes(5) },
      ipAllowList: ['203.0.113.0/24', '2001:db8::/32'],
      waf: {
        ipRateLimit: 2000, callerRateLimit: 400, callerKey: CallerKey.API_KEY, evaluationWindow: Duration.minutes(2),
        maxBodyBytes: 8192,
        additionalManagedRuleGroups: [{ name: 'AWSManagedRulesAnonymousIpList', countOnlyRules: ['HostingProviderIPList'] }],
        countOnlyManagedRules: { AWSManagedRulesCommonRuleSet: ['SizeRestrictions_BODY'] },
        denyCidrs: ['198.51.100.0/24'], blockedCountries: ['KP'],
      },
      apiKeySource: apigw.ApiKeySourceType.AUTHORIZER,
      apiKeyClaim: 'azp',
      usagePlans: {
        basic: {
          throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 1000, period: apigw.Period.DAY },
          routeThrottles: { 'POST /orders': { rateLimit: 1, burstLimit: 2 } }, description: 'Basic plan',
        },
        premium: { throttle: { rateLimit: 50, burstLimit: 100 }, quota: { limit: 100_000, period: apigw.Period.MONTH } },
      },
      clients: { alpha: { plan: 'basic', claimValue: 'client-a' }, beta: { plan: 'premium' } },
      authorizerCacheTtl: Duration.minutes(1),
      authorizerReservedConcurrency: 10,
      // Explicit, so that the account logging role is in the template with the feature flags on too.
      cloudWatchRole: true,
      table: { removalPolicy: RemovalPolicy.RETAIN },
      audit: { tableDataEvents: TableDataEvents.WRITES },
      logRetention: logs.RetentionDays.THREE_MONTHS,
      routes: {
        'GET /health': { integration, publicAccess: true },
        'GET /orders': { integration, scopes: ['orders:read', 'admin'], scopeMatch: ScopeMatch.ANY, queryParameters: { limit: false, cursor: false } },
        'POST /orders': {
          integration, scopes: ['orders:write'],
          requestSchema: { schema: apigw.JsonSchemaVersion.DRAFT4, type: apigw.JsonSchemaType.OBJECT, required: ['sku'], properties: { sku: { type: apigw.JsonSchemaType.STRING } } },
          headerParameters: { 'Idempotency-Key': true },
        },
        'PUT /orders/{id}': { integration, scopes: ['orders:write'], allowAnyBody: true },
        'DELETE /orders/{id}': { integration, claims: [ClaimCondition.includes('groups', 'admins'), ClaimCondition.equalToBoolean('email_verified', true)] },
        'GET /orders/{id}': { integration, claims: [ClaimCondition.oneOf('tenant', ['a', 'b'])], apiKeyRequired: false },
      },
    });
    new ItemsService(stack, 'Items', { api, reservedConcurrentExecutions: 5 });
    api.addUsagePlan('later', { throttle: { rateLimit: 1, burstLimit: 1 } });
    api.addClient('gamma', { plan: 'later' });
    new SecureApi(stack, 'Second', {
      issuer: 'https://login.example.com', audience: ['api://second'], withoutTable: true, cloudWatchRole: true,
      routes: { 'GET /status': { integration: new apigw.MockIntegration(), scopes: ['status:read'] } },
    });
    return stack;
  });
}

/** A SecureApi in an account whose (organization) trail already records it: `audit.existingTrailArn`. */
export function synthExistingTrail(context: FlagContext): SynthesizedTemplate {
  return synthStack('existing-trail', context, (app) => {
    const stack = new Stack(app, 'ExistingTrail');
    new SecureApi(stack, 'Api', {
      issuer: 'https://login.example.com', audience: ['api://existing-trail'],
      audit: { existingTrailArn: `arn:${stack.partition}:cloudtrail:us-east-1:111122223333:trail/organization-trail` },
      // A platform that runs the organization trail usually manages API Gateway's logging role as well.
      cloudWatchRole: false,
      routes: { 'GET /things': { integration: new apigw.MockIntegration(), scopes: ['things:read'] } },
    });
    return stack;
  });
}

/** A throwaway SecureApi (DESTROY) on a table created elsewhere: `existingTable` with its key. */
export function synthExistingTable(context: FlagContext): SynthesizedTemplate {
  return synthStack('existing-table', context, (app) => {
    const stack = new Stack(app, 'ExistingTable');
    const key = kms.Key.fromKeyArn(stack, 'OrdersKey', `arn:${stack.partition}:kms:${stack.region}:${stack.account}:key/11111111-2222-3333-4444-555555555555`);
    const table = dynamodb.Table.fromTableAttributes(stack, 'Orders', {
      tableArn: `arn:${stack.partition}:dynamodb:${stack.region}:${stack.account}:table/orders`,
      encryptionKey: key,
    });
    new SecureApi(stack, 'Api', {
      issuer: 'https://login.example.com', audience: ['api://existing-table'],
      existingTable: table, existingTableKey: key, removalPolicy: RemovalPolicy.DESTROY,
      routes: { 'GET /things': { integration: new apigw.MockIntegration(), scopes: ['things:read'] } },
    });
    return stack;
  });
}
