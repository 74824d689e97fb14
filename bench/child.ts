/**
 * What a benchmark running in a child process of `bench/run.js` shares with it: paths, and progress messages over
 * the IPC channel (the child's stdout goes to /dev/null so that Lambda logs cost a write but are not shown).
 */
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..');

/** The bundled Lambda functions, as deployed. */
export const BUNDLES = {
  authorizer: join(ROOT, 'assets', 'authorizer', 'index.js'),
  items: join(ROOT, 'demo', 'assets', 'items', 'index.js'),
} as const;

/** A message from a benchmark child to the runner. */
export type ChildMessage =
  | { readonly type: 'progress'; readonly message: string }
  | { readonly type: 'result'; readonly result: unknown };

/** Tells the runner what the benchmark is doing (stderr when not run by the runner). */
export function progress(message: string): void {
  if (process.send) process.send({ type: 'progress', message } satisfies ChildMessage);
  else process.stderr.write(`${message}\n`);
}

/** A Lambda context good enough for the handlers (they only log its request id and function name). */
export const LAMBDA_CONTEXT = {
  awsRequestId: 'bench-request', functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench',
  memoryLimitInMB: '1024', logGroupName: '/aws/lambda/bench', logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 5000, done: () => undefined, fail: () => undefined, succeed: () => undefined,
};
