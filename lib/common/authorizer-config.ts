/**
 * The contract between the SecureApi construct and the authorizer Lambda.
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 * The construct serialises an {@link AuthorizerConfig} as JSON into a file of a Lambda layer of the authorizer (an
 * API's routes and issuers do not fit in Lambda's 4 KB of environment variables); the environment variable
 * {@link AUTHORIZER_CONFIG_FILE_ENV} names the file, and the authorizer parses it once at module scope.
 */
import type { RouteEntry } from './route-model';

/** Name of the environment variable that holds the path of the JSON-encoded {@link AuthorizerConfig}. */
export const AUTHORIZER_CONFIG_FILE_ENV = 'SECURE_API_AUTHORIZER_CONFIG_FILE';

/**
 * Name of the environment variable that holds the configuration's deploy-time values (API key ids, a user pool id,
 * the region: CloudFormation references, unknown when the file is written) as a JSON array of strings. The file
 * holds {@link CONFIG_REFERENCE_PREFIX}`<index>` where each goes.
 */
export const AUTHORIZER_CONFIG_REFS_ENV = 'SECURE_API_AUTHORIZER_CONFIG_REFS';

/** Marks a string of the configuration file that stands for entry `<index>` of {@link AUTHORIZER_CONFIG_REFS_ENV}. */
export const CONFIG_REFERENCE_PREFIX = '\u0000secure-api-ref:';

/** Where the configuration file sits inside the configuration layer. */
export const AUTHORIZER_CONFIG_LAYER_PATH = 'secure-api/authorizer-config.json';

/**
 * The configuration file's path in the function: Lambda extracts layers into `/opt`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths
 */
export const AUTHORIZER_CONFIG_FILE = `/opt/${AUTHORIZER_CONFIG_LAYER_PATH}`;

/**
 * Keys of the flat context the authorizer returns to integrations: a Lambda proxy integration reads them as
 * `event.requestContext.authorizer.<key>`, a mapping template as `$context.authorizer.<key>`.
 */
export enum AuthorizerContextKey {
  /** The verified `sub` claim, or '' when the token has none (a client-credentials token, say). */
  SUBJECT = 'sub',
  /**
   * The principal: the value of the first configured principal claim the token carries (`sub` by default), also the
   * policy's `principalId`. Unique only together with {@link ISSUER} and {@link PRINCIPAL_CLAIM}.
   */
  PRINCIPAL = 'principal',
  /** The name of the claim {@link PRINCIPAL} was read from, e.g. `sub` or `client_id`. */
  PRINCIPAL_CLAIM = 'principalClaim',
  /** The OAuth client the token was issued to (`client_id`, `azp`, `appid` or `cid`; a Cognito ID token's `aud`), or ''. */
  CLIENT_ID = 'clientId',
  /** The token's scopes, space-delimited. */
  SCOPES = 'scope',
  /** The tenant claim's value when a tenant claim is configured, or ''. */
  TENANT = 'tenant',
  /** The issuer that signed the token. */
  ISSUER = 'iss',
}

/** One trusted token issuer. */
export interface IssuerConfig {
  /** The exact `iss` claim value, e.g. `https://login.example.com/`. */
  readonly issuer: string;
  /**
   * Accepted `aud` values (for Cognito: app client ids). `null` is the explicit opt-out of the audience check;
   * an empty array is invalid.
   */
  readonly audience: string[] | null;
  /** HTTPS URI of the issuer's JWKS. */
  readonly jwksUri: string;
  /**
   * Set for a multi-tenant issuer that accepts every tenant: `issuer` is then a template with {@link TENANT_PLACEHOLDER}
   * once, and a token's `iss` must be that template with the value of its claim `claim` (a tenant id of letters,
   * digits, `.`, `_`, `-`) in place of the placeholder.
   */
  readonly anyTenant?: { readonly claim: string };
  /** Set when the issuer is an Amazon Cognito user pool: the pool id and the token type to accept. */
  readonly cognito?: {
    readonly userPoolId: string;
    readonly tokenUse: 'access' | 'id';
  };
}

/** Where a multi-tenant issuer's template takes the tenant id. */
export const TENANT_PLACEHOLDER = '{tenant}';

/** A tenant id as a multi-tenant issuer's template takes it: letters, digits, `.`, `_` and `-`. */
export const TENANT_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Maps a token claim to the API key of a named client (API key source `AUTHORIZER`). */
export interface ApiKeyMappingConfig {
  /** The claim whose value names the client, e.g. `client_id`. */
  readonly claim: string;
  /** Claim value → API Gateway API key id. The authorizer reads each key's value once and caches it. */
  readonly keyIds: Record<string, string>;
}

/** Everything the authorizer needs, produced by the construct at synth time. */
export interface AuthorizerConfig {
  /** Trusted issuers; a token must match exactly one. */
  readonly issuers: IssuerConfig[];
  /** The route table: every route of the API, with its access rule. Routes not listed are denied. */
  readonly routes: RouteEntry[];
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
  readonly clockSkewSeconds: number;
  /** Largest accepted token (the compact JWS string), in bytes. */
  readonly maxTokenBytes: number;
  /** Largest accepted `exp - iat`, in seconds (short-lived tokens only); undefined = no lifetime cap. */
  readonly maxTokenLifetimeSeconds?: number;
  /** Timeout of one JWKS fetch, in milliseconds. */
  readonly jwksTimeoutMs: number;
  /**
   * Age after which a cached key set is fetched again before use, in seconds: a key the issuer removed is refused
   * from then on. Absent: 600.
   */
  readonly jwksMaxAgeSeconds?: number;
  /** Claim that carries the tenant id, if the API is multi-tenant. */
  readonly tenantClaim?: string;
  /** Claims that name the caller, tried in order; the first non-empty string is the principal. Absent: `['sub']`. */
  readonly principalClaims?: string[];
  /** Present when the API key source is `AUTHORIZER`. */
  readonly apiKey?: ApiKeyMappingConfig;
}
