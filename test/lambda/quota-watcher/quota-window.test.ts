/**
 * The current period of a quota, in UTC days as GetUsage takes them.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html
 */
import * as fc from 'fast-check';
import { currentQuotaWindow } from '../../../lambda/quota-watcher/quota-window';

const at = (iso: string) => new Date(iso);

describe('DAY', () => {
  test('is today in UTC, whatever the local offset of the instant', () => {
    expect(currentQuotaWindow('DAY', 0, at('2024-02-29T23:59:59Z'))).toEqual({ startDate: '2024-02-29', endDate: '2024-02-29' });
    expect(currentQuotaWindow('DAY', 0, at('2024-03-01T00:00:00Z'))).toEqual({ startDate: '2024-03-01', endDate: '2024-03-01' });
    // 00:30 in UTC+2 is still the 29th in UTC.
    expect(currentQuotaWindow('DAY', 0, at('2024-03-01T00:30:00+02:00'))).toEqual({ startDate: '2024-02-29', endDate: '2024-02-29' });
  });

  test('takes no offset', () => {
    expect(() => currentQuotaWindow('DAY', 1, at('2024-03-01T12:00:00Z'))).toThrow(/DAY quota's offset must be an integer from 0 to 0 \(got 1\)/);
  });
});

describe('WEEK', () => {
  test('starts on Sunday with offset 0, across the end of a leap February', () => {
    // 2024-03-02 is a Saturday; the Sunday before is 2024-02-25.
    expect(currentQuotaWindow('WEEK', 0, at('2024-03-02T10:00:00Z'))).toEqual({ startDate: '2024-02-25', endDate: '2024-03-02' });
    expect(currentQuotaWindow('WEEK', 0, at('2024-03-03T00:00:00Z'))).toEqual({ startDate: '2024-03-03', endDate: '2024-03-03' });
  });

  test('across the end of a common-year February', () => {
    // 2023-03-01 is a Wednesday.
    expect(currentQuotaWindow('WEEK', 0, at('2023-03-01T08:00:00Z'))).toEqual({ startDate: '2023-02-26', endDate: '2023-03-01' });
  });

  test('starts on the weekday the offset names', () => {
    // Offset 1 is Monday: on Sunday 2024-03-03 the week began on Monday 2024-02-26.
    expect(currentQuotaWindow('WEEK', 1, at('2024-03-03T23:00:00Z'))).toEqual({ startDate: '2024-02-26', endDate: '2024-03-03' });
    expect(currentQuotaWindow('WEEK', 1, at('2024-02-26T00:00:00Z'))).toEqual({ startDate: '2024-02-26', endDate: '2024-02-26' });
    // Offset 6 is Saturday: on Friday 2025-01-03 the week began on Saturday 2024-12-28.
    expect(currentQuotaWindow('WEEK', 6, at('2025-01-03T12:00:00Z'))).toEqual({ startDate: '2024-12-28', endDate: '2025-01-03' });
  });

  test('rejects offsets that are not a weekday', () => {
    expect(() => currentQuotaWindow('WEEK', 7, at('2024-03-03T00:00:00Z'))).toThrow(/from 0 to 6 \(got 7\)/);
    expect(() => currentQuotaWindow('WEEK', 1.5, at('2024-03-03T00:00:00Z'))).toThrow(/got 1.5/);
    expect(() => currentQuotaWindow('WEEK', -1, at('2024-03-03T00:00:00Z'))).toThrow(/got -1/);
  });
});

describe('MONTH', () => {
  test('starts on the 1st with offset 0', () => {
    expect(currentQuotaWindow('MONTH', 0, at('2024-02-29T23:59:59Z'))).toEqual({ startDate: '2024-02-01', endDate: '2024-02-29' });
    expect(currentQuotaWindow('MONTH', 0, at('2024-03-01T00:00:00Z'))).toEqual({ startDate: '2024-03-01', endDate: '2024-03-01' });
    expect(currentQuotaWindow('MONTH', 0, at('2023-12-31T12:00:00Z'))).toEqual({ startDate: '2023-12-01', endDate: '2023-12-31' });
  });

  test('with an offset, starts in the month before until the start day comes, across month and year ends', () => {
    // Offset 4: the period starts on the 5th.
    expect(currentQuotaWindow('MONTH', 4, at('2024-03-03T12:00:00Z'))).toEqual({ startDate: '2024-02-05', endDate: '2024-03-03' });
    expect(currentQuotaWindow('MONTH', 4, at('2024-03-05T00:00:00Z'))).toEqual({ startDate: '2024-03-05', endDate: '2024-03-05' });
    expect(currentQuotaWindow('MONTH', 4, at('2025-01-02T12:00:00Z'))).toEqual({ startDate: '2024-12-05', endDate: '2025-01-02' });
  });

  test('the largest offset starts on the 28th, which every February has', () => {
    expect(currentQuotaWindow('MONTH', 27, at('2024-02-29T12:00:00Z'))).toEqual({ startDate: '2024-02-28', endDate: '2024-02-29' });
    expect(currentQuotaWindow('MONTH', 27, at('2024-03-27T12:00:00Z'))).toEqual({ startDate: '2024-02-28', endDate: '2024-03-27' });
    expect(currentQuotaWindow('MONTH', 27, at('2023-03-27T12:00:00Z'))).toEqual({ startDate: '2023-02-28', endDate: '2023-03-27' });
    expect(() => currentQuotaWindow('MONTH', 28, at('2024-03-27T12:00:00Z'))).toThrow(/from 0 to 27 \(got 28\)/);
  });
});

describe('for any instant', () => {
  const instant = fc.date({ min: new Date('1999-01-01T00:00:00Z'), max: new Date('2101-01-01T00:00:00Z'), noInvalidDate: true });
  const day = (date: string) => new Date(`${date}T00:00:00Z`);
  const today = (now: Date) => now.toISOString().slice(0, 10);

  test('a WEEK window ends today and starts on the latest offset weekday at most 6 days back', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 0, max: 6 }), (now, offset) => {
      const w = currentQuotaWindow('WEEK', offset, now);
      const back = (day(w.endDate).getTime() - day(w.startDate).getTime()) / 86_400_000;
      return w.endDate === today(now) && day(w.startDate).getUTCDay() === offset && back >= 0 && back <= 6;
    }));
  });

  test('a MONTH window ends today and starts on the latest (offset + 1)th, less than a month back', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 0, max: 27 }), (now, offset) => {
      const w = currentQuotaWindow('MONTH', offset, now);
      const start = day(w.startDate);
      const nextStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate());
      return w.endDate === today(now) && start.getUTCDate() === offset + 1
        && start.getTime() <= day(w.endDate).getTime() && nextStart > day(w.endDate).getTime();
    }));
  });
});
