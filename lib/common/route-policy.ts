/**
 * The route-policy model shared by the SecureApi construct (which declares routes and their access rules) and the
 * authorizer Lambda (which turns a verified token into an IAM policy over those routes).
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 *
 * Deny by default: a route that is not in the table is never allowed, and a route in the table is allowed only when
 * it is explicitly `public` or the token's scopes and claims satisfy its rule.
 */

/** An HTTP method a route may declare. `ANY` is deliberately absent: every method is listed explicitly. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Every {@link HttpMethod}, in a stable order. */
export const HTTP_METHODS: readonly HttpMethod[] = Object.freeze([
  'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS',
] as HttpMethod[]);

/** A condition on one claim of the verified token. Exactly one of `equals`, `oneOf` or `includes` is set. */
export interface ClaimCondition {
  /** The claim's name, used verbatim as a top-level key of the payload, e.g. `tenant`, `cognito:groups`. */
  readonly claim: string;
  /** The claim is strictly equal (`===`) to this value. */
  readonly equals?: string | number | boolean;
  /** The claim is a string or number strictly equal to one of these values. */
  readonly oneOf?: Array<string | number>;
  /**
   * Group membership: the claim is an array that contains this string, or a space-delimited string that contains it
   * as a whole word (a value with spaces can therefore only match an array claim).
   */
  readonly includes?: string;
}

/** Who may call a route. */
export interface RouteAccess {
  /**
   * Explicitly public: no token is needed. A public route must not declare `scopes` or `claims`.
   * @default false
   */
  readonly public?: boolean;
  /**
   * Scopes the token needs (from its `scope` or `scp` claim).
   * @default - no scope requirement; then `claims` must be declared
   */
  readonly scopes?: string[];
  /**
   * Whether the token needs all of `scopes` or any one of them.
   * @default 'all'
   */
  readonly scopeMatch?: 'all' | 'any';
  /**
   * Conditions on the token's claims; all must hold.
   * @default - no claim condition; then `scopes` must be declared
   */
  readonly claims?: ClaimCondition[];
}

/** One route of the API with its access rule. */
export interface RouteEntry extends RouteAccess {
  /** The route's HTTP method. */
  readonly method: HttpMethod;
  /** The resource path, e.g. `/items/{id}`; `/` for the root. */
  readonly path: string;
}

/** A route table or route key that breaks a rule of the model; the message names the route, the rule and the value. */
export class RoutePolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoutePolicyError';
  }
}

const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAM_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const GREEDY_SEGMENT = /^\{[^{}]*\+\}$/;
const SCOPE_WHITESPACE = /\s/;

function show(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return String(value);
  }
}

function isHttpMethod(value: unknown): value is HttpMethod {
  return typeof value === 'string' && (HTTP_METHODS as readonly string[]).includes(value);
}

/** Returns why `path` is not a valid route path, or undefined when it is. */
function pathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string') return `path must be a string (got ${show(path)})`;
  if (!path.startsWith('/')) return `path must start with '/' (got '${path}')`;
  if (path === '/') return undefined;
  if (path.endsWith('/')) return `path must not end with '/' except the root '/' (got '${path}')`;
  const params = new Set<string>();
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return `path must not contain empty segments (got '${path}')`;
    if (GREEDY_SEGMENT.test(segment)) {
      return `greedy path parameter '${segment}' is not supported (got '${path}'): a greedy path matches every `
        + 'sub-path, which defeats the deny-by-default route table; declare each route explicitly';
    }
    const param = PARAM_SEGMENT.exec(segment);
    if (param) {
      if (params.has(param[1])) return `path parameter '{${param[1]}}' appears more than once (got '${path}')`;
      params.add(param[1]);
      continue;
    }
    if (segment === '.' || segment === '..') return `path must not contain '.' or '..' segments (got '${path}')`;
    if (!LITERAL_SEGMENT.test(segment)) {
      return `path segment '${segment}' must be a literal of [A-Za-z0-9._~-] or a '{param}' whose name matches `
        + `[A-Za-z_][A-Za-z0-9_]* (got '${path}')`;
    }
  }
  return undefined;
}

/**
 * Parses a route key such as `GET /items/{id}`: one known method, exactly one space, and a valid path.
 * @throws RoutePolicyError when the key is malformed.
 */
export function parseRouteKey(key: string): { method: HttpMethod; path: string } {
  if (typeof key !== 'string') throw new RoutePolicyError(`route key must be a string (got ${show(key)})`);
  const space = key.indexOf(' ');
  if (space < 0 || key.indexOf(' ', space + 1) >= 0 || /[\t\r\n]/.test(key)) {
    throw new RoutePolicyError(`route key '${key}': expected '<METHOD> <path>' separated by exactly one space`);
  }
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  if (!isHttpMethod(method)) {
    throw new RoutePolicyError(`route key '${key}': unknown method '${method}' (expected one of ${HTTP_METHODS.join(', ')})`);
  }
  const problem = pathProblem(path);
  if (problem) throw new RoutePolicyError(`route key '${key}': ${problem}`);
  return { method, path };
}

/** The route key of a route, e.g. `GET /items/{id}`. */
export function routeKey(route: { method: HttpMethod; path: string }): string {
  return `${route.method} ${route.path}`;
}

function claimConditionProblem(condition: unknown, index: number): string | undefined {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    return `claim condition ${index} must be an object (got ${show(condition)})`;
  }
  const c = condition as Record<string, unknown>;
  const name = c.claim;
  if (typeof name !== 'string' || name.length === 0) {
    return `claim condition ${index}: 'claim' must be a non-empty string (got ${show(name)})`;
  }
  const label = `claim condition ${index} ('${name}')`;
  const operators = (['equals', 'oneOf', 'includes'] as const).filter((op) => c[op] !== undefined);
  if (operators.length !== 1) {
    return `${label} must set exactly one of 'equals', 'oneOf', 'includes' (got ${operators.length === 0 ? 'none' : operators.join(', ')})`;
  }
  const unknown = Object.keys(c).filter((k) => !['claim', 'equals', 'oneOf', 'includes'].includes(k));
  if (unknown.length > 0) return `${label} has unknown keys (got ${unknown.join(', ')})`;
  if (c.equals !== undefined && !['string', 'number', 'boolean'].includes(typeof c.equals)) {
    return `${label}: 'equals' must be a string, number or boolean (got ${show(c.equals)})`;
  }
  if (c.oneOf !== undefined) {
    if (!Array.isArray(c.oneOf) || c.oneOf.length === 0) {
      return `${label}: 'oneOf' must be a non-empty array (got ${show(c.oneOf)})`;
    }
    if (c.oneOf.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      return `${label}: 'oneOf' entries must be strings or numbers (got ${show(c.oneOf)})`;
    }
  }
  if (c.includes !== undefined) {
    if (typeof c.includes !== 'string' || c.includes.length === 0) {
      return `${label}: 'includes' must be a non-empty string (got ${show(c.includes)})`;
    }
  }
  return undefined;
}

function accessProblem(route: Record<string, unknown>): string | undefined {
  const { scopes, claims, scopeMatch } = route;
  if (route.public !== undefined && typeof route.public !== 'boolean') {
    return `'public' must be a boolean (got ${show(route.public)})`;
  }
  if (scopes !== undefined) {
    if (!Array.isArray(scopes)) return `'scopes' must be an array of strings (got ${show(scopes)})`;
    for (const scope of scopes) {
      if (typeof scope !== 'string' || scope.length === 0) {
        return `'scopes' must contain only non-empty strings (got ${show(scopes)})`;
      }
      if (SCOPE_WHITESPACE.test(scope)) {
        return `'scopes' entries must not contain whitespace, list each scope separately (got ${show(scope)})`;
      }
    }
  }
  if (claims !== undefined && !Array.isArray(claims)) {
    return `'claims' must be an array of claim conditions (got ${show(claims)})`;
  }
  if (scopeMatch !== undefined && scopeMatch !== 'all' && scopeMatch !== 'any') {
    return `'scopeMatch' must be 'all' or 'any' (got ${show(scopeMatch)})`;
  }
  const scopeList = scopes as string[] | undefined;
  const claimList = claims as unknown[] | undefined;
  if (route.public === true) {
    if (scopeList !== undefined) return `a public route must not declare 'scopes' (got ${show(scopeList)})`;
    if (claimList !== undefined) return `a public route must not declare 'claims' (got ${show(claimList)})`;
    if (scopeMatch !== undefined) return `a public route must not declare 'scopeMatch' (got ${show(scopeMatch)})`;
    return undefined;
  }
  if (scopeList !== undefined && scopeList.length === 0) {
    return `'scopes' must not be empty unless 'public' is true (got [])`;
  }
  if (claimList !== undefined && claimList.length === 0) {
    return `'claims' must not be empty unless 'public' is true (got [])`;
  }
  if (scopeList === undefined && claimList === undefined) {
    return `must declare 'scopes' or 'claims', or set 'public: true'`;
  }
  if (scopeMatch !== undefined && scopeList === undefined) {
    return `'scopeMatch' needs 'scopes' (got scopeMatch ${show(scopeMatch)} without scopes)`;
  }
  if (new Set(scopeList ?? []).size !== (scopeList ?? []).length) {
    return `'scopes' must not repeat a scope (got ${show(scopeList)})`;
  }
  for (const [index, condition] of (claimList ?? []).entries()) {
    const problem = claimConditionProblem(condition, index);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Checks a route table: valid methods and paths, no duplicate routes, and a complete, unambiguous access rule on
 * every route.
 * @throws RoutePolicyError naming the first offending route, the rule and the value.
 */
export function validateRouteTable(routes: RouteEntry[]): void {
  if (!Array.isArray(routes)) throw new RoutePolicyError(`the route table must be an array (got ${show(routes)})`);
  const byPattern = new Map<string, string>();
  // API Gateway allows one variable path part per parent resource: '/items/{id}' and '/items/{itemId}/x' conflict.
  const paramChild = new Map<string, { name: string; key: string }>();
  for (const [index, entry] of routes.entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new RoutePolicyError(`route ${index} must be an object (got ${show(entry)})`);
    }
    const route = entry as unknown as Record<string, unknown>;
    const label = isHttpMethod(route.method) && typeof route.path === 'string'
      ? `route '${route.method} ${route.path}'` : `route ${index}`;
    if (!isHttpMethod(route.method)) {
      throw new RoutePolicyError(`${label}: unknown method ${show(route.method)} (expected one of ${HTTP_METHODS.join(', ')})`);
    }
    const problem = pathProblem(route.path);
    if (problem) throw new RoutePolicyError(`${label}: ${problem}`);
    const known = ['method', 'path', 'public', 'scopes', 'scopeMatch', 'claims'];
    const unknown = Object.keys(route).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new RoutePolicyError(`${label}: unknown keys (got ${unknown.join(', ')})`);
    const access = accessProblem(route);
    if (access) throw new RoutePolicyError(`${label}: ${access}`);

    const key = routeKey(entry);
    const pattern = routeResourcePattern(entry);
    const twin = byPattern.get(pattern);
    if (twin !== undefined) {
      throw new RoutePolicyError(twin === key
        ? `${label}: duplicate route`
        : `${label}: duplicate route, same method and path shape as '${twin}'`);
    }
    byPattern.set(pattern, key);

    const segments = entry.path === '/' ? [] : entry.path.slice(1).split('/');
    segments.forEach((segment, depth) => {
      const param = PARAM_SEGMENT.exec(segment);
      if (!param) return;
      const parent = '/' + segments.slice(0, depth).map((s) => (PARAM_SEGMENT.test(s) ? '{}' : s)).join('/');
      const sibling = paramChild.get(parent);
      if (sibling && sibling.name !== param[1]) {
        throw new RoutePolicyError(`${label}: path parameter '{${param[1]}}' conflicts with '{${sibling.name}}' of `
          + `route '${sibling.key}' (API Gateway allows one variable path part per parent resource)`);
      }
      paramChild.set(parent, { name: param[1], key });
    });
  }
}

/**
 * The scopes a token carries: the space-delimited `scope` claim (RFC 6749, RFC 8693) and the `scp` claim (an array
 * or a space-delimited string, as Okta and Microsoft Entra ID issue it), de-duplicated in first-seen order.
 */
export function tokenScopes(claims: Record<string, unknown>): string[] {
  const scopes = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const scope of value.split(' ')) if (scope !== '') scopes.add(scope);
    } else if (Array.isArray(value)) {
      for (const scope of value) if (typeof scope === 'string' && scope !== '' && !scope.includes(' ')) scopes.add(scope);
    }
  };
  add(ownClaim(claims, 'scope'));
  add(ownClaim(claims, 'scp'));
  return [...scopes];
}

/** Reads an own property only: a claim named `constructor` or `__proto__` must not reach Object.prototype. */
function ownClaim(claims: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(claims, name) ? claims[name] : undefined;
}

function conditionHolds(condition: ClaimCondition, claims: Record<string, unknown>): boolean {
  const value = ownClaim(claims, condition.claim);
  if (condition.equals !== undefined) return value === condition.equals;
  if (condition.oneOf !== undefined) {
    return (typeof value === 'string' || typeof value === 'number') && condition.oneOf.includes(value);
  }
  if (condition.includes !== undefined) {
    if (Array.isArray(value)) return value.includes(condition.includes);
    if (typeof value === 'string') return value.split(' ').includes(condition.includes);
    return false;
  }
  // A condition without an operator never holds: deny by default.
  return false;
}

/**
 * Which part of a route's rule the claims fail: `scopes`, `claims`, or undefined when the rule is satisfied.
 * A rule with neither scopes nor claims that is not public is never satisfied.
 */
export function unmetRequirement(access: RouteAccess, claims: Record<string, unknown>): 'scopes' | 'claims' | undefined {
  if (access.public === true) return undefined;
  const required = access.scopes ?? [];
  const conditions = access.claims ?? [];
  if (required.length === 0 && conditions.length === 0) return 'scopes';
  if (required.length > 0) {
    const held = new Set(tokenScopes(claims));
    const ok = access.scopeMatch === 'any' ? required.some((s) => held.has(s)) : required.every((s) => held.has(s));
    if (!ok) return 'scopes';
  }
  if (!conditions.every((condition) => conditionHolds(condition, claims))) return 'claims';
  return undefined;
}

/** True when the route is public, or the token's scopes (per `scopeMatch`) and every claim condition hold. */
export function satisfies(access: RouteAccess, claims: Record<string, unknown>): boolean {
  return unmetRequirement(access, claims) === undefined;
}

const METHOD_ARN = /^(arn:aws(?:-[a-z]+)*:execute-api:[a-z]{2,4}(?:-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)([A-Z]+)(\/.*)$/;

/**
 * Splits an API Gateway method ARN into the stage prefix, the method and the resource path.
 * `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/1` →
 * `{ prefix: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/', method: 'GET', path: '/items/1' }`.
 * @throws RoutePolicyError when the ARN is malformed.
 */
export function parseMethodArn(methodArn: string): { prefix: string; method: string; path: string } {
  const match = typeof methodArn === 'string' ? METHOD_ARN.exec(methodArn) : null;
  if (!match) {
    throw new RoutePolicyError(`malformed execute-api method ARN: expected `
      + `'arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>' (got ${show(methodArn)})`);
  }
  return { prefix: match[1], method: match[2], path: match[3] };
}

/**
 * The stage prefix of a method ARN, up to and including the stage's trailing `/`:
 * `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/1` →
 * `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/`. Accepts every partition (`aws`, `aws-cn`, `aws-us-gov`,
 * `aws-eusc`, …).
 * @throws RoutePolicyError when the ARN is malformed.
 */
export function stageArnPrefix(methodArn: string): string {
  return parseMethodArn(methodArn).prefix;
}

/**
 * The resource pattern of a route inside the stage prefix: `GET /items/{id}` → `GET/items/*`, root → `GET/`.
 * Path parameters become `*`; note that IAM's `*` also matches `/`, which {@link buildPolicy} compensates for.
 */
export function routeResourcePattern(route: { method: HttpMethod; path: string }): string {
  if (route.path === '/') return `${route.method}/`;
  return route.method + route.path.split('/').map((s) => (s.startsWith('{') ? '*' : s)).join('/');
}

/**
 * The route a concrete request matches, with API Gateway's precedence (a literal segment beats a path parameter),
 * or undefined when no route matches. `path` is the concrete path, e.g. `/items/1`.
 */
export function matchRoute<T extends { method: HttpMethod; path: string }>(
  routes: readonly T[], method: string, path: string): T | undefined {
  const request = path === '/' ? [] : path.slice(1).split('/');
  let best: { route: T; rank: string } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const segments = route.path === '/' ? [] : route.path.slice(1).split('/');
    if (segments.length !== request.length) continue;
    let rank = '';
    let ok = true;
    for (const [i, segment] of segments.entries()) {
      if (PARAM_SEGMENT.test(segment)) {
        if (request[i] === '') { ok = false; break; }
        rank += '1';
      } else if (segment === request[i]) {
        rank += '0';
      } else { ok = false; break; }
    }
    if (ok && (best === undefined || rank < best.rank)) best = { route, rank };
  }
  return best?.route;
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
 * @throws RoutePolicyError when the method ARN is malformed.
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

/** Options of {@link createPolicyCache}. */
export interface PolicyCacheOptions {
  /**
   * Most policies held; beyond it the least recently used one is dropped.
   * @default 256
   */
  readonly maxEntries?: number;
}

/** {@link buildPolicy} over one route table, memoized per stage prefix and the claims that table reads. */
export interface PolicyCache {
  /**
   * The same policy and allowed routes as `buildPolicy(routes, claims, methodArn)`. A result may be shared with other
   * calls, so it is frozen.
   * @throws RoutePolicyError when the method ARN is malformed.
   */
  policyFor(claims: Record<string, unknown>, methodArn: string): { policy: PolicyDocument; allowed: RouteEntry[] };
  /** Policies held. */
  readonly size: number;
}

/** Longest cache key kept, in characters: larger claim values are answered without caching. */
const MAX_POLICY_KEY_LENGTH = 8192;

function isKeyScalar(value: unknown): boolean {
  // Finite numbers only: JSON writes NaN and ±Infinity as null, which would merge them with a null claim.
  return typeof value === 'string' || typeof value === 'boolean' || value === null
    || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Creates a bounded LRU cache in front of {@link buildPolicy} for one route table. A policy depends only on the table,
 * the stage prefix of the method ARN and the values of the claims the table reads (`scope`, `scp` and every claim a
 * condition names), so the key is exactly those: the subject and every other claim are left out, and tokens that
 * carry the same scopes and conditioned claims share one entry. A claim value is part of the key as JSON, which
 * tells every JSON scalar and array of scalars apart (`"1"` from `1`, a missing claim from `null`); a claim of any
 * other shape (an object, say) or a key over 8 KiB is answered by `buildPolicy` without caching.
 * @param routes the route table; it must not change afterwards.
 */
export function createPolicyCache(routes: RouteEntry[], options: PolicyCacheOptions = {}): PolicyCache {
  const maxEntries = options.maxEntries ?? 256;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RoutePolicyError(`PolicyCache: 'maxEntries' must be a positive integer (got ${show(maxEntries)})`);
  }
  const claimNames = [...new Set(['scope', 'scp', ...routes.flatMap((route) => (route.claims ?? []).map((c) => c.claim))])];
  const entries = new Map<string, { policy: PolicyDocument; allowed: RouteEntry[] }>();

  function keyOf(prefix: string, claims: Record<string, unknown>): string | undefined {
    const parts: unknown[] = [prefix];
    for (const name of claimNames) {
      if (!Object.prototype.hasOwnProperty.call(claims, name)) {
        parts.push(0);
        continue;
      }
      const value = claims[name];
      if (!(isKeyScalar(value) || (Array.isArray(value) && value.every(isKeyScalar)))) return undefined;
      // Wrapped, so that a present claim never looks like the 0 of a missing one.
      parts.push([value]);
    }
    const key = JSON.stringify(parts);
    return key.length <= MAX_POLICY_KEY_LENGTH ? key : undefined;
  }

  return {
    policyFor(claims, methodArn) {
      const key = keyOf(stageArnPrefix(methodArn), claims);
      if (key === undefined) return buildPolicy(routes, claims, methodArn);
      const hit = entries.get(key);
      if (hit !== undefined) {
        // Most recently used last.
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const entry = buildPolicy(routes, claims, methodArn);
      for (const statement of entry.policy.Statement) {
        Object.freeze(statement.Resource);
        Object.freeze(statement);
      }
      Object.freeze(entry.policy.Statement);
      Object.freeze(entry.policy);
      Object.freeze(entry.allowed);
      Object.freeze(entry);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, entry);
      return entry;
    },
    get size() {
      return entries.size;
    },
  };
}
