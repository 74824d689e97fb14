/**
 * Turns benchmark results into figures (subject, floor, ratio, target, PASS/MISS) and prints them as a text table
 * and as Markdown for the README.
 */
import type { AuthorizerBenchResult } from './authorizer';
import type { ColdStartBenchResult } from './cold-start';
import type { EndToEndBenchResult } from './end-to-end';
import type { BenchReport } from './run';
import type { ScaleBenchResult } from './scale';
import type { SynthBenchResult } from './synth';

/** One line of the table. */
export interface Figure {
  /** Stable id, e.g. `authorizer.RS256`. */
  readonly id: string;
  readonly name: string;
  readonly subject: string;
  readonly floor: string;
  readonly ratio: string;
  readonly target: string;
  /** PASS/MISS for figures with a target; `—` for figures reported without one. */
  readonly status: 'PASS' | 'MISS' | '—';
}

const n = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 0 });
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (value: number): string => `${value.toFixed(0)} MiB`;
const verdict = (met: boolean): 'PASS' | 'MISS' => (met ? 'PASS' : 'MISS');

/** The targets of the issue (medians, on the machine that runs the benchmarks). */
export const TARGETS = {
  authorizerRatio: 1.5,
  /** The authorizer's cold load against an empty Node process (issue 9, part 8). */
  authorizerLoadRatio: 1.6,
  itemsLoadMs: 90,
  /** `npx cdk synth --quiet` of the demo against a fresh `cdk init` app: wall time and peak memory. */
  cdkSynthWallRatio: 1.5,
  cdkSynthMemoryRatio: 2,
  /** The demo's app process against a bare JavaScript app (no CLI). */
  synthRatio: 2,
  /** 300 routes against 10: decision time (p50) and cold start over an empty process "do not grow noticeably". */
  scaleRatio: 2,
} as const;

/** The figures of whatever benchmarks ran. */
export function figuresOf(results: {
  readonly 'authorizer'?: AuthorizerBenchResult;
  readonly 'cold-start'?: ColdStartBenchResult;
  readonly 'end-to-end'?: EndToEndBenchResult;
  readonly 'synth'?: SynthBenchResult;
  readonly 'scale'?: ScaleBenchResult;
}): Figure[] {
  const out: Figure[] = [];
  const auth = results.authorizer;
  if (auth) {
    for (const alg of ['RS256', 'ES256'] as const) {
      const r = auth[alg];
      out.push({
        id: `authorizer.${alg}`,
        name: `authorizer, warm, ${alg}`,
        subject: `${n(r.decisionsPerSecond)} decisions/s (${r.decisionMicros} µs)`,
        floor: `${n(r.floorChecksPerSecond)} checks/s (${r.floorMicros} µs)`,
        ratio: `${r.ratio.toFixed(2)}×`,
        target: `≤ ${TARGETS.authorizerRatio}×`,
        status: verdict(r.ratio <= TARGETS.authorizerRatio),
      });
    }
  }
  const cold = results['cold-start'];
  if (cold) {
    const floor = `${cold.emptyMs} ms (empty node ${cold.node})`;
    const ratio = (r: ColdStartBenchResult['authorizer']): string =>
      `${r.ratio.toFixed(2)}× (IQR ${r.ratioSpread.p25.toFixed(2)}–${r.ratioSpread.p75.toFixed(2)}×), +${r.overEmptyMs} ms; CPU ${r.cpuRatio.toFixed(2)}×`;
    const auth = cold.authorizer;
    out.push({
      id: 'cold-start.authorizer',
      name: 'cold start, authorizer bundle',
      subject: `${auth.processMs} ms (require ${auth.requireMs} ms)`,
      floor,
      ratio: ratio(auth),
      target: `≤ ${TARGETS.authorizerLoadRatio}×`,
      status: verdict(auth.ratio <= TARGETS.authorizerLoadRatio),
    });
    const b = cold.breakdown;
    out.push({
      id: 'cold-start.authorizer.parts',
      name: 'cold start, authorizer: its parts (ms over the step before)',
      subject: `Node built-ins +${b.builtinsMs}, TLS root store +${b.tlsRootStoreMs}, first HTTPS request +${b.httpsRequestMs}, `
        + `bundle +${b.bundleMs} (each loaded alone: Powertools +${b.powertoolsMs}, aws-jwt-verify +${b.jwtVerifyMs})`,
      floor,
      ratio: `${b.nodeFloorRatio.toFixed(2)}× up to the HTTPS request, before any bundle code`,
      target: '—',
      status: '—',
    });
    const items = cold.items;
    out.push({
      id: 'cold-start.items',
      name: 'cold start, items bundle',
      subject: `${items.processMs} ms (require ${items.requireMs} ms)`,
      floor,
      ratio: ratio(items),
      target: `≤ +${TARGETS.itemsLoadMs} ms`,
      status: verdict(items.overEmptyMs <= TARGETS.itemsLoadMs),
    });
    for (const fn of ['authorizer', 'items'] as const) {
      out.push({
        id: `bundle.${fn}`,
        name: `bundle size, ${fn}`,
        subject: `${kib(cold[fn].bytes)} (gzip ${kib(cold[fn].gzipBytes)})`,
        floor: '—',
        ratio: '—',
        target: '—',
        status: '—',
      });
    }
  }
  const e2e = results['end-to-end'];
  if (e2e) {
    for (const level of e2e.levels) {
      const throttled = level.throttled > 0 ? `, ${level.throttled} × 429` : '';
      out.push({
        id: `end-to-end.c${level.concurrency}`,
        name: `end to end, GET /items/{id}, c=${level.concurrency}`,
        subject: `${n(level.api.rps)} rps, p50 ${level.api.p50Ms} ms, p99 ${level.api.p99Ms} ms${throttled}`,
        floor: `GetItem ${n(level.dynamo.rps)} rps, p50 ${level.dynamo.p50Ms} ms, p99 ${level.dynamo.p99Ms} ms`,
        ratio: `rps ${level.rpsRatio.toFixed(2)}×, p50 ${level.p50Ratio.toFixed(2)}×, p99 ${level.p99Ratio.toFixed(2)}×`,
        target: '—',
        status: '—',
      });
    }
  }
  const synth = results.synth;
  if (synth) {
    const { cli, app } = synth;
    const typescript = cli.freshApp.dependencies.find((d) => d.name === 'typescript');
    const compiler = typescript && typescript.satisfied !== true
      ? `, TypeScript ${typescript.used ?? 'missing'} for ${typescript.wanted}` : '';
    out.push({
      id: 'synth.cli.wall',
      name: 'cdk synth, demo + 6 policy packs vs fresh cdk init app: wall time',
      subject: sec(cli.demo.wallMs),
      floor: `${sec(cli.fresh.wallMs)} (fresh app without ${cli.freshApp.typeCheckCommand})`,
      ratio: `${cli.ratio.wall.toFixed(2)}×`,
      target: `≤ ${TARGETS.cdkSynthWallRatio}×`,
      status: verdict(cli.ratio.wall <= TARGETS.cdkSynthWallRatio),
    });
    out.push({
      id: 'synth.cli.memory',
      name: 'cdk synth, demo + 6 policy packs vs fresh cdk init app: peak memory',
      subject: mib(cli.demo.peakMiB),
      floor: `${mib(cli.fresh.peakMiB)} (fresh app without ${cli.freshApp.typeCheckCommand})`,
      ratio: `${cli.ratio.memory.toFixed(2)}×`,
      target: `≤ ${TARGETS.cdkSynthMemoryRatio}×`,
      status: verdict(cli.ratio.memory <= TARGETS.cdkSynthMemoryRatio),
    });
    out.push({
      id: 'synth.cli.as-generated',
      name: `cdk synth, demo vs fresh app as generated (${cli.freshApp.typeCheckCommand} first${compiler})`,
      subject: `${sec(cli.demo.wallMs)}, ${mib(cli.demo.peakMiB)}`,
      floor: `${sec(cli.freshAsGenerated.wallMs)}, ${mib(cli.freshAsGenerated.peakMiB)}`,
      ratio: `wall ${cli.ratioAsGenerated.wall.toFixed(2)}×, memory ${cli.ratioAsGenerated.memory.toFixed(2)}×`,
      target: '—',
      status: '—',
    });
    out.push({
      id: 'synth.app',
      name: 'synth, app process only (node bin/app.js, no CLI)',
      subject: `${sec(app.demo.wallMs)}, ${mib(app.demo.peakMiB)}`,
      floor: `${sec(app.bare.wallMs)}, ${mib(app.bare.peakMiB)} (bare JS app)`,
      ratio: `${app.ratio.wall.toFixed(2)}× (memory ${app.ratio.memory.toFixed(2)}×)`,
      target: `≤ ${TARGETS.synthRatio}×`,
      status: verdict(app.ratio.wall <= TARGETS.synthRatio),
    });
  }
  if (results.scale) out.push(...scaleFigures(results.scale));
  return out;
}

/** The scale benchmark's figures: 300 routes against 10 (one issuer), and 50 issuers against 1 (300 routes). */
function scaleFigures(scale: ScaleBenchResult): Figure[] {
  const { ratios } = scale;
  const [small, middle, large, many] = [scale.variants['routes-10'], scale.variants['routes-100'],
    scale.variants['routes-300'], scale.variants['routes-300-issuers-50']];
  const times = (label: string, r: { p50Micros: number; p95Micros: number }): string => `${label}: p50 ${r.p50Micros} µs, p95 ${r.p95Micros} µs`;
  const policy = (v: typeof small): string => `policy ${kib(v.policyBytes)} (${v.allowResources} Allow, ${v.denyResources} Deny), config ${kib(v.configBytes)}`;
  const out: Figure[] = [];
  for (const [kind, title] of [['hit', 'policy-cache hit'], ['miss', 'policy-cache miss']] as const) {
    const p50 = kind === 'hit' ? ratios.hitP50 : ratios.missP50;
    const p95 = kind === 'hit' ? ratios.hitP95 : ratios.missP95;
    out.push({
      id: `scale.${kind}`,
      name: `scale, warm decision, ${title}, RS256: 300 vs 10 routes`,
      subject: `${times('300 routes', large[kind])} (100: p50 ${middle[kind].p50Micros} µs)`,
      floor: times('10 routes', small[kind]),
      ratio: `p50 ${p50.toFixed(2)}×, p95 ${p95.toFixed(2)}×`,
      target: `p50 ≤ ${TARGETS.scaleRatio}×`,
      status: verdict(p50 <= TARGETS.scaleRatio),
    });
  }
  out.push({
    id: 'scale.cold-start',
    name: 'scale, cold start, authorizer bundle: 300 vs 10 routes',
    subject: `300 routes: +${large.cold.overEmptyMs} ms (require ${large.cold.requireMs} ms; 100: +${middle.cold.overEmptyMs} ms)`,
    floor: `10 routes: +${small.cold.overEmptyMs} ms (require ${small.cold.requireMs} ms; empty node ${scale.emptyMs} ms)`,
    ratio: `${ratios.coldOverEmpty.toFixed(2)}×`,
    target: `≤ ${TARGETS.scaleRatio}×`,
    status: verdict(ratios.coldOverEmpty <= TARGETS.scaleRatio),
  });
  out.push({
    id: 'scale.issuers',
    name: 'scale, 300 routes: 50 issuers vs 1',
    subject: `50: hit p50 ${many.hit.p50Micros} µs, miss p50 ${many.miss.p50Micros} µs, cold +${many.cold.overEmptyMs} ms`,
    floor: `1: hit p50 ${large.hit.p50Micros} µs, miss p50 ${large.miss.p50Micros} µs, cold +${large.cold.overEmptyMs} ms`,
    ratio: `hit ${ratios.issuersHitP50.toFixed(2)}×, miss ${ratios.issuersMissP50.toFixed(2)}×, cold ${ratios.issuersColdOverEmpty.toFixed(2)}×`,
    target: '—',
    status: '—',
  });
  out.push({
    id: 'scale.size',
    name: 'scale, policy for half the routes and config file: 300 vs 10 routes',
    subject: `300: ${policy(large)}`,
    floor: `10: ${policy(small)}`,
    ratio: `policy ${ratios.policyBytes}×, config ${(large.configBytes / small.configBytes).toFixed(1)}×`,
    target: '—',
    status: '—',
  });
  return out;
}

const COLUMNS: Array<[keyof Figure, string]> = [
  ['name', 'benchmark'], ['subject', 'subject'], ['floor', 'floor'], ['ratio', 'ratio'], ['target', 'target'], ['status', 'result'],
];

function machineLine(report: BenchReport): string {
  const m = report.machine;
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; ${report.generatedAt.slice(0, 10)}`
    + `${report.commit ? `, commit ${report.commit}` : ''}${report.quick ? ' (--quick: smoke run, noisy)' : ''}`;
}

/** A plain-text table for the terminal. */
export function textTable(report: BenchReport): string {
  const rows = [COLUMNS.map(([, title]) => title), ...report.figures.map((f) => COLUMNS.map(([key]) => f[key]))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  const errors = Object.entries(report.errors).map(([name, message]) => `ERROR ${name}: ${message}`);
  return [
    line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line), '',
    machineLine(report), ...errors,
  ].join('\n');
}

/** The Markdown table and machine line that the README's Benchmarks section shows. */
export function markdownReport(report: BenchReport): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  return [
    `| ${COLUMNS.map(([, title]) => title).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...report.figures.map((f) => `| ${COLUMNS.map(([key]) => escape(f[key])).join(' | ')} |`),
    '',
    `Machine: ${machineLine(report)}.`,
    '',
  ].join('\n');
}
