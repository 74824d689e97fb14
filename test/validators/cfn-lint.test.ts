import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ACCEPTED_WARNINGS, CFN_LINT_INSTALL, CFN_LINT_VERSION, CfnLintFinding, REGIONS, acceptanceOf,
  describeFinding, installedCfnLintVersion, readTemplate, runCfnLint,
} from './cfn-lint';
import {
  DemoAppSynthesis, SynthesizedTemplate, recommendedFlags, synthDemoApp, synthDemoWithoutFlags, synthExistingTable,
  synthExistingTrail, synthFullyConfigured,
} from './templates';

/*
 * The synthesized templates checked by AWS's own validators: cfn-lint on every template, the compliance packs of
 * the demo app with every feature flag a new CDK app starts with. Each template is synthesized once, and cfn-lint
 * runs once over all of them.
 */

const ROOT = path.join(__dirname, '..', '..');
const MISSING = `cfn-lint is not installed (no 'cfn-lint' on the PATH). Install it with: ${CFN_LINT_INSTALL}`;
const cfnLintVersion = installedCfnLintVersion();
const lintTest = cfnLintVersion !== undefined || process.env.CI ? test : test.skip;
if (cfnLintVersion === undefined && !process.env.CI) {
  console.warn(`Skipping the cfn-lint checks: ${MISSING}`);
}

const TEMPLATE_NAMES = [
  'demo app (bin/app.ts with cdk.json)',
  'demo stack without feature flags',
  'fully configured SecureApi',
  'fully configured SecureApi, recommended feature flags',
  'existing trail (audit.existingTrailArn)',
  'existing table (existingTable, DESTROY)',
] as const;
type TemplateName = typeof TEMPLATE_NAMES[number];

let demoApp: DemoAppSynthesis;
const templates = new Map<TemplateName, SynthesizedTemplate>();
const findings = new Map<string, CfnLintFinding[]>();

/**
 * A template with two defects cfn-lint must report: a property the resource type does not have (an error), and a
 * function that depends on the log group it already references (a redundant DependsOn that no acceptance covers),
 * next to the redundant dependency on its role that the W3005 acceptance does cover.
 */
const CONTROL = {
  Resources: {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
      },
    },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } },
    Fn: {
      Type: 'AWS::Lambda::Function',
      DependsOn: ['Role', 'Logs'],
      Properties: {
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Runtime: 'nodejs24.x', Handler: 'index.handler',
        Code: { ZipFile: 'exports.handler = async () => ({});' }, LoggingConfig: { LogGroup: { Ref: 'Logs' } },
        NotAFunctionProperty: true,
      },
    },
  },
};
const controlFile = path.join(os.tmpdir(), `secure-api-control-${process.pid}.template.json`);

beforeAll(async () => {
  const demo = synthDemoApp();
  const flags = recommendedFlags();
  templates.set('demo stack without feature flags', synthDemoWithoutFlags());
  templates.set('fully configured SecureApi', synthFullyConfigured('full', {}));
  templates.set('fully configured SecureApi, recommended feature flags', synthFullyConfigured('full-flags', flags));
  templates.set('existing trail (audit.existingTrailArn)', synthExistingTrail(flags));
  templates.set('existing table (existingTable, DESTROY)', synthExistingTable({}));
  demoApp = await demo;
  templates.set('demo app (bin/app.ts with cdk.json)', demoApp);
  fs.writeFileSync(controlFile, JSON.stringify(CONTROL, null, 1));
  if (cfnLintVersion !== undefined) {
    // A failed demo synth leaves no template; its own test says why.
    const files = [...[...templates.values()].map((t) => t.templateFile), controlFile].filter((f) => fs.existsSync(f));
    for (const [file, found] of runCfnLint(files)) findings.set(file, found);
  }
}, 180_000);

afterAll(() => fs.rmSync(controlFile, { force: true }));

describe('the demo app with every recommended feature flag', () => {
  test('cdk.json sets every feature flag that cdk init writes into a new app, with its recommended value', () => {
    const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
    const recommended = recommendedFlags();
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
    const differing = Object.entries(recommended)
      .filter(([flag, value]) => JSON.stringify(context[flag]) !== JSON.stringify(value))
      .map(([flag, value]) => `${flag}: cdk.json has ${JSON.stringify(context[flag])}, recommended ${JSON.stringify(value)}`);
    expect(differing).toEqual([]);
  });

  test('synthesizes with every compliance pack clean and no warning', () => {
    expect({ status: demoApp.status, output: demoApp.output }).toEqual({ status: 0, output: expect.any(String) });
    const report = JSON.parse(fs.readFileSync(path.join(demoApp.outdir, 'validation-report.json'), 'utf8'));
    const violations = report.pluginReports.flatMap((p: any) => p.violations.map((v: any) => `${p.pluginName}: ${v.ruleName}`));
    expect(violations).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(demoApp.outdir, 'manifest.json'), 'utf8'));
    const messages = Object.values<any>(manifest.artifacts).flatMap((artifact) => Object.entries<any[]>(artifact.metadata ?? {})
      .flatMap(([construct, entries]) => entries
        .filter((e) => e.type === 'aws:cdk:warning' || e.type === 'aws:cdk:error')
        .map((e) => `${construct}: ${e.data}`)));
    expect(messages).toEqual([]);
  });

  test("still sets API Gateway's account logging role, which a fresh account needs for the stage's logs", () => {
    // cdk init apps set @aws-cdk/aws-apigateway:disableCloudWatchRole; the demo deploys to a fresh account.
    const template = readTemplate(demoApp.templateFile);
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Account')).toHaveLength(1);
  });
});

test('the README lists every accepted cfn-lint warning', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Template validators'));
  expect(ACCEPTED_WARNINGS.filter((a) => !section.includes(`| \`${a.rule}\``)).map((a) => a.rule)).toEqual([]);
});

describe(`cfn-lint ${CFN_LINT_VERSION} (${REGIONS.join(', ')})`, () => {
  lintTest(`is installed, at version ${CFN_LINT_VERSION}`, () => {
    if (cfnLintVersion === undefined) throw new Error(MISSING);
    expect(cfnLintVersion).toBe(CFN_LINT_VERSION);
  });

  lintTest.each(TEMPLATE_NAMES)('%s: no error, and no warning but the accepted ones', (name) => {
    if (cfnLintVersion === undefined) throw new Error(MISSING);
    const template = templates.get(name)!;
    const found = findings.get(template.templateFile);
    expect(found).toBeDefined();
    const parsed = readTemplate(template.templateFile);
    const unaccepted = found!.filter((f) => f.Level !== 'Informational' && !acceptanceOf(f, parsed)).map(describeFinding);
    expect(unaccepted).toEqual([]);
  });

  lintTest('every accepted warning still occurs in some template (the list in the README is current)', () => {
    if (cfnLintVersion === undefined) throw new Error(MISSING);
    const used = new Map<string, string[]>();
    for (const [name, template] of templates) {
      const parsed = readTemplate(template.templateFile);
      for (const finding of findings.get(template.templateFile) ?? []) {
        const acceptance = acceptanceOf(finding, parsed);
        if (acceptance) used.set(acceptance.rule, [...used.get(acceptance.rule) ?? [], `${name}: ${describeFinding(finding)}`]);
      }
    }
    console.log(`cfn-lint warnings accepted, with their reasons:\n${ACCEPTED_WARNINGS.map((a) =>
      `${a.rule} (${a.covers}): ${a.reason}\n  ${(used.get(a.rule) ?? []).join('\n  ')}`).join('\n')}`);
    expect(ACCEPTED_WARNINGS.filter((a) => !used.has(a.rule)).map((a) => a.rule)).toEqual([]);
  });

  lintTest('reports an invalid property, and a redundant DependsOn that no acceptance covers (control)', () => {
    if (cfnLintVersion === undefined) throw new Error(MISSING);
    const found = findings.get(controlFile)!;
    expect(found.filter((f) => f.Level === 'Error').map((f) => f.Location.Path))
      .toContainEqual(['Resources', 'Fn', 'Properties', 'NotAFunctionProperty']);
    const redundant = found.filter((f) => f.Rule.Id === 'W3005')
      .map((f) => ({ on: (f.Location.Path ?? [])[3], accepted: acceptanceOf(f, CONTROL)?.rule }));
    expect(redundant).toEqual([{ on: 0, accepted: 'W3005' }, { on: 1, accepted: undefined }]);
  });
});
