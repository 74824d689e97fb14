import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DemoStack } from '../../demo/demo-stack';
import { addCompliancePacks } from '../../demo/compliance-packs';

const PLUGINS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'cdk-validator-cfnguard'];

interface Report {
  pluginReports: Array<{ pluginName: string; conclusion: string; violations: Array<{ ruleName: string }>; suppressedViolations?: Array<{ reason: string }> }>;
}

/** Synthesizes the demo app (as bin/app.ts does) with every policy pack, into a fresh directory. */
function synthDemo(extra?: (stack: Stack) => void, removalPolicy?: RemovalPolicy): { outdir: string; error?: Error } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-demo-'));
  const app = new App({ outdir });
  const stack = new DemoStack(app, 'SecureApiDemo', { issuer: 'https://issuer.example.com', audience: ['secure-api-demo'], removalPolicy });
  extra?.(stack);
  addCompliancePacks(app);
  try {
    app.synth();
    return { outdir };
  } catch (error) {
    return { outdir, error: error as Error };
  }
}

function readReport(outdir: string): Report {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
}

describe('demo app policy checks', () => {
  test('all six policy packs report zero unacknowledged findings, and every acknowledgment has a reason', () => {
    const { outdir, error } = synthDemo();
    expect(error).toBeUndefined();
    const report = readReport(outdir);
    for (const plugin of report.pluginReports) {
      expect({ plugin: plugin.pluginName, violations: plugin.violations.map((v) => v.ruleName) })
        .toEqual({ plugin: plugin.pluginName, violations: [] });
      for (const suppressed of plugin.suppressedViolations ?? []) {
        expect(suppressed.reason.length).toBeGreaterThan(40);
      }
    }
    expect(fs.existsSync(path.join(outdir, 'SecureApiDemo.template.json'))).toBe(true);
  });

  test('a throwaway stage (removalPolicy DESTROY) passes the same checks', () => {
    const { outdir, error } = synthDemo(undefined, RemovalPolicy.DESTROY);
    expect(error).toBeUndefined();
    expect(readReport(outdir).pluginReports.flatMap((p) => p.violations)).toEqual([]);
  });

  test('the same checks fail synth on an insecure resource, in every pack that has a rule for it', () => {
    // Control: proves the packs run on the demo app (a passing pack leaves no entry in the report).
    const { outdir, error } = synthDemo((stack) => new s3.CfnBucket(stack, 'InsecureBucket'));
    expect(error?.message).toMatch(/[Vv]alidation/);
    const report = readReport(outdir);
    const failing = report.pluginReports.filter((p) => p.violations.length > 0).map((p) => p.pluginName).sort();
    expect(failing).toEqual([...PLUGINS].filter((p) => p !== 'Serverless').sort());
    const paths = report.pluginReports.flatMap((p) => p.violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => c.constructPath)));
    expect(new Set(paths)).toEqual(new Set(['SecureApiDemo/InsecureBucket']));
  });
});
