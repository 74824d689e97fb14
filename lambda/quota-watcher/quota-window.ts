/**
 * The days of a quota's current period, as GetUsage takes them: `YYYY-MM-DD` dates, in UTC, both ends included.
 *
 * API Gateway counts a usage plan's quota per calendar day, week or month in UTC: GetUsage reports one
 * `[used, remaining]` entry per day from `startDate` to `endDate`, and a monthly quota resets on the 1st.
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-usage-plan-manage-usage.html
 * @see https://repost.aws/questions/QUepNwkwNMQNewYbheVERayw/how-can-i-set-expiration-date-for-a-usage-plan-after-1-month-from-the-first-use
 */
import { MAX_QUOTA_OFFSET, QuotaPeriod } from '../../lib/common/quota-watcher-config';

/** The current period of a quota, from its first day up to today. */
export interface QuotaWindow {
  /** First day of the period, `YYYY-MM-DD`. */
  readonly startDate: string;
  /** Today, `YYYY-MM-DD`: the period's later days have no usage yet. */
  readonly endDate: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The current period of a quota at `now`.
 * @param offset the day the period starts (see `MAX_QUOTA_OFFSET`): a weekday for WEEK (0 is Sunday), days after
 *   the 1st for MONTH, 0 for DAY
 */
export function currentQuotaWindow(period: QuotaPeriod, offset: number, now: Date): QuotaWindow {
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_QUOTA_OFFSET[period]) {
    throw new RangeError(`a ${period} quota's offset must be an integer from 0 to ${MAX_QUOTA_OFFSET[period]} (got ${offset})`);
  }
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  const today = Date.UTC(year, month, day);
  let start: number;
  switch (period) {
    case 'DAY':
      start = today;
      break;
    case 'WEEK':
      start = today - ((now.getUTCDay() - offset + 7) % 7) * DAY_MS;
      break;
    case 'MONTH': {
      const startDay = offset + 1;
      // Date.UTC turns month -1 into December of the year before.
      start = day >= startDay ? Date.UTC(year, month, startDay) : Date.UTC(year, month - 1, startDay);
      break;
    }
    default:
      throw new RangeError(`unknown quota period (got ${String(period)})`);
  }
  return { startDate: isoDate(start), endDate: isoDate(today) };
}

function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
