/**
 * A real HTTPS server that answers API Gateway's GetUsage as the REST API reference documents it, for the real AWS SDK
 * client to talk to (endpoint override): `GET /usageplans/{usageplanId}/usage?startDate=&endDate=&keyId=&limit=&position=`
 * answers `200 {"usagePlanId", "startDate", "endDate", "values": {"<key>": [[used, remaining], ...]}, "position"?}`,
 * one entry per day of the range, both ends included; errors are `{"message"}` with `x-amzn-ErrorType`.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
 * @see https://docs.aws.amazon.com/apigateway/latest/api/CommonErrors.html
 */
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A request the server received. */
export interface UsageRequestSeen {
  readonly usagePlanId: string;
  readonly query: Readonly<Record<string, string>>;
}

/** How the server answers, beyond the usage data. */
export interface UsageServerBehaviour {
  /**
   * The name of a key in `values`: its id, as the REST reference says, by default. The SDK model calls them key values:
   * a test can name them so and check the watcher neither needs nor logs them.
   */
  keyName?: (keyId: string) => string;
  /** Splits each key's days into results of this many days (API Gateway does not document how it pages). */
  daysPerResult?: number;
  /** Answers every page with this position (a broken pager). */
  stuckPosition?: string;
  /** Answers requests for this key id with this error. */
  failKey?: { keyId: string; status: number; type: string; message: string };
}

/** A running GetUsage server. */
export interface UsageServer {
  /** `https://localhost:<port>`. */
  readonly endpoint: string;
  /** Every GetUsage request, in order. */
  readonly requests: UsageRequestSeen[];
  /** Declares a plan, its per-key limit (reported as the remaining quota of days without usage) and its keys. */
  addPlan(usagePlanId: string, limit: number, keyIds: readonly string[]): void;
  /** Sets a key's `[used, remaining]` on given days (`YYYY-MM-DD`). */
  setDays(usagePlanId: string, keyId: string, days: Record<string, [number, number]>): void;
  behave(behaviour: UsageServerBehaviour): void;
  close(): Promise<void>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export async function startUsageServer(): Promise<UsageServer> {
  const plans = new Map<string, { limit: number; keys: Map<string, Map<string, [number, number]>> }>();
  const requests: UsageRequestSeen[] = [];
  let behaviour: UsageServerBehaviour = {};
  const dir = process.env.SECURE_API_TEST_TLS_DIR;
  if (!dir) throw new Error('SECURE_API_TEST_TLS_DIR is not set: run the tests with `node scripts/run-tests.mjs`');

  const error = (res: import('node:http').ServerResponse, status: number, type: string, message: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ message }));
  };

  const server: Server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.crt')) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const match = /^\/usageplans\/([^/]+)\/usage$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      error(res, 404, 'NotFoundException', 'Invalid resource path');
      return;
    }
    const usagePlanId = decodeURIComponent(match[1]);
    const query = Object.fromEntries(url.searchParams);
    requests.push({ usagePlanId, query });
    const { startDate, endDate, keyId } = query;
    if (!DATE.test(startDate ?? '') || !DATE.test(endDate ?? '') || startDate > endDate) {
      error(res, 400, 'BadRequestException', 'Invalid startDate or endDate');
      return;
    }
    const plan = plans.get(usagePlanId);
    if (!plan) {
      error(res, 404, 'NotFoundException', 'Invalid Usage Plan ID specified');
      return;
    }
    if (behaviour.failKey && keyId === behaviour.failKey.keyId) {
      error(res, behaviour.failKey.status, behaviour.failKey.type, behaviour.failKey.message);
      return;
    }
    const limit = query.limit === undefined ? 25 : Number(query.limit);
    const dates: string[] = [];
    for (let t = Date.parse(`${startDate}T00:00:00Z`); t <= Date.parse(`${endDate}T00:00:00Z`); t += DAY_MS) {
      dates.push(new Date(t).toISOString().slice(0, 10));
    }
    const keyIds = [...plan.keys.keys()].sort().filter((id) => keyId === undefined || id === keyId);
    // A result is one key's days, or a slice of them with daysPerResult.
    const results: Array<{ keyId: string; days: Array<[number, number]> }> = [];
    for (const id of keyIds) {
      const days = dates.map((d) => plan.keys.get(id)!.get(d) ?? [0, plan.limit] as [number, number]);
      const size = behaviour.daysPerResult ?? Math.max(days.length, 1);
      for (let i = 0; i < days.length; i += size) results.push({ keyId: id, days: days.slice(i, i + size) });
    }
    const from = query.position === undefined ? 0 : Number(Buffer.from(query.position, 'base64url').toString('utf8').slice('next:'.length));
    const page = results.slice(from, from + limit);
    const values: Record<string, Array<[number, number]>> = {};
    for (const r of page) {
      const name = behaviour.keyName ? behaviour.keyName(r.keyId) : r.keyId;
      (values[name] ??= []).push(...r.days);
    }
    const next = from + limit < results.length ? Buffer.from(`next:${from + limit}`).toString('base64url') : undefined;
    const position = behaviour.stuckPosition ?? next;
    res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ usagePlanId, startDate, endDate, values, ...(position ? { position } : {}) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `https://localhost:${(server.address() as AddressInfo).port}`,
    requests,
    addPlan(usagePlanId, limit, keyIds) {
      plans.set(usagePlanId, { limit, keys: new Map(keyIds.map((id) => [id, new Map()])) });
    },
    setDays(usagePlanId, keyId, days) {
      const key = plans.get(usagePlanId)!.keys.get(keyId)!;
      for (const [date, entry] of Object.entries(days)) key.set(date, entry);
    },
    behave(b) {
      behaviour = b;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
