/**
 * A SecureApi with quota plans and the QuotaWatcher built from its public `usagePlans` and `apiKeys` passes every
 * policy pack the demo runs (cdk-nag AwsSolutions, Serverless, NIST 800-53 R5, PCI DSS 3.2.1, HIPAA Security, and the
 * Control Tower proactive controls through cfn-guard), with no finding or warning.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { addCompliancePacks } from '../../demo/compliance-packs';
import { SecureApi } from '../../lib';
import { QuotaWatcher } from '../../lib/quota-watcher';

test('a SecureApi with quota plans and its QuotaWatcher pass all policy packs', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-quota-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Quota', { env: { account: '123456789012', region: 'eu-west-1' } });
  const quotas = {
    gold: { limit: 10000, period: apigw.Period.MONTH },
    free: { limit: 100, period: apigw.Period.DAY },
  };
  const api = new SecureApi(stack, 'Api', {
    issuer: 'https://login.example.com', audience: ['api://quota'],
    routes: { 'GET /status': { integration: new apigw.MockIntegration(), scopes: ['status:read'] } },
    usagePlans: {
      gold: { throttle: { rateLimit: 50, burstLimit: 100 }, quota: quotas.gold },
      free: { throttle: { rateLimit: 5, burstLimit: 10 }, quota: quotas.free },
    },
    clients: { acme: { plan: 'gold' }, globex: { plan: 'gold' }, hobby: { plan: 'free' } },
  });
  const clientsOf: Record<string, string[]> = { gold: ['acme', 'globex'], free: ['hobby'] };
  const watcher = new QuotaWatcher(stack, 'QuotaWatcher', {
    metricNamespace: 'SecureApi/Quota',
    interval: Duration.minutes(30),
    logKey: api.logKey,
    plans: (Object.keys(quotas) as Array<keyof typeof quotas>).map((name) => ({
      name, usagePlan: api.usagePlans[name], ...quotas[name],
      clients: clientsOf[name].map((client) => ({ name: client, apiKey: api.apiKeys[client] })),
    })),
  });
  expect(watcher.clientNames('gold')).toEqual(['acme', 'globex']);

  addCompliancePacks(app);
  app.synth();
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  const findings = report.pluginReports.flatMap((p: any) => p.violations.map((v: any) => `${p.pluginName}: ${v.ruleName}`));
  expect(findings).toEqual([]);
  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Quota.template.json'), 'utf8'));
  const types = Object.values(template.Resources).map((r: any) => r.Type);
  expect(types).toEqual(expect.arrayContaining(['AWS::Events::Rule', 'AWS::Lambda::Permission', 'AWS::ApiGateway::UsagePlan']));
});
