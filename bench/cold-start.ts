/**
 * Cold-start benchmark: the wall time of a fresh Node process that loads a bundled function and exits, minus that of
 * a fresh Node process that exits right away; plus the time `require()` takes inside the child, and bundle sizes.
 *
 * Each child prints a marker after `require` and calls `process.exit(0)`, so work the module leaves pending (the
 * authorizer's JWKS prefetch, started without being awaited) does not keep it alive: what is measured is the
 * module's load and init, which is what Lambda's init phase runs before the first invocation.
 *
 * Children get a minimal environment (PATH, HOME, TZ and the function's variables) and, like Lambda's Node.js 20+
 * runtimes by default, no NODE_EXTRA_CA_CERTS. That matters: without it Node builds its root certificate store on the
 * first TLS connection, which here is the authorizer's JWKS prefetch during init (about 15 ms on the reference
 * machine), rather than at process start-up.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { AUTHORIZER_CONFIG_FILE_ENV } from '../lib/common/authorizer-config';
import { configFile, configFor } from '../test/lambda/authorizer/fixtures';
import type { JwksServer } from '../test/support/jwks-server';
import { TEST_CREDENTIALS, TEST_REGION } from '../test/support/dynalite';
import { BUNDLES, progress } from './child';
import { interleave, median, round } from './stats';

/** Options of {@link runColdStartBench}. */
export interface ColdStartBenchOptions {
  /** Interleaved rounds (each spawns one empty, one authorizer and one items process). */
  readonly rounds: number;
}

/** Figures of one function. */
export interface ColdStartFunctionResult {
  /** Median wall time of the process that loads the bundle, ms. */
  readonly processMs: number;
  /** Median over rounds of (this process − the empty process of the same round), ms. */
  readonly overEmptyMs: number;
  /** Median over rounds of (this process / the empty process of the same round). */
  readonly ratio: number;
  /** Median time of `require(bundle)` measured inside the child, ms. */
  readonly requireMs: number;
  /** Bundle size in bytes, and gzip-compressed (default level). */
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly rounds: number[];
}

/** Result of the cold-start benchmark. */
export interface ColdStartBenchResult {
  readonly options: ColdStartBenchOptions;
  /** Median wall time of `node -e` that exits right away, ms. */
  readonly emptyMs: number;
  readonly emptyRounds: number[];
  readonly authorizer: ColdStartFunctionResult;
  readonly items: ColdStartFunctionResult;
}

const MARKER = '@@LOADED@@';

function script(bundle: string | undefined): string {
  const load = bundle === undefined ? '' : `require(${JSON.stringify(bundle)});`;
  return `const t=process.hrtime.bigint();${load}`
    + `process.stdout.write('${MARKER}'+(Number(process.hrtime.bigint()-t)/1e6)+'\\n');process.exit(0);`;
}

/** Spawns `node -e <script>` and resolves with its wall time and the in-child require time, both in ms. */
function timeProcess(code: string, env: NodeJS.ProcessEnv): Promise<{ wallMs: number; requireMs: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', code], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      resolve({ wallMs, requireMs: Number(line.slice(line.indexOf(MARKER) + MARKER.length)) });
    });
  });
}

function sizes(file: string): { bytes: number; gzipBytes: number } {
  const content = readFileSync(file);
  return { bytes: content.length, gzipBytes: gzipSync(content).length };
}

/** Runs the benchmark. Needs no network: the authorizer's JWKS URL points at a closed local port. */
export async function runColdStartBench(options: ColdStartBenchOptions): Promise<ColdStartBenchResult> {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'UTC' };
  // A valid configuration; the JWKS prefetch it starts would fail (nothing listens on port 1), but the child exits first.
  const unreachable = { issuer: 'https://issuer.bench.invalid', jwksUri: 'https://127.0.0.1:1/.well-known/jwks.json' } as JwksServer;
  const env = {
    empty: base,
    authorizer: { ...base, [AUTHORIZER_CONFIG_FILE_ENV]: configFile(configFor(unreachable)) },
    items: {
      ...base, TABLE_NAME: 'items-bench', AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    },
  };
  // One untimed pass: warms the file system cache, and fails fast if a bundle does not load.
  await timeProcess(script(undefined), env.empty);
  await timeProcess(script(BUNDLES.authorizer), env.authorizer);
  await timeProcess(script(BUNDLES.items), env.items);

  const runs = await interleave(options.rounds, {
    empty: () => timeProcess(script(undefined), env.empty),
    authorizer: () => timeProcess(script(BUNDLES.authorizer), env.authorizer),
    items: () => timeProcess(script(BUNDLES.items), env.items),
  }, (r) => { if ((r + 1) % 5 === 0) progress(`cold start: round ${r + 1}/${options.rounds}`); });

  const empty = runs.empty.map((r) => r.wallMs);
  const figures = (name: 'authorizer' | 'items'): ColdStartFunctionResult => {
    const wall = runs[name].map((r) => r.wallMs);
    return {
      processMs: round(median(wall), 1),
      overEmptyMs: round(median(wall.map((ms, i) => ms - empty[i])), 1),
      ratio: round(median(wall.map((ms, i) => ms / empty[i])), 2),
      requireMs: round(median(runs[name].map((r) => r.requireMs)), 1),
      ...sizes(BUNDLES[name]),
      rounds: wall.map((ms) => round(ms, 1)),
    };
  };
  return {
    options,
    emptyMs: round(median(empty), 1),
    emptyRounds: empty.map((ms) => round(ms, 1)),
    authorizer: figures('authorizer'),
    items: figures('items'),
  };
}
