/**
 * Cold-start benchmark: the wall time of a fresh Node process that loads a bundled function and exits, against that
 * of a fresh Node process that exits right away; plus the time `require()` takes inside the child, bundle sizes, and
 * what the authorizer's load is made of.
 *
 * Each child prints a marker after its work and calls `process.exit(0)`, so work the module leaves pending (the
 * authorizer's JWKS prefetch, started without being awaited) does not keep it alive: what is measured is the
 * module's load and init, which is what Lambda's init phase runs before the first invocation.
 *
 * What bounds the authorizer's figure is measured in the same rounds, by processes that each do one step more than
 * the one before: load the Node built-ins the bundle requires; then build the TLS root certificate store
 * (`tls.createSecureContext()`); then open one HTTPS request, as the JWKS prefetch does. The last is what any
 * function that starts an HTTPS download during init pays before running a line of its own, so its ratio to the empty
 * process is the lowest the authorizer can reach while it prefetches. Powertools Logger and aws-jwt-verify are each
 * also loaded alone (bundled with the Lambda bundles' esbuild options, over the same built-ins).
 *
 * Children get a minimal environment (PATH, HOME, TZ and the function's variables) and, like Lambda's Node.js 20+
 * runtimes by default, no NODE_EXTRA_CA_CERTS. That matters: without it Node builds its root certificate store on the
 * first TLS connection, which here is the authorizer's JWKS prefetch during init, rather than at process start-up.
 * Since Node 24.13.1 loading `tls` starts building that store on another thread (nodejs/node#59856 in 24.9.0, which
 * took effect for Node's bundled certificates with #60764 in 24.13.1), so the same bundle measures differently on
 * Node 20 and on Node 24: `--node` runs the children with another Node binary (the authorizer runs on Lambda's Node 24).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, BuildOptions } from 'esbuild';
import { AUTHORIZER_CONFIG_FILE_ENV } from '../lib/common/authorizer-config';
import { configFile, configFor } from '../test/lambda/authorizer/fixtures';
import type { JwksServer } from '../test/support/jwks-server';
import { TEST_CREDENTIALS, TEST_REGION } from '../test/support/dynalite';
import { BUNDLES, progress, ROOT } from './child';
import { interleave, median, percentile, round } from './stats';

/** Options of {@link runColdStartBench}. */
export interface ColdStartBenchOptions {
  /** Interleaved rounds (each spawns one process per {@link STEPS} entry, in rotating order). */
  readonly rounds: number;
  /**
   * The Node binary the children run.
   * @default - the one running the benchmark
   */
  readonly node?: string;
}

/** Median and interquartile range of a sample. */
export interface Spread {
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
}

/** Figures of one function. */
export interface ColdStartFunctionResult {
  /** Median wall time of the process that loads the bundle, ms. */
  readonly processMs: number;
  /** Median over rounds of (this process − the empty process of the same round), ms. */
  readonly overEmptyMs: number;
  /** Median over rounds of (this process / the empty process of the same round). */
  readonly ratio: number;
  /** The same per-round ratios: median and interquartile range. */
  readonly ratioSpread: Spread;
  /**
   * Median over rounds of (this process's CPU time / the empty process's), user + system, all threads. Lambda gives
   * a function CPU in proportion to its memory (512 MB, the authorizer's default, is under a third of a vCPU), where a
   * second thread adds no CPU and what counts is closer to this ratio than to the wall-time one.
   */
  readonly cpuRatio: number;
  /** Median time of `require(bundle)` measured inside the child, ms. */
  readonly requireMs: number;
  /** Bundle size in bytes, and gzip-compressed (default level). */
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly rounds: number[];
}

/**
 * What the authorizer's load is made of: medians over rounds of the difference between two processes of the same
 * round, ms. The steps are measured separately, so the parts add up only approximately. On Node 24.13.1 and later,
 * loading `tls` starts building the root store on another thread, which a process waits for when it exits: there
 * most of the store's cost shows under {@link builtinsMs}, not {@link tlsRootStoreMs}.
 */
export interface AuthorizerLoadBreakdown {
  /** The Node built-ins the bundle requires, loaded alone (over the empty process). */
  readonly builtins: string[];
  readonly builtinsMs: number;
  /** Building the TLS root certificate store, over the built-ins. */
  readonly tlsRootStoreMs: number;
  /** Opening one HTTPS request (what the JWKS prefetch costs Node), over the root store. */
  readonly httpsRequestMs: number;
  /** The bundle's own code and libraries: the authorizer over the HTTPS request step. */
  readonly bundleMs: number;
  /** Powertools Logger bundled alone, one logger created, over the built-ins. */
  readonly powertoolsMs: number;
  /** aws-jwt-verify bundled alone, one verifier created (no fetch), over the built-ins. */
  readonly jwtVerifyMs: number;
  /** Median over rounds of (HTTPS request step / empty process): the ratio of a bundle whose code cost nothing. */
  readonly nodeFloorRatio: number;
  /**
   * Median CPU time (user + system, all threads) of each step's process up to its marker, ms: on Node 24 the root
   * store is built on another thread, so wall time and CPU time part there.
   */
  readonly cpuMs: Record<Step, number>;
  /** Wall time of every step in every round, ms. */
  readonly rounds: Record<Step, number[]>;
}

/** Result of the cold-start benchmark. */
export interface ColdStartBenchResult {
  readonly options: ColdStartBenchOptions;
  /** `process.version` of the children. */
  readonly node: string;
  /** Median wall time of `node -e` that exits right away, ms, with its interquartile range. */
  readonly emptyMs: number;
  readonly emptySpread: Spread;
  readonly emptyRounds: number[];
  readonly authorizer: ColdStartFunctionResult;
  readonly items: ColdStartFunctionResult;
  readonly breakdown: AuthorizerLoadBreakdown;
}

/** The processes of one round. */
const STEPS = ['empty', 'builtins', 'tlsRootStore', 'httpsRequest', 'powertools', 'jwtVerify', 'authorizer', 'items'] as const;
type Step = typeof STEPS[number];

const MARKER = '@@LOADED@@';
// Nothing listens on port 1: the prefetch (and the request step) would fail, but the child exits first.
const UNREACHABLE_JWKS = 'https://127.0.0.1:1/.well-known/jwks.json';

/** `node -e` code that runs `work`, then prints how long it took and the process's CPU time so far, and exits. */
export function script(work: string): string {
  return `const t=process.hrtime.bigint();${work}const c=process.cpuUsage();`
    + `process.stdout.write('${MARKER}'+(Number(process.hrtime.bigint()-t)/1e6)+' '+((c.user+c.system)/1e3)+'\\n');process.exit(0);`;
}

/** Spawns `node -e <code>` and resolves with its wall time and the in-child time of its work, both in ms. */
export function timeProcess(node: string, code: string, env: NodeJS.ProcessEnv): Promise<{ wallMs: number; requireMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(node, ['-e', code], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const line = stdout.split('\n').find((l) => l.includes(MARKER));
      if (code !== 0 || line === undefined) {
        reject(new Error(`cold start child failed (exit ${code}): ${stderr.slice(0, 2000)}${stdout.slice(0, 2000)}`));
        return;
      }
      const [requireMs, cpuMs] = line.slice(line.indexOf(MARKER) + MARKER.length).split(' ').map(Number);
      resolve({ wallMs, requireMs, cpuMs });
    });
  });
}

function sizes(file: string): { bytes: number; gzipBytes: number } {
  const content = readFileSync(file);
  return { bytes: content.length, gzipBytes: gzipSync(content).length };
}

/** The Node built-ins a bundle requires (`require("https")`, `require("node:crypto")`), without duplicates. */
export function builtinsRequiredBy(bundle: string): string[] {
  const names = [...bundle.matchAll(/require\("(?:node:)?([a-z_/]+)"\)/g)].map((m) => m[1]);
  return [...new Set(names.filter((name) => builtinModules.includes(name)))].sort();
}

function spread(values: readonly number[], digits: number): Spread {
  return { median: round(median(values), digits), p25: round(percentile(values, 0.25), digits), p75: round(percentile(values, 0.75), digits) };
}

/** Bundles one library alone, as the Lambda bundles are built, and returns the file. */
async function bundleAlone(dir: string, name: string, contents: string): Promise<string> {
  const options = JSON.parse(readFileSync(join(ROOT, 'scripts', 'lambda-bundle-options.json'), 'utf8')) as BuildOptions;
  const outfile = join(dir, `${name}.js`);
  await build({ ...options, stdin: { contents, resolveDir: ROOT, sourcefile: `${name}.ts`, loader: 'ts' }, outfile });
  return outfile;
}

/** Runs the benchmark. Needs no network: the authorizer's JWKS URL points at a closed local port. */
export async function runColdStartBench(options: ColdStartBenchOptions): Promise<ColdStartBenchResult> {
  const node = options.node ?? process.execPath;
  const probe = spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`cannot run ${node}: ${probe.error?.message ?? probe.stderr}`);
  const version = probe.stdout.trim();
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'UTC' };
  const unreachable = { issuer: 'https://issuer.bench.invalid', jwksUri: UNREACHABLE_JWKS } as JwksServer;
  const authorizerEnv = { ...base, [AUTHORIZER_CONFIG_FILE_ENV]: configFile(configFor(unreachable)) };
  const itemsEnv = {
    ...base, TABLE_NAME: 'items-bench', AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  };

  const builtins = builtinsRequiredBy(readFileSync(BUNDLES.authorizer, 'utf8'));
  const loadBuiltins = builtins.map((name) => `require('node:${name}');`).join('');
  const dir = mkdtempSync(join(tmpdir(), 'secure-api-cold-start-'));
  try {
    const powertools = await bundleAlone(dir, 'powertools-alone',
      "import { Logger } from '@aws-lambda-powertools/logger';\nexport const logger = new Logger({ serviceName: 'bench' });\n");
    const jwtVerify = await bundleAlone(dir, 'aws-jwt-verify-alone', [
      "import { JwtVerifier } from 'aws-jwt-verify';",
      "import { SimpleFetcher } from 'aws-jwt-verify/https';",
      "import { SimpleJwksCache } from 'aws-jwt-verify/jwk';",
      `export const verifier = JwtVerifier.create({ issuer: ${JSON.stringify(unreachable.issuer)}, audience: 'bench', jwksUri: ${JSON.stringify(UNREACHABLE_JWKS)} },`,
      '  { jwksCache: new SimpleJwksCache({ fetcher: new SimpleFetcher({ defaultRequestOptions: { timeout: 2000 } }) }) });',
      '',
    ].join('\n'));
    const rootStore = `${loadBuiltins}require('node:tls').createSecureContext();`;
    const steps: Record<Step, { code: string; env: NodeJS.ProcessEnv }> = {
      empty: { code: script(''), env: base },
      builtins: { code: script(loadBuiltins), env: base },
      tlsRootStore: { code: script(rootStore), env: base },
      httpsRequest: { code: script(`${rootStore}require('node:https').request(${JSON.stringify(UNREACHABLE_JWKS)}).on('error',()=>{}).end();`), env: base },
      powertools: { code: script(`${loadBuiltins}require(${JSON.stringify(powertools)});`), env: base },
      jwtVerify: { code: script(`${loadBuiltins}require(${JSON.stringify(jwtVerify)});`), env: base },
      authorizer: { code: script(`require(${JSON.stringify(BUNDLES.authorizer)});`), env: authorizerEnv },
      items: { code: script(`require(${JSON.stringify(BUNDLES.items)});`), env: itemsEnv },
    };
    const run = (step: Step) => timeProcess(node, steps[step].code, steps[step].env);
    // One untimed pass: warms the file system cache, and fails fast if a bundle does not load.
    for (const step of STEPS) await run(step);

    const runs = await interleave(options.rounds, Object.fromEntries(STEPS.map((step) => [step, () => run(step)])),
      (r) => { if ((r + 1) % 5 === 0) progress(`cold start: round ${r + 1}/${options.rounds}`); });

    const wall = Object.fromEntries(STEPS.map((step) => [step, runs[step].map((r) => r.wallMs)])) as Record<Step, number[]>;
    const over = (subject: Step, floor: Step): number => round(median(wall[subject].map((ms, i) => ms - wall[floor][i])), 1);
    const ratios = (subject: Step): number[] => wall[subject].map((ms, i) => ms / wall.empty[i]);
    const cpu = (step: Step): number[] => runs[step].map((r) => r.cpuMs);
    const figures = (name: 'authorizer' | 'items'): ColdStartFunctionResult => ({
      processMs: round(median(wall[name]), 1),
      overEmptyMs: over(name, 'empty'),
      ratio: round(median(ratios(name)), 2),
      ratioSpread: spread(ratios(name), 2),
      cpuRatio: round(median(cpu(name).map((ms, i) => ms / cpu('empty')[i])), 2),
      requireMs: round(median(runs[name].map((r) => r.requireMs)), 1),
      ...sizes(BUNDLES[name]),
      rounds: wall[name].map((ms) => round(ms, 1)),
    });
    return {
      options,
      node: version,
      emptyMs: round(median(wall.empty), 1),
      emptySpread: spread(wall.empty, 1),
      emptyRounds: wall.empty.map((ms) => round(ms, 1)),
      authorizer: figures('authorizer'),
      items: figures('items'),
      breakdown: {
        builtins,
        builtinsMs: over('builtins', 'empty'),
        tlsRootStoreMs: over('tlsRootStore', 'builtins'),
        httpsRequestMs: over('httpsRequest', 'tlsRootStore'),
        bundleMs: over('authorizer', 'httpsRequest'),
        powertoolsMs: over('powertools', 'builtins'),
        jwtVerifyMs: over('jwtVerify', 'builtins'),
        nodeFloorRatio: round(median(ratios('httpsRequest')), 2),
        cpuMs: Object.fromEntries(STEPS.map((step) => [step, round(median(cpu(step)), 1)])) as Record<Step, number>,
        rounds: Object.fromEntries(STEPS.map((step) => [step, wall[step].map((ms) => round(ms, 1))])) as Record<Step, number[]>,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
