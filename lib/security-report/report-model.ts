/*
 * The shape of security-report.json. Tools read it, so a change that removes or renames a field raises
 * SCHEMA_VERSION; adding a field does not.
 */
import { CostAssumptionValues, CostEstimate } from './cost';
import { Price } from './prices';

/** Version of the JSON shape below. */
export const SCHEMA_VERSION = 1;

/** File name of the report for people, in the cloud assembly directory. */
export const MARKDOWN_FILE = 'security-report.md';

/** File name of the report for tools. */
export const JSON_FILE = 'security-report.json';

/** Name of the validation plugin that writes the report. */
export const PLUGIN_NAME = 'secure-api-security-report';

/** The line the report carries wherever it shows money. */
export const ESTIMATE_NOTICE = 'Cost figures are estimates from us-east-1 list prices and stated usage assumptions, '
  + 'not a quote: check them with the AWS Pricing Calculator and your bill.';

/** What a template shows of a control. */
export type ControlStatus = 'present' | 'partial' | 'absent';

/** One resource property that proves (or disproves) a control. */
export interface Evidence {
  readonly logicalId: string;
  readonly resourceType: string;
  /** The construct path (`aws:cdk:path`). */
  readonly constructPath?: string;
  /** Where in the resource's `Properties`, e.g. `Rules[0].Statement.RateBasedStatement.Limit`. */
  readonly property: string;
  /** The template's value at `property`; absent when the property is not set. */
  readonly value?: unknown;
  /** Whether this resource meets the control. */
  readonly satisfied: boolean;
  /** The same in words. */
  readonly summary: string;
  /** Set when the resource is a declared exception (a public method), not a failure. */
  readonly exception?: string;
}

/** A security control and where the template shows it. */
export interface Control {
  readonly id: string;
  readonly title: string;
  /** `present`: every resource it applies to meets it; `partial`: some do; `absent`: none does, or there is none. */
  readonly status: ControlStatus;
  readonly evidence: Evidence[];
  /** Why it is absent or partial, or what else to know. */
  readonly note?: string;
}

/** One violating resource of a finding. */
export interface FindingResource {
  readonly constructPath?: string;
  readonly logicalId?: string;
  readonly templateFile?: string;
}

/** One finding of a policy pack. */
export interface Finding {
  readonly ruleId: string;
  readonly severity?: string;
  readonly description: string;
  readonly resources: FindingResource[];
}

/** A finding that an acknowledgment suppressed. */
export interface AcknowledgedFinding extends Finding {
  /** The construct path the acknowledgment is recorded on. */
  readonly acknowledgedAt: string;
  readonly reason: string;
}

/** A policy pack and what it decided. */
export interface PackResult {
  readonly name: string;
  readonly version?: string;
  /** `passed` or `failed`: the decision CDK makes after acknowledgments; `error`: the pack threw; `not-run`. */
  readonly conclusion: 'passed' | 'failed' | 'error' | 'not-run';
  /** The findings left after acknowledgments. */
  readonly violationCount: number;
  /** Their rule ids, sorted, each once. */
  readonly ruleIds: string[];
  readonly violations: Finding[];
  /** Findings the pack reported that acknowledgments suppressed (packs that apply acknowledgments themselves, such as cdk-nag, report none). */
  readonly acknowledgedViolations: AcknowledgedFinding[];
  /** The pack's error when it threw. */
  readonly error?: string;
}

/** An acknowledgment recorded in the assembly (`aws:cdk:acknowledged-rules` metadata). */
export interface Acknowledgment {
  /** The rule id as recorded, e.g. `Annotation::AwsSolutions-IAM4[...]` or `cdk-validator-cfnguard::rule`. */
  readonly ruleId: string;
  /** The construct it is recorded on. */
  readonly constructPath: string;
  /** The logical id when the construct is a resource, or its default child (`Resource`) is. */
  readonly logicalId?: string;
  readonly reason: string;
}

/** How one OWASP API Security Top 10 (2023) risk is addressed. */
export interface OwaspEntry {
  readonly id: string;
  readonly name: string;
  /** Controls of this template that address it, with their status. */
  readonly controls: Array<{ readonly id: string; readonly status: ControlStatus }>;
  /** `addressed`: every control present; `partial`: some; `gap`: none, or the risk is outside what a template can show. */
  readonly coverage: 'addressed' | 'partial' | 'gap';
  /** What the configuration does about it. */
  readonly addressedBy: string;
  /** What it does not do, and what the user must do. */
  readonly gaps: string;
}

/** The report of one stack. */
export interface StackReport {
  readonly stackPath: string;
  readonly templateFile: string;
  readonly controls: Control[];
  readonly acknowledgments: Acknowledgment[];
  readonly owaspApiTop10: OwaspEntry[];
  readonly cost: CostEstimate;
}

/** security-report.json. */
export interface SecurityReportDocument {
  readonly schemaVersion: number;
  readonly generator: { readonly name: string; readonly version: string };
  readonly generatedAt: string;
  readonly estimateNotice: string;
  readonly policyPacks: PackResult[];
  /** Whether every pack passed: when not, synth fails. */
  readonly allPacksPassed: boolean;
  readonly stacks: StackReport[];
  /** Acknowledgments recorded on constructs outside any stack (the app, a stage): in no stack's metadata. */
  readonly acknowledgmentsOutsideStacks: Acknowledgment[];
  readonly costAssumptions: CostAssumptionValues;
  readonly prices: Price[];
}
