/**
 * Signature and standard-claim verification with aws-jwt-verify: one verifier for every issuer, generic OIDC/OAuth
 * and Amazon Cognito user pools (with aws-jwt-verify's Cognito checks), over one JWKS cache. The cache keeps aws-jwt-verify's
 * penalty box, which throttles JWKS re-fetches triggered by unknown `kid`s, and expires key sets after
 * `jwksMaxAgeSeconds` so that keys the issuer removed stop being accepted (max-age-jwks-cache.ts).
 */
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwkInvalidKtyError,
  JwkInvalidUseError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwkValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';
import type { Jwk, JwksCache } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { JwtVerifierBase, JwtVerifierProperties, VerifyProperties } from 'aws-jwt-verify/jwt-verifier';
import { AuthorizerConfig, TENANT_ID, TENANT_PLACEHOLDER } from '../../lib/common/authorizer-config';
import { claimValue } from '../../lib/common/access-rules';
import { cognitoIssuers } from './config';
import { AuthorizerUnavailableError, UnauthorizedError, UnauthorizedReason } from './errors';
import { assertKeyFitsAlgorithm, KeyAlgorithmMismatchError } from './key-fit';
import { MaxAgeJwksCache } from './max-age-jwks-cache';
import type { InspectedToken } from './token-guard';

/** Options of {@link createJwtVerification}. */
export interface JwtVerificationOptions {
  /**
   * Fetches JWKS documents.
   * @default - aws-jwt-verify's SimpleFetcher with a socket and response timeout of `jwksTimeoutMs`
   */
  readonly fetcher?: Fetcher;
}

/** Verifies tokens of the configured issuers. */
export interface JwtVerification {
  /** Whether a token may carry this `iss`: a configured issuer, or a tenant's issuer of an any-tenant template. */
  readonly trustedIssuers: { has(iss: string): boolean };
  /**
   * Verifies the signature (with the issuer's JWKS, fetched on demand), `exp`, `nbf`, `iss`, the audience (or, for
   * Cognito, `client_id`/`aud` and `token_use`) and that the key fits the algorithm.
   * @returns the verified payload.
   * @throws UnauthorizedError when the token is not valid; AuthorizerUnavailableError when the JWKS cannot be read.
   */
  verify(token: InspectedToken): Promise<JwtPayload>;
  /** Fetches the JWKS of every issuer into the cache; never rejects, reports each fetch's outcome. */
  prefetch(): Promise<Array<{ jwksUri: string; ok: boolean; error?: unknown }>>;
}

function keyCheck({ header, jwk }: { header: JwtHeader; jwk: Jwk }): void {
  assertKeyFitsAlgorithm(String(header.alg), jwk);
}

const UNAUTHORIZED: Array<[new (...args: never[]) => Error, UnauthorizedReason]> = [
  [KeyAlgorithmMismatchError, 'invalid_jwk'],
  [JwtExpiredError, 'token_expired'],
  [JwtNotBeforeError, 'token_not_yet_valid'],
  [JwtInvalidIssuerError, 'invalid_issuer'],
  [JwtInvalidAudienceError, 'invalid_audience'],
  [CognitoJwtInvalidClientIdError, 'invalid_audience'],
  [CognitoJwtInvalidTokenUseError, 'invalid_token_use'],
  [JwtInvalidSignatureError, 'invalid_signature'],
  [JwtInvalidSignatureAlgorithmError, 'alg_not_allowed'],
  [KidNotFoundInJwksError, 'unknown_kid'],
  // The penalty box refuses to re-fetch the JWKS right after a fetch that did not contain the kid.
  [WaitPeriodNotYetEndedJwkError, 'unknown_kid'],
  [JwtWithoutValidKidError, 'missing_kid'],
  [JwkInvalidUseError, 'invalid_jwk'],
  [JwkInvalidKtyError, 'invalid_jwk'],
  [JwkValidationError, 'invalid_jwk'],
  [JwtParseError, 'malformed_token'],
];

/** Maps an aws-jwt-verify error to a 401 reason, or to a 500 when the JWKS could not be read. */
export function classifyVerificationError(err: unknown): UnauthorizedError | AuthorizerUnavailableError {
  if (err instanceof UnauthorizedError || err instanceof AuthorizerUnavailableError) return err;
  for (const [type, reason] of UNAUTHORIZED) {
    if (err instanceof type) return new UnauthorizedError(reason, err.message);
  }
  const name = err instanceof Error ? err.name : typeof err;
  if (err instanceof FetchError || err instanceof JwksValidationError || err instanceof JwksNotAvailableInCacheError) {
    return new AuthorizerUnavailableError('jwks_unavailable', `JWKS unavailable: ${(err as Error).message}`, { cause: err });
  }
  return new AuthorizerUnavailableError('internal_error', `verification failed unexpectedly (${name})`, { cause: err });
}

/** Maximum age of a cached key set when the configuration names none (the construct always does). */
const DEFAULT_JWKS_MAX_AGE_SECONDS = 600;

/** aws-jwt-verify's verification properties of one issuer (a mapped type, as JwtVerifierBase needs a record). */
type IssuerProperties = Pick<VerifyProperties, keyof VerifyProperties> & { issuer: string };

/** A multi-tenant issuer that accepts every tenant: `iss` = prefix + tenant + suffix, the tenant also in `claim`. */
interface TenantTemplate {
  readonly prefix: string;
  readonly suffix: string;
  readonly claim: string;
  readonly jwksUri: string;
  readonly audience: string[] | null;
}

/** What one issuer's tokens are verified with. */
interface IssuerVerification {
  readonly jwksUri: string;
  readonly properties: IssuerProperties;
  /** Set for a Cognito user pool: checked after the signature, as CognitoJwtVerifier does. */
  readonly cognito?: { readonly tokenUse: 'access' | 'id'; readonly clientId: string[] | null };
}

/**
 * aws-jwt-verify's verifier, given the token this authorizer has already decoded and checked (token-guard.ts), so
 * that the token is decoded once and a `scope` claim that is a JSON array is not refused by aws-jwt-verify's own
 * decoder. Signature, key selection (JWKS cache, penalty box, key object cache) and claim validation stay
 * aws-jwt-verify's.
 */
class DecomposedJwtVerifier extends JwtVerifierBase<IssuerProperties, JwtVerifierProperties<IssuerProperties>, true> {
  constructor(issuers: Array<JwtVerifierProperties<IssuerProperties>>, jwksCache: JwksCache) {
    super(issuers, jwksCache);
  }

  verifyDecomposed(jwt: DecomposedJwt, issuer: IssuerVerification): Promise<JwtPayload> {
    return this.verifyDecomposedJwt(jwt, issuer.jwksUri, issuer.properties);
  }
}

/** Creates the verifiers of the configured issuers. Nothing is fetched until {@link JwtVerification.prefetch}. */
export function createJwtVerification(
  config: Pick<AuthorizerConfig, 'issuers' | 'clockSkewSeconds' | 'jwksTimeoutMs' | 'jwksMaxAgeSeconds'>,
  options: JwtVerificationOptions = {},
): JwtVerification {
  const fetcher = options.fetcher ?? new SimpleFetcher({
    defaultRequestOptions: { timeout: config.jwksTimeoutMs, responseTimeout: config.jwksTimeoutMs },
  });
  const jwksCache = new MaxAgeJwksCache({ fetcher, maxAgeMs: (config.jwksMaxAgeSeconds ?? DEFAULT_JWKS_MAX_AGE_SECONDS) * 1000 });
  const byIssuer = new Map<string, IssuerVerification>();
  const templates: TenantTemplate[] = [];
  const common = { graceSeconds: config.clockSkewSeconds, customJwtCheck: keyCheck };
  for (const issuer of config.issuers) {
    if (issuer.anyTenant !== undefined) {
      const [prefix, suffix] = issuer.issuer.split(TENANT_PLACEHOLDER);
      templates.push({ prefix, suffix, claim: issuer.anyTenant.claim, jwksUri: issuer.jwksUri, audience: issuer.audience });
      continue;
    }
    if (issuer.cognito === undefined) {
      byIssuer.set(issuer.issuer, {
        jwksUri: issuer.jwksUri, properties: { ...common, issuer: issuer.issuer, audience: issuer.audience },
      });
      continue;
    }
    // A user pool signs with its regional or its global issuer form, both of which CognitoJwtVerifier accepts, and
    // publishes one JWKS; the audience is `client_id` (access) or `aud` (id), checked by validateCognitoJwtFields.
    const cognito = { tokenUse: issuer.cognito.tokenUse, clientId: issuer.audience };
    for (const iss of cognitoIssuers(issuer.cognito.userPoolId)) {
      byIssuer.set(iss, { jwksUri: issuer.jwksUri, properties: { ...common, issuer: iss, audience: null }, cognito });
    }
  }
  // The verifier takes the issuer's properties with each token; the list only seeds aws-jwt-verify's own map.
  const seed = [...byIssuer.values()].map(({ jwksUri, properties }) => ({ ...properties, jwksUri }));
  for (const t of templates) seed.push({ ...common, issuer: `${t.prefix}${TENANT_PLACEHOLDER}${t.suffix}`, audience: t.audience, jwksUri: t.jwksUri });
  const verifier = new DecomposedJwtVerifier(seed, jwksCache);
  const jwksUris = [...new Set(config.issuers.map((issuer) => issuer.jwksUri))];

  /** The any-tenant template an `iss` fits, with the tenant it names. */
  function tenantIssuer(iss: string): { template: TenantTemplate; tenant: string } | undefined {
    for (const template of templates) {
      if (iss.length <= template.prefix.length + template.suffix.length) continue;
      if (!iss.startsWith(template.prefix) || !iss.endsWith(template.suffix)) continue;
      const tenant = iss.slice(template.prefix.length, iss.length - template.suffix.length);
      if (TENANT_ID.test(tenant)) return { template, tenant };
    }
    return undefined;
  }

  return {
    trustedIssuers: { has: (iss: string) => byIssuer.has(iss) || tenantIssuer(iss) !== undefined },
    async verify(token: InspectedToken): Promise<JwtPayload> {
      let issuer = byIssuer.get(token.iss);
      if (issuer === undefined) {
        const match = tenantIssuer(token.iss);
        if (match === undefined) throw new UnauthorizedError('unknown_issuer');
        // The tenant the issuer names must be the tenant the token names: Entra ID's rule for multi-tenant apps.
        if (claimValue(token.payload, match.template.claim) !== match.tenant) throw new UnauthorizedError('invalid_issuer');
        issuer = {
          jwksUri: match.template.jwksUri,
          properties: { ...common, issuer: token.iss, audience: match.template.audience },
        };
      }
      const [headerB64, payloadB64, signatureB64] = token.segments;
      const decomposed: DecomposedJwt = {
        header: token.header as JwtHeader, headerB64, payload: token.payload as JwtPayload, payloadB64, signatureB64,
      };
      try {
        const payload = await verifier.verifyDecomposed(decomposed, issuer);
        if (issuer.cognito !== undefined) validateCognitoJwtFields(payload, { ...issuer.cognito, groups: null });
        return payload;
      } catch (err) {
        throw classifyVerificationError(err);
      }
    },
    prefetch() {
      return Promise.all(jwksUris.map((jwksUri) => jwksCache.getJwks(jwksUri).then(
        () => ({ jwksUri, ok: true }),
        (error: unknown) => ({ jwksUri, ok: false, error }),
      )));
    },
  };
}
