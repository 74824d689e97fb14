/**
 * The route model shared by the SecureApi construct (which declares routes and their access rules) and the
 * authorizer Lambda (which turns a verified token into an IAM policy over those routes): route keys, paths, access
 * rules and the checks on a whole route table.
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

/**
 * A claim of the verified token: a top-level claim's name, used verbatim (`tenant`, `cognito:groups`,
 * `https://example.com/roles`), or a path of member names into nested objects, each used verbatim
 * (`['realm_access', 'roles']`). A name is never split at dots, so a dotted name cannot be mistaken for a path.
 */
export type ClaimRef = string | string[];

/** A condition on one claim of the verified token. Exactly one of `equals`, `oneOf` or `includes` is set. */
export interface ClaimCondition {
  /** The claim the condition reads: a top-level name, or a path of member names into nested objects. */
  readonly claim: ClaimRef;
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

/** One way to be allowed a route: scopes and/or claim conditions, all of which must hold. */
export interface AccessRule {
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

/** Who may call a route. */
export interface RouteAccess extends AccessRule {
  /**
   * Explicitly public: no token is needed. A public route must not declare `scopes`, `claims` or `anyOf`.
   * @default false
   */
  readonly public?: boolean;
  /**
   * Alternatives: the route is allowed when any one of these rules holds (for example a delegated scope for users,
   * or an app role for daemons). Excludes `scopes`, `scopeMatch` and `claims` on the route itself.
   * @default - the route's own `scopes` and `claims` are its only rule
   */
  readonly anyOf?: AccessRule[];
}

/** One route of the API with its access rule. */
export interface RouteEntry extends RouteAccess {
  /** The route's HTTP method. */
  readonly method: HttpMethod;
  /** The resource path, e.g. `/items/{id}`; `/` for the root. */
  readonly path: string;
}

/** A route table or route key that breaks a rule of the model; the message names the route, the rule and the value. */
export class RouteTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteTableError';
  }
}

const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAM_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const GREEDY_SEGMENT = /^\{[^{}]*\+\}$/;
const SCOPE_WHITESPACE = /\s/;

/** A value as an error message shows it: JSON where it has a JSON form. */
export function describeValue(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return String(value);
  }
}

export function isHttpMethod(value: unknown): value is HttpMethod {
  return typeof value === 'string' && (HTTP_METHODS as readonly string[]).includes(value);
}

/** Returns why `path` is not a valid route path, or undefined when it is. */
function pathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string') return `path must be a string (got ${describeValue(path)})`;
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
 * @throws RouteTableError when the key is malformed.
 */
export function parseRouteKey(key: string): { method: HttpMethod; path: string } {
  if (typeof key !== 'string') throw new RouteTableError(`route key must be a string (got ${describeValue(key)})`);
  const space = key.indexOf(' ');
  if (space < 0 || key.indexOf(' ', space + 1) >= 0 || /[\t\r\n]/.test(key)) {
    throw new RouteTableError(`route key '${key}': expected '<METHOD> <path>' separated by exactly one space`);
  }
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  if (!isHttpMethod(method)) {
    throw new RouteTableError(`route key '${key}': unknown method '${method}' (expected one of ${HTTP_METHODS.join(', ')})`);
  }
  const problem = pathProblem(path);
  if (problem) throw new RouteTableError(`route key '${key}': ${problem}`);
  return { method, path };
}

/** The route key of a route, e.g. `GET /items/{id}`. */
export function routeKey(route: { method: HttpMethod; path: string }): string {
  return `${route.method} ${route.path}`;
}

/** Claim names that a JSON parser hardened against prototype pollution drops, so no token can carry them. */
export const UNREADABLE_CLAIM_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Longest claim path accepted: deeper nesting is not something an issuer documents. */
export const MAX_CLAIM_PATH_LENGTH = 8;

/** A claim reference as messages show it: the name, or the path's names joined by ` › ` (never by a dot). */
export function describeClaim(claim: ClaimRef): string {
  return Array.isArray(claim) ? claim.join(' › ') : claim;
}

function claimRefProblem(claim: unknown): string | undefined {
  const names = Array.isArray(claim) ? claim : [claim];
  if (names.length === 0 || names.length > MAX_CLAIM_PATH_LENGTH) {
    return `'claim' must be a name or a path of 1 to ${MAX_CLAIM_PATH_LENGTH} names (got ${describeValue(claim)})`;
  }
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0) {
      return `'claim' must be a non-empty string or a path of non-empty strings (got ${describeValue(claim)})`;
    }
    if (UNREADABLE_CLAIM_NAMES.includes(name)) {
      return `'claim' names '${name}', which the token parser drops, so the condition could never hold (got ${describeValue(claim)})`;
    }
  }
  return undefined;
}

function claimConditionProblem(condition: unknown, index: number): string | undefined {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    return `claim condition ${index} must be an object (got ${describeValue(condition)})`;
  }
  const c = condition as Record<string, unknown>;
  const refProblem = claimRefProblem(c.claim);
  if (refProblem) return `claim condition ${index}: ${refProblem}`;
  const label = `claim condition ${index} ('${describeClaim(c.claim as ClaimRef)}')`;
  const operators = (['equals', 'oneOf', 'includes'] as const).filter((op) => c[op] !== undefined);
  if (operators.length !== 1) {
    return `${label} must set exactly one of 'equals', 'oneOf', 'includes' (got ${operators.length === 0 ? 'none' : operators.join(', ')})`;
  }
  const unknown = Object.keys(c).filter((k) => !['claim', 'equals', 'oneOf', 'includes'].includes(k));
  if (unknown.length > 0) return `${label} has unknown keys (got ${unknown.join(', ')})`;
  if (c.equals !== undefined && !['string', 'number', 'boolean'].includes(typeof c.equals)) {
    return `${label}: 'equals' must be a string, number or boolean (got ${describeValue(c.equals)})`;
  }
  if (c.oneOf !== undefined) {
    if (!Array.isArray(c.oneOf) || c.oneOf.length === 0) {
      return `${label}: 'oneOf' must be a non-empty array (got ${describeValue(c.oneOf)})`;
    }
    if (c.oneOf.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      return `${label}: 'oneOf' entries must be strings or numbers (got ${describeValue(c.oneOf)})`;
    }
  }
  if (c.includes !== undefined) {
    if (typeof c.includes !== 'string' || c.includes.length === 0) {
      return `${label}: 'includes' must be a non-empty string (got ${describeValue(c.includes)})`;
    }
  }
  return undefined;
}

/** Why a (non-public) rule is incomplete or malformed: scopes, scopeMatch and claims. */
function ruleProblem(rule: Record<string, unknown>): string | undefined {
  const { scopes, claims, scopeMatch } = rule;
  if (scopes !== undefined) {
    if (!Array.isArray(scopes)) return `'scopes' must be an array of strings (got ${describeValue(scopes)})`;
    for (const scope of scopes) {
      if (typeof scope !== 'string' || scope.length === 0) {
        return `'scopes' must contain only non-empty strings (got ${describeValue(scopes)})`;
      }
      if (SCOPE_WHITESPACE.test(scope)) {
        return `'scopes' entries must not contain whitespace, list each scope separately (got ${describeValue(scope)})`;
      }
    }
  }
  if (claims !== undefined && !Array.isArray(claims)) {
    return `'claims' must be an array of claim conditions (got ${describeValue(claims)})`;
  }
  if (scopeMatch !== undefined && scopeMatch !== 'all' && scopeMatch !== 'any') {
    return `'scopeMatch' must be 'all' or 'any' (got ${describeValue(scopeMatch)})`;
  }
  const scopeList = scopes as string[] | undefined;
  const claimList = claims as unknown[] | undefined;
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
    return `'scopeMatch' needs 'scopes' (got scopeMatch ${describeValue(scopeMatch)} without scopes)`;
  }
  if (new Set(scopeList ?? []).size !== (scopeList ?? []).length) {
    return `'scopes' must not repeat a scope (got ${describeValue(scopeList)})`;
  }
  for (const [index, condition] of (claimList ?? []).entries()) {
    const problem = claimConditionProblem(condition, index);
    if (problem) return problem;
  }
  return undefined;
}

/** The most alternatives one route may list. */
export const MAX_ACCESS_ALTERNATIVES = 16;

function accessProblem(route: Record<string, unknown>): string | undefined {
  if (route.public !== undefined && typeof route.public !== 'boolean') {
    return `'public' must be a boolean (got ${describeValue(route.public)})`;
  }
  const own = (['scopes', 'scopeMatch', 'claims', 'anyOf'] as const).filter((key) => route[key] !== undefined);
  if (route.public === true) {
    return own.length > 0 ? `a public route must not declare '${own[0]}' (got ${describeValue(route[own[0]])})` : undefined;
  }
  if (route.anyOf === undefined) return ruleProblem(route);
  const anyOf = route.anyOf;
  if (!Array.isArray(anyOf) || anyOf.length === 0 || anyOf.length > MAX_ACCESS_ALTERNATIVES) {
    return `'anyOf' must list 1 to ${MAX_ACCESS_ALTERNATIVES} rules (got ${describeValue(anyOf)})`;
  }
  const mixed = own.filter((key) => key !== 'anyOf');
  if (mixed.length > 0) {
    return `'anyOf' excludes '${mixed[0]}' on the route itself: put it in each alternative (got ${describeValue(route[mixed[0]])})`;
  }
  for (const [index, rule] of anyOf.entries()) {
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
      return `'anyOf[${index}]' must be an object (got ${describeValue(rule)})`;
    }
    const unknown = Object.keys(rule).filter((k) => !['scopes', 'scopeMatch', 'claims'].includes(k));
    if (unknown.length > 0) return `'anyOf[${index}]' has unknown keys (got ${unknown.join(', ')})`;
    const problem = ruleProblem(rule as Record<string, unknown>);
    if (problem) return `'anyOf[${index}]': ${problem}`;
  }
  return undefined;
}

/** The rules of a non-public route: its alternatives, or its own scopes and claims as the one rule. */
export function accessRulesOf(access: RouteAccess): readonly AccessRule[] {
  return access.anyOf ?? [access];
}

/**
 * Checks a route table: valid methods and paths, no duplicate routes, and a complete, unambiguous access rule on
 * every route.
 * @throws RouteTableError naming the first offending route, the rule and the value.
 */
export function validateRouteTable(routes: RouteEntry[]): void {
  if (!Array.isArray(routes)) throw new RouteTableError(`the route table must be an array (got ${describeValue(routes)})`);
  const byPattern = new Map<string, string>();
  // API Gateway allows one variable path part per parent resource: '/items/{id}' and '/items/{itemId}/x' conflict.
  const paramChild = new Map<string, { name: string; key: string }>();
  for (const [index, entry] of routes.entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new RouteTableError(`route ${index} must be an object (got ${describeValue(entry)})`);
    }
    const route = entry as unknown as Record<string, unknown>;
    const label = isHttpMethod(route.method) && typeof route.path === 'string'
      ? `route '${route.method} ${route.path}'` : `route ${index}`;
    if (!isHttpMethod(route.method)) {
      throw new RouteTableError(`${label}: unknown method ${describeValue(route.method)} (expected one of ${HTTP_METHODS.join(', ')})`);
    }
    const problem = pathProblem(route.path);
    if (problem) throw new RouteTableError(`${label}: ${problem}`);
    const known = ['method', 'path', 'public', 'scopes', 'scopeMatch', 'claims', 'anyOf'];
    const unknown = Object.keys(route).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new RouteTableError(`${label}: unknown keys (got ${unknown.join(', ')})`);
    const access = accessProblem(route);
    if (access) throw new RouteTableError(`${label}: ${access}`);

    const key = routeKey(entry);
    const pattern = routeResourcePattern(entry);
    const twin = byPattern.get(pattern);
    if (twin !== undefined) {
      throw new RouteTableError(twin === key
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
        throw new RouteTableError(`${label}: path parameter '{${param[1]}}' conflicts with '{${sibling.name}}' of `
          + `route '${sibling.key}' (API Gateway allows one variable path part per parent resource)`);
      }
      paramChild.set(parent, { name: param[1], key });
    });
  }
}

/**
 * The resource pattern of a route inside the stage prefix: `GET /items/{id}` → `GET/items/*`, root → `GET/`.
 * Path parameters become `*`. IAM's `*` also matches `/` and the empty string, so this pattern also matches
 * `GET/items/`, `GET/items//x` and `GET/items/1/admin`; `buildPolicy` in execute-api-policy.ts adds the Deny
 * statements that take those back. (`?*` would only exclude the empty value, and nothing documents `?` for
 * API Gateway's authorizer policies, so the policy does not rely on it.)
 */
export function routeResourcePattern(route: { method: HttpMethod; path: string }): string {
  if (route.path === '/') return `${route.method}/`;
  return route.method + route.path.split('/').map((s) => (s.startsWith('{') ? '*' : s)).join('/');
}

/** A route with its segments split: a literal, or undefined for a path parameter. */
interface SplitRoute<T> {
  readonly route: T;
  readonly segments: ReadonlyArray<string | undefined>;
}

function splitRoute<T extends { path: string }>(route: T): SplitRoute<T> {
  const segments = route.path === '/' ? [] : route.path.slice(1).split('/');
  return { route, segments: segments.map((segment) => (PARAM_SEGMENT.test(segment) ? undefined : segment)) };
}

/** The best of `candidates` (of the request's depth) for the request segments: a literal beats a parameter. */
function bestMatch<T>(candidates: Iterable<SplitRoute<T>>, request: readonly string[]): T | undefined {
  let best: { route: T; rank: string } | undefined;
  for (const { route, segments } of candidates) {
    if (segments.length !== request.length) continue;
    let rank = '';
    let ok = true;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (segment === undefined) {
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

function requestSegments(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/**
 * The route a concrete request matches, with API Gateway's precedence (a literal segment beats a path parameter),
 * or undefined when no route matches. `path` is the concrete path, e.g. `/items/1`.
 */
export function matchRoute<T extends { method: HttpMethod; path: string }>(
  routes: readonly T[], method: string, path: string): T | undefined {
  const request = requestSegments(path);
  return bestMatch(routes.filter((route) => route.method === method).map(splitRoute), request);
}

/**
 * {@link matchRoute} over a fixed route table, indexed by method and depth with each route's segments split once:
 * the same answer for every request, without scanning the whole table.
 */
export function routeMatcher<T extends { method: HttpMethod; path: string }>(routes: readonly T[]):
(method: string, path: string) => T | undefined {
  const index = new Map<string, Array<SplitRoute<T>>>();
  for (const route of routes) {
    const split = splitRoute(route);
    const key = `${route.method} ${split.segments.length}`;
    index.set(key, [...(index.get(key) ?? []), split]);
  }
  return (method, path) => {
    const request = requestSegments(path);
    const candidates = index.get(`${method} ${request.length}`);
    return candidates === undefined ? undefined : bestMatch(candidates, request);
  };
}
