/**
 * `npm run bench`: runs each benchmark in its own child process, prints a table of figures (each a ratio against a
 * floor measured in the same run, with its target and PASS/MISS), and writes bench/results/latest.json and
 * bench/results/latest.md. A missed target is a figure, not a failure; an error in a benchmark exits non-zero.
 *
 *   node bench/run.js [--quick] [--only=authorizer,cold-start,end-to-end,synth,scale] [--synth-rounds=N]
 *                     [--node=PATH] [--no-write] [--write] [--update-readme]
 *
 * (`npm run bench -- --only=synth` builds first.) `--only` also takes its list as the next argument
 * (`--only synth`). `--quick` runs a few rounds of everything (a smoke test of the harness; its figures are noisy and
 * are not written unless `--write` is given too). `--synth-rounds=N` sets the rounds of both synth measurements
 * (default 5; 1 with `--quick`). `--node=PATH` runs the cold-start children with that Node binary (say, the major
 * Lambda runs) instead of this one. `--update-readme` also replaces the results table in README.md's Benchmarks section
 * (between the `bench:results` markers; nothing else in the README). An unknown flag is an error. The results files
 * hold the benchmarks of the run that wrote them only: after `--only`, the others are gone from them.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import type { AuthorizerBenchOptions, AuthorizerBenchResult } from './authorizer';
import { BUNDLES, ChildMessage, ROOT } from './child';
import type { ColdStartBenchOptions, ColdStartBenchResult } from './cold-start';
import type { EndToEndBenchOptions, EndToEndBenchResult } from './end-to-end';
import { Figure, figuresOf, markdownReport, textTable } from './report';
import type { ScaleBenchOptions, ScaleBenchResult } from './scale';
import type { SynthBenchOptions, SynthBenchResult } from './synth';
import { ensureTestTls } from './tls';

/** The benchmarks, in the order they run. */
export const BENCHMARKS = ['cold-start', 'authorizer', 'end-to-end', 'synth', 'scale'] as const;
/** A benchmark name. */
export type BenchmarkName = typeof BENCHMARKS[number];

interface OptionsOf {
  'authorizer': AuthorizerBenchOptions;
  'cold-start': ColdStartBenchOptions;
  'end-to-end': EndToEndBenchOptions;
  'synth': SynthBenchOptions;
  'scale': ScaleBenchOptions;
}

/** The results of one run, as written to bench/results/latest.json. */
export interface BenchReport {
  readonly generatedAt: string;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly commit?: string;
  readonly durationSeconds: number;
  readonly figures: Figure[];
  readonly results: {
    readonly 'authorizer'?: AuthorizerBenchResult;
    readonly 'cold-start'?: ColdStartBenchResult;
    readonly 'end-to-end'?: EndToEndBenchResult;
    readonly 'synth'?: SynthBenchResult;
    readonly 'scale'?: ScaleBenchResult;
  };
  readonly errors: Partial<Record<BenchmarkName, string>>;
}

/** Where the figures come from. */
export interface Machine {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
}

const FULL: OptionsOf = {
  'authorizer': { rounds: 15, roundMs: 200, warmupMs: 1000 },
  'cold-start': { rounds: 31 },
  'end-to-end': { burstSize: 150, bursts: { 1: 8, 16: 16 }, dynamoRequests: { 1: 1200, 16: 2400 }, warmupRequests: 150 },
  'synth': { cliRounds: 5, appRounds: 5 },
  'scale': { rounds: 20, decisionsPerRound: 100, warmupDecisions: 200, coldRounds: 21 },
};

const QUICK: OptionsOf = {
  'authorizer': { rounds: 3, roundMs: 100, warmupMs: 200 },
  'cold-start': { rounds: 3 },
  'end-to-end': { burstSize: 60, bursts: { 1: 1, 16: 2 }, dynamoRequests: { 1: 60, 16: 120 }, warmupRequests: 48 },
  'synth': { cliRounds: 1, appRounds: 1 },
  'scale': { rounds: 2, decisionsPerRound: 10, warmupDecisions: 10, coldRounds: 3 },
};

function machine(): Machine {
  return {
    node: process.version,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * The commit the figures come from, with `+dirty` when tracked files have uncommitted changes (the results and the
 * README, which this command writes itself, do not count).
 */
function commit(): string | undefined {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results', ':(exclude)README.md');
    return `${git('rev-parse', '--short', 'HEAD')}${changed === '' ? '' : '+dirty'}`;
  } catch {
    return undefined;
  }
}

/** Runs one benchmark in a child process (stdout → /dev/null, stderr shown, results over IPC). */
function runChild(name: BenchmarkName, options: unknown, env: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [__filename, '--child', name, JSON.stringify(options)], {
      cwd: ROOT,
      // The SDK's notice that its 2027 releases need Node 22 would interleave with the progress lines.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let result: unknown;
    let received = false;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') process.stderr.write(`  … ${message.message}\n`);
      else if (message.type === 'result') { result = message.result; received = true; }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && received) resolve(result);
      else reject(new Error(`the ${name} benchmark failed (exit ${code ?? signal})`));
    });
  });
}

/** The child side: runs the named benchmark in this process and sends its result. */
async function child(name: BenchmarkName, options: unknown): Promise<void> {
  let result: unknown;
  switch (name) {
    case 'authorizer': result = await (await import('./authorizer')).runAuthorizerBench(options as AuthorizerBenchOptions); break;
    case 'cold-start': result = await (await import('./cold-start')).runColdStartBench(options as ColdStartBenchOptions); break;
    case 'end-to-end': result = await (await import('./end-to-end')).runEndToEndBench(options as EndToEndBenchOptions); break;
    case 'synth': result = await (await import('./synth')).runSynthBench(options as SynthBenchOptions); break;
    case 'scale': result = await (await import('./scale')).runScaleBench(options as ScaleBenchOptions); break;
    default: throw new Error(`unknown benchmark ${String(name)}`);
  }
  if (!process.send) {
    // Run by hand (no runner): print the result.
    process.stderr.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    process.send!({ type: 'result', result } satisfies ChildMessage, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

function writeAtomically(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}

const README_START = '<!-- bench:results (written by `node bench/run.js --update-readme`) -->';
const README_END = '<!-- /bench:results -->';

/** Replaces the results between the markers of README.md's Benchmarks section. */
function updateReadme(markdown: string): void {
  const file = join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} markers`);
  writeFileSync(file, `${readme.slice(0, start + README_START.length)}\n${markdown}${readme.slice(end)}`);
}

/** What the command line asks for. */
interface Args {
  readonly only?: string[];
  readonly quick: boolean;
  readonly write: boolean;
  readonly noWrite: boolean;
  readonly updateReadme: boolean;
  readonly synthRounds?: number;
  readonly node?: string;
}

/** Parses the flags of the usage above; throws on anything else, so that a mistyped flag does not run everything. */
function parseArgs(argv: readonly string[]): Args {
  let only: string[] | undefined;
  let synthRounds: number | undefined;
  let node: string | undefined;
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    if (name === '--only' || name === '--synth-rounds' || name === '--node') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new Error(`${name} needs a value`);
      if (name === '--node') {
        node = value;
      } else if (name === '--only') {
        only = value.split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = only.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
        if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})`);
      } else {
        synthRounds = Number(value);
        if (!Number.isInteger(synthRounds) || synthRounds < 1 || synthRounds > 50) {
          throw new Error(`--synth-rounds must be a whole number from 1 to 50 (got ${value})`);
        }
      }
    } else if (['--quick', '--write', '--no-write', '--update-readme'].includes(argv[i])) {
      flags.add(argv[i]);
    } else {
      throw new Error(`unknown argument ${argv[i]} (usage: node bench/run.js [--quick] [--only=${BENCHMARKS.join(',')}] `
        + '[--synth-rounds=N] [--node=PATH] [--write | --no-write] [--update-readme])');
    }
  }
  return {
    only, synthRounds, node,
    quick: flags.has('--quick'), write: flags.has('--write'), noWrite: flags.has('--no-write'), updateReadme: flags.has('--update-readme'),
  };
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const selected = BENCHMARKS.filter((n) => args.only === undefined || args.only.includes(n));
  const quick = args.quick;
  const write = args.write || (!quick && !args.noWrite);
  const base = quick ? QUICK : FULL;
  const options: OptionsOf = {
    ...base,
    ...(args.synthRounds === undefined ? {} : { synth: { cliRounds: args.synthRounds, appRounds: args.synthRounds } }),
    ...(args.node === undefined ? {} : { 'cold-start': { ...base['cold-start'], node: args.node } }),
  };

  for (const bundle of Object.values(BUNDLES)) {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` (or \`npm run bench\`) first`);
  }
  const tls = ensureTestTls(ROOT);
  const started = Date.now();
  const results: Record<string, unknown> = {};
  const errors: Partial<Record<BenchmarkName, string>> = {};
  for (const name of selected) {
    process.stderr.write(`${name}…\n`);
    const t = Date.now();
    try {
      results[name] = await runChild(name, options[name], tls.env);
      process.stderr.write(`  done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      errors[name] = (err as Error).message;
      process.stderr.write(`  ERROR: ${(err as Error).message}\n`);
    }
  }

  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    quick,
    machine: machine(),
    commit: commit(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    figures: figuresOf(results as BenchReport['results']),
    results: results as BenchReport['results'],
    errors,
  };
  process.stdout.write(`\n${textTable(report)}\n\n`);
  if (write) {
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeAtomically(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeAtomically(join(dir, 'latest.md'), markdownReport(report));
    process.stdout.write('\nwrote bench/results/latest.json and bench/results/latest.md\n');
    if (args.updateReadme && Object.keys(errors).length === 0) {
      updateReadme(markdownReport(report));
      process.stdout.write('updated the results in README.md\n');
    }
  }
  const failed = Object.keys(errors);
  if (failed.length > 0) process.stderr.write(`\nbenchmarks with errors: ${failed.join(', ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

if (require.main === module) {
  const [mode, name, options] = process.argv.slice(2);
  if (mode === '--child') {
    child(name as BenchmarkName, JSON.parse(options)).then(() => process.exit(0), (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    });
  } else {
    main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: Error) => {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exitCode = 1;
    });
  }
}
