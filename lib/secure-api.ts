import { Aspects, CfnOutput, Duration, IAspect, Lazy, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { AuthorizerConfig, IssuerConfig } from './common/authorizer-config';
import { RouteAccess, RouteEntry, RoutePolicyError, parseRouteKey, validateRouteTable } from './common/route-policy';
import { SECURITY_HEADERS } from './common/security-headers';
import { AuditTrail, TableDataEvents } from './audit-trail';
import { DEFAULTS } from './defaults';
import { EdgeFirewall, EdgeFirewallOptions, validateCidrs, validateFirewallOptions } from './edge-firewall';
import { EncryptedTable, EncryptedTableProps } from './encrypted-table';
import { SecureApiConfigError } from './errors';
import { JwtAuthorizer } from './jwt-authorizer';
import { createKey } from './key-policy';
import { ApiClientOptions, checkThrottle, ThrottleOptions, UsagePlanOptions, usagePlanMethodKey, validateUsagePlans } from './usage-plans';

/** A trusted OpenID Connect / OAuth 2.0 token issuer. */
export interface TokenIssuer {
  /** The exact `iss` claim, an https URL. */
  readonly issuer: string;
  /** Accepted `aud` values; `null` explicitly accepts any audience (not recommended). */
  readonly audience: string | string[] | null;
  /**
   * HTTPS URL of the issuer's JWKS.
   * @default - `${issuer}/.well-known/jwks.json`
   */
  readonly jwksUri?: string;
}

/** An Amazon Cognito user pool as token issuer (a shortcut for its issuer URL, JWKS and token_use check). */
export interface CognitoIssuerOptions {
  /** The user pool. */
  readonly userPool: cognito.IUserPool;
  /** App client ids whose tokens are accepted. */
  readonly clientIds: string[];
  /**
   * Which tokens are accepted.
   * @default 'access'
   */
  readonly tokenUse?: 'access' | 'id';
}

/** A route of the API: who may call it and what serves it. */
export interface SecureRouteOptions extends RouteAccess {
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
  /** Query string parameters the route accepts: name → required. @default - none */
  readonly queryParameters?: Record<string, boolean>;
  /** Headers the route requires or accepts: name → required. @default - none */
  readonly headerParameters?: Record<string, boolean>;
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
   * TLS security policy of the domain. TLS_1_0 is rejected.
   * @default apigw.SecurityPolicy.TLS_1_2
   */
  readonly securityPolicy?: apigw.SecurityPolicy;
  /** Hosted zone in which to create the alias record. @default - no DNS record */
  readonly hostedZone?: route53.IHostedZone;
  /** Base path of the mapping. @default - the domain root */
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
  /** @default ['Authorization', 'Content-Type', 'X-Api-Key'] */
  readonly allowHeaders?: string[];
  /** @default - the methods of the declared routes */
  readonly allowMethods?: string[];
  /** @default Duration.minutes(10) */
  readonly maxAge?: Duration;
}

/** Token checks the authorizer applies beyond the signature. */
export interface TokenPolicyOptions {
  /** Clock skew tolerated on exp, nbf and iat (0 to 300 s). @default Duration.seconds(60) */
  readonly clockSkew?: Duration;
  /** Largest accepted token in bytes (1024 to 16384). @default 8192 */
  readonly maxTokenBytes?: number;
  /**
   * Largest accepted `exp - iat`: tokens issued for longer are rejected. `null` explicitly removes the cap.
   * @default Duration.hours(24)
   */
  readonly maxTokenLifetime?: Duration | null;
  /** Timeout of one JWKS fetch. @default Duration.seconds(3) */
  readonly jwksTimeout?: Duration;
  /** Claim that carries the tenant id of a multi-tenant API. @default - single-tenant */
  readonly tenantClaim?: string;
}

/** CloudTrail settings. */
export interface AuditOptions {
  /**
   * Which DynamoDB data events of the API table to record (billed per event).
   * @default TableDataEvents.ALL
   */
  readonly tableDataEvents?: TableDataEvents;
  /**
   * ARN of an existing (organization) trail that already records this account: no trail is created.
   * Make sure it records the table's data events.
   * @default - a new trail
   */
  readonly existingTrailArn?: string;
}

/** Properties of a {@link SecureApi}. */
export interface SecureApiProps {
  /** Issuer (`iss`) of accepted tokens. Required unless `cognito` or `additionalIssuers` is set. @default - none */
  readonly issuer?: string;
  /**
   * Accepted audiences of `issuer`'s tokens. Required with `issuer`; `null` explicitly accepts any audience.
   * @default - none
   */
  readonly audience?: string | string[] | null;
  /** JWKS URL of `issuer`. @default - `${issuer}/.well-known/jwks.json` */
  readonly jwksUri?: string;
  /** More trusted issuers. @default - none */
  readonly additionalIssuers?: TokenIssuer[];
  /** A Cognito user pool as issuer. @default - none */
  readonly cognito?: CognitoIssuerOptions;
  /** Token checks. @default - see TokenPolicyOptions */
  readonly tokenPolicy?: TokenPolicyOptions;
  /**
   * Routes keyed by `'METHOD /path/{param}'`. More can be added with `addRoute`. Undeclared routes answer 404.
   * @default - none
   */
  readonly routes?: Record<string, SecureRouteOptions>;
  /** Name of the REST API. @default - the construct path */
  readonly apiName?: string;
  /** Stage name. @default 'prod' */
  readonly stageName?: string;
  /**
   * Security policy of the API endpoint. Only enhanced policies (`SecurityPolicy_…`) are accepted; endpoint access
   * mode is STRICT.
   * @default 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09'
   */
  readonly securityPolicy?: string;
  /** Stage-wide throttle. @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttle?: ThrottleOptions;
  /** Custom domain. @default - none */
  readonly customDomain?: CustomDomainOptions;
  /** CORS. @default - off */
  readonly cors?: SecureCorsOptions;
  /**
   * Source CIDRs allowed to call the API; enforced by the API resource policy and by WAF.
   * @default - every source
   */
  readonly ipAllowList?: string[];
  /** WAF settings. @default - see EdgeFirewallOptions */
  readonly waf?: Omit<EdgeFirewallOptions, 'allowCidrs'>;
  /** Usage plans by name. @default - none */
  readonly usagePlans?: Record<string, UsagePlanOptions>;
  /** API clients by name, each with its own API key in a plan. @default - none */
  readonly clients?: Record<string, ApiClientOptions>;
  /**
   * Where API Gateway reads the API key: the `x-api-key` header, or the authorizer (which maps `apiKeyClaim` to
   * the client's key).
   * @default apigw.ApiKeySourceType.HEADER
   */
  readonly apiKeySource?: apigw.ApiKeySourceType;
  /** Token claim naming the client, with the AUTHORIZER key source. @default 'client_id' */
  readonly apiKeyClaim?: string;
  /** Authorizer result cache TTL (0 to 3600 s; 0 disables the cache). @default Duration.minutes(5) */
  readonly authorizerCacheTtl?: Duration;
  /** Reserved concurrency of the authorizer. @default - none */
  readonly authorizerReservedConcurrency?: number;
  /** The DynamoDB table. @default - RETAIN, deletion protection, a new customer-managed key */
  readonly table?: EncryptedTableProps;
  /** CloudTrail. @default - a new multi-region trail with the table's data events */
  readonly audit?: AuditOptions;
  /** Retention of access, WAF and Lambda logs. @default RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of logs, keys and audit buckets (use DESTROY only for throwaway stages).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Set API Gateway's account-wide CloudWatch Logs role (one per account and region), needed for execution logs.
   * The role is retained on stack deletion so other APIs of the account keep logging. Set false when your
   * platform already manages it.
   * @default true
   * @see https://github.com/aws/aws-cdk/issues/10878
   */
  readonly cloudWatchRole?: boolean;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A secure-by-default API Gateway REST API: enhanced TLS policy with STRICT access mode, WAF, a JWT/claims Lambda
 * authorizer with deny-by-default routes, request validation, usage plans and API keys, a KMS-encrypted DynamoDB
 * table, CloudTrail, and encrypted logs with retention.
 */
export class SecureApi extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The WAF web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The firewall construct (web ACL, IP sets, logging). */
  public readonly firewall: EdgeFirewall;
  /** The authorizer function. */
  public readonly authorizerFunction: lambda.Function;
  /** The JWT authorizer construct. */
  public readonly authorizer: JwtAuthorizer;
  /** Usage plans by name. */
  public readonly usagePlans: Record<string, apigw.UsagePlan> = {};
  /** API keys by client name. */
  public readonly apiKeys: Record<string, apigw.ApiKey> = {};
  /** The DynamoDB table. */
  public readonly table: dynamodb.Table;
  /** The customer-managed key of the table. */
  public readonly encryptionKey: kms.IKey;
  /** The key that encrypts every log group of the API. */
  public readonly logKey: kms.Key;
  /** The access log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The audit trail, unless an existing trail is used. */
  public readonly auditTrail?: AuditTrail;
  /** ARN of the trail that records the API's account. */
  public readonly trailArn: string;
  /** The custom domain, if any. */
  public readonly domainName?: apigw.DomainName;

  private readonly routes = new Map<string, { entry: RouteEntry; method: apigw.Method }>();
  private readonly props: SecureApiProps;
  private readonly issuers: IssuerConfig[];
  private readonly validators: { body: apigw.RequestValidator; params: apigw.RequestValidator };
  private readonly apiKeySource: apigw.ApiKeySourceType;

  constructor(scope: Construct, id: string, props: SecureApiProps) {
    super(scope, id);
    this.props = props;
    this.issuers = resolveIssuers(props);
    validateProps(props);
    this.apiKeySource = props.apiKeySource ?? apigw.ApiKeySourceType.HEADER;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;
    const stack = Stack.of(this);

    this.logKey = createLogKey(this, removalPolicy);
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: this.logKey,
      retention: logRetention,
      removalPolicy,
    });

    const tables = new EncryptedTable(this, 'Data', {
      removalPolicy,
      ...props.table,
    });
    this.table = tables.table;
    this.encryptionKey = tables.encryptionKey;

    const throttle = props.throttle ?? { rateLimit: DEFAULTS.stageRateLimit, burstLimit: DEFAULTS.stageBurstLimit };
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: props.apiName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: 'SecureApi REST API',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: props.customDomain !== undefined && !props.customDomain.keepExecuteApiEndpoint,
      apiKeySourceType: this.apiKeySource,
      cloudWatchRole: props.cloudWatchRole ?? true,
      cloudWatchRoleRemovalPolicy: (props.cloudWatchRole ?? true) ? RemovalPolicy.RETAIN : undefined,
      policy: props.ipAllowList ? ipAllowListPolicy(props.ipAllowList) : undefined,
      defaultCorsPreflightOptions: props.cors ? {
        allowOrigins: props.cors.allowOrigins,
        allowHeaders: props.cors.allowHeaders ?? ['Authorization', 'Content-Type', 'X-Api-Key'],
        allowMethods: props.cors.allowMethods ?? apigw.Cors.ALL_METHODS,
        maxAge: props.cors.maxAge ?? Duration.minutes(10),
      } : undefined,
      deployOptions: {
        stageName: props.stageName ?? DEFAULTS.stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Data trace logs whole requests, bearer tokens included: never on.
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
    });
    acknowledgeApiFindings(this.api);
    // Every Lambda permission the API creates names this account as well as the API's ARN (confused deputy).
    Aspects.of(this).add(new SourceAccountOnPermissions());
    const cfnApi = this.api.node.defaultChild as apigw.CfnRestApi;
    cfnApi.securityPolicy = props.securityPolicy ?? DEFAULTS.apiSecurityPolicy;
    cfnApi.endpointAccessMode = DEFAULTS.endpointAccessMode;

    this.validators = {
      body: this.api.addRequestValidator('BodyAndParameters', { validateRequestBody: true, validateRequestParameters: true }),
      params: this.api.addRequestValidator('ParametersOnly', { validateRequestBody: false, validateRequestParameters: true }),
    };
    addGatewayResponses(this.api);

    this.authorizer = new JwtAuthorizer(this, 'Authorizer', {
      config: () => this.authorizerConfig(),
      resultsCacheTtl: props.authorizerCacheTtl ?? DEFAULTS.authorizerCacheTtl,
      logKey: this.logKey,
      logRetention,
      logRemovalPolicy: removalPolicy,
      memorySize: DEFAULTS.authorizerMemoryMb,
      timeout: DEFAULTS.authorizerTimeout,
      reservedConcurrentExecutions: props.authorizerReservedConcurrency,
    });
    this.authorizerFunction = this.authorizer.function;

    this.firewall = new EdgeFirewall(this, 'Firewall', {
      ...props.waf,
      allowCidrs: props.ipAllowList,
      stageArn: this.api.deploymentStage.stageArn,
      logKey: this.logKey,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
    this.webAcl = this.firewall.webAcl;

    if (props.audit?.existingTrailArn) {
      this.trailArn = props.audit.existingTrailArn;
    } else {
      this.auditTrail = new AuditTrail(this, 'Audit', {
        tableArns: [this.table.tableArn],
        tableDataEvents: props.audit?.tableDataEvents,
        logKey: this.logKey,
        logRetention,
        removalPolicy,
      });
      this.trailArn = this.auditTrail.trail.trailArn;
    }

    if (props.customDomain) {
      this.domainName = this.addCustomDomain(props.customDomain);
    }

    for (const [key, options] of Object.entries(props.routes ?? {})) {
      this.addRoute(key, options);
    }

    this.createUsagePlans(stack);
    // Routes can still be added with addRoute(): checks that need the whole route table run at synth, in an
    // aspect, so that they fail before CDK resolves anything that presumes routes.
    Aspects.of(this).add({ visit: (node) => { if (node === this) this.validateRouteDependents(); } });
  }

  /**
   * Declares a route: its access rule (scopes, claims, or public), its integration and its request validation.
   * @param key `'METHOD /path/{param}'`, e.g. `'GET /items/{id}'`
   */
  public addRoute(key: string, options: SecureRouteOptions): apigw.Method {
    let parsed: { method: RouteEntry['method']; path: string };
    try {
      parsed = parseRouteKey(key);
    } catch (e) {
      throw asConfigError(e);
    }
    const canonical = `${parsed.method} ${parsed.path}`;
    if (this.routes.has(canonical)) {
      throw new SecureApiConfigError(`route '${canonical}' is declared twice`);
    }
    const entry: RouteEntry = {
      method: parsed.method,
      path: parsed.path,
      ...(options.public ? { public: true } : {}),
      ...(options.scopes ? { scopes: options.scopes } : {}),
      ...(options.scopeMatch ? { scopeMatch: options.scopeMatch } : {}),
      ...(options.claims ? { claims: options.claims } : {}),
    };
    try {
      validateRouteTable([...[...this.routes.values()].map((r) => r.entry), entry]);
    } catch (e) {
      throw asConfigError(e);
    }
    if (BODY_METHODS.has(parsed.method) && !options.requestSchema && !options.allowAnyBody) {
      throw new SecureApiConfigError(`route '${canonical}' takes a body: set 'requestSchema' (JSON Schema draft-04) or explicitly 'allowAnyBody: true'`);
    }

    const resource = this.api.root.resourceForPath(parsed.path);
    const requestParameters: Record<string, boolean> = {};
    for (const match of parsed.path.matchAll(/\{([^}]+)\}/g)) {
      requestParameters[`method.request.path.${match[1]}`] = true;
    }
    for (const [name, required] of Object.entries(options.queryParameters ?? {})) {
      requestParameters[`method.request.querystring.${name}`] = required;
    }
    for (const [name, required] of Object.entries(options.headerParameters ?? {})) {
      requestParameters[`method.request.header.${name}`] = required;
    }
    const model = options.requestSchema
      ? this.api.addModel(`Model${modelId(canonical)}`, { contentType: 'application/json', schema: options.requestSchema })
      : undefined;
    const hasClients = Object.keys(this.props.clients ?? {}).length > 0;
    const keyByAuthorizer = this.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER;
    const method = resource.addMethod(parsed.method, options.integration, {
      authorizer: options.public ? undefined : this.authorizer.authorizer,
      authorizationType: options.public ? apigw.AuthorizationType.NONE : apigw.AuthorizationType.CUSTOM,
      apiKeyRequired: options.apiKeyRequired ?? (hasClients && !(keyByAuthorizer && options.public)),
      requestParameters,
      requestValidator: model ? this.validators.body : this.validators.params,
      requestModels: model ? { 'application/json': model } : undefined,
    });
    if (options.public) {
      const reason = `Route '${canonical}' is declared 'public: true' in the SecureApi routes: it takes no token by design.`;
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
    } else {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: `Route '${canonical}' is protected by the SecureApi Lambda JWT authorizer (aws-jwt-verify, any OpenID Connect issuer, Cognito included), which checks signature, issuer, audience, expiry and the route's scopes and claims.`,
      });
    }
    this.routes.set(canonical, { entry, method });
    return method;
  }

  /** The route table the authorizer enforces. */
  public get routeTable(): RouteEntry[] {
    return [...this.routes.values()].map((r) => r.entry);
  }

  private authorizerConfig(): AuthorizerConfig {
    const tokenPolicy = this.props.tokenPolicy ?? {};
    const lifetime = tokenPolicy.maxTokenLifetime === undefined ? DEFAULTS.maxTokenLifetime : tokenPolicy.maxTokenLifetime;
    const keyByAuthorizer = this.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER;
    return {
      issuers: this.issuers,
      routes: this.routeTable,
      clockSkewSeconds: (tokenPolicy.clockSkew ?? DEFAULTS.clockSkew).toSeconds(),
      maxTokenBytes: tokenPolicy.maxTokenBytes ?? DEFAULTS.maxTokenBytes,
      ...(lifetime ? { maxTokenLifetimeSeconds: lifetime.toSeconds() } : {}),
      jwksTimeoutMs: (tokenPolicy.jwksTimeout ?? DEFAULTS.jwksTimeout).toMilliseconds(),
      ...(tokenPolicy.tenantClaim ? { tenantClaim: tokenPolicy.tenantClaim } : {}),
      ...(keyByAuthorizer ? {
        apiKey: {
          claim: this.props.apiKeyClaim ?? 'client_id',
          keyIds: Object.fromEntries(Object.entries(this.props.clients ?? {}).map(
            ([name, client]) => [client.claimValue ?? name, this.apiKeys[name].keyId])),
        },
      } : {}),
    };
  }

  private validateRouteDependents(): void {
    if (this.routes.size === 0) {
      throw new SecureApiConfigError("no routes: declare at least one in 'routes' or with addRoute()");
    }
    validateUsagePlans(this.props.usagePlans ?? {}, this.props.clients ?? {}, [...this.routes.keys()]);
  }

  private createUsagePlans(stack: Stack): void {
    const plans = this.props.usagePlans ?? {};
    const clients = this.props.clients ?? {};
    for (const [name, client] of Object.entries(clients)) {
      this.apiKeys[name] = new apigw.ApiKey(this, `ApiKey${pascal(name)}`, {
        description: `SecureApi key of client '${name}' (plan '${client.plan}')`,
        enabled: true,
      });
      new CfnOutput(this, `ApiKeyId${pascal(name)}`, {
        description: `API key id of client '${name}': aws apigateway get-api-key --include-value --api-key <id>`,
        value: this.apiKeys[name].keyId,
      });
    }
    if (this.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER) {
      this.authorizer.grantReadApiKeys(Object.values(this.apiKeys));
    }
    for (const [name, plan] of Object.entries(plans)) {
      const usagePlan = this.api.addUsagePlan(`Plan${pascal(name)}`, {
        name: `${stack.stackName}-${name}`,
        description: plan.description ?? `SecureApi usage plan '${name}'`,
        throttle: plan.throttle,
        quota: plan.quota,
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      const routeThrottles = Object.entries(plan.routeThrottles ?? {});
      if (routeThrottles.length > 0) {
        // Routes may be added after the constructor (addRoute), so the per-method throttle map is rendered at
        // synth; its keys were checked against the route table by the validation below.
        (usagePlan.node.defaultChild as apigw.CfnUsagePlan).addPropertyOverride('ApiStages.0.Throttle', Lazy.any({
          produce: () => Object.fromEntries(routeThrottles.map(([key, t]) =>
            [usagePlanMethodKey(key), { RateLimit: t.rateLimit, BurstLimit: t.burstLimit }])),
        }));
      }
      this.usagePlans[name] = usagePlan;
    }
    for (const [name, client] of Object.entries(clients)) {
      this.usagePlans[client.plan].addApiKey(this.apiKeys[name]);
    }
  }

  private addCustomDomain(options: CustomDomainOptions): apigw.DomainName {
    const policy = options.securityPolicy ?? apigw.SecurityPolicy.TLS_1_2;
    const enhanced = policy.startsWith('SecurityPolicy_');
    const domain = new apigw.DomainName(this, 'Domain', {
      domainName: options.domainName,
      certificate: options.certificate,
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: policy,
      ...(enhanced ? { endpointAccessMode: apigw.EndpointAccessMode.STRICT } : {}),
    });
    if (enhanced) {
      Validations.of(domain).acknowledge({
        id: 'cdk-validator-cfnguard::api_gw_domain_tls_check',
        reason: `The domain uses the enhanced policy ${policy} (minimum TLS 1.2 or 1.3, STRICT access mode); the Control Tower rule only knows the legacy name TLS_1_2.`,
      });
    }
    domain.addBasePathMapping(this.api, { basePath: options.basePath, stage: this.api.deploymentStage });
    if (options.hostedZone) {
      new route53.ARecord(this, 'DomainAlias', {
        zone: options.hostedZone,
        recordName: options.domainName,
        target: route53.RecordTarget.fromAlias(new route53targets.ApiGatewayDomain(domain)),
      });
    }
    return domain;
  }
}

function asConfigError(e: unknown): Error {
  return e instanceof RoutePolicyError ? new SecureApiConfigError(`'routes': ${e.message}`) : e as Error;
}

function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

/** A stable construct id for a route's model, e.g. 'PUT /items/{id}' → 'PutItemsId'. */
function modelId(routeKey: string): string {
  return pascal(routeKey.toLowerCase());
}

function toList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function isHttpsUrl(value: string): boolean {
  if (Token.isUnresolved(value)) return true;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The issuers the authorizer trusts, from `issuer`/`audience`, `additionalIssuers` and `cognito`. */
function resolveIssuers(props: SecureApiProps): IssuerConfig[] {
  const issuers: IssuerConfig[] = [];
  const add = (where: string, issuer: TokenIssuer) => {
    if (!isHttpsUrl(issuer.issuer)) {
      throw new SecureApiConfigError(`'${where}issuer' must be an https URL (got '${issuer.issuer}')`);
    }
    if (issuer.audience === undefined) {
      throw new SecureApiConfigError(`'${where}audience' is required: list the accepted audiences, or set null to explicitly accept any audience`);
    }
    const audience = issuer.audience === null ? null : toList(issuer.audience);
    if (audience && (audience.length === 0 || audience.some((a) => !a))) {
      throw new SecureApiConfigError(`'${where}audience' must list non-empty values (got ${JSON.stringify(issuer.audience)})`);
    }
    const jwksUri = issuer.jwksUri ?? `${issuer.issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
    if (!isHttpsUrl(jwksUri)) {
      throw new SecureApiConfigError(`'${where}jwksUri' must be an https URL (got '${jwksUri}')`);
    }
    if (issuers.some((i) => i.issuer === issuer.issuer)) {
      throw new SecureApiConfigError(`'${where}issuer' is trusted twice (got '${issuer.issuer}')`);
    }
    issuers.push({ issuer: issuer.issuer, audience, jwksUri });
  };
  if (props.issuer !== undefined) {
    add('', { issuer: props.issuer, audience: props.audience as TokenIssuer['audience'], jwksUri: props.jwksUri });
  } else if (props.audience !== undefined || props.jwksUri !== undefined) {
    throw new SecureApiConfigError("'audience' and 'jwksUri' need 'issuer'");
  }
  (props.additionalIssuers ?? []).forEach((issuer, i) => add(`additionalIssuers[${i}].`, issuer));
  if (props.cognito) {
    const { userPool, clientIds } = props.cognito;
    if (clientIds.length === 0) {
      throw new SecureApiConfigError("'cognito.clientIds' must list at least one app client id (got [])");
    }
    const stack = Stack.of(userPool);
    const issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${userPool.userPoolId}`;
    issuers.push({
      issuer,
      audience: clientIds,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      cognito: { userPoolId: userPool.userPoolId, tokenUse: props.cognito.tokenUse ?? 'access' },
    });
  }
  if (issuers.length === 0) {
    throw new SecureApiConfigError("a token issuer is required: set 'issuer' and 'audience', 'additionalIssuers' or 'cognito'");
  }
  return issuers;
}

function validateProps(props: SecureApiProps): void {
  const policy = props.securityPolicy;
  if (policy !== undefined && !policy.startsWith('SecurityPolicy_')) {
    throw new SecureApiConfigError(`'securityPolicy' must be an enhanced policy such as 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09' (TLS 1.2 minimum, STRICT access mode) (got '${policy}')`);
  }
  if (props.customDomain?.securityPolicy === apigw.SecurityPolicy.TLS_1_0) {
    throw new SecureApiConfigError("'customDomain.securityPolicy' must allow TLS 1.2 at least (got 'TLS_1_0')");
  }
  const tp = props.tokenPolicy ?? {};
  if (tp.clockSkew && (tp.clockSkew.toSeconds() > 300)) {
    throw new SecureApiConfigError(`'tokenPolicy.clockSkew' must be at most 300 seconds (got ${tp.clockSkew.toSeconds()})`);
  }
  if (tp.maxTokenBytes !== undefined && (!Number.isInteger(tp.maxTokenBytes) || tp.maxTokenBytes < 1024 || tp.maxTokenBytes > 16384)) {
    throw new SecureApiConfigError(`'tokenPolicy.maxTokenBytes' must be an integer from 1024 to 16384 (got ${tp.maxTokenBytes})`);
  }
  if (tp.maxTokenLifetime && tp.maxTokenLifetime.toSeconds() < 60) {
    throw new SecureApiConfigError(`'tokenPolicy.maxTokenLifetime' must be at least 60 seconds, or null for no cap (got ${tp.maxTokenLifetime.toSeconds()})`);
  }
  if (tp.jwksTimeout && (tp.jwksTimeout.toMilliseconds() < 100 || tp.jwksTimeout.toMilliseconds() > 10000)) {
    throw new SecureApiConfigError(`'tokenPolicy.jwksTimeout' must be from 100 ms to 10 s (got ${tp.jwksTimeout.toMilliseconds()} ms)`);
  }
  const ttl = props.authorizerCacheTtl;
  if (ttl && !ttl.isUnresolved() && ttl.toSeconds() > 3600) {
    throw new SecureApiConfigError(`'authorizerCacheTtl' must be at most 3600 seconds (got ${ttl.toSeconds()})`);
  }
  if (props.throttle) {
    checkThrottle('throttle', props.throttle);
  }
  if (props.cors) {
    if (props.cors.allowOrigins.length === 0) {
      throw new SecureApiConfigError("'cors.allowOrigins' must list at least one origin: leave 'cors' undefined for no CORS");
    }
    for (const origin of props.cors.allowOrigins) {
      if (origin === '*' || !/^https:\/\/[^/*\s]+$/.test(origin)) {
        throw new SecureApiConfigError(`'cors.allowOrigins' entries must be https origins without wildcards or paths, such as 'https://app.example.com' (got '${origin}')`);
      }
    }
  }
  validateCidrs('ipAllowList', props.ipAllowList);
  validateFirewallOptions(props.waf ?? {});
  if (props.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER && Object.keys(props.clients ?? {}).length === 0) {
    throw new SecureApiConfigError("'apiKeySource' AUTHORIZER needs 'clients': the authorizer maps a token claim to a client's key");
  }
  if (props.apiKeyClaim !== undefined && props.apiKeySource !== apigw.ApiKeySourceType.AUTHORIZER) {
    throw new SecureApiConfigError("'apiKeyClaim' only applies with 'apiKeySource' AUTHORIZER");
  }
  if (Object.keys(props.clients ?? {}).length > 0 && Object.keys(props.usagePlans ?? {}).length === 0) {
    throw new SecureApiConfigError("'clients' need 'usagePlans': every client's key belongs to a plan");
  }
  validateUsagePlans(props.usagePlans ?? {}, props.clients ?? {}, null);
}

/** The key of every log group of the API, usable by CloudWatch Logs in this account and region only. */
function createLogKey(scope: Construct, removalPolicy: RemovalPolicy): kms.Key {
  const stack = Stack.of(scope);
  const key = createKey(scope, 'LogKey', {
    description: 'SecureApi: encrypts the API access, WAF, Lambda and CloudTrail log groups',
    aliasSuffix: 'logs',
    removalPolicy,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
    },
  }));
  return key;
}

/** A resource policy that allows invoking the API only from the given CIDRs. */
function ipAllowListPolicy(cidrs: string[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        effect: iam.Effect.ALLOW,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { NotIpAddress: { 'aws:SourceIp': cidrs } },
      }),
    ],
  });
}

/** JSON access log: who called what, how it went, over which TLS, and what WAF and the authorizer said. */
function accessLogFormat(): apigw.AccessLogFormat {
  const f = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(JSON.stringify({
    requestId: f.contextRequestId(),
    extendedRequestId: f.contextExtendedRequestId(),
    requestTime: f.contextRequestTimeEpoch(),
    sourceIp: f.contextIdentitySourceIp(),
    userAgent: f.contextIdentityUserAgent(),
    principal: f.contextAuthorizerPrincipalId(),
    apiKeyId: f.contextIdentityApiKeyId(),
    httpMethod: f.contextHttpMethod(),
    route: f.contextResourcePath(),
    path: f.contextPath(),
    protocol: f.contextProtocol(),
    status: f.contextStatus(),
    responseLength: f.contextResponseLength(),
    responseLatency: f.contextResponseLatency(),
    integrationLatency: f.contextIntegrationLatency(),
    integrationStatus: f.contextIntegrationStatus(),
    tlsVersion: '$context.tlsVersion',
    cipherSuite: '$context.cipherSuite',
    wafStatus: f.contextWafStatus(),
    wafResponseCode: f.contextWafResponseCode(),
    webAclArn: f.contextWebaclArn(),
    authorizerStatus: f.contextAuthorizerStatus(),
    authorizerError: f.contextAuthorizerError(),
    authorizerLatency: f.contextAuthorizerLatency(),
    errorType: f.contextErrorResponseType(),
    xrayTraceId: f.contextXrayTraceId(),
  }));
}

/** Generic problem+json answers with security headers for every gateway error: nothing internal leaks. */
function addGatewayResponses(api: apigw.RestApi): void {
  const headers = Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [k, `'${v}'`]));
  // Default4xx/5xx keep the status API Gateway chose; the body stays generic.
  const responses: Array<[string, apigw.ResponseType, number | undefined, string, Record<string, string>?]> = [
    ['Unauthorized', apigw.ResponseType.UNAUTHORIZED, 401, 'Unauthorized', { 'WWW-Authenticate': "'Bearer'" }],
    ['AccessDenied', apigw.ResponseType.ACCESS_DENIED, 403, 'Forbidden'],
    ['AuthorizerFailure', apigw.ResponseType.AUTHORIZER_FAILURE, 500, 'Internal Server Error'],
    ['AuthorizerConfigurationError', apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, 500, 'Internal Server Error'],
    ['InvalidApiKey', apigw.ResponseType.INVALID_API_KEY, 403, 'Forbidden'],
    ['MissingAuthenticationToken', apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, 404, 'Not Found'],
    ['ResourceNotFound', apigw.ResponseType.RESOURCE_NOT_FOUND, 404, 'Not Found'],
    ['BadRequestBody', apigw.ResponseType.BAD_REQUEST_BODY, 400, 'Bad Request'],
    ['BadRequestParameters', apigw.ResponseType.BAD_REQUEST_PARAMETERS, 400, 'Bad Request'],
    ['RequestTooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, 413, 'Request Entity Too Large'],
    ['UnsupportedMediaType', apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, 415, 'Unsupported Media Type'],
    ['Throttled', apigw.ResponseType.THROTTLED, 429, 'Too Many Requests'],
    ['QuotaExceeded', apigw.ResponseType.QUOTA_EXCEEDED, 429, 'Too Many Requests'],
    ['WafFiltered', apigw.ResponseType.WAF_FILTERED, 403, 'Forbidden'],
    ['IntegrationFailure', apigw.ResponseType.INTEGRATION_FAILURE, 502, 'Bad Gateway'],
    ['IntegrationTimeout', apigw.ResponseType.INTEGRATION_TIMEOUT, 504, 'Gateway Timeout'],
    ['Default4xx', apigw.ResponseType.DEFAULT_4XX, undefined, 'Request Error'],
    ['Default5xx', apigw.ResponseType.DEFAULT_5XX, undefined, 'Server Error'],
  ];
  for (const [id, type, status, title, extra] of responses) {
    api.addGatewayResponse(id, {
      type,
      statusCode: status === undefined ? undefined : String(status),
      responseHeaders: { ...headers, 'Content-Type': "'application/problem+json'", ...extra },
      templates: {
        'application/json': JSON.stringify({ type: 'about:blank', title, ...(status ? { status } : {}), requestId: '$context.requestId' }),
      },
    });
  }
}

/** Adds SourceAccount to API Gateway's Lambda permissions, next to the SourceArn CDK sets. */
class SourceAccountOnPermissions implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof lambda.CfnPermission && node.principal === 'apigateway.amazonaws.com' && !node.sourceAccount) {
      node.sourceAccount = Stack.of(node).account;
    }
  }
}

function acknowledgeApiFindings(api: apigw.RestApi): void {
  const stage = api.deploymentStage;
  const cache = 'Stage caching is off on purpose: responses are per caller (owner-scoped data), and a shared cache keyed on the path would serve one caller\'s data to another. Nothing is cached, so nothing needs cache encryption.';
  const clientCert = 'Backend client certificates authenticate API Gateway to HTTP backends; the integrations are Lambda functions invoked through IAM (lambda:InvokeFunction with SourceArn and SourceAccount), where a client certificate does not apply.';
  Validations.of(stage).acknowledge(
    { id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', reason: cache },
    { id: 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted', reason: cache },
    { id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', reason: cache },
    { id: 'NIST.800.53.R5-APIGWSSLEnabled', reason: clientCert },
    { id: 'PCI.DSS.321-APIGWSSLEnabled', reason: clientCert },
    { id: 'HIPAA.Security-APIGWSSLEnabled', reason: clientCert },
  );
  Validations.of(api).acknowledge({
    id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
    reason: "API Gateway's Lambda permissions set SourceArn to this API's execute-api ARN and SourceAccount to this account; the rule only recognises literal strings, and both are CloudFormation references here.",
  });
  const role = api.node.tryFindChild('CloudWatchRole');
  if (role) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account-wide logging role uses the AWS-maintained policy that API Gateway documents for it; it only allows writing to CloudWatch Logs.",
    });
  }
}
