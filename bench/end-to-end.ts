/**
 * End-to-end benchmark: requests per second and p50/p99 latency of an authorized `GET /items/{id}` through the
 * local API (local/server.ts: throttles, API key, authorizer, items function, dynalite), at concurrency 1 and 16,
 * against a direct DynamoDB `GetItem` of the same item in the same dynalite (the same request the items function
 * sends: same key, consistent read).
 *
 * The local API enforces the stage throttle (100 rps, burst 200) and the usage plan's (demo-partner: 200 rps, burst
 * 400), as API Gateway would. Unthrottled capacity is measured in bursts that fit in the token bucket (`burstSize`
 * < 200 requests), each followed by a pause that refills it (`burstSize` / 100 s from the burst's start); the direct
 * GetItem runs inside those pauses, so both share the same minutes of machine noise. Requests per second are counted
 * over the time spent inside bursts; every throttled answer (429) is counted and reported.
 *
 * The load generator is a separate process (bench/load-client.js); both speak to 127.0.0.1 only.
 */
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { itemSortKey } from '../demo/lambda/items/item';
import { ownerKey } from '../demo/lambda/items/owner';
import { progress, ROOT } from './child';
import type { LocalApi, LocalApiOptions } from '../local/server';
import type { LoadJob, LoadResult } from './load-client';
import { median, percentile, round } from './stats';

/** Options of {@link runEndToEndBench}. */
export interface EndToEndBenchOptions {
  /** Requests per burst through the API (must stay below the stage burst, 200). */
  readonly burstSize: number;
  /** Bursts through the API per concurrency level. */
  readonly bursts: Record<'1' | '16', number>;
  /** Direct GetItem requests per concurrency level, spread over the pauses between bursts. */
  readonly dynamoRequests: Record<'1' | '16', number>;
  /** Untimed requests of each kind before measuring. */
  readonly warmupRequests: number;
  /**
   * The module that exports `startLocalApi` (a stand-in, to try the harness).
   * @default - local/server.js
   */
  readonly serverModule?: string;
}

/** Figures of one subject at one concurrency. */
export interface LoadFigures {
  /** Requests per second over the time spent sending. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly statuses: Record<string, number>;
}

/** Figures at one concurrency. */
export interface EndToEndLevelResult {
  readonly concurrency: number;
  readonly api: LoadFigures;
  readonly dynamo: LoadFigures;
  /** api rps / dynamo rps (subject / floor, like every ratio here; below 1: the API serves fewer per second). */
  readonly rpsRatio: number;
  /** api p50 / dynamo p50 and api p99 / dynamo p99. */
  readonly p50Ratio: number;
  readonly p99Ratio: number;
  /** API answers 429 during measured bursts. */
  readonly throttled: number;
}

/** Result of the end-to-end benchmark. */
export interface EndToEndBenchResult {
  readonly options: EndToEndBenchOptions;
  readonly method: string;
  readonly levels: EndToEndLevelResult[];
  /**
   * The local API's counters after the run (warm-up included): invocations and cold starts per function, authorizer
   * cache hits and misses, gateway requests.
   */
  readonly localApi?: {
    readonly functions: Record<string, { role: string; invocations: number; coldStarts: number; errors: number }>;
    readonly authorizerCache: Record<string, { hits: number; misses: number }>;
    readonly requests: number;
  };
}

/** What the benchmark needs of local/server.ts: loaded at run time, so that a stand-in can replace it. */
interface LocalServerModule {
  startLocalApi(options?: LocalApiOptions): Promise<LocalApi>;
}

/** The stage throttle of the local API (SecureApi's default), requests per second. */
const STAGE_RATE = 100;
/** Safety margin on the refill pause. */
const REFILL_MARGIN = 1.15;
const SUBJECT = 'bench-user';

class LoadClient {
  private readonly child: ChildProcess;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    this.child = fork(join(__dirname, 'load-client.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child.on('message', (message: { id: number; result?: LoadResult; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load client exited (${code})`));
      this.pending.clear();
    });
  }

  run(job: LoadJob): Promise<LoadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, job });
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function merge(results: LoadResult[]): { latencies: number[]; elapsedMs: number; statuses: Record<string, number> } {
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [status, n] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return { latencies: results.flatMap((r) => r.latenciesMs), elapsedMs: results.reduce((sum, r) => sum + r.elapsedMs, 0), statuses };
}

function figures(results: LoadResult[]): LoadFigures {
  const { latencies, elapsedMs, statuses } = merge(results);
  const requests = latencies.length;
  return {
    rps: round(requests / (elapsedMs / 1000)),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    requests,
    statuses,
  };
}

function assertOk(what: string, result: LoadResult, allowed: string[]): void {
  const bad = Object.entries(result.statuses).filter(([status]) => !allowed.includes(status));
  if (bad.length > 0) throw new Error(`${what}: unexpected answers ${JSON.stringify(Object.fromEntries(bad))}`);
}

/** Runs the benchmark. */
export async function runEndToEndBench(options: EndToEndBenchOptions): Promise<EndToEndBenchResult> {
  if (options.burstSize >= 200) throw new Error('burstSize must stay below the stage burst (200)');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startLocalApi } = require(options.serverModule ?? join(ROOT, 'local', 'server.js')) as LocalServerModule;
  const api = await startLocalApi({ port: 0, issuerPort: 0, inMemory: true, verbose: false });
  const client = new LoadClient();
  try {
    const apiKey = api.apiKeys['demo-partner'];
    if (apiKey === undefined) throw new Error(`the local API has no 'demo-partner' key (has ${Object.keys(api.apiKeys).join(', ')})`);
    const token = api.mintToken({ sub: SUBJECT, scope: 'items:read items:write', expiresInSeconds: 3600 });
    const headers = { authorization: `Bearer ${token}`, 'x-api-key': apiKey };

    const created = await fetch(`${api.url}/items`, {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench item', tags: ['bench'] }),
    });
    const body = await created.text();
    if (created.status !== 201) throw new Error(`POST /items answered ${created.status}: ${body.slice(0, 500)}`);
    const id = (JSON.parse(body) as { id: string }).id;
    const url = `${api.url}/items/${id}`;
    const input: GetItemCommandInput = {
      TableName: api.tableName,
      Key: { pk: { S: ownerKey({ issuer: api.issuer, tenant: '', principalClaim: 'sub', principal: SUBJECT }) }, sk: { S: itemSortKey(id) } },
      ConsistentRead: true,
    };
    const apiJob = (concurrency: number, count: number): LoadJob => ({ kind: 'http', url, headers, concurrency, count });
    const dynamoJob = (concurrency: number, count: number): LoadJob => ({ kind: 'dynamo', endpoint: api.dynamoEndpoint, input, concurrency, count });

    // Warm-up at the highest concurrency, so that the local API has started the Lambda execution environments it
    // needs (each a process that loads the bundle: a cold start) before anything is timed; it also proves that both
    // paths find the item. Then let the token bucket refill.
    progress('end to end: warm-up');
    const warmStart = Date.now();
    assertOk('warm-up GET /items/{id}', await client.run(apiJob(16, options.warmupRequests)), ['200', '429']);
    assertOk('warm-up GetItem', await client.run(dynamoJob(16, options.warmupRequests * 4)), ['200']);
    await sleep(warmStart + 1000 * options.warmupRequests / STAGE_RATE * REFILL_MARGIN + 500 - Date.now());

    const pauseMs = 1000 * options.burstSize / STAGE_RATE * REFILL_MARGIN;
    const levels: EndToEndLevelResult[] = [];
    for (const concurrency of [1, 16] as const) {
      const bursts = options.bursts[concurrency];
      const perPause = Math.ceil(options.dynamoRequests[concurrency] / bursts);
      const apiResults: LoadResult[] = [];
      const dynamoResults: LoadResult[] = [];
      for (let b = 0; b < bursts; b++) {
        const burstStart = Date.now();
        const a = await client.run(apiJob(concurrency, options.burstSize));
        assertOk(`GET /items/{id} at concurrency ${concurrency}`, a, ['200', '429']);
        apiResults.push(a);
        const d = await client.run(dynamoJob(concurrency, perPause));
        assertOk(`GetItem at concurrency ${concurrency}`, d, ['200']);
        dynamoResults.push(d);
        await sleep(burstStart + pauseMs - Date.now());
        if ((b + 1) % 4 === 0 || b + 1 === bursts) progress(`end to end: concurrency ${concurrency}, burst ${b + 1}/${bursts}`);
      }
      const apiFigures = figures(apiResults);
      const dynamoFigures = figures(dynamoResults);
      levels.push({
        concurrency,
        api: apiFigures,
        dynamo: dynamoFigures,
        rpsRatio: round(apiFigures.rps / dynamoFigures.rps, 2),
        p50Ratio: round(apiFigures.p50Ms / dynamoFigures.p50Ms, 2),
        p99Ratio: round(apiFigures.p99Ms / dynamoFigures.p99Ms, 2),
        throttled: apiFigures.statuses['429'] ?? 0,
      });
      // Burst-to-burst spread, for the record.
      progress(`end to end: concurrency ${concurrency}: API ${apiFigures.rps} rps (median burst ${round(median(apiResults.map((r) => r.latenciesMs.length / (r.elapsedMs / 1000))))}), `
        + `GetItem ${dynamoFigures.rps} rps`);
    }
    const stats = typeof api.stats === 'function' ? api.stats() : undefined;
    return {
      options,
      localApi: stats && {
        functions: Object.fromEntries(Object.entries(stats.functions).map(([id, f]) => [id, {
          role: f.role, invocations: f.invocations, coldStarts: f.coldStarts, errors: f.errors,
        }])),
        authorizerCache: stats.gateway.authorizerCache,
        requests: stats.gateway.requests,
      },
      method: `bursts of ${options.burstSize} GET /items/{id} (fetch, keep-alive, 'demo-partner' key) within the stage token bucket, `
        + `each followed by a refill pause in which the direct GetItem runs; load generator in its own process`,
      levels,
    };
  } finally {
    client.stop();
    await api.stop();
  }
}
