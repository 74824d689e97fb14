/**
 * Reads and validates the {@link QuotaWatcherConfig} the construct writes into the function's environment. Strict
 * (unknown keys are rejected): a typo must fail the function at init, naming the setting, the rule and the value,
 * rather than silently watch nothing.
 */
import {
  MAX_QUOTA_OFFSET, QUOTA_PERIODS, QuotaPeriod, QuotaWatcherConfig, WATCHED_NAME, WatchedClientConfig, WatchedPlanConfig,
} from '../../lib/common/quota-watcher-config';
import { QuotaWatcherConfigError } from './errors';

const PREFIX = 'QuotaWatcherConfig:';

function fail(setting: string, rule: string, value: unknown): never {
  const shown = JSON.stringify(value);
  throw new QuotaWatcherConfigError(`${PREFIX} '${setting}' ${rule} (got ${shown === undefined ? String(value) : shown})`);
}

function object(setting: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(setting, 'must be an object', value);
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new QuotaWatcherConfigError(`${PREFIX} '${setting}' has unknown keys (got ${unknown.join(', ')})`);
  return value as Record<string, unknown>;
}

function name(setting: string, value: unknown): string {
  if (typeof value !== 'string' || !WATCHED_NAME.test(value)) fail(setting, `must match ${WATCHED_NAME}`, value);
  return value;
}

function id(setting: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(value)) fail(setting, 'must be an API Gateway id (letters and digits)', value);
  return value;
}

function client(setting: string, value: unknown): WatchedClientConfig {
  const o = object(setting, value, ['name', 'keyId']);
  return { name: name(`${setting}.name`, o.name), keyId: id(`${setting}.keyId`, o.keyId) };
}

function plan(setting: string, value: unknown): WatchedPlanConfig {
  const o = object(setting, value, ['name', 'usagePlanId', 'limit', 'period', 'offset', 'clients']);
  if (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1) fail(`${setting}.limit`, 'must be a positive integer', o.limit);
  if (!QUOTA_PERIODS.includes(o.period as QuotaPeriod)) fail(`${setting}.period`, `must be one of ${QUOTA_PERIODS.join(', ')}`, o.period);
  const period = o.period as QuotaPeriod;
  const max = MAX_QUOTA_OFFSET[period];
  if (typeof o.offset !== 'number' || !Number.isInteger(o.offset) || o.offset < 0 || o.offset > max) {
    fail(`${setting}.offset`, `must be an integer from 0 to ${max} for a ${period} quota`, o.offset);
  }
  if (!Array.isArray(o.clients)) fail(`${setting}.clients`, 'must be a list', o.clients);
  const clients = o.clients.map((c, i) => client(`${setting}.clients[${i}]`, c));
  const names = new Set<string>();
  for (const c of clients) {
    if (names.has(c.name)) fail(`${setting}.clients`, 'must name each client once', c.name);
    names.add(c.name);
  }
  return {
    name: name(`${setting}.name`, o.name),
    usagePlanId: id(`${setting}.usagePlanId`, o.usagePlanId),
    limit: o.limit,
    period,
    offset: o.offset as number,
    clients,
  };
}

/** Parses the JSON configuration, or throws a {@link QuotaWatcherConfigError}. */
export function parseQuotaWatcherConfig(json: string | undefined): QuotaWatcherConfig {
  if (json === undefined || json === '') throw new QuotaWatcherConfigError(`${PREFIX} the configuration is missing`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new QuotaWatcherConfigError(`${PREFIX} the configuration is not JSON`);
  }
  const o = object('config', value, ['plans']);
  if (!Array.isArray(o.plans) || o.plans.length === 0) fail('plans', 'must be a non-empty list', o.plans);
  const plans = o.plans.map((p, i) => plan(`plans[${i}]`, p));
  const names = new Set<string>();
  for (const p of plans) {
    if (names.has(p.name)) fail('plans', 'must name each plan once', p.name);
    names.add(p.name);
  }
  return { plans };
}
