/**
 * One local Lambda execution environment: a child process that loads a function's deployment package once (module
 * scope initialised once, as in Lambda), then runs one invocation at a time sent by the parent over IPC.
 *
 * Protocol (parent → child): `{ type: 'invoke', id, event, context, crash? }`.
 * Child → parent: `{ type: 'ready', initMs }` or `{ type: 'init-error', errorType, errorMessage }` once, then per
 * invocation `{ type: 'result', id, payload }` or `{ type: 'error', id, errorType, errorMessage, fatal? }`.
 * An uncaught exception or unhandled rejection is reported as the current invocation's error and ends the process,
 * as the Lambda Node.js runtime does; the parent starts a fresh environment for the next invocation.
 *
 * Started by lambda-host.ts; not meant to be run by hand.
 */
import * as path from 'node:path';

/** The Lambda context fields the parent sends with an invocation. */
interface ContextFields {
  readonly awsRequestId: string;
  readonly deadlineMs: number;
}

type Handler = (event: unknown, context: object) => unknown;

interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: string;
  readonly event: unknown;
  readonly context: ContextFields;
  readonly crash?: boolean;
}

let current: string | undefined;

function send(message: object): void {
  if (process.send) process.send(message);
}

function describe(err: unknown): { errorType: string; errorMessage: string } {
  if (err instanceof Error) return { errorType: err.name || 'Error', errorMessage: err.message };
  return { errorType: 'Error', errorMessage: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err) };
}

function crashed(kind: string, err: unknown): void {
  const { errorType, errorMessage } = describe(err);
  console.error(JSON.stringify({ level: 'ERROR', message: `${kind}: ${errorType}: ${errorMessage}`, requestId: current }));
  if (current !== undefined) send({ type: 'error', id: current, errorType: kind, errorMessage: `${errorType}: ${errorMessage}`, fatal: true });
  process.exit(129);
}

process.on('uncaughtException', (err) => crashed('Runtime.UncaughtException', err));
process.on('unhandledRejection', (reason) => crashed('Runtime.UnhandledPromiseRejection', reason));
// The parent went away (stopped or killed): an environment without a parent has no reason to live.
process.on('disconnect', () => process.exit(0));

function load(): Handler {
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const spec = process.env._HANDLER ?? 'index.handler';
  const dot = spec.lastIndexOf('.');
  const modulePath = path.resolve(taskRoot, spec.slice(0, dot));
  const exportName = spec.slice(dot + 1);
  // CommonJS deployment packages (what the esbuild bundles are); ES module handlers are not supported locally.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as Record<string, unknown>;
  const handler = mod[exportName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  return handler as Handler;
}

function main(): void {
  const started = Date.now();
  let handler: Handler;
  try {
    handler = load();
  } catch (err) {
    const { errorType, errorMessage } = describe(err);
    send({ type: 'init-error', errorType: errorType.startsWith('Runtime.') ? errorType : `Runtime.ImportModuleError`, errorMessage: `${errorType}: ${errorMessage}` });
    setTimeout(() => process.exit(1), 10);
    return;
  }
  send({ type: 'ready', initMs: Date.now() - started });

  process.on('message', (message: InvokeMessage) => {
    if (message?.type !== 'invoke') return;
    current = message.id;
    const fields = message.context;
    const context = {
      ...fields,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: process.env.LOCAL_LAMBDA_FUNCTION_ARN,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, fields.deadlineMs - Date.now()),
    };
    if (message.crash) {
      // Test hook: the invocation dies the way a crashing handler does, from a callback outside any try/catch.
      setImmediate(() => {
        throw new Error('injected crash (local test hook)');
      });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.event, context))
      .then(
        (payload) => send({ type: 'result', id: message.id, payload: payload === undefined ? null : payload }),
        (err: unknown) => send({ type: 'error', id: message.id, ...describe(err) }),
      )
      .finally(() => {
        if (current === message.id) current = undefined;
      });
  });
}

main();
