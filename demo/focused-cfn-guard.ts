import * as fs from 'node:fs';
import * as path from 'node:path';
import { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/** The Control Tower proactive-control rules that ship with `@cdklabs/cdk-validator-cfnguard`. */
const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules', 'control-tower', 'cfn-guard');

/** A full resource type as rules name it, e.g. `AWS::S3::Bucket`. */
const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

/** One rule file and the resource types it names; `undefined` when it may select types it does not spell out. */
interface RuleFile {
  readonly file: string;
  readonly types?: ReadonlySet<string>;
}

let ruleFiles: RuleFile[] | undefined;

/** Every rule file with the resource types it names, read once per process. */
function controlTowerRuleFiles(): RuleFile[] {
  ruleFiles ??= listGuardFiles(CONTROL_TOWER_RULES).map((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const full = text.match(RESOURCE_TYPE) ?? [];
    // A rule that selects types by pattern (`/AWS::S3::/`) or names none is kept for every template.
    const partial = (text.match(/AWS::/g) ?? []).length > full.length;
    return { file, types: full.length > 0 && !partial ? new Set(full) : undefined };
  });
  return ruleFiles;
}

function listGuardFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return listGuardFiles(file);
    return entry.name.endsWith('.guard') ? [file] : [];
  }).sort();
}

/** The resource types of the templates under validation. */
function templateTypes(templatePaths: string[]): Set<string> {
  const types = new Set<string>();
  for (const templatePath of templatePaths) {
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as { Resources?: Record<string, { Type?: string }> };
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type) types.add(resource.Type);
    }
  }
  return types;
}

/**
 * The Control Tower cfn-guard rules of `CfnGuardValidator`, given only the rule files that can select a resource of
 * the templates under validation. A guard rule selects resources by type, so a rule whose types are all absent only
 * reports SKIP: leaving it out changes no finding (test/demo/focused-cfn-guard.test.ts compares both on compliant and
 * non-compliant templates), and cfn-guard reads a quarter of the 237 files, which was most of the demo's synth time.
 * The plugin keeps CfnGuardValidator's name, so acknowledgments (`cdk-validator-cfnguard::<rule>`) still apply.
 */
export class FocusedCfnGuardValidator implements IPolicyValidationPluginBeta1 {
  public readonly name: string;
  public readonly version?: string;

  constructor() {
    const probe = new CfnGuardValidator({ controlTowerRulesEnabled: false });
    this.name = probe.name;
    this.version = probe.version;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const types = templateTypes(context.templatePaths);
    const rules = controlTowerRuleFiles()
      .filter((rule) => rule.types === undefined || [...rule.types].some((type) => types.has(type)))
      .map((rule) => rule.file);
    if (rules.length === 0) return { success: true, violations: [] };
    const report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }).validate(context);
    // cfn-guard's findings carry no severity, and once an acknowledgment suppresses one finding of a pack, CDK fails
    // the pack only for the `error` or `fatal` findings left: without a severity, an unacknowledged finding passed.
    return { ...report, violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })) };
  }
}
