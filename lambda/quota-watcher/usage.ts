/**
 * One API key's usage over a quota period, read from API Gateway's GetUsage
 * (`GET /usageplans/{usageplanId}/usage?keyId=&startDate=&endDate=&position=`).
 *
 * GetUsage answers, per key of the plan, one daily entry `[used quota, remaining quota]` for each day of the range,
 * paged with `position`. The REST reference names the map `values` and says its keys are API key ids; the SDK maps
 * it to `items` and its model calls the keys "API key values". The watcher asks for one key at a time (`keyId`) and
 * never logs or returns the map's keys, so it is right, and leaks nothing, whichever they are.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
 */
import { UsageResponseError } from './errors';

/** A GetUsage request for one key over one period. */
export interface UsageRequest {
  readonly usagePlanId: string;
  readonly keyId: string;
  /** `YYYY-MM-DD`. */
  readonly startDate: string;
  /** `YYYY-MM-DD`, included. */
  readonly endDate: string;
  /** The `position` of the previous page. */
  readonly position?: string;
}

/** One page of a GetUsage answer, as the SDK returns it. */
export interface UsagePage {
  readonly items?: Record<string, number[][]>;
  readonly position?: string;
}

/** Calls GetUsage for one page. */
export type GetUsagePage = (request: UsageRequest) => Promise<UsagePage>;

/** One day of a key's usage. */
export interface DailyUsage {
  readonly used: number;
  readonly remaining: number;
}

/** Most pages the watcher reads for one key: a month of one key's days fits in one. */
export const MAX_USAGE_PAGES = 100;

/** Reads every page of one key's usage over the request's days, in the order GetUsage returns them. */
export async function fetchKeyUsage(getPage: GetUsagePage, request: Omit<UsageRequest, 'position'>): Promise<DailyUsage[]> {
  const days: DailyUsage[] = [];
  const seen = new Set<string>();
  let position: string | undefined;
  for (let page = 0; page < MAX_USAGE_PAGES; page++) {
    const answer = await getPage(position === undefined ? request : { ...request, position });
    days.push(...keyDays(answer.items, request.keyId));
    if (!answer.position) return days;
    if (seen.has(answer.position)) throw new UsageResponseError('GetUsage returned a position it had already returned');
    seen.add(answer.position);
    position = answer.position;
  }
  throw new UsageResponseError(`GetUsage returned more than ${MAX_USAGE_PAGES} pages for one key`);
}

/**
 * The daily entries of the requested key in one page: the entry named by its id; or, when the page holds exactly one
 * key under another name (the SDK model's "API key values"), that one, since the request named a single key; none when
 * the page has no key (no usage in the range).
 */
export function keyDays(items: Record<string, number[][]> | undefined, keyId: string): DailyUsage[] {
  if (items === undefined || items === null) return [];
  if (typeof items !== 'object' || Array.isArray(items)) throw new UsageResponseError('GetUsage returned usage that is not a map of keys');
  const keys = Object.keys(items);
  let entries: unknown;
  if (Object.hasOwn(items, keyId)) {
    entries = items[keyId];
  } else if (keys.length === 1) {
    entries = items[keys[0]];
  } else if (keys.length === 0) {
    return [];
  } else {
    throw new UsageResponseError(`GetUsage for one key returned the usage of ${keys.length} keys, none under the requested key id`);
  }
  if (!Array.isArray(entries)) throw new UsageResponseError('GetUsage returned a key usage that is not a list of days');
  return entries.map((entry, index) => dailyUsage(entry, index));
}

function dailyUsage(entry: unknown, index: number): DailyUsage {
  if (!Array.isArray(entry) || entry.length < 2) {
    throw new UsageResponseError(`GetUsage day ${index} is not a [used, remaining] pair`);
  }
  const [used, remaining] = entry as unknown[];
  if (typeof used !== 'number' || !Number.isFinite(used) || used < 0) {
    throw new UsageResponseError(`GetUsage day ${index} has a used count that is not a non-negative number`);
  }
  if (typeof remaining !== 'number' || !Number.isFinite(remaining)) {
    throw new UsageResponseError(`GetUsage day ${index} has a remaining count that is not a number`);
  }
  return { used, remaining };
}

/** What a key used of its quota over a period. */
export interface QuotaUse {
  /** Requests over the period's days. */
  readonly used: number;
  /** `used` as a percentage of the limit. */
  readonly usedPercent: number;
  /** The remaining quota API Gateway reported on the last day, when it reported any day. */
  readonly remaining?: number;
}

/** Sums a key's daily usage over its period against the plan's limit. */
export function quotaUse(days: readonly DailyUsage[], limit: number): QuotaUse {
  if (!Number.isFinite(limit) || limit <= 0) throw new RangeError(`a quota limit must be a positive number (got ${limit})`);
  const used = days.reduce((sum, day) => sum + day.used, 0);
  const last = days[days.length - 1];
  return { used, usedPercent: (used * 100) / limit, ...(last ? { remaining: last.remaining } : {}) };
}
