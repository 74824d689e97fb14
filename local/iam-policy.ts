/**
 * Evaluates the IAM policy a Lambda authorizer returns against a request's method ARN, as API Gateway does:
 * explicit Deny wins, then any Allow, otherwise an implicit deny. Resource patterns use IAM wildcards (`*` any run
 * of characters, `/` and nothing included; `?` exactly one character), case-sensitively; actions match
 * case-insensitively. As IAM documents, wildcards apply within the colon-separated parts of an ARN: a `*` that
 * ends such a part of the pattern (before a `:` or at the end) may run past colons, any other `*` or `?` does not
 * match a `:`. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 *
 * Written independently of `lib/common/execute-api-policy.ts` on purpose: the local gateway is a second opinion on
 * the policies the authorizer builds, not an echo of the same code.
 */

/** The outcome of evaluating a policy. */
export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** Thrown for a policy document API Gateway would reject (AUTHORIZER_CONFIGURATION_ERROR). */
export class InvalidPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPolicyError';
  }
}

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: string[];
  readonly notActions?: string[];
  readonly resources?: string[];
  readonly notResources?: string[];
}

const patterns = new Map<string, RegExp>();

/** Whether an IAM wildcard pattern matches a value. */
export function wildcardMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let regex = patterns.get(key);
  if (regex === undefined) {
    let source = '';
    const chars = Array.from(pattern);
    chars.forEach((char, i) => {
      const endsPart = i === chars.length - 1 || chars[i + 1] === ':';
      if (char === '*') source += endsPart ? '.*' : '[^:]*';
      else if (char === '?') source += '[^:]';
      else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    });
    regex = new RegExp(`^${source}$`, caseInsensitive ? 'si' : 's');
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(key, regex);
  }
  return regex.test(value);
}

function list(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0 || items.some((item) => typeof item !== 'string')) {
    throw new InvalidPolicyError(`${where} must be a string or a non-empty list of strings`);
  }
  return items as string[];
}

/** Parses and checks a policy document; throws {@link InvalidPolicyError} when API Gateway would refuse it. */
export function parsePolicyDocument(document: unknown): Statement[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new InvalidPolicyError('policyDocument must be an object');
  }
  const raw = (document as Record<string, unknown>).Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (statements.length === 0) throw new InvalidPolicyError('policyDocument has no Statement');
  return statements.map((s, i) => {
    if (typeof s !== 'object' || s === null) throw new InvalidPolicyError(`Statement[${i}] must be an object`);
    const statement = s as Record<string, unknown>;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw new InvalidPolicyError(`Statement[${i}].Effect must be Allow or Deny`);
    }
    const parsed: Statement = {
      effect: statement.Effect,
      actions: list(statement.Action, `Statement[${i}].Action`),
      notActions: list(statement.NotAction, `Statement[${i}].NotAction`),
      resources: list(statement.Resource, `Statement[${i}].Resource`),
      notResources: list(statement.NotResource, `Statement[${i}].NotResource`),
    };
    if ((parsed.actions === undefined) === (parsed.notActions === undefined)) {
      throw new InvalidPolicyError(`Statement[${i}] needs exactly one of Action and NotAction`);
    }
    if ((parsed.resources === undefined) === (parsed.notResources === undefined)) {
      throw new InvalidPolicyError(`Statement[${i}] needs exactly one of Resource and NotResource`);
    }
    return parsed;
  });
}

function applies(statement: Statement, action: string, resource: string): boolean {
  const actionMatches = statement.actions !== undefined
    ? statement.actions.some((a) => wildcardMatches(a, action, true))
    : !statement.notActions!.some((a) => wildcardMatches(a, action, true));
  if (!actionMatches) return false;
  return statement.resources !== undefined
    ? statement.resources.some((r) => wildcardMatches(r, resource))
    : !statement.notResources!.some((r) => wildcardMatches(r, resource));
}

/**
 * Evaluates a policy document for `execute-api:Invoke` on a method ARN.
 * @throws InvalidPolicyError when the document is malformed.
 */
export function evaluatePolicy(document: unknown, methodArn: string, action = 'execute-api:Invoke'): PolicyDecision {
  const statements = parsePolicyDocument(document);
  if (statements.some((s) => s.effect === 'Deny' && applies(s, action, methodArn))) return 'explicit-deny';
  if (statements.some((s) => s.effect === 'Allow' && applies(s, action, methodArn))) return 'allow';
  return 'implicit-deny';
}
