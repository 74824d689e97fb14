/**
 * API Gateway's rate limits, locally: token buckets (steady rate, burst = bucket size) for usage plans (per API key,
 * with per-method overrides) and for the stage's method settings, and usage plan quotas per key and period. State is
 * in memory: a restart refills every bucket and resets every quota.
 */
import type { LocalUsagePlan, StageMethodThrottle, Throttle } from './api-model';

/** A token bucket: holds at most `burstLimit` tokens and gains `rateLimit` tokens per second. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly throttle: Throttle, now: number) {
    this.tokens = throttle.burstLimit;
    this.last = now;
  }

  /** Takes one token; false when the bucket is empty. */
  public take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.throttle.burstLimit, this.tokens + elapsed * this.throttle.rateLimit);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The start of the quota period that contains `now` (UTC; WEEK offset 0 = Sunday, MONTH offset = day - 1). */
export function quotaPeriodStart(period: 'DAY' | 'WEEK' | 'MONTH', offset: number, now: number): number {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  if (period === 'WEEK') return day - (((d.getUTCDay() - offset) % 7) + 7) % 7 * 86_400_000;
  const thisMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1 + offset);
  return thisMonth <= now ? thisMonth : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1 + offset);
}

/** The verdict of a usage plan on one request. */
export type MeterVerdict = 'ok' | 'throttled' | 'quota-exceeded';

/** Usage plan throttles and quotas, per API key. */
export class UsagePlanMeter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly quotas = new Map<string, { periodStart: number; used: number }>();

  /**
   * @param quotaOverride replaces every plan's quota limit (a test knob; periods are kept).
   */
  constructor(private readonly plans: ReadonlyMap<string, LocalUsagePlan>, private readonly quotaOverride?: number) {}

  /**
   * Meters one request of an API key in a plan on a method (`'/items/POST'`): the method's throttle if the plan
   * sets one, else the plan's; then the quota. Throttled requests do not count against the quota.
   */
  public check(keyId: string, planId: string, methodKey: string, now = Date.now()): MeterVerdict {
    const plan = this.plans.get(planId);
    if (plan === undefined) return 'ok';
    const methodThrottle = plan.methodThrottles[methodKey];
    const throttle = methodThrottle ?? plan.throttle;
    if (throttle !== undefined) {
      const bucketKey = methodThrottle !== undefined ? `${keyId}|${planId}|${methodKey}` : `${keyId}|${planId}`;
      let bucket = this.buckets.get(bucketKey);
      if (bucket === undefined) {
        bucket = new TokenBucket(throttle, now);
        this.buckets.set(bucketKey, bucket);
      }
      if (!bucket.take(now)) return 'throttled';
    }
    if (plan.quota !== undefined) {
      const limit = this.quotaOverride ?? plan.quota.limit;
      const start = quotaPeriodStart(plan.quota.period, plan.quota.offset, now);
      const quotaKey = `${keyId}|${planId}`;
      let usage = this.quotas.get(quotaKey);
      if (usage === undefined || usage.periodStart !== start) {
        usage = { periodStart: start, used: 0 };
        this.quotas.set(quotaKey, usage);
      }
      if (usage.used >= limit) return 'quota-exceeded';
      usage.used++;
    }
    return 'ok';
  }

  /** Requests counted against a key's quota in the current period. */
  public used(keyId: string, planId: string): number {
    return this.quotas.get(`${keyId}|${planId}`)?.used ?? 0;
  }
}

/** `/items/{id}` → `/~1items~1{id}`, the escaping of resource paths in stage method settings. */
function escapeResourcePath(resourcePath: string): string {
  return `/${resourcePath.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The stage's throttles (`MethodSettings`): one bucket per method, from the most specific setting. */
export class StageThrottle {
  private readonly buckets = new Map<string, TokenBucket | null>();

  constructor(private readonly settings: readonly StageMethodThrottle[]) {}

  /** Takes a token for a method; false when throttled. */
  public take(resourcePath: string, httpMethod: string, now = Date.now()): boolean {
    const key = `${resourcePath} ${httpMethod}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const escaped = escapeResourcePath(resourcePath);
      const setting = this.settings.find((s) => s.resourcePath === escaped && s.httpMethod === httpMethod)
        ?? this.settings.find((s) => s.resourcePath === escaped && s.httpMethod === '*')
        ?? this.settings.find((s) => s.resourcePath === '/*' && s.httpMethod === '*');
      bucket = setting === undefined ? null : new TokenBucket(setting.throttle, now);
      this.buckets.set(key, bucket);
    }
    return bucket === null || bucket.take(now);
  }
}
