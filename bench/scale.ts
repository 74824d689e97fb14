/**
 * Scale benchmark: whether the authorizer's decision time, its cold start and its policy grow with the API's size.
 * The same measurements at 10, 100 and 300 routes with one issuer, and at 300 routes with 50 issuers (each with its
 * own JWKS URL, as the tenants of a multi-tenant API have; the tokens come from the last one).
 *
 * The route tables are shaped as real APIs are: collections of 5 CRUD routes (`GET /cN`, `POST /cN`, `GET /cN/{id}`,
 * `PUT /cN/{id}`, `DELETE /cN/{id}`), each needing the scope `api:read`, an app role in a nested claim
 * (`app › roles` includes `role-(n mod 10)` for route n) and a tier claim. The caller holds the even roles, so it is
 * allowed exactly half the routes of every table, spread over every collection; it asks for `PUT /cN/{id}` of the
 * last collection, an allowed route at the end of the table and of the policy's Allow list.
 *
 * - Warm decisions: `createAuthorizer` (lambda/authorizer/authorizer.ts, the code the bundle is built from) of each
 *   configuration in this process, its issuers' JWKS served over HTTPS on 127.0.0.1, RS256 tokens, Powertools
 *   logging every decision at INFO to stdout (/dev/null under the runner). Two cases, in interleaved rounds over
 *   all four configurations: a policy-cache hit (the same token again and again) and a miss (a token with a role
 *   no route reads, new for every call, so the cache key is new and `buildPolicy` runs; the allowed routes are the
 *   same half). Each call is timed; medians and 95th percentiles over all calls of all rounds.
 * - Cold start: a fresh `node -e` that requires the bundle (assets/authorizer/index.js) with a configuration file
 *   of that size and exits, against one that exits at once, interleaved; as in cold-start.ts, a minimal environment
 *   and JWKS URLs nobody listens on (the child exits before the prefetch could connect, but after starting it: the
 *   TLS set-up of every issuer's request is part of the init).
 * - Sizes: the JSON of the policy the caller gets, and of the configuration file.
 */
import { statSync } from 'node:fs';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { AUTHORIZER_CONFIG_FILE_ENV, AuthorizerConfig, IssuerConfig } from '../lib/common/authorizer-config';
import { policyAllows } from '../lib/common/execute-api-policy';
import { HttpMethod, RouteEntry } from '../lib/common/route-model';
import { AuthorizerHandler, createAuthorizer } from '../lambda/authorizer/authorizer';
import { AUDIENCE, bearer, configFile, event, methodArn } from '../test/lambda/authorizer/fixtures';
import { startJwksServer } from '../test/support/jwks-server';
import { claims, generateRsaKey, signToken, TestKey } from '../test/support/tokens';
import { BUNDLES, LAMBDA_CONTEXT, progress } from './child';
import { script, timeProcess } from './cold-start';
import { interleave, median, percentile, round } from './stats';

/** Options of {@link runScaleBench}. */
export interface ScaleBenchOptions {
  /** Interleaved rounds of warm decisions (each runs every configuration, hit and miss). */
  readonly rounds: number;
  /** Timed decisions per configuration, case and round. */
  readonly decisionsPerRound: number;
  /** Untimed decisions per configuration and case before the first round. */
  readonly warmupDecisions: number;
  /** Interleaved rounds of cold starts (each spawns an empty process and one per configuration). */
  readonly coldRounds: number;
}

/** The configurations measured: route count and issuer count. */
export const SCALE_VARIANTS = {
  'routes-10': { routes: 10, issuers: 1 },
  'routes-100': { routes: 100, issuers: 1 },
  'routes-300': { routes: 300, issuers: 1 },
  'routes-300-issuers-50': { routes: 300, issuers: 50 },
} as const;
/** A configuration's name. */
export type ScaleVariant = keyof typeof SCALE_VARIANTS;
const VARIANTS = Object.keys(SCALE_VARIANTS) as ScaleVariant[];

/** Latencies of one case, in microseconds. */
export interface LatencyFigures {
  readonly p50Micros: number;
  readonly p95Micros: number;
  /** Calls timed. */
  readonly n: number;
  /** The median of each round, µs. */
  readonly roundMedians: number[];
}

/** Cold start of one configuration. */
export interface ScaleColdFigures {
  /** Median wall time of the process, ms. */
  readonly processMs: number;
  /** Median over rounds of (this process − the empty process of the same round), ms. */
  readonly overEmptyMs: number;
  /** Median time of `require(bundle)` inside the child, ms. */
  readonly requireMs: number;
  readonly rounds: number[];
}

/** Figures of one configuration. */
export interface ScaleVariantResult {
  readonly routes: number;
  readonly issuers: number;
  /** Routes the caller is allowed (half). */
  readonly allowedRoutes: number;
  readonly hit: LatencyFigures;
  readonly miss: LatencyFigures;
  readonly cold: ScaleColdFigures;
  /** Bytes of the policy document's JSON, of its Allow and Deny resources, and of the whole authorizer result. */
  readonly policyBytes: number;
  readonly allowResources: number;
  readonly denyResources: number;
  readonly resultBytes: number;
  /** Bytes of the configuration file (as the warm decisions read it; the cold-start file differs only in URLs). */
  readonly configBytes: number;
}

/** Result of the scale benchmark. */
export interface ScaleBenchResult {
  readonly options: ScaleBenchOptions;
  readonly emptyMs: number;
  readonly variants: Record<ScaleVariant, ScaleVariantResult>;
  /** 300 routes against 10 (one issuer), and 50 issuers against 1 (300 routes): medians' ratios. */
  readonly ratios: {
    readonly hitP50: number; readonly hitP95: number;
    readonly missP50: number; readonly missP95: number;
    readonly coldOverEmpty: number;
    readonly policyBytes: number;
    readonly issuersHitP50: number; readonly issuersMissP50: number; readonly issuersColdOverEmpty: number;
  };
}

const CRUD: ReadonlyArray<[HttpMethod, string]> = [
  ['GET', '/c{i}'], ['POST', '/c{i}'], ['GET', '/c{i}/{id}'], ['PUT', '/c{i}/{id}'], ['DELETE', '/c{i}/{id}'],
];
const ROLES = 10;
/** The caller's roles: every even role, so every even route n (which needs role n mod 10) is allowed. */
const CALLER_ROLES = Array.from({ length: ROLES / 2 }, (_, k) => `role-${2 * k}`);
const TIER_CLAIM = 'https://example.com/tier';

/** The route table of `count` routes (a multiple of 5). */
export function scaleRoutes(count: number): RouteEntry[] {
  return Array.from({ length: count }, (_, n) => {
    const [method, path] = CRUD[n % CRUD.length];
    return {
      method,
      path: path.replace('{i}', String(Math.floor(n / CRUD.length))),
      scopes: ['api:read'],
      claims: [{ claim: ['app', 'roles'], includes: `role-${n % ROLES}` }, { claim: TIER_CLAIM, oneOf: ['gold', 'silver'] }],
    };
  });
}

/** The request of the benchmark: `PUT /c{last}/item-1`, route 5·last + 3, allowed because the last collection is odd. */
function requestOf(routes: number): string {
  return `PUT /c${routes / CRUD.length - 1}/item-1`;
}

/**
 * The issuers of a configuration: `extra` others first, then `issuer`, the one the tokens come from. Each has its own
 * JWKS URL (a query the JWKS server ignores), as tenants of a multi-tenant API do, so each is fetched at init.
 */
function issuersOf(issuer: string, jwksUri: string, extra: number): IssuerConfig[] {
  return [
    ...Array.from({ length: extra }, (_, i) => ({
      issuer: `${issuer}/tenants/t${i}`, audience: [`api://scale-${i}`], jwksUri: `${jwksUri}?tenant=t${i}`,
    })),
    { issuer, audience: [AUDIENCE], jwksUri },
  ];
}

function configOf(variant: ScaleVariant, issuer: string, jwksUri: string): AuthorizerConfig {
  const { routes, issuers } = SCALE_VARIANTS[variant];
  return {
    issuers: issuersOf(issuer, jwksUri, issuers - 1),
    routes: scaleRoutes(routes),
    clockSkewSeconds: 30,
    maxTokenBytes: 4096,
    maxTokenLifetimeSeconds: 3600,
    jwksTimeoutMs: 2000,
  };
}

/** `node -e` code that loads `bundle` (or nothing), for {@link timeProcess} of cold-start.ts. */
function loadScript(bundle: string | undefined): string {
  return script(bundle === undefined ? '' : `require(${JSON.stringify(bundle)});`);
}

/** The cold-start measurement of cold-start.ts, with this Node binary. */
function timeLoad(code: string, env: NodeJS.ProcessEnv): Promise<{ wallMs: number; requireMs: number }> {
  return timeProcess(process.execPath, code, env);
}

/** Cold starts of the bundle with each configuration, interleaved with an empty process. */
async function coldStarts(rounds: number): Promise<{ emptyMs: number; cold: Record<ScaleVariant, ScaleColdFigures> }> {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'UTC' };
  const files = Object.fromEntries(VARIANTS.map((v) => [v,
    configFile(configOf(v, 'https://issuer.bench.invalid', 'https://127.0.0.1:1/.well-known/jwks.json'))])) as Record<ScaleVariant, string>;
  const envOf = (v: ScaleVariant): NodeJS.ProcessEnv => ({ ...base, [AUTHORIZER_CONFIG_FILE_ENV]: files[v] });
  // One untimed pass: warms the file system cache, and fails fast if a configuration does not load.
  await timeLoad(loadScript(undefined), base);
  for (const v of VARIANTS) await timeLoad(loadScript(BUNDLES.authorizer), envOf(v));

  const tasks: Record<string, () => Promise<{ wallMs: number; requireMs: number }>> = {
    empty: () => timeLoad(loadScript(undefined), base),
  };
  for (const v of VARIANTS) tasks[v] = () => timeLoad(loadScript(BUNDLES.authorizer), envOf(v));
  const runs = await interleave(rounds, tasks, (r) => { if ((r + 1) % 5 === 0) progress(`scale cold start: round ${r + 1}/${rounds}`); });
  const empty = runs.empty.map((r) => r.wallMs);
  const cold = Object.fromEntries(VARIANTS.map((v) => {
    const wall = runs[v].map((r) => r.wallMs);
    return [v, {
      processMs: round(median(wall), 1),
      overEmptyMs: round(median(wall.map((ms, i) => ms - empty[i])), 1),
      requireMs: round(median(runs[v].map((r) => r.requireMs)), 1),
      rounds: wall.map((ms) => round(ms, 1)),
    }];
  })) as Record<ScaleVariant, ScaleColdFigures>;
  return { emptyMs: round(median(empty), 1), cold };
}

/** Times `count` calls one by one; returns each call's microseconds. */
async function timeCalls(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const micros: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await call(i);
    micros.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return micros;
}

function latency(rounds: number[][]): LatencyFigures {
  const all = rounds.flat();
  return {
    p50Micros: round(median(all), 1),
    p95Micros: round(percentile(all, 0.95), 1),
    n: all.length,
    roundMedians: rounds.map((r) => round(median(r), 1)),
  };
}

/** Checks the first answer: allowed, and exactly the even routes of the table. */
function checkPolicy(variant: ScaleVariant, config: AuthorizerConfig, result: APIGatewayAuthorizerResult): void {
  const wrong = config.routes.map((route, n) => ({ route, n, request: `${route.method} ${route.path.replace('{id}', 'item-1')}` }))
    .filter(({ n, request }) => policyAllows(result.policyDocument as never, methodArn(request)) !== (n % 2 === 0));
  if (result.principalId !== 'user-1' || wrong.length > 0) {
    throw new Error(`scale ${variant}: the policy does not allow exactly the even routes (wrong: `
      + `${wrong.slice(0, 5).map((w) => w.request).join(', ')}): ${JSON.stringify(result).slice(0, 500)}`);
  }
}

/** Runs the benchmark. Needs SECURE_API_TEST_TLS_DIR and NODE_EXTRA_CA_CERTS (set by bench/run.js). */
export async function runScaleBench(options: ScaleBenchOptions): Promise<ScaleBenchResult> {
  const key: TestKey = generateRsaKey('bench-scale');
  const server = await startJwksServer({ keys: [key.publicJwk] });
  try {
    delete process.env.POWERTOOLS_LOG_LEVEL;
    delete process.env.POWERTOOLS_DEV;
    const now = Math.floor(Date.now() / 1000);
    const payload = (roles: string[]): Record<string, unknown> => claims(server.issuer, {
      scope: 'api:read', app: { roles }, [TIER_CLAIM]: 'gold', iat: now, exp: now + 1800,
    });
    const hitToken = bearer(signToken(key, payload(CALLER_ROLES)));
    // Miss tokens: the caller's roles plus one no route reads, new for each call; every configuration has its own
    // policy cache, so each configuration uses every token once.
    const misses = options.warmupDecisions + options.rounds * options.decisionsPerRound;
    progress(`scale: signing ${misses} tokens`);
    const missTokens = Array.from({ length: misses }, (_, i) => bearer(signToken(key, payload([...CALLER_ROLES, `other-${i}`]))));

    const configs = {} as Record<ScaleVariant, AuthorizerConfig>;
    const handlers = {} as Record<ScaleVariant, AuthorizerHandler>;
    const sizes = {} as Record<ScaleVariant, Pick<ScaleVariantResult, 'policyBytes' | 'allowResources' | 'denyResources' | 'resultBytes' | 'configBytes'>>;
    for (const v of VARIANTS) {
      configs[v] = configOf(v, server.issuer, server.jwksUri);
      handlers[v] = createAuthorizer(configs[v]);
      await handlers[v].ready;
      const first = await handlers[v](event(hitToken, requestOf(SCALE_VARIANTS[v].routes)), LAMBDA_CONTEXT as never);
      checkPolicy(v, configs[v], first);
      const statements = first.policyDocument.Statement as Array<{ Effect: string; Resource: string[] }>;
      sizes[v] = {
        policyBytes: Buffer.byteLength(JSON.stringify(first.policyDocument)),
        allowResources: statements.filter((s) => s.Effect === 'Allow').reduce((sum, s) => sum + s.Resource.length, 0),
        denyResources: statements.filter((s) => s.Effect === 'Deny').reduce((sum, s) => sum + s.Resource.length, 0),
        resultBytes: Buffer.byteLength(JSON.stringify(first)),
        configBytes: statSync(configFile(configs[v])).size,
      };
    }

    let next = {} as Record<ScaleVariant, number>;
    const decide = (v: ScaleVariant, token: string): Promise<APIGatewayAuthorizerResult> =>
      handlers[v](event(token, requestOf(SCALE_VARIANTS[v].routes)), LAMBDA_CONTEXT as never);
    const hit = (v: ScaleVariant, count: number) => timeCalls(count, () => decide(v, hitToken));
    const miss = (v: ScaleVariant, count: number) => timeCalls(count, () => decide(v, missTokens[next[v]++]));

    progress('scale: warming up');
    next = Object.fromEntries(VARIANTS.map((v) => [v, 0])) as Record<ScaleVariant, number>;
    for (const v of VARIANTS) {
      await hit(v, options.warmupDecisions);
      await miss(v, options.warmupDecisions);
    }
    const tasks: Record<string, () => Promise<number[]>> = {};
    for (const v of VARIANTS) {
      tasks[`${v}:hit`] = () => hit(v, options.decisionsPerRound);
      tasks[`${v}:miss`] = () => miss(v, options.decisionsPerRound);
    }
    const runs = await interleave(options.rounds, tasks,
      (r) => { if ((r + 1) % 5 === 0) progress(`scale warm decisions: round ${r + 1}/${options.rounds}`); });

    progress('scale: cold starts');
    const { emptyMs, cold } = await coldStarts(options.coldRounds);

    const variants = Object.fromEntries(VARIANTS.map((v) => [v, {
      ...SCALE_VARIANTS[v],
      allowedRoutes: SCALE_VARIANTS[v].routes / 2,
      hit: latency(runs[`${v}:hit`]),
      miss: latency(runs[`${v}:miss`]),
      cold: cold[v],
      ...sizes[v],
    } satisfies ScaleVariantResult])) as Record<ScaleVariant, ScaleVariantResult>;
    progress('scale: configuration           hit p50/p95 µs   miss p50/p95 µs   cold over empty   policy B   config B');
    for (const v of VARIANTS) {
      const r = variants[v];
      progress(`scale: ${v.padEnd(22)}  ${`${r.hit.p50Micros}/${r.hit.p95Micros}`.padStart(15)}  `
        + `${`${r.miss.p50Micros}/${r.miss.p95Micros}`.padStart(16)}  ${`+${r.cold.overEmptyMs} ms`.padStart(16)}  `
        + `${String(r.policyBytes).padStart(8)}  ${String(r.configBytes).padStart(9)}`);
    }
    const small = variants['routes-10'];
    const large = variants['routes-300'];
    const many = variants['routes-300-issuers-50'];
    return {
      options,
      emptyMs,
      variants,
      ratios: {
        hitP50: round(large.hit.p50Micros / small.hit.p50Micros, 2),
        hitP95: round(large.hit.p95Micros / small.hit.p95Micros, 2),
        missP50: round(large.miss.p50Micros / small.miss.p50Micros, 2),
        missP95: round(large.miss.p95Micros / small.miss.p95Micros, 2),
        coldOverEmpty: round(large.cold.overEmptyMs / small.cold.overEmptyMs, 2),
        policyBytes: round(large.policyBytes / small.policyBytes, 1),
        issuersHitP50: round(many.hit.p50Micros / large.hit.p50Micros, 2),
        issuersMissP50: round(many.miss.p50Micros / large.miss.p50Micros, 2),
        issuersColdOverEmpty: round(many.cold.overEmptyMs / large.cold.overEmptyMs, 2),
      },
    };
  } finally {
    await server.close();
  }
}
