import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/*
 * cfn-lint, AWS's CloudFormation linter (a Python CLI, https://github.com/aws-cloudformation/cfn-lint), run over
 * synthesized templates, and the warnings the tests accept, each with its reason.
 */

/** The cfn-lint release the ignore list below was written against, and that CI installs. */
export const CFN_LINT_VERSION = '1.51.0';

/** How to install it. */
export const CFN_LINT_INSTALL = `pip install cfn-lint==${CFN_LINT_VERSION}`;

/** Regions every template is linted for (resource types, properties and values are checked per region). */
export const REGIONS = ['us-east-1', 'eu-west-1'];

/** One finding of `cfn-lint --format json`. */
export interface CfnLintFinding {
  readonly Filename: string | null;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Location: { readonly Path: Array<string | number> | null };
  readonly Rule: { readonly Id: string; readonly ShortDescription: string };
}

/** The installed cfn-lint's version (`cfn-lint 1.51.0` → `1.51.0`), or undefined when it is not on the PATH. */
export function installedCfnLintVersion(): string | undefined {
  const result = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return /cfn-lint (\S+)/.exec(result.stdout)?.[1] ?? result.stdout.trim();
}

/**
 * Lints every template in one cfn-lint run (Python starts once) with the default and the experimental rules, for
 * `REGIONS`, and returns the findings by template file.
 */
export function runCfnLint(templateFiles: string[]): Map<string, CfnLintFinding[]> {
  const result = spawnSync('cfn-lint', [
    '--format', 'json', '--include-experimental', '--regions', ...REGIONS, '--', ...templateFiles,
  ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`cfn-lint did not run: ${result.error.message}`);
  let findings: CfnLintFinding[];
  try {
    findings = JSON.parse(result.stdout) as CfnLintFinding[];
  } catch {
    throw new Error(`cfn-lint exited with ${result.status} and no JSON report:\n${result.stdout}${result.stderr}`);
  }
  const byFile = new Map<string, CfnLintFinding[]>(templateFiles.map((f) => [f, []]));
  for (const finding of findings) {
    // A finding without a file (E0003, a cfn-lint configuration error) is an error of the run itself.
    if (finding.Filename === null || !byFile.has(finding.Filename)) {
      throw new Error(`cfn-lint reported a problem with the run: ${finding.Rule.Id} ${finding.Message}`);
    }
    byFile.get(finding.Filename)!.push(finding);
  }
  return byFile;
}

interface CfnResource {
  readonly Type: string;
  readonly DependsOn?: string | string[];
}

/** A template as far as the ignore rules read it. */
export interface LintedTemplate {
  readonly Resources: Record<string, CfnResource>;
}

/** A cfn-lint warning the tests accept where `applies` says so, and why. */
export interface AcceptedWarning {
  /** The cfn-lint rule id. */
  readonly rule: string;
  /** Which findings of the rule it covers. */
  readonly covers: string;
  /** Why the finding is not a defect of these templates. */
  readonly reason: string;
  /** Whether `finding` (a finding of `rule`) is one this acceptance covers. */
  applies(finding: CfnLintFinding, template: LintedTemplate): boolean;
}

/** The DependsOn entry a W3005 finding points at: `Resources/<source>/DependsOn[/<index>]`. */
function dependsOnEntry(finding: CfnLintFinding, template: LintedTemplate): { source?: CfnResource; target?: CfnResource } {
  const [section, sourceId, attribute, index] = finding.Location.Path ?? [];
  if (section !== 'Resources' || attribute !== 'DependsOn' || typeof sourceId !== 'string') return {};
  const source = template.Resources[sourceId];
  const dependsOn = source?.DependsOn;
  const targetId = Array.isArray(dependsOn) ? dependsOn[Number(index)] : dependsOn;
  return { source, target: targetId === undefined ? undefined : template.Resources[targetId] };
}

/**
 * Every cfn-lint warning the templates may carry. Anything else cfn-lint warns about fails the tests; errors always
 * do. Informational findings (I-rules, off by default) are not requested.
 */
export const ACCEPTED_WARNINGS: AcceptedWarning[] = [
  {
    rule: 'W3005',
    covers: 'a Lambda function or a CloudTrail trail that depends on its own IAM role',
    reason: 'CDK makes a Lambda function and a CloudTrail trail depend on their role construct, so that they wait '
      + "for the role's policies as well as the role. The role itself is also referenced through Fn::GetAtt, which "
      + 'already orders it first, so that one DependsOn entry is redundant and changes nothing in the deployment '
      + 'order (aws/aws-cdk#24578). '
      + 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html',
    applies(finding, template) {
      const { source, target } = dependsOnEntry(finding, template);
      return ['AWS::Lambda::Function', 'AWS::CloudTrail::Trail'].includes(source?.Type ?? '') && target?.Type === 'AWS::IAM::Role';
    },
  },
];

/** The acceptance that covers `finding`, if any. */
export function acceptanceOf(finding: CfnLintFinding, template: LintedTemplate): AcceptedWarning | undefined {
  if (finding.Level !== 'Warning') return undefined;
  return ACCEPTED_WARNINGS.find((a) => a.rule === finding.Rule.Id && a.applies(finding, template));
}

/** Reads a template file. */
export function readTemplate(file: string): LintedTemplate {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LintedTemplate;
}

/** One line per finding, for test output. */
export function describeFinding(finding: CfnLintFinding): string {
  return `${finding.Level} ${finding.Rule.Id} at ${(finding.Location.Path ?? []).join('/')}: ${finding.Message}`;
}
