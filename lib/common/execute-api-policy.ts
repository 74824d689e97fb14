/**
 * The execute-api policy builder: the IAM policy an API Gateway Lambda authorizer returns for a verified token, and an
 * evaluator of such policies the way API Gateway applies them.
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 */
import { heldScopes, satisfies } from './access-rules';
import { describeValue, RouteEntry, routeMatcher, routeResourcePattern, RouteTableError } from './route-model';

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

/*
 * Why the policy needs Deny statements, and which.
 *
 * API Gateway puts the concrete request path into the method ARN (`GET/items/42`, not `GET/items/{id}`), and an
 * Allow names a route with IAM wildcards: `GET /items/{id}` becomes `GET/items/*`. IAM's `*` matches any run of
 * characters, `/` and the empty string included; `?` matches exactly one character
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html). So the Allow written
 * for one route also matches
 * - empty segments and trailing slashes: `GET/items/` (API Gateway REST APIs route `/items/` like `/items`, see
 *   https://github.com/aws-powertools/powertools-lambda-python/issues/1552), `GET/items//x`, `GET/items/1/`;
 * - deeper paths: `GET/items/1/admin`, which may be another route with a stronger rule, or no route at all;
 * - with a `/{param}` route, the root `GET/`.
 * How API Gateway fills the method ARN of such requests, and whether it decodes `%2F` in it, is not documented
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html gives only
 * `{httpVerb}/[{resource}/[{child-resources}]]`), so the policy is safe under every reading:
 * - any method ARN with an empty segment or a trailing slash (other than the root `GET/`) is denied;
 * - any method ARN with a `:` after the stage is denied: IAM applies wildcards within the colon-separated parts of
 *   an ARN and lets only a `*` that ends such a part run past a colon (same IAM page), so a Deny like
 *   `GET/items/STAR/admin` (STAR for `*`) might not match `GET/items/a:b/admin` while the Allow `GET/items/STAR`
 *   does;
 * - every request API Gateway routes to a route the claims do not satisfy, and that some Allow matches, is denied;
 * - paths no route has, and that some Allow matches, are denied wherever a Deny can do so without denying a route
 *   the claims satisfy (deeper than every route of the method, or below a wildcard that no allowed route extends).
 * `%2F` and dots are ordinary characters here: a path parameter value `a%2Fb` is one segment, as `matchRoute` sees it.
 *
 * What wildcards cannot say exactly: a Deny for every value of a parameter also matches some deeper paths and
 * every literal sibling of the same length (IAM has no character classes). So when a route the claims do not
 * satisfy must be denied and such a path is another route the claims do satisfy, the Deny wins and that request is
 * refused (fail closed); and a path no route has, like `GET/items/1/x` beside an allowed `GET /items/{id}/tags`,
 * can stay matched by the Allow of `GET /items/{id}`. API Gateway answers requests to paths no route has with 403
 * before any authorizer runs
 * (https://repost.aws/knowledge-center/api-gateway-authentication-token-errors), so such a policy entry is
 * never consulted for them.
 */

/** Path tokens of a route resource pattern: a literal segment, or {@link WILD} for a path parameter. */
type Tokens = readonly string[];
const WILD = '*';

/** A route with its method and path tokens, grouped for the searches below. */
interface Shape {
  readonly route: RouteEntry;
  readonly tokens: Tokens;
}

function tokensOf(route: RouteEntry): Tokens {
  return route.path === '/' ? [] : route.path.slice(1).split('/').map((s) => (s.startsWith('{') ? WILD : s));
}

function patternOf(method: string, tokens: Tokens): string {
  return `${method}/${tokens.join('/')}`;
}

/**
 * Calls `visit` for every way the segment pattern `pattern` (whole-segment tokens, `*` standing for one or more
 * whole segments) covers the route tokens `target` segment by segment: `cover[k]` is the pattern's literal laid on
 * target segment k, or undefined where a `*` of the pattern covers it. On paths without empty segments a pattern
 * `M/t1/.../tj` glob-matches exactly the paths such an alignment describes. Stops when `visit` returns true.
 */
function forEachAlignment(pattern: Tokens, target: Tokens, visit: (cover: Array<string | undefined>) => boolean): boolean {
  const cover: Array<string | undefined> = new Array(target.length).fill(undefined);
  const walk = (i: number, j: number): boolean => {
    if (i === pattern.length) return j === target.length && visit(cover);
    const later = pattern.length - i - 1;
    if (pattern[i] !== WILD) {
      if (j >= target.length || (target[j] !== WILD && target[j] !== pattern[i])) return false;
      cover[j] = pattern[i];
      const found = walk(i + 1, j + 1);
      cover[j] = undefined;
      return found;
    }
    for (let end = j + 1; end <= target.length - later; end++) {
      if (walk(i + 1, end)) return true;
    }
    return false;
  };
  return walk(0, 0);
}

/** The most general request path of `target` under `cover`: fixed literals, and a fresh value where free. */
function witnessPath(target: Tokens, cover: Array<string | undefined>): string {
  // '%' is not a literal character of a route path, so a fresh value equals no literal segment.
  return '/' + target.map((t, k) => (t !== WILD ? t : cover[k] ?? `%${k}`)).join('/');
}

/** Routes of one method: the route API Gateway picks for a request path, and the method's depth. */
class MethodTable {
  private readonly match: (method: string, path: string) => RouteEntry | undefined;
  public readonly maxDepth: number;

  constructor(public readonly method: string, shapes: Shape[]) {
    this.match = routeMatcher(shapes.map((shape) => shape.route));
    this.maxDepth = Math.max(0, ...shapes.map((s) => s.tokens.length));
  }

  /** The route API Gateway picks for a request path (literal segments win). */
  public route(path: string): RouteEntry | undefined {
    return this.match(this.method, path);
  }
}

/** What the Deny search of one method needs that depends only on the route table, worked out once per table. */
interface CompiledMethod {
  readonly method: string;
  readonly shapes: Shape[];
  readonly table: MethodTable;
  /**
   * For each route: the routes with a wildcard whose Allow reaches requests API Gateway routes to it, in table
   * order, each with the Deny patterns that take those requests back should the route be refused and that route
   * allowed.
   */
  readonly reachedBy: Map<RouteEntry, Array<{ readonly grant: RouteEntry; readonly patterns: string[] }>>;
  /**
   * For each route with a wildcard, per wildcard of its pattern: the same pattern with that wildcard spanning c = 2,
   * 3, … segments (up to the method's depth), each with the routes some request of which it matches.
   */
  readonly spans: Map<RouteEntry, Array<Array<{ readonly pattern: string; readonly hits: RouteEntry[] }>>>;
}

/** A route table compiled for {@link buildPolicy}. */
interface CompiledTable {
  readonly methods: CompiledMethod[];
  readonly patterns: Map<RouteEntry, string>;
  /** Each route's access rule, shared by the routes whose rules are equal: a token is checked once per rule. */
  readonly rules: Map<RouteEntry, RouteEntry>;
}

/** A route's access rule as a key: equal rules, equal keys. */
function ruleKey(route: RouteEntry): string {
  return JSON.stringify([route.public ?? false, route.scopes ?? null, route.scopeMatch ?? null, route.claims ?? null, route.anyOf ?? null]);
}

// Route tables are fixed per authorizer (the policy cache holds one): their compiled form lives as long as they do.
const compiledTables = new WeakMap<RouteEntry[], CompiledTable>();

function compileTable(routes: RouteEntry[]): CompiledTable {
  const compiled = compiledTables.get(routes);
  if (compiled !== undefined) return compiled;
  const byMethod = new Map<string, Shape[]>();
  for (const route of routes) {
    const list = byMethod.get(route.method) ?? [];
    list.push({ route, tokens: tokensOf(route) });
    byMethod.set(route.method, list);
  }
  const methods: CompiledMethod[] = [];
  for (const [method, shapes] of byMethod) {
    const table = new MethodTable(method, shapes);
    const wild = shapes.filter((s) => s.tokens.includes(WILD));
    const reachedBy = new Map<RouteEntry, Array<{ grant: RouteEntry; patterns: string[] }>>();
    for (const target of shapes) {
      const reached: Array<{ grant: RouteEntry; patterns: string[] }> = [];
      for (const grant of wild) {
        if (grant === target || grant.tokens.length > target.tokens.length) continue;
        const patterns: string[] = [];
        forEachAlignment(grant.tokens, target.tokens, (cover) => {
          if (table.route(witnessPath(target.tokens, cover)) === target.route) {
            patterns.push(patternOf(method, target.tokens.map((t, k) => (t !== WILD ? t : cover[k] ?? WILD))));
          }
          return false;
        });
        if (patterns.length > 0) reached.push({ grant: grant.route, patterns });
      }
      reachedBy.set(target.route, reached);
    }
    const spans = new Map<RouteEntry, Array<Array<{ pattern: string; hits: RouteEntry[] }>>>();
    for (const grant of wild) {
      spans.set(grant.route, grant.tokens.map((token, i) => {
        if (token !== WILD) return [];
        const candidates: Array<{ pattern: string; hits: RouteEntry[] }> = [];
        for (let c = 2; grant.tokens.length - 1 + c <= table.maxDepth; c++) {
          const candidate = [...grant.tokens.slice(0, i), ...new Array<string>(c).fill(WILD), ...grant.tokens.slice(i + 1)];
          const hits = shapes.filter((shape) => hitsRoute(candidate, shape, table)).map((shape) => shape.route);
          candidates.push({ pattern: patternOf(method, candidate), hits });
        }
        return candidates;
      }));
    }
    methods.push({ method, shapes, table, reachedBy, spans });
  }
  const representatives = new Map<string, RouteEntry>();
  const rules = new Map<RouteEntry, RouteEntry>();
  for (const route of routes) {
    const key = ruleKey(route);
    if (!representatives.has(key)) representatives.set(key, route);
    rules.set(route, representatives.get(key)!);
  }
  const result = { methods, patterns: new Map(routes.map((route) => [route, routeResourcePattern(route)])), rules };
  compiledTables.set(routes, result);
  return result;
}

/**
 * Whether the segment pattern `tokens` (a Deny candidate) matches some request that API Gateway routes to `shape`.
 * Exact: each alignment's most general request decides, because a literal value can only add routes that win over
 * the aligned one.
 */
function hitsRoute(tokens: Tokens, shape: Shape, table: MethodTable): boolean {
  return shape.tokens.length >= tokens.length && forEachAlignment(tokens, shape.tokens,
    (cover) => table.route(witnessPath(shape.tokens, cover)) === shape.route);
}

/** Whether `inner` matches only what `outer` matches (sufficient test: `outer` matches `inner` read literally). */
function subsumes(outer: string, inner: string): boolean {
  return outer === inner || (outer.includes(WILD) && arnPatternMatches(outer, inner));
}

/**
 * The Deny resources (without the stage prefix) of a policy that allows `allowed` out of the compiled table. See
 * the comment above for the rules.
 */
function denyPatterns(compiled: CompiledTable, allowed: Set<RouteEntry>): string[] {
  const global: string[] = [];
  const specific: string[] = [];
  let wildcards = false;
  let trailingWildcard = false;
  for (const { method, shapes, table, reachedBy, spans } of compiled.methods) {
    const granted = shapes.filter((s) => allowed.has(s.route));
    const wild = granted.filter((s) => s.tokens.includes(WILD));
    if (wild.length === 0) continue;
    wildcards = true;
    if (wild.some((s) => s.tokens[s.tokens.length - 1] === WILD)) trailingWildcard = true;

    // `M/*` also matches the root `M/`.
    if (wild.some((s) => s.tokens.length === 1) && !granted.some((s) => s.tokens.length === 0)) specific.push(`${method}/`);

    // Requests routed to a refused route that an Allow matches: per alignment, the refused route's shape with the
    // Allow's literals laid on its parameters, when such a request really is routed to the refused route.
    for (const refused of shapes) {
      if (allowed.has(refused.route)) continue;
      for (const { grant, patterns } of reachedBy.get(refused.route)!) if (allowed.has(grant)) specific.push(...patterns);
    }

    // Paths no route has, reached by a wildcard spanning several segments: for each wildcard of an Allow, the
    // same pattern with that wildcard spanning c or more segments, for the smallest c that matches no request of
    // an allowed route; where no c up to the method's depth does, everything deeper than every route of the method.
    let beyondDepth = false;
    for (const grant of wild) {
      for (const candidates of spans.get(grant.route)!.filter((_, i) => grant.tokens[i] === WILD)) {
        const free = candidates.find(({ hits }) => !hits.some((route) => allowed.has(route)));
        if (free !== undefined) specific.push(free.pattern);
        else beyondDepth = true;
      }
    }
    if (beyondDepth) specific.push(patternOf(method, new Array<string>(table.maxDepth + 1).fill(WILD)));
  }
  if (!wildcards) return [];
  // A colon anywhere after the stage, an empty segment anywhere, a trailing slash after a first segment.
  global.push('*:*', '*//*');
  if (trailingWildcard) global.push('*/*/');
  const unique = [...new Set([...global, ...specific])];
  return unique.filter((inner, i) => !unique.some((outer, j) => j !== i && subsumes(outer, inner)
    && !(subsumes(inner, outer) && j > i)));
}

/**
 * Builds the authorizer's policy for a verified token. The policy does not depend on the requested route, so API
 * Gateway may cache it per token and reuse it for every route:
 * - one Allow statement lists the ARN of every route whose rule the claims satisfy (never a blanket wildcard);
 * - because IAM's `*` also matches `/` and the empty string, one Deny statement refuses what those wildcards reach
 *   beyond the routes they stand for: empty segments, trailing slashes, a `:` after the stage, the requests
 *   API Gateway routes to a route the claims do not satisfy, and paths no route has wherever a Deny can say so
 *   without refusing an allowed route (see the comment above this function);
 * - when nothing is allowed, the policy is a single Deny on the whole stage.
 * @param methodArn the method ARN of the request; only its stage prefix is used.
 * @throws RouteTableError when the method ARN is malformed.
 */
export function buildPolicy(routes: RouteEntry[], claims: Record<string, unknown>, methodArn: string):
{ policy: PolicyDocument; allowed: RouteEntry[] } {
  const prefix = stageArnPrefix(methodArn);
  const compiled = compileTable(routes);
  const scopes = heldScopes(claims);
  const verdicts = new Map<RouteEntry, boolean>();
  const allowed = routes.filter((route) => {
    const rule = compiled.rules.get(route)!;
    let verdict = verdicts.get(rule);
    if (verdict === undefined) verdicts.set(rule, verdict = satisfies(rule, claims, scopes));
    return verdict;
  });
  if (allowed.length === 0) {
    return {
      policy: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${prefix}*`] }] },
      allowed,
    };
  }
  const statements: PolicyDocument['Statement'] = [
    { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [...new Set(allowed.map((route) => compiled.patterns.get(route)!))].map((p) => prefix + p) },
  ];
  const denied = denyPatterns(compiled, new Set(allowed));
  if (denied.length > 0) {
    statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: denied.map((p) => prefix + p) });
  }
  return { policy: { Version: '2012-10-17', Statement: statements }, allowed };
}

/**
 * IAM wildcard match of a resource pattern against an ARN: `*` matches any run of characters (`/` and nothing
 * included) and `?` exactly one character, within one colon-separated part of the ARN; only a `*` that ends such a
 * part of the pattern (before a `:` or at the end) may run past colons.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
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

/**
 * {@link arnPatternMatches} from position `start` of both strings, the characters before it being equal: the set of
 * pattern positions reachable after each ARN character (a `*` may be skipped, or consume a character and stay).
 */
function wildcardMatchFrom(pattern: string, arn: string, start: number): boolean {
  const n = pattern.length;
  const crossesColons = (p: number): boolean => p === n - 1 || pattern[p + 1] === ':';
  const close = (states: Uint8Array): void => {
    for (let p = start; p < n; p++) if (states[p] === 1 && pattern[p] === '*') states[p + 1] = 1;
  };
  let states = new Uint8Array(n + 1);
  states[start] = 1;
  close(states);
  for (let s = start; s < arn.length; s++) {
    const c = arn[s];
    const next = new Uint8Array(n + 1);
    let alive = false;
    for (let p = start; p < n; p++) {
      if (states[p] !== 1) continue;
      const t = pattern[p];
      if (t === '*') {
        if (c !== ':' || crossesColons(p)) { next[p] = 1; alive = true; }
      } else if (t === '?' ? c !== ':' : t === c) {
        next[p + 1] = 1; alive = true;
      }
    }
    if (!alive) return false;
    close(next);
    states = next;
  }
  return states[n] === 1;
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
