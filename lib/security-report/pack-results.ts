/*
 * What each policy pack decided. A pack reports its findings; CDK then drops those that an acknowledgment covers
 * and decides pass or fail (aws-cdk-lib core/lib/private/synthesis-validation.js, `collectSuppressions`). That
 * happens after every plugin has run, so the report, written by a plugin, applies the same rules itself:
 *  - a finding's rule id is qualified with the pack's namespace (its name, spaces as dashes), unless it has one;
 *  - a violating resource is covered by the acknowledgment of that id on its construct or the nearest ancestor;
 *  - fatal findings and error annotations cannot be acknowledged;
 *  - when anything was acknowledged, the pack passes if no error or fatal finding is left; else its own verdict stands.
 * test/lib/security-report.test.ts compares the outcome with CDK's validation-report.json.
 */
import * as path from 'node:path';
import { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { AcknowledgmentIndex } from './acknowledgments';
import { AcknowledgedFinding, Finding, FindingResource, PackResult } from './report-model';

/** What a pack returned, or the error it threw. */
export interface PackRun {
  readonly name: string;
  readonly version?: string;
  readonly report?: PolicyValidationPluginReport;
  readonly error?: string;
}

/** Construct path of a logical id in a template file, for findings that name only the template and logical id. */
export type PathResolver = (templateFile: string, logicalId: string) => string | undefined;

const ANNOTATION_NAMESPACE = 'Annotation';

/** The pack's rule namespace, as CDK derives it from the plugin name. */
function namespaceOf(pluginName: string): string {
  return pluginName === 'Construct Annotations' ? ANNOTATION_NAMESPACE : pluginName.replace(/ /g, '-');
}

/** `namespace::rule` for a finding's rule name: its own namespace (before a `::` outside brackets) or the pack's. */
export function qualifiedRuleId(ruleName: string, defaultNamespace: string): string {
  let depth = 0;
  let separator = -1;
  for (let i = 0; i < ruleName.length && separator < 0; i++) {
    const c = ruleName[i];
    if (c === ':' && ruleName[i + 1] === ':' && depth === 0) separator = i;
    else if ('[({'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
  }
  const namespace = separator >= 0 ? ruleName.slice(0, separator).replace(/ /g, '-') : undefined;
  const rule = (separator >= 0 ? ruleName.slice(separator + 2) : ruleName).replace(/ /g, '-');
  if (namespace === 'annotation' || namespace === 'Construct-Annotations') return `${ANNOTATION_NAMESPACE}::${rule}`;
  return `${namespace ?? defaultNamespace}::${rule}`;
}

function suppressible(violation: PolicyValidationPluginReport['violations'][number]): boolean {
  const severity = violation.severity?.toLowerCase();
  const errorAnnotation = (violation.ruleMetadata as Record<string, unknown> | undefined)?.['cdk:annotation'] !== undefined && severity === 'error';
  return severity !== 'fatal' && !errorAnnotation;
}

/** The result of one pack run, after the acknowledgments of the tree. */
export function packResult(run: PackRun, acknowledgments: AcknowledgmentIndex, resolvePath: PathResolver): PackResult {
  const base = { name: run.name, ...(run.version === undefined ? {} : { version: run.version }) };
  if (run.error !== undefined || !run.report) {
    const error = `Validation plugin '${run.name}' failed: ${run.error ?? 'no report'}`;
    return { ...base, conclusion: 'error', violationCount: 0, ruleIds: [], violations: [], acknowledgedViolations: [], error };
  }
  const namespace = namespaceOf(run.name);
  const violations: Finding[] = [];
  const acknowledged: AcknowledgedFinding[] = [];
  const remainingSeverities: Array<string | undefined> = [];
  for (const violation of run.report.violations) {
    const resources: FindingResource[] = violation.violatingResources.map((r) => {
      const templateFile = r.templatePath ? path.basename(r.templatePath) : undefined;
      const constructPath = r.constructPath ?? (templateFile && r.resourceLogicalId ? resolvePath(templateFile, r.resourceLogicalId) : undefined);
      return { ...(constructPath === undefined ? {} : { constructPath }), ...(r.resourceLogicalId ? { logicalId: r.resourceLogicalId } : {}),
        ...(templateFile === undefined ? {} : { templateFile }) };
    });
    const finding = { ruleId: violation.ruleName, ...(violation.severity === undefined ? {} : { severity: violation.severity }), description: violation.description };
    const byPath = suppressible(violation) ? acknowledgments.get(qualifiedRuleId(violation.ruleName, namespace)) : undefined;
    const left: FindingResource[] = [];
    const covered = new Map<string, { reason: string; resources: FindingResource[] }>();
    for (const resource of resources) {
      const ack = byPath && closest(byPath, resource.constructPath ?? '');
      if (ack) {
        const group = covered.get(ack.constructPath) ?? { reason: ack.reason, resources: [] };
        group.resources.push(resource);
        covered.set(ack.constructPath, group);
      } else {
        left.push(resource);
      }
    }
    for (const [acknowledgedAt, group] of covered) acknowledged.push({ ...finding, resources: group.resources, acknowledgedAt, reason: group.reason });
    // CDK drops a finding once acknowledgments cover all its resources; one that names no resource stays.
    if (left.length > 0 || resources.length === 0) {
      violations.push({ ...finding, resources: left });
      remainingSeverities.push(violation.severity);
    }
  }
  const success = acknowledged.length > 0
    ? remainingSeverities.every((s) => s !== 'error' && s !== 'fatal')
    : run.report.success;
  return {
    ...base,
    conclusion: success ? 'passed' : 'failed',
    violationCount: violations.length,
    ruleIds: [...new Set(violations.map((v) => v.ruleId))].sort(),
    violations,
    acknowledgedViolations: acknowledged,
  };
}

/** The acknowledgment on a construct or its nearest ancestor. */
function closest<T>(byPath: Map<string, T>, constructPath: string): T | undefined {
  let current = constructPath;
  for (;;) {
    const hit = byPath.get(current);
    if (hit !== undefined) return hit;
    if (current === '') return undefined;
    const slash = current.lastIndexOf('/');
    current = slash < 0 ? '' : current.slice(0, slash);
  }
}
