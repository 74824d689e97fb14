/**
 * The part of the stage's WAF web ACL that can be judged on request headers alone, e.g. SecureApi's CORS rule that
 * blocks requests whose `Origin` is not an allowed origin. Rules whose statements only combine (`And`, `Or`, `Not`)
 * string and size matches on single headers are evaluated in priority order, with their action and custom
 * response; every other rule (rate-based, IP sets, geo, body size, managed rule groups) needs AWS and is skipped.
 *
 * WAF semantics followed: a request without the inspected header does not match the statement; a Block action's
 * custom response (status, headers, body) is what the caller gets, ahead of API Gateway's gateway responses.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
import type { CfnTemplate } from './intrinsics';

type Json = Record<string, any>;

/** WAF's verdict on a request it blocks. */
export interface FirewallBlock {
  /** The rule that blocked it. */
  readonly rule: string;
  /** The rule's custom response; without one, API Gateway answers with its WAF_FILTERED gateway response. */
  readonly response?: { readonly statusCode: number; readonly headers: Record<string, string>; readonly body: string };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  APPLICATION_JSON: 'application/json',
  TEXT_HTML: 'text/html',
  TEXT_PLAIN: 'text/plain',
};

/** Whether a statement only inspects single headers with the supported match statements. */
function headerOnly(statement: Json | undefined): boolean {
  if (statement === undefined || statement === null) return false;
  const [kind, ...others] = Object.keys(statement);
  if (others.length > 0) return false;
  const body = statement[kind];
  switch (kind) {
    case 'AndStatement':
    case 'OrStatement':
      return Array.isArray(body?.Statements) && body.Statements.every(headerOnly);
    case 'NotStatement':
      return headerOnly(body?.Statement);
    case 'ByteMatchStatement':
    case 'SizeConstraintStatement':
      return typeof body?.FieldToMatch?.SingleHeader?.Name === 'string'
        && Object.keys(body.FieldToMatch).length === 1
        && (body.TextTransformations ?? []).every((t: Json) => t.Type === 'NONE' || t.Type === 'LOWERCASE');
    default:
      return false;
  }
}

function transform(value: string, transformations: Json[] | undefined): string {
  let out = value;
  for (const t of [...(transformations ?? [])].sort((a, b) => a.Priority - b.Priority)) {
    if (t.Type === 'LOWERCASE') out = out.toLowerCase();
  }
  return out;
}

/** Evaluates a header-only statement. `headers` are lowercase names. */
function matches(statement: Json, headers: Readonly<Record<string, string>>): boolean {
  const [kind] = Object.keys(statement);
  const body = statement[kind];
  if (kind === 'AndStatement') return body.Statements.every((s: Json) => matches(s, headers));
  if (kind === 'OrStatement') return body.Statements.some((s: Json) => matches(s, headers));
  if (kind === 'NotStatement') return !matches(body.Statement, headers);
  const name = String(body.FieldToMatch.SingleHeader.Name).toLowerCase();
  const raw = Object.hasOwn(headers, name) ? headers[name] : undefined;
  // A request without the component does not match.
  if (raw === undefined) return false;
  const value = transform(raw, body.TextTransformations);
  if (kind === 'SizeConstraintStatement') {
    const size = Buffer.byteLength(value);
    const limit = Number(body.Size);
    switch (body.ComparisonOperator) {
      case 'EQ': return size === limit;
      case 'NE': return size !== limit;
      case 'LE': return size <= limit;
      case 'LT': return size < limit;
      case 'GE': return size >= limit;
      case 'GT': return size > limit;
      default: return false;
    }
  }
  const search = String(body.SearchString);
  switch (body.PositionalConstraint) {
    case 'EXACTLY': return value === search;
    case 'STARTS_WITH': return value.startsWith(search);
    case 'ENDS_WITH': return value.endsWith(search);
    case 'CONTAINS': return value.includes(search);
    default: return false;
  }
}

/** The header-only rules of the template's web ACLs. */
export class LocalFirewall {
  /** Names of the rules evaluated locally, in priority order. */
  public readonly emulatedRules: string[];
  private readonly rules: Array<{ name: string; statement: Json; action: Json; bodies: Json }>;

  constructor(template: CfnTemplate) {
    this.rules = [];
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::WAFv2::WebACL') continue;
      const props = (resource.Properties ?? {}) as Json;
      const rules = [...((props.Rules ?? []) as Json[])].sort((a, b) => a.Priority - b.Priority);
      for (const rule of rules) {
        if (rule.Action !== undefined && headerOnly(rule.Statement)) {
          this.rules.push({ name: rule.Name, statement: rule.Statement, action: rule.Action, bodies: props.CustomResponseBodies ?? {} });
        }
      }
    }
    this.emulatedRules = this.rules.map((r) => r.name);
  }

  /**
   * WAF's verdict on a request: the block answer of the first matching Block rule, or undefined to let it through.
   * @param headers the request headers, lowercase names
   */
  public evaluate(headers: Readonly<Record<string, string>>): FirewallBlock | undefined {
    for (const rule of this.rules) {
      if (!matches(rule.statement, headers)) continue;
      if (rule.action.Allow !== undefined) return undefined;
      if (rule.action.Block === undefined) continue;
      const custom = rule.action.Block.CustomResponse as Json | undefined;
      if (custom === undefined) return { rule: rule.name };
      const responseBody = custom.CustomResponseBodyKey === undefined ? undefined : rule.bodies[custom.CustomResponseBodyKey];
      const headersOut: Record<string, string> = {};
      if (responseBody !== undefined) headersOut['Content-Type'] = CONTENT_TYPES[responseBody.ContentType] ?? 'text/plain';
      for (const header of (custom.ResponseHeaders ?? []) as Json[]) headersOut[header.Name] = header.Value;
      return { rule: rule.name, response: { statusCode: Number(custom.ResponseCode), headers: headersOut, body: responseBody?.Content ?? '' } };
    }
    return undefined;
  }
}
