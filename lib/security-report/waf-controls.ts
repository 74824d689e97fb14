/*
 * The WAF controls of a template: the web ACL, what it is associated with, its logging, and each of its rules
 * sorted by what it does (rate limit, body size, IP and geo, managed rule groups).
 */
import { control, evidence } from './evidence';
import { Control, Evidence } from './report-model';
import { describeValue, LocatedResource, referencedId, referencedIds, resourcesOfType, StackTemplate } from './template';

type Statement = Record<string, unknown>;

/** A statement of a rule and where it sits, nested ones included. */
interface PlacedStatement {
  readonly path: string;
  readonly kind: string;
  readonly body: Record<string, unknown>;
  /** Inside a `NotStatement`. */
  readonly negated: boolean;
}

/** Every statement in a rule's statement tree (And/Or/Not and rate-based scope-downs). */
function statements(root: unknown, path: string, negated = false): PlacedStatement[] {
  if (root === null || typeof root !== 'object') return [];
  const out: PlacedStatement[] = [];
  for (const [kind, body] of Object.entries(root as Statement)) {
    if (body === null || typeof body !== 'object') continue;
    const b = body as Record<string, unknown>;
    out.push({ path: `${path}.${kind}`, kind, body: b, negated });
    if (kind === 'AndStatement' || kind === 'OrStatement') {
      (Array.isArray(b.Statements) ? b.Statements : []).forEach((s, i) => out.push(...statements(s, `${path}.${kind}.Statements[${i}]`, negated)));
    } else if (kind === 'NotStatement') {
      out.push(...statements(b.Statement, `${path}.${kind}.Statement`, !negated));
    } else if (kind === 'RateBasedStatement' && b.ScopeDownStatement !== undefined) {
      out.push(...statements(b.ScopeDownStatement, `${path}.${kind}.ScopeDownStatement`, negated));
    }
  }
  return out;
}

/** A rule's action in words: `Block 429`, `Allow`, `Count`, or a group's override. */
function actionOf(rule: Record<string, unknown>): string {
  const action = rule.Action as Record<string, Record<string, unknown>> | undefined;
  if (action) {
    const [name, body] = Object.entries(action)[0] ?? ['?', {}];
    const code = (body?.CustomResponse as { ResponseCode?: unknown } | undefined)?.ResponseCode;
    return code === undefined ? name : `${name} ${String(code)}`;
  }
  const override = rule.OverrideAction as Record<string, unknown> | undefined;
  return override && Object.hasOwn(override, 'Count') ? 'group actions overridden to Count' : "the group's own actions";
}

interface RuleRef {
  readonly acl: LocatedResource;
  readonly index: number;
  readonly rule: Record<string, unknown>;
  readonly name: string;
  readonly statements: PlacedStatement[];
}

function rulesOf(acl: LocatedResource): RuleRef[] {
  const rules = Array.isArray(acl.properties.Rules) ? acl.properties.Rules as Array<Record<string, unknown>> : [];
  return rules.map((rule, index) => ({ acl, index, rule, name: String(rule.Name), statements: statements(rule.Statement, `Rules[${index}].Statement`) }));
}

/** Each rule in one line. */
function describeRule(ref: RuleRef): string {
  const kinds = ref.statements.map((s) => s.kind.replace(/Statement$/, '')).join(' + ');
  return `${ref.name} (priority ${String(ref.rule.Priority)}): ${kinds} → ${actionOf(ref.rule)}`;
}

function rateSummary(ref: RuleRef, body: Record<string, unknown>): string {
  const key = body.AggregateKeyType === 'CUSTOM_KEYS'
    ? `per ${(Array.isArray(body.CustomKeys) ? body.CustomKeys : []).map((k) => {
      const [kind, spec] = Object.entries(k as Statement)[0] ?? ['?', {}];
      const name = (spec as { Name?: unknown } | undefined)?.Name;
      return name === undefined ? kind : `${kind.toLowerCase()} ${String(name)}`;
    }).join(' and ')}`
    : `per ${String(body.AggregateKeyType ?? 'IP')}`;
  return `${ref.name}: ${describeValue(body.Limit)} requests per ${describeValue(body.EvaluationWindowSec ?? 300)} s ${key} → ${actionOf(ref.rule)}`;
}

/** The WAF controls of a template. */
export function wafControls(stack: StackTemplate): Control[] {
  const acls = resourcesOfType(stack, 'AWS::WAFv2::WebACL');
  const rules = acls.flatMap(rulesOf);
  const associations = resourcesOfType(stack, 'AWS::WAFv2::WebACLAssociation');
  const loggings = resourcesOfType(stack, 'AWS::WAFv2::LoggingConfiguration');
  const stages = resourcesOfType(stack, 'AWS::ApiGateway::Stage');

  const aclEvidence = acls.map((acl) => evidence(acl, 'DefaultAction', true,
    `web ACL ${describeValue(acl.properties.Name)}: ${rulesOf(acl).length} rules, default action ${Object.keys(acl.properties.DefaultAction ?? {}).join('') || '?'}`));

  const associationEvidence: Evidence[] = associations.flatMap((assoc) => [
    evidence(assoc, 'WebACLArn', true, `web ACL ${describeValue(assoc.properties.WebACLArn)}`),
    evidence(assoc, 'ResourceArn', true, `protects ${[...referencedIds(assoc.properties.ResourceArn)].filter((id) => !id.startsWith('AWS::')).join(', ') || describeValue(assoc.properties.ResourceArn)}`),
  ]);
  for (const stage of stages) {
    const covered = associations.some((assoc) => referencedIds(assoc.properties.ResourceArn).has(stage.logicalId));
    if (!covered) associationEvidence.push(evidence(stage, 'StageName', false, `stage ${describeValue(stage.properties.StageName)} has no web ACL associated in this template`));
  }

  const loggingEvidence: Evidence[] = acls.map((acl) => {
    const logging = loggings.find((l) => referencedId(l.properties.ResourceArn) === acl.logicalId);
    if (!logging) return evidence(acl, 'Name', false, `web ACL ${describeValue(acl.properties.Name)} has no logging configuration`);
    const redacted = Array.isArray(logging.properties.RedactedFields)
      ? (logging.properties.RedactedFields as Statement[]).map((f) => describeValue((Object.values(f)[0] as { Name?: unknown } | undefined)?.Name ?? Object.keys(f)[0]))
      : [];
    return evidence(logging, 'LogDestinationConfigs', true,
      `logs to ${describeValue(logging.properties.LogDestinationConfigs)}${redacted.length ? `; redacts ${redacted.join(', ')}` : ''}`);
  });

  const of = (kinds: string[]): Array<{ ref: RuleRef; statement: PlacedStatement }> => rules.flatMap((ref) =>
    ref.statements.filter((s) => kinds.includes(s.kind)).map((statement) => ({ ref, statement })));

  const rate = of(['RateBasedStatement']).map(({ ref, statement }) =>
    evidence(ref.acl, `${statement.path}.Limit`, true, rateSummary(ref, statement.body)));
  const body = of(['SizeConstraintStatement'])
    .filter(({ statement }) => Object.hasOwn((statement.body.FieldToMatch ?? {}) as object, 'Body'))
    .map(({ ref, statement }) => evidence(ref.acl, `${statement.path}.Size`, true,
      `${ref.name}: bodies ${String(statement.body.ComparisonOperator)} ${describeValue(statement.body.Size)} bytes → ${actionOf(ref.rule)}`));
  const ipGeo = [
    ...of(['IPSetReferenceStatement']).map(({ ref, statement }) => evidence(ref.acl, `${statement.path}.ARN`, true,
      `${ref.name}: requests ${statement.negated ? 'not ' : ''}from IP set ${describeValue(statement.body.ARN)} → ${actionOf(ref.rule)}`)),
    ...of(['GeoMatchStatement']).map(({ ref, statement }) => evidence(ref.acl, `${statement.path}.CountryCodes`, true,
      `${ref.name}: requests ${statement.negated ? 'not ' : ''}from ${describeValue(statement.body.CountryCodes)} → ${actionOf(ref.rule)}`)),
    ...resourcesOfType(stack, 'AWS::ApiGateway::RestApi')
      .filter((api) => JSON.stringify(api.properties.Policy ?? {}).includes('aws:SourceIp'))
      .map((api) => evidence(api, 'Policy', true, 'resource policy denies requests by aws:SourceIp (IP allow-list)')),
  ];
  const managed = of(['ManagedRuleGroupStatement']).map(({ ref, statement }) => {
    const overrides = Array.isArray(statement.body.RuleActionOverrides) ? statement.body.RuleActionOverrides as Statement[] : [];
    const counted = overrides.map((o) => String(o.Name));
    return evidence(ref.acl, `${statement.path}.Name`, true,
      `${String(statement.body.VendorName)}/${describeValue(statement.body.Name)} → ${actionOf(ref.rule)}${counted.length ? `; rules overridden: ${counted.join(', ')}` : ''}`);
  });

  return [
    control('waf.web-acl', 'WAF web ACL', aclEvidence, 'no AWS::WAFv2::WebACL in this stack'),
    control('waf.association', 'WAF web ACL associated with the API stage', associationEvidence, 'no AWS::WAFv2::WebACLAssociation in this stack'),
    control('waf.rules', 'WAF rules (every rule of every web ACL)', rules.map((ref) => evidence(ref.acl, `Rules[${ref.index}].Name`, true, describeRule(ref))),
      'no WAF rules'),
    control('waf.rate-limit', 'WAF rate-based rules', rate, 'no rate-based WAF rule'),
    control('waf.body-size', 'WAF request body size limit', body, 'no WAF rule limits the body size'),
    control('waf.ip-geo', 'IP and geo restrictions (WAF IP sets, geo match, resource policy)', ipGeo,
      'no IP allow/deny list or geo rule (SecureApi adds them with ipAllowList, waf.denyCidrs, waf.blockedCountries)'),
    control('waf.managed-groups', 'WAF managed rule groups', managed, 'no managed rule group'),
    control('waf.logging', 'WAF logging with redacted fields', loggingEvidence, 'no web ACL to log'),
  ];
}
