/**
 * The load generator of the end-to-end benchmark, in its own process (so it does not share an event loop with the
 * local API it measures). Told over IPC to send a fixed number of requests at a fixed concurrency, either
 * `GET <url>` with `fetch` (Node's undici: keep-alive connections) or a DynamoDB `GetItem` with the AWS SDK (also
 * keep-alive), and answers with each request's latency and the status counts.
 */
import { GetItemCommand, GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { createTestClient } from '../test/support/dynalite';

/** A job for the load client. */
export type LoadJob =
  | { readonly kind: 'http'; readonly url: string; readonly headers: Record<string, string>; readonly concurrency: number; readonly count: number }
  | { readonly kind: 'dynamo'; readonly endpoint: string; readonly input: GetItemCommandInput; readonly concurrency: number; readonly count: number };

/** What a job measured. */
export interface LoadResult {
  /** Latency of each request (request sent → response fully read), ms. */
  readonly latenciesMs: number[];
  /** Wall time of the whole job, ms. */
  readonly elapsedMs: number;
  /** Count per HTTP status (`200`, `429`, …); for DynamoDB `200` (item found), `404` (no item) or the error name. */
  readonly statuses: Record<string, number>;
}

type Request = () => Promise<string>;

const clients = new Map<string, ReturnType<typeof createTestClient>>();

function requestOf(job: LoadJob): Request {
  if (job.kind === 'http') {
    return async () => {
      const response = await fetch(job.url, { headers: job.headers });
      await response.arrayBuffer();
      return String(response.status);
    };
  }
  let client = clients.get(job.endpoint);
  if (client === undefined) {
    client = createTestClient(job.endpoint);
    clients.set(job.endpoint, client);
  }
  const command = new GetItemCommand(job.input);
  const dynamo = client;
  return async () => {
    try {
      const output = await dynamo.send(command);
      return output.Item === undefined ? '404' : '200';
    } catch (err) {
      return (err as Error).name || 'Error';
    }
  };
}

/** Runs a job: `concurrency` workers share `count` requests. */
export async function runJob(job: LoadJob): Promise<LoadResult> {
  const send = requestOf(job);
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let remaining = job.count;
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining--;
      const start = process.hrtime.bigint();
      let status: string;
      try {
        status = await send();
      } catch (err) {
        status = (err as Error).name || 'Error';
      }
      latenciesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.max(1, job.concurrency) }, worker));
  return { latenciesMs, elapsedMs: Number(process.hrtime.bigint() - start) / 1e6, statuses };
}

if (require.main === module) {
  process.on('message', (message: { id: number; job: LoadJob }) => {
    runJob(message.job).then(
      (result) => process.send!({ id: message.id, result }),
      (err: Error) => process.send!({ id: message.id, error: err.stack ?? err.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
