import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AuditTrail, TableDataEvents } from './audit-trail';
import { ClaimCondition } from './claim-condition';
import { FirewallRuleOptions } from './edge-firewall';
import { EncryptedTableProps } from './encrypted-table';
import { MonitoringOptions } from './security-monitoring-props';
import { ApiClientOptions, ThrottleOptions, UsagePlanOptions } from './usage-plans';

/** A trusted OpenID Connect / OAuth 2.0 token issuer. */
export interface TokenIssuer {
  /**
   * The exact `iss` claim, an https URL. With `tenants`, a template in which `{tenant}` stands for each tenant id,
   * e.g. `https://login.microsoftonline.com/{tenant}/v2.0`.
   */
  readonly issuer: string;
  /**
   * The tenants of a multi-tenant issuer whose tokens are accepted (1 to 500 ids of letters, digits, `.`, `_`, `-`):
   * `issuer` (and `jwksUri`, where it contains `{tenant}`) is expanded once per tenant, and a token must carry exactly
   * one of these issuers. A tenant that is not listed is refused (401 `unknown_issuer`).
   * @default - `issuer` is one issuer
   */
  readonly tenants?: string[];
  /**
   * Explicitly accept every tenant of a multi-tenant issuer (Microsoft Entra ID's multi-tenant apps): `issuer` is a
   * template with `{tenant}`, and a token is accepted when its `iss` is that template with the tenant id its
   * `tenantIdClaim` carries. Any organisation that can sign in to your app is then trusted: restrict tenants in route
   * claim rules or in your integration (the context's `iss` names the tenant). Needs an explicit `jwksUri` that does
   * not depend on the tenant (Entra ID: `https://login.microsoftonline.com/common/discovery/v2.0/keys`). Cannot be
   * combined with `tenants`.
   * @default false
   */
  readonly allowAnyTenant?: boolean;
  /**
   * The claim that carries the tenant id in tokens of an issuer with `allowAnyTenant`.
   * @default 'tid'
   */
  readonly tenantIdClaim?: string;
  /**
   * Accepted `aud` values. Required unless `allowAnyAudience` is true.
   * @default - none
   */
  readonly audience?: string[];
  /**
   * Explicitly accept tokens of this issuer for any audience (not recommended: a token the issuer minted for
   * another API is then accepted here). Cannot be combined with `audience`.
   * @default false
   */
  readonly allowAnyAudience?: boolean;
  /**
   * HTTPS URL of the issuer's JWKS.
   * @default - `${issuer}/.well-known/jwks.json`
   */
  readonly jwksUri?: string;
}

/** Which Amazon Cognito tokens the authorizer accepts. */
export enum CognitoTokenUse {
  /** Access tokens (`token_use: access`, audience in `client_id`): the tokens an API should accept. */
  ACCESS = 'access',
  /** ID tokens (`token_use: id`, audience in `aud`). */
  ID = 'id',
}

/** An Amazon Cognito user pool as token issuer (a shortcut for its issuer URL, JWKS and token_use check). */
export interface CognitoIssuerOptions {
  /** The user pool. */
  readonly userPool: cognito.IUserPool;
  /** App client ids whose tokens are accepted. */
  readonly clientIds: string[];
  /**
   * Which tokens are accepted.
   * @default CognitoTokenUse.ACCESS
   */
  readonly tokenUse?: CognitoTokenUse;
}

/** Whether a token needs all of a route's scopes or any one of them. */
export enum ScopeMatch {
  /** Every listed scope. */
  ALL = 'all',
  /** At least one listed scope. */
  ANY = 'any',
}

/** One way to be allowed a route: scopes and/or claim conditions, all of which must hold. */
export interface AccessRuleOptions {
  /**
   * Scopes the token needs (from its `scope` or `scp` claim, a space-delimited string or a JSON array).
   * @default - no scope requirement; then `claims` must be declared
   */
  readonly scopes?: string[];
  /**
   * Whether the token needs all of `scopes` or any one of them.
   * @default ScopeMatch.ALL
   */
  readonly scopeMatch?: ScopeMatch;
  /**
   * Conditions on the token's claims; all must hold.
   * @default - no claim condition; then `scopes` must be declared
   */
  readonly claims?: ClaimCondition[];
}

/** Who may call a route: a token's scopes and claims, or nobody needs a token (`publicAccess`). */
export interface RouteAccessOptions extends AccessRuleOptions {
  /**
   * Explicitly public: no token is needed. A public route declares no `scopes`, `claims` or `anyOf`.
   * @default false
   */
  readonly publicAccess?: boolean;
  /**
   * Alternatives: the route is allowed when any one of these rules holds, for example a delegated scope for users
   * (`scopes: ['Orders.Read']`, Entra ID's `scp`) or an app role for daemons
   * (`claims: [ClaimCondition.includes('roles', 'Orders.Read.All')]`). Excludes `scopes`, `scopeMatch` and `claims`
   * on the route itself (1 to 16 rules).
   * @default - the route's own `scopes` and `claims` are its only rule
   */
  readonly anyOf?: AccessRuleOptions[];
}

/** A route of the API: who may call it and what serves it. */
export interface SecureRouteOptions extends RouteAccessOptions {
  /** What serves the route, e.g. `new apigw.LambdaIntegration(fn)`. */
  readonly integration: apigw.Integration;
  /**
   * JSON Schema (draft-04) of the request body; API Gateway rejects non-conforming bodies with 400.
   * @default - no body model (and routes with a body-carrying method must then be declared with `allowAnyBody`)
   */
  readonly requestSchema?: apigw.JsonSchema;
  /**
   * Explicitly accept any body on a POST, PUT or PATCH route without a schema.
   * @default false
   */
  readonly allowAnyBody?: boolean;
  /**
   * Query string parameters the route accepts: name → required.
   * @default - none
   */
  readonly queryParameters?: { [name: string]: boolean };
  /**
   * Headers the route requires or accepts: name → required.
   * @default - none
   */
  readonly headerParameters?: { [name: string]: boolean };
  /**
   * Whether the route needs an API key.
   * @default - true when the API has clients (and, with the AUTHORIZER key source, the route is not public)
   */
  readonly apiKeyRequired?: boolean;
}

/** A custom domain for the API. */
export interface CustomDomainOptions {
  /** The domain name, e.g. `api.example.com`. */
  readonly domainName: string;
  /** An ACM certificate for it, in the stack's region. */
  readonly certificate: acm.ICertificate;
  /**
   * TLS security policy of the domain. TLS_1_0 and edge-only policies (`…_EDGE`, the domain is regional) are
   * rejected; enhanced policies (`SecurityPolicy_…`) get STRICT endpoint access mode.
   * @default apigw.SecurityPolicy.TLS_1_2
   */
  readonly securityPolicy?: apigw.SecurityPolicy;
  /**
   * Hosted zone in which to create the alias record.
   * @default - no DNS record
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * Base path of the mapping; several levels are allowed (`v1/orders`), mapped with an API mapping.
   * @default - the domain root
   */
  readonly basePath?: string;
  /**
   * Keep the default execute-api endpoint reachable next to the custom domain.
   * @default false: callers must use the custom domain
   */
  readonly keepExecuteApiEndpoint?: boolean;
}

/** CORS for browser callers. Off unless set. */
export interface SecureCorsOptions {
  /** Origins allowed, e.g. `['https://app.example.com']`. `*` is rejected. */
  readonly allowOrigins: string[];
  /**
   * Request headers browsers may send.
   * @default ['Authorization', 'Content-Type', 'X-Api-Key']
   */
  readonly allowHeaders?: string[];
  /**
   * Methods browsers may call.
   * @default - every method
   */
  readonly allowMethods?: string[];
  /**
   * How long browsers cache a preflight answer.
   * @default Duration.minutes(10)
   */
  readonly maxAge?: Duration;
}

/** Token checks the authorizer applies beyond the signature. */
export interface TokenPolicyOptions {
  /**
   * Clock skew tolerated on exp, nbf and iat (0 to 300 s).
   * @default Duration.seconds(60)
   */
  readonly clockSkew?: Duration;
  /**
   * Largest accepted token in bytes (1024 to 16384).
   * @default 8192
   */
  readonly maxTokenBytes?: number;
  /**
   * Largest accepted `exp - iat`: tokens issued for longer are rejected (at least 60 s).
   * @default Duration.hours(24)
   */
  readonly maxTokenLifetime?: Duration;
  /**
   * Explicitly accept tokens of any lifetime (no `exp - iat` cap). Cannot be combined with `maxTokenLifetime`.
   * @default false
   */
  readonly allowAnyTokenLifetime?: boolean;
  /**
   * Timeout of one JWKS fetch (100 ms to 10 s).
   * @default Duration.seconds(3)
   */
  readonly jwksTimeout?: Duration;
  /**
   * How long the authorizer trusts a fetched JWKS (1 minute to 24 hours). After that it fetches the key set again
   * before the next decision, so a key the issuer removed (revoked) is refused from then on; if that fetch fails,
   * the old keys are refused too (fail closed) until a fetch succeeds. A token already allowed may still be served
   * from API Gateway's authorizer cache for `authorizerCacheTtl`.
   * @default Duration.minutes(10)
   */
  readonly jwksMaxAge?: Duration;
  /**
   * Claim that carries the tenant id of a multi-tenant API.
   * @default - single-tenant
   */
  readonly tenantClaim?: string;
  /**
   * Claims that name the caller, tried in order: the first one the token carries as a non-empty string is the
   * principal (the policy's `principalId`, and `principal` and `principalClaim` in the authorizer context). A token
   * with none of them is refused (401 `missing_principal`). Client-credentials tokens of some providers have no
   * `sub` (Duende IdentityServer): `['sub', 'client_id']` accepts them, named by their client (1 to 5 names).
   * @default ['sub']
   */
  readonly principalClaims?: string[];
}

/** CloudTrail settings of a SecureApi. */
export interface AuditOptions {
  /**
   * Which DynamoDB data events of the API table to record (billed per event).
   * @default TableDataEvents.ALL
   */
  readonly tableDataEvents?: TableDataEvents;
  /**
   * A trail to record this API's table in, for example one `AuditTrail` shared by the SecureApis of several stacks.
   * @default - the stack's shared trail, created by its first SecureApi
   */
  readonly trail?: AuditTrail;
  /**
   * ARN of an existing (organization) trail that already records this account: no trail is created, and recording
   * the table's data events is up to that trail.
   * @default - a trail of this stack records the account
   */
  readonly existingTrailArn?: string;
}

/** Properties of a `SecureApi`. */
export interface SecureApiProps {
  /**
   * Issuer (`iss`) of accepted tokens. Required unless `cognito` or `additionalIssuers` is set.
   * @default - none
   */
  readonly issuer?: string;
  /**
   * Accepted audiences of `issuer`'s tokens. Required with `issuer` unless `allowAnyAudience` is true.
   * @default - none
   */
  readonly audience?: string[];
  /**
   * Explicitly accept `issuer`'s tokens for any audience (not recommended).
   * @default false
   */
  readonly allowAnyAudience?: boolean;
  /**
   * JWKS URL of `issuer`.
   * @default - `${issuer}/.well-known/jwks.json`
   */
  readonly jwksUri?: string;
  /**
   * More trusted issuers.
   * @default - none
   */
  readonly additionalIssuers?: TokenIssuer[];
  /**
   * A Cognito user pool as issuer.
   * @default - none
   */
  readonly cognito?: CognitoIssuerOptions;
  /**
   * Token checks.
   * @default - see TokenPolicyOptions
   */
  readonly tokenPolicy?: TokenPolicyOptions;
  /**
   * Routes keyed by `'METHOD /path/{param}'`. More can be added with `addRoute`. Undeclared routes answer 404.
   * @default - none
   */
  readonly routes?: { [routeKey: string]: SecureRouteOptions };
  /**
   * Name of the REST API.
   * @default - the construct path
   */
  readonly apiName?: string;
  /**
   * Description of the REST API.
   * @default 'SecureApi REST API'
   */
  readonly description?: string;
  /**
   * Media types API Gateway treats as binary, e.g. `['image/png']`.
   * @default - none
   */
  readonly binaryMediaTypes?: string[];
  /**
   * Compress responses larger than this (0 B to 10 MiB) for callers that accept it.
   * @default - no compression
   */
  readonly minCompressionSize?: Size;
  /**
   * Stage name.
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * Security policy of the API endpoint. Only enhanced policies for regional endpoints (`SecurityPolicy_…`, not
   * `…_EDGE`) are accepted; endpoint access mode is STRICT.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies-list.html
   * @default 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09'
   */
  readonly securityPolicy?: string;
  /**
   * Stage-wide throttle.
   * @default - 100 requests per second, burst 200
   */
  readonly throttle?: ThrottleOptions;
  /**
   * Custom domain.
   * @default - none
   */
  readonly customDomain?: CustomDomainOptions;
  /**
   * CORS.
   * @default - off
   */
  readonly cors?: SecureCorsOptions;
  /**
   * Source CIDRs allowed to call the API; enforced by the API resource policy and by WAF.
   * @default - every source
   */
  readonly ipAllowList?: string[];
  /**
   * WAF settings.
   * @default - see FirewallRuleOptions
   */
  readonly waf?: FirewallRuleOptions;
  /**
   * Usage plans by name. More can be added with `addUsagePlan`.
   * @default - none
   */
  readonly usagePlans?: { [name: string]: UsagePlanOptions };
  /**
   * API clients by name, each with its own API key in a plan. More can be added with `addClient`.
   * @default - none
   */
  readonly clients?: { [name: string]: ApiClientOptions };
  /**
   * Where API Gateway reads the API key: the `x-api-key` header, or the authorizer (which maps `apiKeyClaim` to
   * the client's key).
   * @default apigw.ApiKeySourceType.HEADER
   */
  readonly apiKeySource?: apigw.ApiKeySourceType;
  /**
   * Token claim naming the client, with the AUTHORIZER key source.
   * @default 'client_id'
   */
  readonly apiKeyClaim?: string;
  /**
   * Authorizer result cache TTL (0 to 3600 s; 0 disables the cache).
   * @default Duration.minutes(5)
   */
  readonly authorizerCacheTtl?: Duration;
  /**
   * Reserved concurrency of the authorizer.
   * @default - none
   */
  readonly authorizerReservedConcurrency?: number;
  /**
   * Settings of the DynamoDB table SecureApi creates.
   * @default - RETAIN, deletion protection, point-in-time recovery, a new customer-managed key
   */
  readonly table?: EncryptedTableProps;
  /**
   * Bring your own table instead: SecureApi creates none, and the trail records this table's data events. Use a
   * table encrypted with a customer-managed key, with point-in-time recovery and deletion protection: SecureApi
   * cannot enforce them on a table it does not create.
   * @default - a new table
   */
  readonly existingTable?: dynamodb.ITable;
  /**
   * The customer-managed key of `existingTable`, exposed as `tableKey` for grants.
   * @default - `existingTable.encryptionKey`
   */
  readonly existingTableKey?: kms.IKey;
  /**
   * Explicitly create no table (an API whose backends keep their own data). Cannot be combined with `table` or
   * `existingTable`.
   * @default false
   */
  readonly withoutTable?: boolean;
  /**
   * CloudTrail.
   * @default - the stack's shared multi-region trail, with the table's data events
   */
  readonly audit?: AuditOptions;
  /**
   * Retention of access, WAF and Lambda logs.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of logs, keys and audit buckets (use DESTROY only for throwaway stages).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Set API Gateway's account-wide CloudWatch Logs role (one per account and region), needed for execution logs.
   * The first SecureApi of an account and region in the app creates it (retained on stack deletion, so other
   * APIs keep logging) and every other SecureApi there shares it. Set false when your platform already manages it:
   * the account must then have the role, and a custom resource of the stack checks that it does before any stage
   * is created, failing the deployment with what to do if not (`aws apigateway get-account` shows the setting).
   * @default - true, unless the app sets the feature flag `@aws-cdk/aws-apigateway:disableCloudWatchRole`
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly cloudWatchRole?: boolean;
  /**
   * Threat monitoring: security metrics from the authorizer's decisions, alarms, alerts on changes that weaken the
   * stack's controls, a dashboard, and an encrypted SNS topic that notifies people (README: "Monitoring" and "Runbook").
   * @default - every alarm and alert on, with a new encrypted topic that nobody is subscribed to yet
   */
  readonly monitoring?: MonitoringOptions;
}
