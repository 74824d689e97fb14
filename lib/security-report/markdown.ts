/*
 * security-report.md: the same document as security-report.json, for people.
 */
import { describeValue } from './template';
import { Control, SecurityReportDocument, StackReport } from './report-model';
import { CostLine } from './cost';

/** A table cell: one line, pipes escaped. */
function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : describeValue(value);
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function table(header: string[], rows: unknown[][]): string[] {
  if (rows.length === 0) return ['(none)', ''];
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
  ];
}

/** Dollars with enough digits to show small per-request costs. */
function usd(value: number): string {
  if (value === 0) return '$0';
  if (value >= 1) return `$${value.toFixed(2)}`;
  // Three significant digits, without exponent notation: $0.0400, $0.0000133.
  const digits = Math.max(4, 2 - Math.floor(Math.log10(value)));
  return `$${value.toFixed(Math.min(digits, 12))}`;
}

function code(text: string | undefined): string {
  return text === undefined || text === '' ? '' : `\`${text.replace(/`/g, "'")}\``;
}

const STATUS = { present: 'present', partial: 'PARTIAL', absent: 'ABSENT' } as const;

function controlRows(control: Control): unknown[][] {
  if (control.evidence.length === 0) return [[`${control.title} (${code(control.id)})`, STATUS[control.status], '', '', '', control.note ?? '']];
  return control.evidence.map((e, i) => [
    i === 0 ? `${control.title} (${code(control.id)})` : '',
    i === 0 ? STATUS[control.status] : '',
    code(e.logicalId),
    code(e.constructPath),
    code(e.property),
    `${e.exception ? `exception: ${e.exception}. ` : e.satisfied ? '' : 'NOT MET: '}${e.summary}${i === 0 && control.note ? ` (${control.note})` : ''}`,
  ]);
}

function costRows(lines: CostLine[]): unknown[][] {
  return lines.map((l) => [l.item, `${l.quantity} × ${usd(l.unitPriceUsd)} per ${l.unit}`, usd(l.usd), l.assumption ?? 'from the template']);
}

function stackSection(stack: StackReport): string[] {
  const out: string[] = [`## Stack \`${stack.stackPath}\` (${stack.templateFile})`, ''];
  out.push('### Controls', '', 'Each row names the resource (logical id and construct path) and the template property that proves the control.', '');
  out.push(...table(['control', 'status', 'logical id', 'construct path', 'property', 'evidence'], stack.controls.flatMap(controlRows)));
  out.push('### Acknowledged findings', '', `${stack.acknowledgments.length} acknowledgments recorded in this stack's metadata in the cloud assembly.`, '');
  out.push(...table(['rule', 'construct path', 'logical id', 'reason'],
    stack.acknowledgments.map((a) => [code(a.ruleId), code(a.constructPath), code(a.logicalId), a.reason])));
  out.push('### OWASP API Security Top 10 (2023)', '');
  out.push(...table(['risk', 'coverage', 'controls of this template', 'addressed by', 'gaps: what you must do'],
    stack.owaspApiTop10.map((o) => [`${o.id} ${o.name}`, o.coverage, o.controls.map((c) => `${c.id} (${c.status})`).join(', '), o.addressedBy, o.gaps])));
  out.push('### Estimated cost', '');
  for (const api of stack.cost.perMillionRequests) {
    out.push(`Per million requests to REST API ${code(api.restApi)} (${code(api.constructPath)}): **${usd(api.usd)}** (estimate)`, '');
    out.push(...table(['item', 'quantity × unit price', 'cost', 'assumption'], costRows(api.lines)));
    if (api.notEstimated.length > 0) out.push(`Not estimated for this API: ${api.notEstimated.join('; ')}.`, '');
  }
  out.push(`Fixed monthly cost of the configuration: **${usd(stack.cost.fixedMonthly.usd)}** (estimate)`, '');
  out.push(...table(['item', 'quantity × unit price', 'cost', 'note'], costRows(stack.cost.fixedMonthly.lines)));
  out.push(`Not estimated: ${stack.cost.notEstimated.join('; ')}.`, '');
  return out;
}

/** The report as Markdown. */
export function renderMarkdown(doc: SecurityReportDocument): string {
  const out: string[] = [
    '# Security report',
    '',
    `Written at synth by ${doc.generator.name} ${doc.generator.version} on ${doc.generatedAt}. Machine-readable copy: security-report.json (schema version ${doc.schemaVersion}).`,
    '',
    `> **${doc.estimateNotice}**`,
    '',
    '## Policy packs',
    '',
    doc.allPacksPassed ? 'Every pack passed.' : '**Not every pack passed: synth fails.**',
    '',
    ...table(['pack', 'version', 'result', 'findings left', 'rule ids', 'acknowledged findings'], doc.policyPacks.map((p) => [
      p.name, p.version ?? '', p.conclusion !== 'passed' ? p.conclusion.toUpperCase()
        : p.violationCount > 0 ? 'passed: CDK lets the findings left pass, as none has severity error or fatal' : 'passed', p.violationCount,
      p.error ?? p.ruleIds.map(code).join(', '), p.acknowledgedViolations.length,
    ])),
  ];
  const failing = doc.policyPacks.flatMap((p) => p.violations.map((v) => [p.name, code(v.ruleId), v.severity ?? '',
    v.resources.map((r) => code(r.constructPath ?? r.logicalId)).join(', '), v.description]));
  if (failing.length > 0) out.push('### Findings left after acknowledgments', '', ...table(['pack', 'rule', 'severity', 'resources', 'description'], failing));
  out.push('Packs that apply acknowledgments themselves (cdk-nag) report only the findings left; the others\' acknowledged findings are counted above.', '');
  for (const stack of doc.stacks) out.push(...stackSection(stack));
  if (doc.acknowledgmentsOutsideStacks.length > 0) {
    out.push('## Acknowledgments outside any stack', '', 'Recorded on the app or a stage: they suppress findings in every stack below them, and no stack\'s metadata holds them.', '');
    out.push(...table(['rule', 'construct path', 'reason'], doc.acknowledgmentsOutsideStacks.map((a) => [code(a.ruleId), code(a.constructPath), a.reason])));
  }
  out.push('## Cost assumptions', '');
  out.push(...table(['assumption', 'value'], Object.entries(doc.costAssumptions).map(([k, v]) => [k, v])));
  out.push('## Prices', '', 'us-east-1 list prices, read from stored copies of the pages below on the date shown. '
    + 'A figure marked "not an AWS page" was read on a third-party page that quotes it: check it on the AWS page.', '');
  out.push(...table(['item', 'USD', 'unit', 'source', 'read', 'note'], doc.prices.map((p) => [
    p.item, p.usd, p.unit, p.source, p.read, `${p.fromAwsPage ? '' : 'not an AWS page. '}${p.note ?? ''}`,
  ])));
  return `${out.join('\n').trimEnd()}\n`;
}
