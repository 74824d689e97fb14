/**
 * API Gateway's authorizer result cache: the policy and context a Lambda authorizer returned, kept per identity
 * source value (the token) for the authorizer's TTL. A cached policy is evaluated again for every request, against
 * that request's method ARN, exactly as API Gateway does, which is why policies must not depend on the route.
 * Errors and `Unauthorized` answers are not cached.
 */

/** Most entries kept; the oldest is dropped first beyond it. */
const MAX_ENTRIES = 10_000;

/** A cache with a time-to-live per entry and an injectable clock. */
export class AuthorizerCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  /** Lookups answered from the cache. */
  public hits = 0;
  /** Lookups that found nothing (or an expired entry). */
  public misses = 0;

  constructor(private readonly ttlSeconds: number, private readonly now: () => number = Date.now) {}

  /** The cached value, or undefined (always undefined with a TTL of 0). */
  public get(key: string): V | undefined {
    if (this.ttlSeconds <= 0) return undefined;
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expires > this.now()) {
      this.hits++;
      return entry.value;
    }
    if (entry !== undefined) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  /** Caches a value for the TTL (nothing with a TTL of 0). */
  public set(key: string, value: V): void {
    if (this.ttlSeconds <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlSeconds * 1000 });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }
}
