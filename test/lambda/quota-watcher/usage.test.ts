/**
 * Reading one key's daily `[used, remaining]` entries out of a GetUsage page, and summing them over the period.
 * (Paging with `position` runs against the GetUsage server in handler.test.ts.)
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
 */
import { UsageResponseError } from '../../../lambda/quota-watcher/errors';
import { keyDays, quotaUse } from '../../../lambda/quota-watcher/usage';

describe('keyDays', () => {
  test('reads the entries named by the key id', () => {
    expect(keyDays({ abc123: [[0, 100], [10, 90], [100, 10]] }, 'abc123'))
      .toEqual([{ used: 0, remaining: 100 }, { used: 10, remaining: 90 }, { used: 100, remaining: 10 }]);
  });

  test('picks the requested key out of a page that holds several', () => {
    expect(keyDays({ other1: [[7, 3]], abc123: [[1, 99]] }, 'abc123')).toEqual([{ used: 1, remaining: 99 }]);
  });

  test('takes the only key of a page named otherwise (the SDK model calls the names key values)', () => {
    expect(keyDays({ 'aValueNotAnId0123456789': [[5, 95]] }, 'abc123')).toEqual([{ used: 5, remaining: 95 }]);
  });

  test('a page without usage, or without keys, has no days', () => {
    expect(keyDays(undefined, 'abc123')).toEqual([]);
    expect(keyDays({}, 'abc123')).toEqual([]);
  });

  test('refuses to guess between several keys none of which is the requested one, without naming them', () => {
    let error: unknown;
    try {
      keyDays({ secretValueA: [[1, 1]], secretValueB: [[2, 2]] }, 'abc123');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageResponseError);
    expect((error as Error).message).toBe('GetUsage for one key returned the usage of 2 keys, none under the requested key id');
    expect((error as Error).message).not.toMatch(/secretValue/);
  });

  test('does not read an inherited property as a key', () => {
    // A key id 'toString' is not the map's inherited method: the page's only key is taken.
    expect(keyDays({ only: [[4, 4]] }, 'toString')).toEqual([{ used: 4, remaining: 4 }]);
    expect(() => keyDays({ other1: [[1, 1]], other2: [[2, 2]] }, 'toString')).toThrow(UsageResponseError);
  });

  test.each([
    ['a map that is a list', [[1, 2]], /not a map of keys/],
    ['a key usage that is not a list', { abc123: 'x' }, /not a list of days/],
    ['a day that is not a pair', { abc123: [[1]] }, /day 0 is not a \[used, remaining\] pair/],
    ['a negative used count', { abc123: [[0, 5], [-1, 5]] }, /day 1 has a used count that is not a non-negative number/],
    ['a used count that is not a number', { abc123: [['1', 5]] }, /day 0 has a used count/],
    ['a remaining count that is not a number', { abc123: [[1, null]] }, /day 0 has a remaining count that is not a number/],
  ])('rejects %s', (_what, items, message) => {
    expect(() => keyDays(items as never, 'abc123')).toThrow(message);
  });
});

describe('quotaUse', () => {
  test('sums the used requests of every day against the limit, and keeps the last remaining API Gateway reported', () => {
    expect(quotaUse([{ used: 100, remaining: 900 }, { used: 250, remaining: 650 }, { used: 50, remaining: 600 }], 1000))
      .toEqual({ used: 400, usedPercent: 40, remaining: 600 });
  });

  test('a key over its quota (a target, not a hard limit) is over 100 percent', () => {
    expect(quotaUse([{ used: 120, remaining: 0 }], 100)).toEqual({ used: 120, usedPercent: 120, remaining: 0 });
  });

  test('no days is no use, and no remaining figure', () => {
    expect(quotaUse([], 500)).toEqual({ used: 0, usedPercent: 0 });
  });

  test('needs a positive limit', () => {
    expect(() => quotaUse([], 0)).toThrow(/positive number \(got 0\)/);
  });
});
