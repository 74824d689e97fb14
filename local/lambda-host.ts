/**
 * Runs a Lambda function locally the way the Lambda service does: each execution environment is a long-lived child
 * process (lambda-worker.js) that initialises the deployment package once and serves one invocation at a time.
 * Environments are created on demand up to a limit, reused while healthy, and replaced after a crash, an init
 * failure or a timeout (the function's `Timeout`, after which Lambda also discards the environment).
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LocalFunction } from './api-model';

/**
 * Largest synchronous invocation payload (request or response), in bytes.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** The outcome of one invocation. */
export type InvokeOutcome =
  | { readonly ok: true; readonly payload: unknown; readonly durationMs: number }
  | {
    readonly ok: false;
    /**
     * `function`: the handler threw or rejected; `crash`: the environment died; `timeout`: the function's Timeout
     * passed; `init`: the package failed to initialise; `rejected`: Lambda refused the invocation (payload too
     * large).
     */
    readonly kind: 'function' | 'crash' | 'timeout' | 'init' | 'rejected';
    readonly errorType: string;
    readonly errorMessage: string;
    readonly durationMs: number;
  };

/** Counters of a function. */
export interface FunctionStats {
  invocations: number;
  coldStarts: number;
  errors: number;
  crashes: number;
  timeouts: number;
}

/** Options of a {@link FunctionHost}. */
export interface FunctionHostOptions {
  readonly fn: LocalFunction;
  /** The environment variables of the function's processes (complete: nothing is inherited). */
  readonly environment: Record<string, string>;
  /** Most execution environments at once; further invocations wait for a free one. */
  readonly maxEnvironments: number;
  /** Receives each line the function writes to stdout or stderr. */
  readonly onLog?: (line: string) => void;
  /** Time allowed for init (Lambda allows 10 s). @default 10000 */
  readonly initTimeoutMs?: number;
}

/** A message of lambda-worker.ts. */
interface WorkerMessage {
  readonly type: 'ready' | 'init-error' | 'result' | 'error';
  readonly id?: string;
  readonly payload?: unknown;
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** The environment dies after this error. */
  readonly fatal?: boolean;
}

type Pending = { resolve: (outcome: InvokeOutcome) => void; started: number; timer: NodeJS.Timeout };

/** One execution environment. */
class Environment {
  public busy = false;
  public dead = false;
  public readonly ready: Promise<{ ok: true } | { ok: false; errorType: string; errorMessage: string }>;
  private pending?: { id: string } & Pending;

  constructor(public readonly child: ChildProcess, initTimeoutMs: number, onExit: (env: Environment) => void) {
    this.ready = new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve({ ok: false, errorType: 'Runtime.InitTimeout', errorMessage: `init did not finish in ${initTimeoutMs} ms` });
        this.kill();
      }, initTimeoutMs);
      // A failed spawn fails init; a send to an environment that just died is reported on 'exit'. Neither may
      // become an unhandled error of the server.
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve({ ok: false, errorType: 'Runtime.SpawnError', errorMessage: err.message });
      });
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve({ ok: true });
        } else if (message.type === 'init-error') {
          clearTimeout(timer);
          resolve({ ok: false, errorType: message.errorType ?? 'Runtime.ImportModuleError', errorMessage: message.errorMessage ?? '' });
        } else if ((message.type === 'result' || message.type === 'error') && this.pending !== undefined
          && this.pending.id === message.id) {
          const pending = this.pending;
          this.pending = undefined;
          clearTimeout(pending.timer);
          // The process is about to exit: nothing else may be sent to it.
          if (message.fatal) this.dead = true;
          const durationMs = Date.now() - pending.started;
          pending.resolve(message.type === 'result'
            ? { ok: true, payload: message.payload, durationMs }
            : {
              ok: false,
              kind: message.fatal ? 'crash' : 'function',
              errorType: message.errorType ?? 'Error',
              errorMessage: message.errorMessage ?? '',
              durationMs,
            });
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        this.dead = true;
        resolve({ ok: false, errorType: 'Runtime.ExitError', errorMessage: `exited during init (${signal ?? `status ${code}`})` });
        if (this.pending !== undefined) {
          const pending = this.pending;
          this.pending = undefined;
          clearTimeout(pending.timer);
          pending.resolve({
            ok: false,
            kind: 'crash',
            errorType: 'Runtime.ExitError',
            errorMessage: `Runtime exited with error: ${signal ?? `exit status ${code}`}`,
            durationMs: Date.now() - pending.started,
          });
        }
        onExit(this);
      });
    });
  }

  /** Runs one invocation; the environment must be ready and idle. */
  public invoke(event: unknown, requestId: string, timeoutMs: number, crash: boolean): Promise<InvokeOutcome> {
    return new Promise<InvokeOutcome>((resolve) => {
      const started = Date.now();
      const timer = setTimeout(() => {
        if (this.pending?.id !== requestId) return;
        this.pending = undefined;
        resolve({
          ok: false,
          kind: 'timeout',
          errorType: 'Sandbox.Timedout',
          errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
          durationMs: Date.now() - started,
        });
        // Lambda discards an environment whose invocation timed out.
        this.kill();
      }, timeoutMs);
      this.pending = { id: requestId, resolve, started, timer };
      this.child.send({ type: 'invoke', id: requestId, event, context: { awsRequestId: requestId, deadlineMs: started + timeoutMs }, crash });
    });
  }

  public kill(): void {
    this.dead = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** The path of the compiled worker, with a clear error when `npm run build` has not run since it changed. */
export function workerPath(): string {
  const js = path.join(__dirname, 'lambda-worker.js');
  const ts = path.join(__dirname, 'lambda-worker.ts');
  if (!fs.existsSync(js)) throw new Error(`${js} is missing: run 'npm run build' first`);
  if (fs.existsSync(ts) && fs.statSync(ts).mtimeMs > fs.statSync(js).mtimeMs + 1000) {
    throw new Error(`${js} is older than its source: run 'npm run build' first`);
  }
  return js;
}

/** Hosts one function: a pool of execution environments. */
export class FunctionHost {
  /** Counters, for `stats()`. */
  public readonly stats: FunctionStats = { invocations: 0, coldStarts: 0, errors: 0, crashes: 0, timeouts: 0 };
  private readonly environments = new Set<Environment>();
  private readonly waiting: Array<(env: Environment) => void> = [];
  private crashNext = false;
  private stopped = false;
  private readonly worker = workerPath();

  constructor(private readonly options: FunctionHostOptions) {
    if (!fs.existsSync(options.fn.codeDirectory)) {
      throw new Error(`the deployment package of ${options.fn.logicalId} is missing at ${options.fn.codeDirectory}`);
    }
  }

  /** The function. */
  public get fn(): LocalFunction {
    return this.options.fn;
  }

  /** Starts one environment ahead of the first invocation (like provisioned concurrency of 1); reports init errors. */
  public async warm(): Promise<{ ok: true } | { ok: false; errorType: string; errorMessage: string }> {
    const env = this.spawn();
    const ready = await env.ready;
    if (!ready.ok) return ready;
    this.release(env);
    return ready;
  }

  /** Test hook: the next invocation crashes its environment (the process dies mid-invocation). */
  public crashNextInvocation(): void {
    this.crashNext = true;
  }

  /** Invokes the function synchronously (RequestResponse). */
  public async invoke(event: unknown, requestId: string = randomUUID()): Promise<InvokeOutcome> {
    if (this.stopped) throw new Error(`function ${this.fn.name} is stopped`);
    this.stats.invocations++;
    const started = Date.now();
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_PAYLOAD_BYTES) {
      this.stats.errors++;
      return {
        ok: false,
        kind: 'rejected',
        errorType: 'RequestEntityTooLargeException',
        errorMessage: `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        durationMs: 0,
      };
    }
    const env = await this.acquire();
    const ready = await env.ready;
    if (!ready.ok) {
      this.stats.errors++;
      return { ok: false, kind: 'init', errorType: ready.errorType, errorMessage: ready.errorMessage, durationMs: Date.now() - started };
    }
    const crash = this.crashNext;
    this.crashNext = false;
    const outcome = await env.invoke(event, requestId, this.fn.timeoutSeconds * 1000, crash);
    if (!outcome.ok) {
      this.stats.errors++;
      if (outcome.kind === 'crash') this.stats.crashes++;
      if (outcome.kind === 'timeout') this.stats.timeouts++;
    } else if (Buffer.byteLength(JSON.stringify(outcome.payload) ?? '') > MAX_PAYLOAD_BYTES) {
      this.release(env);
      this.stats.errors++;
      return {
        ok: false,
        kind: 'function',
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
        durationMs: outcome.durationMs,
      };
    }
    this.release(env);
    return outcome;
  }

  /** Stops every environment. */
  public async stop(): Promise<void> {
    this.stopped = true;
    const exits = [...this.environments].map((env) => new Promise<void>((resolve) => {
      if (env.child.exitCode !== null || env.child.signalCode !== null) {
        resolve();
        return;
      }
      env.child.once('exit', () => resolve());
      env.kill();
    }));
    await Promise.all(exits);
  }

  private acquire(): Promise<Environment> {
    for (const env of this.environments) {
      if (!env.busy && !env.dead) {
        env.busy = true;
        return Promise.resolve(env);
      }
    }
    if (this.environments.size < this.options.maxEnvironments) {
      const env = this.spawn();
      env.busy = true;
      return Promise.resolve(env);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(env: Environment): void {
    if (env.dead || this.stopped) return;
    const next = this.waiting.shift();
    if (next !== undefined) {
      env.busy = true;
      next(env);
    } else {
      env.busy = false;
    }
  }

  private spawn(): Environment {
    this.stats.coldStarts++;
    const { fn } = this.options;
    const child = fork(this.worker, [], {
      cwd: fn.codeDirectory,
      env: this.options.environment,
      // Lambda's Node.js runtime sizes the heap from the function's memory.
      execArgv: [`--max-old-space-size=${Math.max(64, Math.floor(fn.memoryMb * 0.9))}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim() !== '') this.options.onLog?.(line);
          newline = buffer.indexOf('\n');
        }
      });
    }
    const env = new Environment(child, this.options.initTimeoutMs ?? 10_000, (gone) => {
      this.environments.delete(gone);
      // Someone waits for an environment and this one is gone: start a fresh one for them.
      if (this.waiting.length > 0 && !this.stopped) {
        const replacement = this.spawn();
        replacement.busy = true;
        this.waiting.shift()!(replacement);
      }
    });
    this.environments.add(env);
    return env;
  }
}
