import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, IPolicyValidationPlugin, Stack, Stage, Validations, CloudFormationValidatePlugin } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SecureApi, SecureApiProps, SecurityReport, SecurityReportOptions } from '../../lib';
import { accessLogBytes } from '../../lib/security-report/cost';
import { qualifiedRuleId } from '../../lib/security-report/pack-results';
import { price } from '../../lib/security-report/prices';
import { JSON_FILE, MARKDOWN_FILE, SCHEMA_VERSION, SecurityReportDocument } from '../../lib/security-report/report-model';
import { valueAt } from '../../lib/security-report/template';
import { addCompliancePacks } from '../../demo/compliance-packs';
import { DemoStack } from '../../demo/demo-stack';
import { FocusedCfnGuardValidator } from '../../demo/focused-cfn-guard';

const ROOT = path.join(__dirname, '..', '..');
const MINIMAL: SecureApiProps = { issuer: 'https://issuer.example.com', audience: ['api://report'] };

function tmpdir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `secure-api-report-${name}-`));
}

interface Synthesized {
  readonly outdir: string;
  readonly error?: Error;
  readonly doc: SecurityReportDocument;
  readonly markdown: string;
}

function read(outdir: string): { doc: SecurityReportDocument; markdown: string } {
  return {
    doc: JSON.parse(fs.readFileSync(path.join(outdir, JSON_FILE), 'utf8')),
    markdown: fs.readFileSync(path.join(outdir, MARKDOWN_FILE), 'utf8'),
  };
}

/** Synthesizes `app`, which writes into `outdir`, and reads the report (the printed location line is silenced). */
function synthApp(app: App, outdir: string): Synthesized {
  const print = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  let error: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    error = e as Error;
  } finally {
    print.mockRestore();
  }
  return { outdir, error, ...read(outdir) };
}

/** A stack of one SecureApi (and whatever `extra` adds), reported with `packs`. */
function synthStack(props: Partial<SecureApiProps> | ((stack: Stack) => Partial<SecureApiProps>), extra?: (stack: Stack, api: SecureApi) => void,
  packs: IPolicyValidationPlugin[] = [], options?: SecurityReportOptions): Synthesized {
  const outdir = tmpdir('stack');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Reported', { env: { account: '123456789012', region: 'eu-west-1' } });
  const api = new SecureApi(stack, 'Api', {
    ...MINIMAL,
    routes: { 'GET /status': { integration: new apigw.MockIntegration(), scopes: ['status:read'] } },
    ...(typeof props === 'function' ? props(stack) : props),
  } as SecureApiProps);
  extra?.(stack, api);
  SecurityReport.addPacks(app, packs, options);
  return synthApp(app, outdir);
}

/** The validation report CDK writes (`cdk.out/validation-report.json`). */
function validationReport(outdir: string): Array<{ pluginName: string; conclusion: string; violations: Array<{ ruleName: string }>; suppressedViolations?: unknown[] }> {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')).pluginReports;
}

/** Every metadata entry of a stack artifact, read from manifest.json and its additional metadata file. */
function manifestMetadata(outdir: string, artifactId: string): Array<{ path: string; type: string; data?: unknown }> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const artifact = manifest.artifacts[artifactId];
  const byPath: Record<string, Array<{ type: string; data?: unknown }>> = { ...(artifact.metadata ?? {}) };
  if (artifact.additionalMetadataFile) {
    const extra = JSON.parse(fs.readFileSync(path.join(outdir, artifact.additionalMetadataFile), 'utf8'));
    for (const [p, entries] of Object.entries(extra)) byPath[p] = [...(byPath[p] ?? []), ...(entries as any[])];
  }
  return Object.entries(byPath).flatMap(([p, entries]) => entries.map((e) => ({ path: p, type: e.type, data: e.data })));
}

function control(doc: SecurityReportDocument, id: string, stack = 0) {
  const found = doc.stacks[stack].controls.find((c) => c.id === id);
  if (!found) throw new Error(`no control ${id}`);
  return found;
}

describe('the demo app with every compliance pack', () => {
  let demo: Synthesized;
  beforeAll(() => {
    const outdir = tmpdir('demo');
    const app = new App({ outdir });
    new DemoStack(app, 'SecureApiDemo', { issuer: 'https://issuer.example.com', audience: ['secure-api-demo'] });
    addCompliancePacks(app);
    demo = synthApp(app, outdir);
  });

  test('synth succeeds and the report lists exactly the packs that ran, each with the result CDK reached', () => {
    expect(demo.error).toBeUndefined();
    expect(demo.doc.schemaVersion).toBe(SCHEMA_VERSION);
    expect(demo.doc.policyPacks.map((p) => p.name))
      .toEqual(['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'cdk-validator-cfnguard']);
    expect(demo.doc.policyPacks.map((p) => p.conclusion)).toEqual(Array(6).fill('passed'));
    expect(demo.doc.allPacksPassed).toBe(true);
    // CDK lists a pack only when it reported something: there, its conclusion and what it suppressed must agree.
    const cdk = validationReport(demo.outdir);
    expect(cdk.length).toBeGreaterThan(0);
    for (const plugin of cdk) {
      const ours = demo.doc.policyPacks.find((p) => p.name === plugin.pluginName)!;
      expect({ name: ours.name, conclusion: ours.conclusion, left: ours.ruleIds, acknowledged: ours.acknowledgedViolations.length }).toEqual({
        name: plugin.pluginName, conclusion: plugin.conclusion === 'success' ? 'passed' : 'failed',
        left: [...new Set(plugin.violations.map((v) => v.ruleName))].sort(), acknowledged: (plugin.suppressedViolations ?? []).length,
      });
    }
    expect(demo.markdown).toContain('Every pack passed.');
  });

  test("the report's acknowledgments are exactly those of the assembly's metadata", () => {
    const fromManifest = manifestMetadata(demo.outdir, 'SecureApiDemo')
      .filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((e) => Object.entries(e.data as Record<string, string>).map(([id, reason]) => `${e.path} ${id} ${reason}`))
      .sort();
    const reported = demo.doc.stacks[0].acknowledgments.map((a) => `/${a.constructPath} ${a.ruleId} ${a.reason}`).sort();
    expect(fromManifest.length).toBeGreaterThan(20);
    expect(reported).toEqual(fromManifest);
    expect(demo.doc.acknowledgmentsOutsideStacks).toEqual([]);
    // Each acknowledgment on a resource (or an L2 construct with a default child) names its logical id.
    const ids = manifestMetadata(demo.outdir, 'SecureApiDemo').filter((e) => e.type === 'aws:cdk:logicalId');
    for (const ack of demo.doc.stacks[0].acknowledgments.filter((a) => a.logicalId)) {
      expect(ids.some((e) => e.data === ack.logicalId && (e.path === `/${ack.constructPath}` || e.path === `/${ack.constructPath}/Resource`))).toBe(true);
    }
    expect(demo.markdown).toContain('`Annotation::AwsSolutions-COG4`');
  });

  test('every piece of evidence names a resource of the template and the value it holds at that property', () => {
    const template = JSON.parse(fs.readFileSync(path.join(demo.outdir, 'SecureApiDemo.template.json'), 'utf8'));
    const paths = new Map(manifestMetadata(demo.outdir, 'SecureApiDemo').filter((e) => e.type === 'aws:cdk:logicalId').map((e) => [e.data, e.path.slice(1)]));
    const evidence = demo.doc.stacks[0].controls.flatMap((c) => c.evidence);
    expect(evidence.length).toBeGreaterThan(50);
    for (const e of evidence) {
      const resource = template.Resources[e.logicalId];
      expect({ id: e.logicalId, type: resource?.Type, path: paths.get(e.logicalId) }).toEqual({ id: e.logicalId, type: e.resourceType, path: e.constructPath });
      expect({ id: e.logicalId, property: e.property, value: valueAt(resource.Properties ?? {}, e.property) })
        .toEqual({ id: e.logicalId, property: e.property, value: e.value });
    }
    const expected = {
      'api.tls-policy': 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09', 'api.endpoint-access-mode': 'STRICT',
      'data.table-pitr': true, 'data.table-deletion-protection': true, 'audit.trail-multi-region': true, 'audit.trail-log-validation': true,
    };
    for (const [id, value] of Object.entries(expected)) {
      expect({ id, status: control(demo.doc, id).status, value: control(demo.doc, id).evidence[0].value }).toEqual({ id, status: 'present', value });
    }
    const rateLimits = control(demo.doc, 'waf.rate-limit').evidence.map((e) => e.value);
    expect(rateLimits).toEqual([1000, 500]);
    expect(control(demo.doc, 'waf.body-size').evidence.map((e) => e.value)).toEqual([16384]);
    expect(control(demo.doc, 'waf.managed-groups').evidence.map((e) => e.value)).toEqual([
      'AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet']);
    expect(control(demo.doc, 'auth.method-authorization').evidence.map((e) => e.summary.split(':')[0]))
      .toEqual(['GET /items', 'POST /items', 'GET /items/{id}', 'PUT /items/{id}', 'DELETE /items/{id}']);
    // The demo has no custom domain and no IP allow-list: listed as absent, not left out.
    for (const id of ['api.custom-domain', 'waf.ip-geo']) {
      expect({ id, status: control(demo.doc, id).status }).toEqual({ id, status: 'absent' });
    }
    for (const id of ['monitoring.alarms', 'monitoring.event-rules', 'monitoring.sns-topics', 'monitoring.dashboards',
      'monitoring.metric-filters', 'monitoring.contributor-insights']) {
      expect({ id, status: control(demo.doc, id).status }).toEqual({ id, status: 'present' });
    }
  });

  test('the OWASP mapping lists API1 to API10 with their official names and says what the user must do', () => {
    const owasp = demo.doc.stacks[0].owaspApiTop10;
    expect(owasp.map((o) => `${o.id} ${o.name}`)).toEqual([
      'API1:2023 Broken Object Level Authorization', 'API2:2023 Broken Authentication', 'API3:2023 Broken Object Property Level Authorization',
      'API4:2023 Unrestricted Resource Consumption', 'API5:2023 Broken Function Level Authorization',
      'API6:2023 Unrestricted Access to Sensitive Business Flows', 'API7:2023 Server Side Request Forgery', 'API8:2023 Security Misconfiguration',
      'API9:2023 Improper Inventory Management', 'API10:2023 Unsafe Consumption of APIs',
    ]);
    const ids = new Set(demo.doc.stacks[0].controls.map((c) => c.id));
    for (const entry of owasp) {
      expect(entry.gaps.length).toBeGreaterThan(20);
      for (const c of entry.controls) expect(ids.has(c.id)).toBe(true);
    }
    // Business flows and inventory are never "addressed" by a template.
    expect(owasp.find((o) => o.id === 'API6:2023')!.coverage).not.toBe('addressed');
    expect(owasp.find((o) => o.id === 'API9:2023')!.coverage).not.toBe('addressed');
  });

  test('the cost estimate is printed as an estimate, with every price and its source', () => {
    const [api] = demo.doc.stacks[0].cost.perMillionRequests;
    const item = (name: string) => api.lines.find((l) => l.item === name)!;
    expect(item('API Gateway REST API requests').usd).toBe(price('apigw.rest.requests').usd);
    expect(item('WAF requests inspected').usd).toBe(price('waf.requests').usd);
    // 512 MB arm64 authorizer, 300 s cache, 80% hits: 200,000 invocations of 50 ms.
    expect(item('Authorizer Lambda invocations').quantity).toBeCloseTo(0.2);
    expect(item('Authorizer Lambda duration (512 MB, arm64)').quantity).toBeCloseTo(200_000 * 0.05 * 0.5);
    expect(api.usd).toBeCloseTo(api.lines.reduce((t, l) => t + l.usd, 0), 5);
    // Fixed: one web ACL with 7 rules, the KMS keys, and the monitoring: alarms by their metrics, the dashboard,
    // the Contributor Insights rules and one custom metric per metric filter (before dimension values).
    const fixed = demo.doc.stacks[0].cost.fixedMonthly;
    const resources = Object.values(JSON.parse(fs.readFileSync(path.join(demo.outdir, 'SecureApiDemo.template.json'), 'utf8')).Resources) as any[];
    const ofType = (type: string) => resources.filter((r) => r.Type === type);
    const alarmMetrics = ofType('AWS::CloudWatch::Alarm').reduce((n, a) => n + (a.Properties.Metrics ? a.Properties.Metrics.filter((m: any) => m.MetricStat).length : 1), 0);
    expect(ofType('AWS::KMS::Key')).toHaveLength(4);
    expect(fixed.usd).toBeCloseTo(price('waf.webAcl').usd + 7 * price('waf.rule').usd + 4 * price('kms.key').usd
      + alarmMetrics * price('cloudwatch.alarm.standard').usd + price('cloudwatch.dashboard').usd
      + ofType('AWS::CloudWatch::InsightRule').length * price('cloudwatch.contributorInsights.rule').usd
      + ofType('AWS::Logs::MetricFilter').length * price('cloudwatch.customMetric').usd);
    expect(demo.markdown).toContain(demo.doc.estimateNotice);
    for (const p of demo.doc.prices) expect(demo.markdown).toContain(p.source);
    expect(demo.doc.prices.filter((p) => !p.fromAwsPage).length).toBeGreaterThan(0);
  });
});

describe('a failing pack', () => {
  /** The same app twice: the packs as plain plugins, and through SecurityReport. */
  /** An error message with the assembly directory (which differs between the two runs) left out. */
  const message = (run: { outdir: string; error?: Error }) => run.error?.message.replaceAll(path.basename(run.outdir), 'OUT');

  function synthBoth(packs: (app: App) => IPolicyValidationPlugin[]): { plain: { outdir: string; error?: Error }; reported: Synthesized } {
    const build = (outdir: string): App => {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Failing', { env: { account: '123456789012', region: 'eu-west-1' } });
      new SecureApi(stack, 'Api', { ...MINIMAL, routes: { 'GET /status': { integration: new apigw.MockIntegration(), scopes: ['status:read'] } } });
      new s3.CfnBucket(stack, 'InsecureBucket');
      return app;
    };
    const plainDir = tmpdir('plain');
    const plainApp = build(plainDir);
    Validations.of(plainApp).addPlugins(...packs(plainApp));
    let error: Error | undefined;
    const print = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      plainApp.synth();
    } catch (e) {
      error = e as Error;
    } finally {
      print.mockRestore();
    }
    const reportedDir = tmpdir('reported');
    const reportedApp = build(reportedDir);
    SecurityReport.addPacks(reportedApp, packs(reportedApp));
    return { plain: { outdir: plainDir, error }, reported: synthApp(reportedApp, reportedDir) };
  }

  test('fails synth as before, and the report shows each pack\'s findings as CDK reports them', () => {
    const { plain, reported } = synthBoth((app) => [new AwsSolutionsChecks(app), new FocusedCfnGuardValidator()]);
    expect(plain.error?.message).toMatch(/[Vv]alidation/);
    expect(message(reported)).toEqual(message(plain));
    // Stack traces name the line of the test that built each app, the one difference between the two.
    const strip = (reports: unknown) => JSON.parse(JSON.stringify(reports).replace(/security-report\.test\.ts:\d+:\d+/g, 'TEST'));
    expect(strip(validationReport(reported.outdir))).toEqual(strip(validationReport(plain.outdir)));

    expect(reported.doc.allPacksPassed).toBe(false);
    const cdk = validationReport(reported.outdir);
    for (const pack of reported.doc.policyPacks) {
      const theirs = cdk.find((p) => p.pluginName === pack.name)!;
      expect({ name: pack.name, conclusion: pack.conclusion, ruleIds: pack.ruleIds, acknowledged: pack.acknowledgedViolations.length }).toEqual({
        name: theirs.pluginName, conclusion: theirs.conclusion === 'success' ? 'passed' : 'failed', ruleIds: [...new Set(theirs.violations.map((v) => v.ruleName))].sort(),
        acknowledged: (theirs.suppressedViolations ?? []).length,
      });
      expect(pack.violations.flatMap((v) => v.resources.map((r) => r.constructPath))).toEqual(expect.arrayContaining(['Failing/InsecureBucket']));
    }
    // Both fail on the bucket. (cfn-guard's own findings carry no severity, and CDK lets a pack with acknowledged
    // findings pass unless an error or fatal one is left: the demo's FocusedCfnGuardValidator makes them errors.)
    expect(reported.doc.policyPacks.map((p) => [p.name, p.conclusion])).toEqual([['AwsSolutions', 'failed'], ['cdk-validator-cfnguard', 'failed']]);
    expect(reported.doc.policyPacks[1].violationCount).toBeGreaterThan(0);
    expect(reported.markdown).toContain('Not every pack passed: synth fails.');
    expect(reported.markdown).toMatch(/\| AwsSolutions \|  \| FAILED \| [1-9]/);
  });

  test('a pack that throws is shown with its error, and synth fails as before', () => {
    const boom = (): IPolicyValidationPlugin => ({ name: 'Boom', validate: () => { throw new Error('rules could not load'); } });
    const { plain, reported } = synthBoth(() => [boom()]);
    expect(plain.error).toBeDefined();
    expect(message(reported)).toEqual(message(plain));
    expect(reported.doc.policyPacks).toEqual([expect.objectContaining({ name: 'Boom', conclusion: 'error', error: "Validation plugin 'Boom' failed: rules could not load" })]);
  });
});

describe('controls of other configurations', () => {
  test('a SecureApi without a table or custom domain lists those controls as absent', () => {
    const { doc } = synthStack({ withoutTable: true });
    for (const id of ['data.table-encryption', 'data.table-pitr', 'data.table-deletion-protection', 'api.custom-domain']) {
      expect({ id, status: control(doc, id).status, evidence: control(doc, id).evidence }).toEqual({ id, status: 'absent', evidence: [] });
    }
    expect(control(doc, 'data.table-encryption').note).toBe('no DynamoDB table in this stack');
    // The trail still exists; with no table it has no data events to record.
    expect(control(doc, 'audit.trail').status).toBe('present');
  });

  test('a custom domain, an IP allow-list and a public route appear with their evidence', () => {
    const { doc } = synthStack((stack) => ({
      ipAllowList: ['203.0.113.0/24'],
      waf: { blockedCountries: ['KP'] },
      customDomain: {
        domainName: 'api.example.com',
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
      },
    }), (_stack, api) => {
      api.addRoute('GET /health', { integration: new apigw.MockIntegration(), publicAccess: true });
    });
    expect(control(doc, 'api.custom-domain').status).toBe('present');
    expect(control(doc, 'api.custom-domain').evidence.map((e) => [e.property, e.satisfied])).toEqual([['SecurityPolicy', true], ['DisableExecuteApiEndpoint', true]]);
    const ipGeo = control(doc, 'waf.ip-geo').evidence.map((e) => e.property);
    expect(ipGeo).toEqual(expect.arrayContaining([expect.stringMatching(/GeoMatchStatement\.CountryCodes$/), 'Policy']));
    const health = control(doc, 'auth.method-authorization').evidence.find((e) => e.summary.startsWith('GET /health'))!;
    expect(health).toMatchObject({ satisfied: false, exception: expect.stringMatching(/^declared public: /) });
    expect(control(doc, 'auth.method-authorization').status).toBe('present');
  });

  test('monitoring resources are found by type and listed with their settings', () => {
    const { doc } = synthStack({}, (stack, api) => {
      const key = new kms.Key(stack, 'AlertKey', { enableKeyRotation: true });
      const topic = new sns.Topic(stack, 'Alerts', { masterKey: key });
      new cloudwatch.Alarm(stack, 'Blocked', {
        alarmName: 'waf-blocked', metric: new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', statistic: 'Sum' }),
        threshold: 100, evaluationPeriods: 1,
      });
      new events.Rule(stack, 'TrailStopped', {
        eventPattern: { source: ['aws.cloudtrail'], detailType: ['AWS API Call via CloudTrail'], detail: { eventName: ['StopLogging'] } },
      });
      new cloudwatch.Dashboard(stack, 'Board', { dashboardName: 'secure-api' });
      const group = new logs.LogGroup(stack, 'Extra');
      group.addMetricFilter('Denied', { filterPattern: logs.FilterPattern.stringValue('$.decision', '=', 'unauthorized'), metricNamespace: 'SecureApi', metricName: 'Denied' });
      new cloudwatch.CfnInsightRule(stack, 'TopCallers', { ruleName: 'top-callers', ruleState: 'ENABLED', ruleBody: '{}' });
      void topic; void api;
    });
    const expected: Record<string, unknown> = {
      'monitoring.alarms': 100, 'monitoring.event-rules': undefined, 'monitoring.sns-topics': undefined,
      'monitoring.dashboards': 'secure-api', 'monitoring.metric-filters': '{ $.decision = "unauthorized" }', 'monitoring.contributor-insights': 'ENABLED',
    };
    // SecureApi's own monitoring is listed too: the resources added here are found among it by logical id.
    const added: Record<string, RegExp> = {
      'monitoring.alarms': /^Blocked/, 'monitoring.event-rules': /^TrailStopped/, 'monitoring.sns-topics': /^Alerts/,
      'monitoring.dashboards': /^Board/, 'monitoring.metric-filters': /^ExtraDenied/, 'monitoring.contributor-insights': /^TopCallers/,
    };
    const evidence = (id: string) => control(doc, id).evidence.filter((e) => added[id].test(e.logicalId ?? ''));
    for (const [id, value] of Object.entries(expected)) {
      const c = control(doc, id);
      expect({ id, status: c.status, count: evidence(id).length }).toEqual({ id, status: 'present', count: 1 });
      if (value !== undefined) expect(evidence(id)[0].value).toEqual(value);
    }
    expect(evidence('monitoring.alarms')[0].summary).toMatch(/^waf-blocked: AWS\/WAFV2\/BlockedRequests Sum GreaterThanOrEqualToThreshold 100/);
    expect(evidence('monitoring.event-rules')[0].summary).toContain('eventName ["StopLogging"]');
  });
});

describe('cost figures come from the template', () => {
  const fixed = (doc: SecurityReportDocument) => doc.stacks[0].cost.fixedMonthly.usd;

  test('one more WAF rule, alarm, dashboard or Contributor Insights rule adds its monthly price', () => {
    const base = synthStack({}).doc;
    const geo = synthStack({ waf: { blockedCountries: ['KP'] } } as Partial<SecureApiProps>).doc;
    expect(fixed(geo) - fixed(base)).toBeCloseTo(price('waf.rule').usd, 6);
    const monitored = synthStack({}, (stack) => {
      const metric = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '5XXError' });
      new cloudwatch.Alarm(stack, 'Errors', { metric, threshold: 1, evaluationPeriods: 1 });
      new cloudwatch.Dashboard(stack, 'Board');
      new cloudwatch.CfnInsightRule(stack, 'Top', { ruleName: 'top', ruleState: 'ENABLED', ruleBody: '{}' });
    }).doc;
    expect(fixed(monitored) - fixed(base)).toBeCloseTo(price('cloudwatch.alarm.standard').usd + price('cloudwatch.dashboard').usd
      + price('cloudwatch.contributorInsights.rule').usd, 6);
  });

  test('the authorizer cost follows its cache TTL and the stated hit ratio', () => {
    const invocations = (doc: SecurityReportDocument) => doc.stacks[0].cost.perMillionRequests[0].lines
      .find((l) => l.item === 'Authorizer Lambda invocations')!;
    const cached = invocations(synthStack({}, undefined, [], { costAssumptions: { authorizerCacheHitRatio: 0.5 } }).doc);
    expect(cached.quantity).toBeCloseTo(0.5);
    expect(cached.assumption).toMatch(/^50% of requests answered from the authorizer cache \(TTL 300 s\)/);
    const uncached = synthStack({}, (stack) => {
      const authorizer = stack.node.findAll().find((c) => c instanceof apigw.CfnAuthorizer) as apigw.CfnAuthorizer;
      authorizer.authorizerResultTtlInSeconds = 0;
    }).doc;
    expect(invocations(uncached).quantity).toBe(1);
  });

  test('an API without a table has no DynamoDB or data event cost', () => {
    const lines = synthStack({ withoutTable: true }).doc.stacks[0].cost.perMillionRequests[0].lines.map((l) => l.item);
    expect(lines).not.toEqual(expect.arrayContaining([expect.stringMatching(/DynamoDB|data events/)]));
    expect(lines).toEqual(expect.arrayContaining(['API Gateway REST API requests', 'WAF requests inspected']));
  });
});

describe('SecurityReport', () => {
  test('rejects cost assumptions out of range and a wrapped CloudFormationValidatePlugin', () => {
    expect(() => SecurityReport.addPacks(new App(), [], { costAssumptions: { authorizerCacheHitRatio: 1.5 } }))
      .toThrow("SecurityReport: 'costAssumptions.authorizerCacheHitRatio' must be a number from 0 to 1 (got 1.5)");
    expect(() => SecurityReport.addPacks(new App(), [], { costAssumptions: { wafLogBytesPerRequest: -1 } }))
      .toThrow("'costAssumptions.wafLogBytesPerRequest' must be a number of 0 or more (got -1)");
    expect(() => SecurityReport.addPacks(new App(), [new CloudFormationValidatePlugin()])).toThrow(/must not hold a CloudFormationValidatePlugin/);
  });

  test('a second synth into the same directory passes CDK\'s check that plugins do not modify the assembly', () => {
    const outdir = tmpdir('twice');
    const build = () => {
      const app = new App({ outdir, confirmValidationPluginsDoNotMutate: true });
      new SecureApi(new Stack(app, 'Twice'), 'Api', { ...MINIMAL, routes: { 'GET /s': { integration: new apigw.MockIntegration(), scopes: ['s'] } } });
      SecurityReport.addPacks(app, [new AwsSolutionsChecks(app)]);
      return app;
    };
    expect(synthApp(build(), outdir).error).toBeUndefined();
    const first = read(outdir).doc.generatedAt;
    expect(synthApp(build(), outdir).error).toBeUndefined();
    expect(read(outdir).doc.generatedAt).not.toBe(first);
  });

  test('writes into the cloud assembly of a nested stage', () => {
    const outdir = tmpdir('stage');
    const app = new App({ outdir });
    const stage = new Stage(app, 'Prod');
    new SecureApi(new Stack(stage, 'Api'), 'Api', { ...MINIMAL, routes: { 'GET /s': { integration: new apigw.MockIntegration(), scopes: ['s'] } } });
    const report = SecurityReport.addPacks(stage, []);
    const print = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    app.synth();
    expect(print).toHaveBeenCalledWith(expect.stringContaining(report.markdownPath));
    print.mockRestore();
    expect(report.outdir).toBe(path.join(outdir, 'assembly-Prod'));
    expect(read(report.outdir).doc.stacks.map((s) => s.stackPath)).toEqual(['Prod/Api']);
  });
});

describe('pure parts', () => {
  test('rule ids are qualified as CDK qualifies them', () => {
    expect(qualifiedRuleId('lambda_inside_vpc_check', 'cdk-validator-cfnguard')).toBe('cdk-validator-cfnguard::lambda_inside_vpc_check');
    expect(qualifiedRuleId('AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/x]', 'AwsSolutions')).toBe('AwsSolutions::AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/x]');
    expect(qualifiedRuleId('annotation::Some Rule', 'X')).toBe('Annotation::Some-Rule');
    expect(qualifiedRuleId('other::R', 'X')).toBe('other::R');
  });

  test('an access log line is estimated from its format', () => {
    expect(accessLogBytes('{"a":"$context.requestId","b":"$context.status"}')).toBe('{"a":"","b":""}'.length + 40);
    expect(accessLogBytes(undefined)).toBe(0);
  });

  test('a property path reaches into arrays and objects', () => {
    const props = { Rules: [{ Statement: { RateBasedStatement: { Limit: 5 } } }] };
    expect(valueAt(props, 'Rules[0].Statement.RateBasedStatement.Limit')).toBe(5);
    expect(valueAt(props, 'Rules[1].Statement')).toBeUndefined();
    expect(valueAt(props, 'constructor')).toBeUndefined();
  });
});

describe('npx cdk synth of the demo', () => {
  function cdkSynth(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', ...args], { cwd: ROOT, env: { ...process.env, CI: 'true' } });
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`cdk synth exited ${code}: ${output}`))));
    });
  }

  test('prints where the report is, with and without --quiet', async () => {
    const quietDir = tmpdir('cli-quiet');
    const loudDir = tmpdir('cli');
    const [quiet, loud] = await Promise.all([cdkSynth(['--quiet', '-o', quietDir]), cdkSynth(['-o', loudDir])]);
    for (const [output, dir] of [[quiet, quietDir], [loud, loudDir]]) {
      const lines = output.split('\n').filter((l) => l.startsWith('Security report: '));
      expect(lines).toEqual([`Security report: ${path.join(dir, 'security-report.md')} (for tools: ${path.join(dir, 'security-report.json')})`]);
      expect(read(dir).doc.stacks.map((s) => s.stackPath)).toEqual(['SecureApiDemo']);
    }
  }, 180_000);
});
