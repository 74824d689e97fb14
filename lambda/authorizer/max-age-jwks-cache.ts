/**
 * aws-jwt-verify's JWKS cache with a maximum age: its SimpleJwksCache keeps a fetched key set until a token with an
 * unknown `kid` forces a re-fetch, so a key the issuer removed (revoked) stays trusted on a warm function for hours.
 * This one re-fetches a key set older than `maxAgeMs` before using it again; the fresh set replaces the old one, so a
 * removed key is refused from then on. If that re-fetch fails, the old set is not trusted either (fail closed: the
 * decision is "JWKS unavailable"), and a new attempt is made at most every `retryMs`, not once per request. The
 * unknown-`kid` penalty box of SimpleJwksCache still throttles re-fetches forced by unknown keys.
 */
import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { findJwkInJwks, Jwks, JwkWithKid, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';

/** Options of a {@link MaxAgeJwksCache}. */
export interface MaxAgeJwksCacheOptions {
  /** Fetches JWKS documents. */
  readonly fetcher: Fetcher;
  /** Age after which a cached key set is fetched again before it is used, in milliseconds. */
  readonly maxAgeMs: number;
  /**
   * Least time between two attempts to refresh a key set whose refresh failed, in milliseconds.
   * @default 5000, or maxAgeMs if smaller
   */
  readonly retryMs?: number;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

type DecomposedJwt = { header: JwtHeader; payload: JwtPayload };

/** A JWKS cache whose key sets expire after a maximum age (see the module comment). */
export class MaxAgeJwksCache extends SimpleJwksCache {
  private readonly maxAgeMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  /** When each key set was last fetched (or added). */
  private readonly fetchedAt = new Map<string, number>();
  /** When the last refresh of each key set failed, until one succeeds. */
  private readonly failedAt = new Map<string, number>();

  constructor(options: MaxAgeJwksCacheOptions) {
    super({ fetcher: options.fetcher });
    this.maxAgeMs = options.maxAgeMs;
    this.retryMs = Math.min(options.retryMs ?? 5000, options.maxAgeMs);
    this.now = options.now ?? Date.now;
  }

  public addJwks(jwksUri: string, jwks: Jwks): void {
    super.addJwks(jwksUri, jwks);
    this.fetchedAt.set(jwksUri, this.now());
    this.failedAt.delete(jwksUri);
  }

  /** Fetches the key set (every fetch, including those SimpleJwksCache makes for an unknown kid, comes here). */
  public async getJwks(jwksUri: string): Promise<Jwks> {
    try {
      const jwks = await super.getJwks(jwksUri);
      this.fetchedAt.set(jwksUri, this.now());
      this.failedAt.delete(jwksUri);
      return jwks;
    } catch (err) {
      this.failedAt.set(jwksUri, this.now());
      throw err;
    }
  }

  public async getJwk(jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    if (this.isExpired(jwksUri)) {
      const failed = this.failedAt.get(jwksUri);
      if (failed !== undefined && this.now() - failed < this.retryMs) {
        throw new JwksNotAvailableInCacheError(`JWKS for uri ${jwksUri} expired and its last refresh failed`);
      }
      // Concurrent callers share one fetch (SimpleJwksCache de-duplicates fetches in flight).
      const jwks = await this.getJwks(jwksUri);
      // The set was fetched just now: a kid it lacks is refused without a second fetch (later ones go through the
      // penalty box as any unknown kid does).
      const kid = decomposedJwt.header.kid;
      if (typeof kid === 'string' && findJwkInJwks(jwks, kid) === undefined) {
        throw new KidNotFoundInJwksError(`JWK for kid "${kid}" not found in the refreshed JWKS`);
      }
    }
    return super.getJwk(jwksUri, decomposedJwt);
  }

  public getCachedJwk(jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    if (this.isExpired(jwksUri)) {
      throw new JwksNotAvailableInCacheError(`JWKS for uri ${jwksUri} is older than its maximum age`);
    }
    return super.getCachedJwk(jwksUri, decomposedJwt);
  }

  private isExpired(jwksUri: string): boolean {
    const fetched = this.fetchedAt.get(jwksUri);
    return fetched !== undefined && this.now() - fetched >= this.maxAgeMs;
  }
}
