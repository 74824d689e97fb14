/** The watcher's configuration, as the construct writes it into the function's environment: strict, or the function fails at init. */
import { parseQuotaWatcherConfig } from '../../../lambda/quota-watcher/config';
import { QuotaWatcherConfigError } from '../../../lambda/quota-watcher/errors';

const plan = (overrides: object = {}) => ({
  name: 'gold', usagePlanId: 'pl4n1d', limit: 1000, period: 'MONTH', offset: 0,
  clients: [{ name: 'acme', keyId: 'k3y1d00001' }], ...overrides,
});
const parse = (value: unknown) => parseQuotaWatcherConfig(JSON.stringify(value));

test('reads plans, their quotas and their clients', () => {
  expect(parse({ plans: [plan(), plan({ name: 'free', period: 'WEEK', offset: 1, clients: [] })] })).toEqual({
    plans: [
      { name: 'gold', usagePlanId: 'pl4n1d', limit: 1000, period: 'MONTH', offset: 0, clients: [{ name: 'acme', keyId: 'k3y1d00001' }] },
      { name: 'free', usagePlanId: 'pl4n1d', limit: 1000, period: 'WEEK', offset: 1, clients: [] },
    ],
  });
});

test.each([
  ['a missing configuration', undefined, /the configuration is missing/],
  ['a configuration that is not JSON', '{plans', /the configuration is not JSON/],
])('rejects %s', (_what, json, message) => {
  expect(() => parseQuotaWatcherConfig(json)).toThrow(message);
});

test.each([
  ['no plans', { plans: [] }, /'plans' must be a non-empty list \(got \[\]\)/],
  ['an unknown top-level key', { plans: [plan()], extra: 1 }, /'config' has unknown keys \(got extra\)/],
  ['an unknown plan key', { plans: [plan({ quota: 1 })] }, /'plans\[0\]' has unknown keys \(got quota\)/],
  ['a plan name that is not a dimension-safe name', { plans: [plan({ name: 'gold plan' })] }, /'plans\[0\].name' must match/],
  ['a plan watched twice', { plans: [plan(), plan()] }, /'plans' must name each plan once \(got "gold"\)/],
  ['a usage plan id that is not an id', { plans: [plan({ usagePlanId: '../x' })] }, /'plans\[0\].usagePlanId' must be an API Gateway id/],
  ['a limit of zero', { plans: [plan({ limit: 0 })] }, /'plans\[0\].limit' must be a positive integer \(got 0\)/],
  ['a fractional limit', { plans: [plan({ limit: 1.5 })] }, /'plans\[0\].limit' must be a positive integer \(got 1.5\)/],
  ['an unknown period', { plans: [plan({ period: 'YEAR' })] }, /'plans\[0\].period' must be one of DAY, WEEK, MONTH \(got "YEAR"\)/],
  ['an offset past the period', { plans: [plan({ period: 'WEEK', offset: 7 })] }, /'plans\[0\].offset' must be an integer from 0 to 6 for a WEEK quota \(got 7\)/],
  ['a missing offset', { plans: [plan({ offset: undefined })] }, /'plans\[0\].offset' must be an integer/],
  ['clients that are not a list', { plans: [plan({ clients: {} })] }, /'plans\[0\].clients' must be a list/],
  ['a client with an unknown key', { plans: [plan({ clients: [{ name: 'acme', keyId: 'k1', value: 'secret' }] })] }, /'plans\[0\].clients\[0\]' has unknown keys \(got value\)/],
  ['a client without a key id', { plans: [plan({ clients: [{ name: 'acme' }] })] }, /'plans\[0\].clients\[0\].keyId' must be an API Gateway id/],
  ['a client watched twice in a plan', { plans: [plan({ clients: [{ name: 'acme', keyId: 'k1' }, { name: 'acme', keyId: 'k2' }] })] }, /'plans\[0\].clients' must name each client once \(got "acme"\)/],
])('rejects %s', (_what, value, message) => {
  expect(() => parse(value)).toThrow(QuotaWatcherConfigError);
  expect(() => parse(value)).toThrow(message);
});
