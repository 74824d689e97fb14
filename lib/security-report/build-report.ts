/*
 * security-report.json from its parts: the packs' runs, the stacks' templates and assembly metadata, the tree's
 * acknowledgments and the cost assumptions. Pure: the plugin reads the files and writes the result.
 */
import { AcknowledgmentIndex, MetadataEntry, stackAcknowledgments } from './acknowledgments';
import { apiControls } from './api-controls';
import { CostAssumptionValues, estimateCost } from './cost';
import { dataControls } from './data-controls';
import { monitoringControls } from './monitoring-controls';
import { owaspMapping } from './owasp';
import { packResult, PackRun } from './pack-results';
import { PRICES } from './prices';
import { Acknowledgment, ESTIMATE_NOTICE, PackResult, SCHEMA_VERSION, SecurityReportDocument, StackReport } from './report-model';
import { StackTemplate } from './template';
import { wafControls } from './waf-controls';

/** A stack as the cloud assembly has it. */
export interface LoadedStack {
  readonly stack: StackTemplate;
  /** The stack's metadata entries (manifest and its additional metadata file). */
  readonly metadata: MetadataEntry[];
}

/** A pack that was registered, with its run when it ran. */
export interface RegisteredPack {
  readonly name: string;
  readonly version?: string;
  readonly run?: PackRun;
}

/** Everything the report is built from. */
export interface ReportInput {
  readonly packs: RegisteredPack[];
  readonly stacks: LoadedStack[];
  readonly acknowledgments: { readonly index: AcknowledgmentIndex; readonly outsideStacks: Acknowledgment[] };
  readonly costAssumptions: CostAssumptionValues;
  readonly generatorVersion: string;
  readonly generatedAt: string;
}

/** The report of one stack. */
export function stackReport(loaded: LoadedStack, costAssumptions: CostAssumptionValues): StackReport {
  const { stack } = loaded;
  const acknowledgments = stackAcknowledgments(loaded.metadata, stack.pathsByLogicalId);
  const controls = [...apiControls(stack, acknowledgments), ...wafControls(stack), ...dataControls(stack), ...monitoringControls(stack)];
  return {
    stackPath: stack.stackPath,
    templateFile: stack.templateFile,
    controls,
    acknowledgments,
    owaspApiTop10: owaspMapping(controls),
    cost: estimateCost(stack, costAssumptions),
  };
}

/** security-report.json. */
export function buildReport(input: ReportInput): SecurityReportDocument {
  const byTemplate = new Map(input.stacks.map((s) => [s.stack.templateFile, s.stack]));
  const resolvePath = (templateFile: string, logicalId: string): string | undefined => byTemplate.get(templateFile)?.pathsByLogicalId.get(logicalId);
  const policyPacks: PackResult[] = input.packs.map((pack) => pack.run
    ? packResult(pack.run, input.acknowledgments.index, resolvePath)
    : { name: pack.name, ...(pack.version === undefined ? {} : { version: pack.version }), conclusion: 'not-run', violationCount: 0, ruleIds: [], violations: [], acknowledgedViolations: [] });
  return {
    schemaVersion: SCHEMA_VERSION,
    generator: { name: 'secure-api', version: input.generatorVersion },
    generatedAt: input.generatedAt,
    estimateNotice: ESTIMATE_NOTICE,
    policyPacks,
    allPacksPassed: policyPacks.every((p) => p.conclusion === 'passed'),
    stacks: input.stacks.map((s) => stackReport(s, input.costAssumptions)),
    acknowledgmentsOutsideStacks: input.acknowledgments.outsideStacks,
    costAssumptions: { ...input.costAssumptions },
    prices: [...PRICES],
  };
}
