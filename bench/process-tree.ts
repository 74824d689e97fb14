/**
 * Runs a command and measures what a user waits for and what the machine must hold: its wall time and the peak
 * resident memory of its whole process tree (the command and every process it starts, however deep), without
 * `/usr/bin/time` (a Debian package that CI machines need not have; it also reports only the largest single process,
 * where `npx cdk synth` runs five Node processes at once).
 *
 * Method (Linux only): every `intervalMs` (20 ms by default) the sampler reads `/proc/<pid>/stat` of every process on
 * the machine, keeps those that descend from the command (by parent pid; a process once seen in the tree stays in it
 * if its parent exits and it is re-parented, identified by pid and start time so that a reused pid does not count),
 * and adds up their resident set sizes (`VmRSS` of `/proc/<pid>/status`). The peak is the largest such sum. Its
 * limits are the same for every command measured: a process that lives less than one interval can be missed, and
 * pages that several processes share (the `node` binary's text, mapped once per Node process) count once per
 * process, as in any sum of RSS. A sample costs about 1 ms of one core (a hundred small reads). */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';

/** Options of {@link runMeasured}. */
export interface RunMeasuredOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * How often the process tree is sampled.
   * @default 20
   */
  readonly intervalMs?: number;
  /**
   * Kills the command and its descendants (SIGKILL) if it runs longer than this.
   * @default 300_000
   */
  readonly timeoutMs?: number;
}

/** One process of the tree at the moment of the peak. */
export interface TreeProcess {
  /** The command line, paths shortened to their last part, e.g. `node cdk synth --quiet --output bench-synth-x`. */
  readonly command: string;
  readonly rssBytes: number;
}

/** What {@link runMeasured} measured. */
export interface MeasuredRun {
  /** From spawn to the root process's exit. */
  readonly wallMs: number;
  /** The largest sum of the tree's resident set sizes over all samples. */
  readonly peakRssBytes: number;
  /** The tree at that sample, largest first. */
  readonly peakProcesses: TreeProcess[];
  readonly samples: number;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved, for error messages (the last 64 KiB). */
  readonly output: string;
}

const OUTPUT_LIMIT = 64 * 1024;

interface ProcStat {
  readonly ppid: number;
  readonly startTime: string;
}

// One buffer for every read: a sample reads a hundred small files, and readFileSync's allocations and fstat calls
// would cost several times more than the reads themselves.
const buffer = Buffer.alloc(8192);

/** The text of a small /proc file, or undefined if the process is gone. */
function readProcFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Parses `/proc/<pid>/stat`; undefined if the process is gone. */
function readStat(pid: number): ProcStat | undefined {
  const text = readProcFile(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // The second field (the command name, in parentheses) may itself hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 of proc(5): ppid is field 4, starttime field 22.
  return { ppid: Number(fields[1]), startTime: fields[19] };
}

/** `VmRSS` of `/proc/<pid>/status` in bytes; 0 for a process that is gone or has no memory of its own (a zombie). */
function readRss(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readProcFile(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : 0;
}

/** The command line with paths shortened to their last part, e.g. `node cdk synth --quiet -o bench-synth-demo-x`. */
function describe(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const line = argv.map((arg) => (arg.includes('/') && !arg.includes(' ') ? basename(arg) : arg)).join(' ');
    return line.length > 100 ? `${line.slice(0, 99)}…` : line;
  } catch {
    return '?';
  }
}

/** Samples the tree rooted at `root`: a set of members that persists across samples. */
class TreeSampler {
  /** Pid → start time of every process seen in the tree that has not exited. */
  private readonly members = new Map<number, string>();
  public peakRssBytes = 0;
  public peakProcesses: TreeProcess[] = [];
  public samples = 0;

  constructor(private readonly root: number) {}

  /** Sends `signal` to every process of the tree, as last sampled. */
  kill(signal: NodeJS.Signals): void {
    for (const pid of [this.root, ...this.members.keys()]) {
      try { process.kill(pid, signal); } catch { /* gone already */ }
    }
  }

  sample(): void {
    const stats = new Map<number, ProcStat>();
    const children = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      const stat = readStat(pid);
      if (stat === undefined) continue;
      stats.set(pid, stat);
      const siblings = children.get(stat.ppid);
      if (siblings) siblings.push(pid);
      else children.set(stat.ppid, [pid]);
    }
    // Members from earlier samples that are still the same process, then everything below them.
    const queue: number[] = [this.root];
    for (const [pid, startTime] of this.members) {
      if (stats.get(pid)?.startTime === startTime) queue.push(pid);
      else this.members.delete(pid);
    }
    const tree = new Map<number, number>();
    let total = 0;
    while (queue.length > 0) {
      const pid = queue.pop()!;
      const stat = stats.get(pid);
      if (tree.has(pid) || stat === undefined) continue;
      this.members.set(pid, stat.startTime);
      const rssBytes = readRss(pid);
      tree.set(pid, rssBytes);
      total += rssBytes;
      queue.push(...(children.get(pid) ?? []));
    }
    this.samples++;
    if (total > this.peakRssBytes) {
      this.peakRssBytes = total;
      // Described now rather than when first seen: a process seen between fork and exec still shows its parent's
      // command line.
      this.peakProcesses = [...tree].map(([pid, rssBytes]) => ({ command: describe(pid), rssBytes }))
        .sort((a, b) => b.rssBytes - a.rssBytes);
    }
  }
}

/**
 * Runs `command` with `args` (no shell) and resolves when it exits, whatever its exit code; rejects only if it cannot
 * be started. On timeout every process of its tree is killed.
 */
export function runMeasured(command: string, args: readonly string[], options: RunMeasuredOptions): Promise<MeasuredRun> {
  const intervalMs = options.intervalMs ?? 20;
  const timeoutMs = options.timeoutMs ?? 300_000;
  return new Promise<MeasuredRun>((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: string): void => {
      output += chunk;
      if (output.length > 2 * OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.on('error', reject);
    const root = child.pid;
    if (root === undefined) return;
    const sampler = new TreeSampler(root);
    sampler.sample();
    const timer = setInterval(() => sampler.sample(), intervalMs);
    const killer = setTimeout(() => { sampler.sample(); sampler.kill('SIGKILL'); }, timeoutMs);
    child.on('exit', (exitCode, signal) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      clearInterval(timer);
      clearTimeout(killer);
      const done = (): void => resolve({
        wallMs,
        peakRssBytes: sampler.peakRssBytes,
        peakProcesses: sampler.peakProcesses,
        samples: sampler.samples,
        exitCode,
        signal,
        output: output.slice(-OUTPUT_LIMIT),
      });
      // The rest of the output is in the pipes; a descendant that outlives the command (the CDK CLI's telemetry
      // sender) may hold them open, so wait for them a short while only.
      const grace = setTimeout(() => { child.stdout.destroy(); child.stderr.destroy(); done(); }, 1000);
      child.on('close', () => { clearTimeout(grace); done(); });
    });
  });
}
