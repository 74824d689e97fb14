/**
 * Synth benchmark, in two measurements of the demo (bin/app.ts, with the five cdk-nag packs and the cfn-guard rules
 * that `addCompliancePacks` adds; its validation report is checked every time).
 *
 * `cli`, the user's view: `npx cdk synth --quiet` run in the repository root, as a user types it (cdk.json runs
 * `npx tsx bin/app.ts`), against the same command in a fresh `cdk init app --language typescript` app (bench/fresh-app.ts),
 * each with a fresh `--output` directory. Wall time and peak resident memory of the command's whole process tree
 * (npx → CDK CLI → the app's command → tsx → the app's Node process; bench/process-tree.ts). The fresh app's cdk.json
 * type-checks before it runs (`npx tsc && npx tsx bin/fresh-app.ts`) with the TypeScript its package.json names, which
 * is not the one installed here, so the fresh app runs twice per round: once with its app command without the
 * type-check (the floor of the targets: the same runner as the demo, and the faster floor, so a PASS cannot come from
 * our older, slower compiler) and once as generated (reported without a target).
 *
 * `app`, the app process alone: a fresh `node bin/app.js` (compiled by `npm run build`) against a bare plain-JavaScript
 * app with one stack of one property-less resource (bench/bare-app.cjs), both run the way the CDK CLI runs an app (CDK_OUTDIR, a fresh
 * temporary directory, and CDK_CONTEXT_JSON, the context of cdk.json, in the environment). No CLI and no TypeScript
 * runner: what the construct library and the policy packs cost by themselves.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress, ROOT } from './child';
import { createFreshApp, FreshApp, removeFreshApp } from './fresh-app';
import { MeasuredRun, runMeasured, TreeProcess } from './process-tree';
import { interleave, median, pairedRatio, round } from './stats';

/** Options of {@link runSynthBench}. */
export interface SynthBenchOptions {
  /** Interleaved rounds of `npx cdk synth --quiet` (each runs the demo and both fresh-app variants once). */
  readonly cliRounds: number;
  /** Interleaved rounds of the app process alone (each synthesizes the demo and the bare app once). */
  readonly appRounds: number;
}

/** Medians of one variant, and every round's figures. */
export interface SynthVariant {
  /** Median wall time, ms. */
  readonly wallMs: number;
  /** Median peak resident memory of the process tree, MiB. */
  readonly peakMiB: number;
  readonly rounds: { readonly wallMs: number[]; readonly peakMiB: number[] };
  /** The processes at the peak of the last round, largest first (MiB). */
  readonly peakProcesses: Array<{ readonly command: string; readonly mib: number }>;
}

/** A subject against a floor: medians over rounds of subject / floor, pairing the values of the same round. */
export interface SynthRatios {
  readonly wall: number;
  readonly memory: number;
}

/** Result of the synth benchmark. */
export interface SynthBenchResult {
  readonly options: SynthBenchOptions;
  /** `npx cdk synth --quiet`: the demo against the fresh app. */
  readonly cli: {
    readonly method: string;
    readonly freshApp: Omit<FreshApp, 'dir'>;
    readonly demo: SynthVariant;
    /** The fresh app, its app command without the type-check (the floor of the targets). */
    readonly fresh: SynthVariant;
    /** The fresh app as generated (type-check, then run). */
    readonly freshAsGenerated: SynthVariant;
    readonly ratio: SynthRatios;
    readonly ratioAsGenerated: SynthRatios;
  };
  /** The app process alone: `node bin/app.js` against `node bench/bare-app.cjs`. */
  readonly app: {
    readonly method: string;
    readonly demo: SynthVariant;
    readonly bare: SynthVariant;
    readonly ratio: SynthRatios;
  };
}

const DEMO_STACK = 'SecureApiDemo';
const MIB = 2 ** 20;

/** The stacks of a cloud assembly whose templates exist; throws if there is none. */
function stacksOf(outdir: string): string[] {
  const manifestFile = join(outdir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`no cloud assembly in ${outdir}`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile !== undefined
      && existsSync(join(outdir, a.properties.templateFile)))
    .map(([name]) => name);
  if (stacks.length === 0) throw new Error(`the cloud assembly in ${outdir} has no stack template`);
  return stacks;
}

/**
 * Checks the demo's assembly: its stack's template exists, the policy packs ran (the report exists: cfn-guard always
 * lists its acknowledged findings; a cdk-nag pack with nothing to report leaves no entry) and found nothing
 * unacknowledged.
 */
function checkDemoAssembly(outdir: string): void {
  if (!stacksOf(outdir).includes(DEMO_STACK)) throw new Error(`the demo synth wrote no ${DEMO_STACK} template`);
  const reportFile = join(outdir, 'validation-report.json');
  const report = existsSync(reportFile)
    ? JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports?: Array<{ pluginName: string; violations: unknown[] }> }
    : {};
  const failing = (report.pluginReports ?? []).filter((p) => p.violations.length > 0).map((p) => p.pluginName);
  if (!Array.isArray(report.pluginReports) || report.pluginReports.length === 0 || failing.length > 0) {
    throw new Error(`the demo synth's policy checks did not pass: ${failing.join(', ') || 'no report'}`);
  }
}

/** One synth to measure: how to run it and how to check what it wrote. */
interface SynthJob {
  readonly label: string;
  readonly cwd: string;
  /** The command and its arguments, given the output directory. */
  readonly command: (outdir: string) => { file: string; args: string[]; env?: NodeJS.ProcessEnv };
  readonly check: (outdir: string) => void;
}

/** Runs one synth into a fresh output directory, checks it and removes the directory. */
async function synthOnce(job: SynthJob): Promise<MeasuredRun> {
  const outdir = mkdtempSync(join(tmpdir(), `bench-synth-${job.label}-`));
  try {
    const { file, args, env } = job.command(outdir);
    const run = await runMeasured(file, args, { cwd: job.cwd, env: { ...process.env, ...env } });
    if (run.exitCode !== 0) {
      throw new Error(`synth of the ${job.label} app failed (exit ${run.exitCode ?? run.signal}): ${run.output.slice(-3000)}`);
    }
    try {
      job.check(outdir);
    } catch (err) {
      throw new Error(`${(err as Error).message}; its output: ${run.output.slice(-3000)}`);
    }
    return run;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A warm-up run of every job (tsx's transform cache, the page cache), then `rounds` interleaved rounds. */
async function measure(part: string, rounds: number, jobs: Record<string, SynthJob>): Promise<Record<string, MeasuredRun[]>> {
  progress(`synth ${part}: warm-up (one untimed run of each)`);
  for (const job of Object.values(jobs)) await synthOnce(job);
  const tasks = Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, () => synthOnce(job)]));
  return interleave(rounds, tasks, (r) => progress(`synth ${part}: round ${r + 1}/${rounds}`));
}

function variant(runs: readonly MeasuredRun[]): SynthVariant {
  const wallMs = runs.map((r) => round(r.wallMs));
  const peakMiB = runs.map((r) => round(r.peakRssBytes / MIB, 1));
  const last: TreeProcess[] = runs[runs.length - 1]?.peakProcesses ?? [];
  return {
    wallMs: round(median(wallMs)),
    peakMiB: round(median(peakMiB), 1),
    rounds: { wallMs, peakMiB },
    peakProcesses: last.map((p) => ({ command: p.command, mib: round(p.rssBytes / MIB, 1) })),
  };
}

function ratios(subject: readonly MeasuredRun[], floor: readonly MeasuredRun[]): SynthRatios {
  return {
    wall: round(pairedRatio(subject.map((r) => r.wallMs), floor.map((r) => r.wallMs)), 2),
    memory: round(pairedRatio(subject.map((r) => r.peakRssBytes), floor.map((r) => r.peakRssBytes)), 2),
  };
}

async function runCliPart(rounds: number): Promise<SynthBenchResult['cli']> {
  progress('synth cli: generating a fresh `cdk init app --language typescript` app');
  const fresh = createFreshApp();
  try {
    if (fresh.runCommand === undefined) {
      throw new Error(`the fresh app's cdk.json runs \`${fresh.appCommand}\`, which has no \`npx tsc &&\` step to leave out`);
    }
    const runCommand = fresh.runCommand;
    const synth = (outdir: string, ...extra: string[]): string[] => ['cdk', 'synth', '--quiet', '--output', outdir, ...extra];
    const checkFresh = (outdir: string): void => { stacksOf(outdir); };
    const runs = await measure('cli', rounds, {
      demo: { label: 'demo', cwd: ROOT, command: (o) => ({ file: 'npx', args: synth(o) }), check: checkDemoAssembly },
      fresh: { label: 'fresh', cwd: fresh.dir, command: (o) => ({ file: 'npx', args: synth(o, '--app', runCommand) }), check: checkFresh },
      freshAsGenerated: { label: 'fresh-as-generated', cwd: fresh.dir, command: (o) => ({ file: 'npx', args: synth(o) }), check: checkFresh },
    });
    const { dir: _dir, ...freshApp } = fresh;
    return {
      method: '`npx cdk synth --quiet --output <fresh tmp dir>` in the repository root (cdk.json: `npx tsx bin/app.ts`) vs '
        + `the same in a fresh \`cdk init app --language typescript --generate-only\` app whose node_modules links to ours, with \`--app '${runCommand}'\` `
        + `(its app command without the type-check) and as generated (\`${fresh.appCommand}\`); interleaved rounds after one warm-up each; `
        + 'wall time to the command\'s exit; peak memory = the largest sum of VmRSS over the command\'s process tree, sampled every 20 ms; '
        + 'ratios = median over rounds of demo / fresh',
      freshApp,
      demo: variant(runs.demo),
      fresh: variant(runs.fresh),
      freshAsGenerated: variant(runs.freshAsGenerated),
      ratio: ratios(runs.demo, runs.fresh),
      ratioAsGenerated: ratios(runs.demo, runs.freshAsGenerated),
    };
  } finally {
    removeFreshApp(fresh);
  }
}

async function runAppPart(rounds: number): Promise<SynthBenchResult['app']> {
  const context = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  const env = (outdir: string): NodeJS.ProcessEnv => ({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) });
  const runs = await measure('app', rounds, {
    demo: { label: 'app-demo', cwd: ROOT, command: (o) => ({ file: process.execPath, args: [join(ROOT, 'bin', 'app.js')], env: env(o) }), check: checkDemoAssembly },
    bare: {
      label: 'app-bare', cwd: ROOT, command: (o) => ({ file: process.execPath, args: [join(ROOT, 'bench', 'bare-app.cjs')], env: env(o) }),
      check: (o) => { if (!stacksOf(o).includes('Empty')) throw new Error('the bare app wrote no Empty template'); },
    },
  });
  return {
    method: '`node bin/app.js` vs `node bench/bare-app.cjs` with CDK_OUTDIR + CDK_CONTEXT_JSON as the CLI sets them; no CLI, no tsx; '
      + 'interleaved rounds after one warm-up each; ratios = median over rounds of demo / bare',
    demo: variant(runs.demo),
    bare: variant(runs.bare),
    ratio: ratios(runs.demo, runs.bare),
  };
}

/** Runs the benchmark: the user's view first, then the app process alone. */
export async function runSynthBench(options: SynthBenchOptions): Promise<SynthBenchResult> {
  const cli = await runCliPart(options.cliRounds);
  const app = await runAppPart(options.appRounds);
  return { options, cli, app };
}
