import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudFormationValidatePlugin, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stage, Validations,
} from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { configError } from './errors';
import { ACKNOWLEDGED_RULES, MetadataEntry, pathsByLogicalId, treeAcknowledgments } from './security-report/acknowledgments';
import { buildReport, LoadedStack } from './security-report/build-report';
import { CostAssumptionValues, DEFAULT_COST_ASSUMPTIONS } from './security-report/cost';
import { renderMarkdown } from './security-report/markdown';
import { PackRun } from './security-report/pack-results';
import { JSON_FILE, MARKDOWN_FILE, PLUGIN_NAME } from './security-report/report-model';
import { Template } from './security-report/template';

/**
 * Usage figures of the security report's cost estimate that a template cannot tell. The report prints each one
 * beside the figures it produces.
 */
export interface SecurityReportCostAssumptions {
  /**
   * Share of requests (0 to 1) that API Gateway answers from the authorizer's cache without invoking it. Used only
   * for authorizers whose cache TTL is above 0; a TTL of 0 invokes the authorizer on every request.
   * @default 0.8
   */
  readonly authorizerCacheHitRatio?: number;
  /**
   * Duration of one authorizer invocation, in milliseconds.
   * @default 50
   */
  readonly authorizerDurationMs?: number;
  /**
   * Bytes of one access log line.
   * @default - the stage's access log format, plus 20 bytes for each `$context` variable
   */
  readonly accessLogBytesPerRequest?: number;
  /**
   * Bytes the authorizer logs per invocation.
   * @default 500
   */
  readonly authorizerLogBytesPerInvocation?: number;
  /**
   * Bytes of one WAF log record.
   * @default 1500
   */
  readonly wafLogBytesPerRequest?: number;
  /**
   * DynamoDB read request units per API request (for tables the API's integrations are given).
   * @default 1
   */
  readonly tableReadsPerRequest?: number;
  /**
   * DynamoDB write request units per API request.
   * @default 0.25
   */
  readonly tableWritesPerRequest?: number;
  /**
   * Bytes of one CloudTrail event delivered to CloudWatch Logs.
   * @default 1500
   */
  readonly trailEventBytes?: number;
  /**
   * Share of requests (0 to 1) that X-Ray records as traces.
   * @default 0.05
   */
  readonly tracedRequestShare?: number;
  /**
   * KMS requests per million API requests (services cache data keys, so this is small).
   * @default 100
   */
  readonly kmsRequestsPerMillionRequests?: number;
}

/** Options of `SecurityReport.addPacks`. */
export interface SecurityReportOptions {
  /**
   * Usage figures of the cost estimate.
   * @default - the defaults of each `SecurityReportCostAssumptions` field
   */
  readonly costAssumptions?: SecurityReportCostAssumptions;
  /**
   * Whether to print, at synth, one line saying where the report is.
   * @default true
   */
  readonly printLocation?: boolean;
}

/** Records what a policy pack decides, and returns exactly that to CDK. */
class RecordingPack implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  constructor(private readonly pack: IPolicyValidationPlugin, private readonly record: (run: PackRun) => void) {
    this.name = pack.name;
    this.version = pack.version;
    this.ruleIds = pack.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    let report: PolicyValidationPluginReport;
    try {
      report = this.pack.validate(context);
    } catch (error) {
      this.record({ name: this.name, version: this.version, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    // A copy: CDK rewrites the report's paths and drops acknowledged findings from it after every plugin has run.
    this.record({ name: this.name, version: this.version, report: JSON.parse(JSON.stringify(report)) });
    return report;
  }
}

/** The last plugin of `SecurityReport.addPacks`: writes the report once the packs before it have run. */
class ReportWriter implements IPolicyValidationPlugin {
  public readonly name = PLUGIN_NAME;
  public readonly version = packageVersion();

  constructor(private readonly write: (context: IPolicyValidationContext) => void) {}

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.write(context);
    return { success: true, violations: [] };
  }
}

/**
 * A security report written into the cloud assembly at synth: `security-report.md` for people and
 * `security-report.json` for tools. Per stack it lists every control and the template property that proves it
 * (or that it is absent), the acknowledged findings exactly as the assembly records them, the OWASP API Security
 * Top 10 (2023) mapping with its gaps, and an estimated cost; and it records what each policy pack decided.
 *
 * The packs run as CDK validation plugins, each wrapped so that the report sees its result: the wrapper returns what
 * the pack returns, or throws what it throws, so the packs decide synth as before. The report is written even when a
 * pack fails, and shows the failure.
 */
export class SecurityReport {
  /**
   * Runs `packs` as validation plugins of the stage (or app) of `scope`, and writes the security report of its stacks
   * into that stage's cloud assembly directory after they ran.
   *
   * @param scope an app, a stage, or any construct in one
   * @param packs the policy packs, e.g. cdk-nag's `AwsSolutionsChecks` or a `CfnGuardValidator`
   */
  public static addPacks(scope: IConstruct, packs: IPolicyValidationPlugin[], options: SecurityReportOptions = {}): SecurityReport {
    const report = new SecurityReport(scope, packs, options);
    Validations.of(scope).addPlugins(...report.plugins);
    return report;
  }

  /** The plugins registered: each pack in its recording wrapper, then the plugin that writes the report. */
  public readonly plugins: IPolicyValidationPlugin[];
  /** The cloud assembly directory the report is written to. */
  public readonly outdir: string;
  /** Path of `security-report.md`. */
  public readonly markdownPath: string;
  /** Path of `security-report.json`. */
  public readonly jsonPath: string;

  private readonly runs = new Map<IPolicyValidationPlugin, PackRun>();
  private readonly costAssumptions: CostAssumptionValues;

  private constructor(scope: IConstruct, private readonly packs: IPolicyValidationPlugin[], private readonly options: SecurityReportOptions) {
    const stage = Stage.isStage(scope) ? scope : Stage.of(scope);
    if (!stage) throw configError(scope, 'SecurityReport: addPacks needs a scope inside an app or a stage');
    for (const pack of packs) {
      if (pack instanceof CloudFormationValidatePlugin) {
        throw configError(scope, `SecurityReport: 'packs' must not hold a CloudFormationValidatePlugin (CDK recognises it by its class, which a wrapper hides): `
          + 'add it with Validations.of(app).addPlugins()');
      }
    }
    this.costAssumptions = resolveAssumptions(scope, options.costAssumptions ?? {});
    this.outdir = stage.outdir;
    this.markdownPath = path.join(this.outdir, MARKDOWN_FILE);
    this.jsonPath = path.join(this.outdir, JSON_FILE);
    // A report left by an earlier synth into the same directory would outlive a synth that fails before the packs
    // run; and CDK's confirmValidationPluginsDoNotMutate check refuses a plugin that rewrites a file it found there.
    for (const file of [this.markdownPath, this.jsonPath]) fs.rmSync(file, { force: true });
    this.plugins = [
      ...packs.map((pack) => new RecordingPack(pack, (run) => this.runs.set(pack, run))),
      new ReportWriter((context) => this.write(context)),
    ];
  }

  private write(context: IPolicyValidationContext): void {
    const assemblies = new Map<string, cxapi.CloudAssembly>();
    const stacks: LoadedStack[] = context.stackTemplates.map((st) => {
      const dir = path.dirname(path.resolve(st.templatePath));
      if (!assemblies.has(dir)) assemblies.set(dir, new cxapi.CloudAssembly(dir));
      const artifact = assemblies.get(dir)!.stacks.find((s) => path.resolve(s.templateFullPath) === path.resolve(st.templatePath));
      const metadata: MetadataEntry[] = artifact
        ? [...artifact.findMetadataByType('aws:cdk:logicalId'), ...artifact.findMetadataByType(ACKNOWLEDGED_RULES)]
        : [];
      const template = JSON.parse(fs.readFileSync(st.templatePath, 'utf8')) as Template;
      return {
        stack: { stackPath: st.stackConstructPath, templateFile: path.basename(st.templatePath), template, pathsByLogicalId: pathsByLogicalId(metadata) },
        metadata,
      };
    });
    const doc = buildReport({
      packs: this.packs.map((pack) => ({ name: pack.name, version: pack.version, run: this.runs.get(pack) })),
      stacks,
      acknowledgments: treeAcknowledgments(context.appConstruct),
      costAssumptions: this.costAssumptions,
      generatorVersion: packageVersion(),
      generatedAt: new Date().toISOString(),
    });
    fs.mkdirSync(this.outdir, { recursive: true });
    fs.writeFileSync(this.jsonPath, `${JSON.stringify(doc, undefined, 2)}\n`);
    fs.writeFileSync(this.markdownPath, renderMarkdown(doc));
    if (this.options.printLocation ?? true) {
      // stderr, as CDK prints its validation report: the CDK CLI shows an app's stderr, also with --quiet.
      console.error(`Security report: ${shown(this.markdownPath)} (for tools: ${shown(this.jsonPath)})`);
    }
  }
}

/** A path relative to the working directory when it is inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function resolveAssumptions(scope: IConstruct, given: SecurityReportCostAssumptions): CostAssumptionValues {
  const resolved = { ...DEFAULT_COST_ASSUMPTIONS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as CostAssumptionValues;
  for (const [key, value] of Object.entries(resolved)) {
    if (value === undefined) continue;
    const ratio = key === 'authorizerCacheHitRatio' || key === 'tracedRequestShare';
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (ratio && value > 1)) {
      throw configError(scope, `SecurityReport: 'costAssumptions.${key}' must be ${ratio ? 'a number from 0 to 1' : 'a number of 0 or more'} (got ${String(value)})`);
    }
  }
  return resolved;
}
