/**
 * The execute-api policy builder: the IAM policy an API Gateway Lambda authorizer returns for a verified token, and an
 * evaluator of such policies the way API Gateway applies them.
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 */
import { satisfies } from './access-rules';
import { describeValue, RouteEntry, routeResourcePattern, RouteTableError } from './route-model';

const METHOD_ARN = /^(arn:aws(?:-[a-z]+)*:execute-api:[a-z]{2,4}(?:-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)([A-Z]+)(\/.*)$/;

/**
 * Splits an API Gateway method ARN into the stage prefix, the method and the resource path.
 * `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/1` →
 * `{ prefix: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/', method: 'GET', path: '/items/1' }`.
 * @throws RouteTableError when the ARN is malformed.
 */
export function parseMethodArn(methodArn: string): { prefix: string; method: string; path: string } {
  const match = typeof methodArn === 'string' ? METHOD_ARN.exec(methodArn) : null;
  if (!match) {
    throw new RouteTableError(`malformed execute-api method ARN: expected `
      + `'arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>' (got ${describeValue(methodArn)})`);
  }
  return { prefix: match[1], method: match[2], path: match[3] };
}

/**
 * The stage prefix of a method ARN, up to and including the stage's trailing `/`:
 * `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/1` →
 * `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/`. Accepts every partition (`aws`, `aws-cn`, `aws-us-gov`,
 * `aws-eusc`, …).
 * @throws RouteTableError when the ARN is malformed.
 */
export function stageArnPrefix(methodArn: string): string {
  return parseMethodArn(methodArn).prefix;
}

/** An IAM policy document as an API Gateway Lambda authorizer returns it. */
export interface PolicyDocument {
  /** The policy language version. */
  Version: '2012-10-17';
  /** The statements; an explicit Deny overrides any Allow. */
  Statement: Array<{ Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string[] }>;
}

// Cache of "does allowed pattern A match some concrete request of route-shape U", keyed by the two patterns.
// Route tables are fixed per Lambda, so this stays small; the cap guards tests that generate many tables.
const overlapCache = new Map<string, boolean>();
const OVERLAP_CACHE_LIMIT = 10000;

/**
 * True when the IAM pattern `allowed` (where `*` matches any sequence, including `/` and the empty string) matches
 * at least one concrete request of the route shape `shape` (a route resource pattern whose `*` stand for path
 * parameters: non-empty values without `/`). Exact: a search over the product of the two automata.
 */
function patternOverlapsRoute(allowed: string, shape: string): boolean {
  const cacheKey = `${allowed}\n${shape}`;
  const cached = overlapCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const seen = new Set<number>();
  // State: i in allowed (0..n), j in shape (0..m), k = 1 when the parameter at shape[j] has consumed a character.
  const n = allowed.length;
  const m = shape.length;
  const stack: Array<[number, number, number]> = [[0, 0, 0]];
  let found = false;
  while (stack.length > 0 && !found) {
    const [i, j, k] = stack.pop()!;
    const id = (i * (m + 1) + j) * 2 + k;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === n && j === m && k === 0) { found = true; break; }
    const a = i < n ? allowed[i] : undefined;
    const u = j < m ? shape[j] : undefined;
    if (a === '*') stack.push([i + 1, j, k]); // '*' matches the empty string
    if (u === '*' && k === 1) stack.push([i, j + 1, 0]); // the parameter ends
    if (u === undefined || a === undefined) continue;
    if (u !== '*') {
      // The request carries the literal character u.
      if (a === '*') stack.push([i, j + 1, 0]);
      else if (a === u) stack.push([i + 1, j + 1, 0]);
    } else {
      // The request carries some parameter character: anything but '/'.
      if (a === '*') stack.push([i, j, 1]);
      else if (a !== '/') stack.push([i + 1, j, 1]);
    }
  }
  if (overlapCache.size >= OVERLAP_CACHE_LIMIT) overlapCache.clear();
  overlapCache.set(cacheKey, found);
  return found;
}

/**
 * Builds the authorizer's policy for a verified token. The policy does not depend on the requested route, so API
 * Gateway may cache it per token and reuse it for every route:
 * - one Allow statement lists the ARN of every route whose rule the claims satisfy (never a blanket wildcard);
 * - because IAM's `*` matches across `/` (the allowed `GET/items/*` also matches `GET/items/1/admin`), every route
 *   the claims do not satisfy whose requests some allowed pattern would match gets an explicit Deny;
 * - when nothing is allowed, the policy is a single Deny on the whole stage.
 * @param methodArn the method ARN of the request; only its stage prefix is used.
 * @throws RouteTableError when the method ARN is malformed.
 */
export function buildPolicy(routes: RouteEntry[], claims: Record<string, unknown>, methodArn: string):
{ policy: PolicyDocument; allowed: RouteEntry[] } {
  const prefix = stageArnPrefix(methodArn);
  const allowed: RouteEntry[] = [];
  const refused: RouteEntry[] = [];
  for (const route of routes) (satisfies(route, claims) ? allowed : refused).push(route);
  if (allowed.length === 0) {
    return {
      policy: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${prefix}*`] }] },
      allowed,
    };
  }
  const allowedPatterns = [...new Set(allowed.map(routeResourcePattern))];
  const denied = new Set<string>();
  for (const route of refused) {
    const shape = routeResourcePattern(route);
    if (allowedPatterns.some((pattern) => patternOverlapsRoute(pattern, shape))) denied.add(shape);
  }
  const statements: PolicyDocument['Statement'] = [
    { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allowedPatterns.map((p) => prefix + p) },
  ];
  if (denied.size > 0) {
    statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [...denied].map((p) => prefix + p) });
  }
  return { policy: { Version: '2012-10-17', Statement: statements }, allowed };
}

/** IAM-style wildcard match: `*` matches any sequence (including `/` and nothing), `?` exactly one character. */
export function arnPatternMatches(pattern: string, arn: string): boolean {
  // Up to the first wildcard the pattern is a literal that the ARN must start with: compare it natively rather than
  // character by character (the stage prefix, about three quarters of a policy resource, is such a literal).
  const star = pattern.indexOf('*');
  const any = pattern.indexOf('?');
  const head = star < 0 ? (any < 0 ? pattern.length : any) : (any < 0 ? star : Math.min(star, any));
  if (head === pattern.length) return pattern === arn;
  if (!arn.startsWith(pattern.slice(0, head))) return false;
  return wildcardMatchFrom(pattern, arn, head);
}

/** {@link arnPatternMatches} from position `start` of both strings, the characters before it being equal. */
function wildcardMatchFrom(pattern: string, arn: string, start: number): boolean {
  let p = start;
  let s = start;
  let star = -1;
  let resume = 0;
  while (s < arn.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++; resume = s;
    } else if (p < pattern.length && (pattern[p] === '?' || pattern[p] === arn[s])) {
      p++; s++;
    } else if (star >= 0) {
      p = star + 1; s = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Evaluates a policy against a concrete ARN the way API Gateway does for `execute-api:Invoke`: an explicit Deny
 * wins, then any Allow, else the implicit deny.
 */
export function policyAllows(policy: PolicyDocument, arn: string): boolean {
  const matches = (effect: 'Allow' | 'Deny'): boolean => policy.Statement.some((statement) =>
    statement.Effect === effect && statement.Resource.some((resource) => arnPatternMatches(resource, arn)));
  return !matches('Deny') && matches('Allow');
}
