/**
 * Synth benchmark: wall time of a fresh Node process that synthesizes the demo app (bin/app.js, compiled by
 * `npm run build`, with the five cdk-nag packs and the cfn-guard rules that `addCompliancePacks` adds), against a bare
 * plain-JavaScript CDK app with one empty stack (bench/bare-app.cjs).
 *
 * Both run the way the CDK CLI runs an app: `node <app>` with CDK_OUTDIR (a fresh temporary directory per run) and
 * CDK_CONTEXT_JSON (the context of cdk.json) in the environment. The CLI itself is left out: it would add the same
 * start-up and cloud-assembly reading to both, and cdk.json runs the demo through ts-node, which would measure the
 * TypeScript compiler rather than the app.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress, ROOT } from './child';
import { interleave, median, pairedRatio, round } from './stats';

/** Options of {@link runSynthBench}. */
export interface SynthBenchOptions {
  /** Interleaved rounds (each synthesizes the demo and the bare app once). */
  readonly rounds: number;
}

/** Result of the synth benchmark. */
export interface SynthBenchResult {
  readonly options: SynthBenchOptions;
  readonly method: string;
  /** Median wall times, ms. */
  readonly demoMs: number;
  readonly bareMs: number;
  /** Median over rounds of demo / bare. */
  readonly ratio: number;
  readonly rounds: { readonly demo: number[]; readonly bare: number[] };
}

const APPS = {
  demo: { entry: join(ROOT, 'bin', 'app.js'), template: 'SecureApiDemo.template.json' },
  bare: { entry: join(ROOT, 'bench', 'bare-app.cjs'), template: 'Empty.template.json' },
} as const;

/** Synthesizes one app into a fresh directory; resolves with the wall time in ms. */
function synthOnce(app: keyof typeof APPS, context: Record<string, unknown>): Promise<number> {
  const { entry, template } = APPS[app];
  const outdir = mkdtempSync(join(tmpdir(), `bench-synth-${app}-`));
  return new Promise<number>((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [entry], {
      cwd: ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      try {
        if (code !== 0 || !existsSync(join(outdir, template))) {
          throw new Error(`synth of the ${app} app failed (exit ${code}): ${output.slice(-3000)}`);
        }
        if (app === 'demo') {
          // The policy packs ran (the report exists: cfn-guard always lists its acknowledged findings; a cdk-nag pack
          // with nothing to report leaves no entry) and found nothing unacknowledged.
          const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
            pluginReports?: Array<{ pluginName: string; violations: unknown[] }>;
          };
          const failing = (report.pluginReports ?? []).filter((p) => p.violations.length > 0).map((p) => p.pluginName);
          if (!Array.isArray(report.pluginReports) || failing.length > 0) {
            throw new Error(`the demo synth's policy checks did not pass: ${failing.join(', ') || 'no report'}`);
          }
        }
        resolve(ms);
      } catch (err) {
        reject(err);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });
  });
}

/** Runs the benchmark. */
export async function runSynthBench(options: SynthBenchOptions): Promise<SynthBenchResult> {
  const context = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  progress('synth: warm-up (one untimed synth of each app)');
  await synthOnce('demo', context);
  await synthOnce('bare', context);
  const runs = await interleave(options.rounds, {
    demo: () => synthOnce('demo', context),
    bare: () => synthOnce('bare', context),
  }, (r) => progress(`synth: round ${r + 1}/${options.rounds}`));
  return {
    options,
    method: 'in-process synth: `node bin/app.js` vs `node bench/bare-app.cjs`, CDK_OUTDIR + CDK_CONTEXT_JSON as the CLI sets them; CLI not timed',
    demoMs: round(median(runs.demo)),
    bareMs: round(median(runs.bare)),
    ratio: round(pairedRatio(runs.demo, runs.bare), 2),
    rounds: { demo: runs.demo.map((ms) => round(ms)), bare: runs.bare.map((ms) => round(ms)) },
  };
}
