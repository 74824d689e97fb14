import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, NestedStack, Size, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { SecureApi } from '../../lib';
import { addCompliancePacks } from '../../demo/compliance-packs';
import { ItemsService } from '../../demo/items-service';

/** Synthesizes the app with every policy pack the demo runs and returns each finding as `pack: rule`. */
function packFindings(app: App, outdir: string): string[] {
  addCompliancePacks(app);
  app.synth();
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((p: any) => p.violations.map((v: any) => `${p.pluginName}: ${v.ruleName}`));
}

/** Every optional feature on at once: what a demanding user deploys must pass the same packs as the demo. */
test('a SecureApi with every option enabled passes all policy packs with no finding or warning', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-max-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Max', { env: { account: '123456789012', region: 'eu-west-1' } });
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
  const api = new SecureApi(stack, 'Api', {
    issuer: 'https://login.example.com', audience: ['api://max'],
    cognito: { userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abc'), clientIds: ['client'] },
    cors: { allowOrigins: ['https://app.example.com'] },
    ipAllowList: ['203.0.113.0/24', '2001:db8::/32'],
    customDomain: { domainName: 'api.example.com', certificate, hostedZone: zone, securityPolicy: apigw.SecurityPolicy.TLS13_1_3_2025_09, basePath: 'v1/max' },
    binaryMediaTypes: ['image/png'],
    minCompressionSize: Size.kibibytes(1),
    apiKeySource: apigw.ApiKeySourceType.AUTHORIZER,
    usagePlans: { basic: { throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 100, period: apigw.Period.DAY } } },
    clients: { alpha: { plan: 'basic' } },
    waf: { denyCidrs: ['198.51.100.0/24'], blockedCountries: ['KP'], additionalManagedRuleGroups: [{ name: 'AWSManagedRulesAnonymousIpList' }] },
    tokenPolicy: { tenantClaim: 'tenant' },
    authorizerReservedConcurrency: 10,
    monitoring: { stack: new NestedStack(stack, 'Monitoring'), alarmEmails: ['security@example.com'] },
  });
  new ItemsService(stack, 'Items', { api, reservedConcurrentExecutions: 5 });
  api.addRoute('GET /health', { integration: new apigw.MockIntegration(), publicAccess: true });
  api.addUsagePlan('later', { throttle: { rateLimit: 1, burstLimit: 1 } });
  api.addClient('beta', { plan: 'later' });
  // A second API in the same stack shares the trail and the account's CloudWatch role, and brings no table.
  new SecureApi(stack, 'Second', {
    issuer: 'https://login.example.com', audience: ['api://second'], withoutTable: true,
    routes: { 'GET /status': { integration: new apigw.MockIntegration(), scopes: ['status:read'] } },
  });
  expect(packFindings(app, outdir)).toEqual([]);
});

/** The optional resources of other paths: the account logging check, and a table in the user's AWS Backup plan. */
test("SecureApi's account logging check and backup selection pass all policy packs", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-paths-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Paths', { env: { account: '123456789012', region: 'eu-west-1' } });
  // The user's plan: an imported one, whose vault and settings are the platform's and not checked here.
  const backupPlan = backup.BackupPlan.fromBackupPlanId(stack, 'Plan', 'plan-1234');
  new SecureApi(stack, 'Api', {
    issuer: 'https://login.example.com', audience: ['api://paths'],
    cloudWatchRole: false,
    table: { backupPlan },
    routes: { 'GET /status': { integration: new apigw.MockIntegration(), scopes: ['status:read'] } },
  });
  expect(packFindings(app, outdir)).toEqual([]);
  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Paths.template.json'), 'utf8'));
  const types = Object.values(template.Resources).map((r: any) => r.Type);
  expect(types).toEqual(expect.arrayContaining(['Custom::SecureApiAccountLoggingCheck', 'AWS::Backup::BackupSelection']));
});
