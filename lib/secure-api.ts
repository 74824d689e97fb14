import { Annotations, AspectPriority, Aspects, CfnOutput, Duration, Lazy, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { accountLogging, accountLoggingCheck, cloudWatchRoleByDefault, sharedTrail } from './account-resources';
import { AuditTrail } from './audit-trail';
import { AuthorizerConfig, IssuerConfig } from './common/authorizer-config';
import { corsEnvironment } from './common/cors';
import { AccessRule, parseRouteKey, RouteEntry, RouteTableError, validateRouteTable } from './common/route-model';
import { DEFAULTS } from './defaults';
import { EdgeFirewall } from './edge-firewall';
import { EncryptedTable } from './encrypted-table';
import { configError, configMessage } from './errors';
import { resolveIssuers } from './issuers';
import { integrationFunctions, oversizedFunctionPolicies } from './integration-permissions';
import { JwtAuthorizer } from './jwt-authorizer';
import { createLogKey } from './kms-keys';
import { addCustomDomain } from './custom-domain';
import { AccessRuleOptions, SecureApiProps, SecureRouteOptions } from './secure-api-props';
import { CompleteMonitoring, createApiMonitoring, quotaPlansOf } from './api-monitoring';
import { SecurityMonitoring } from './security-monitoring';
import { accessLogFormat, acknowledgeApiFindings, addGatewayResponses, ipAllowListPolicy, SourceAccountOnPermissions } from './stage-settings';
import { ApiClientOptions, UsagePlanOptions, usagePlanMethodKey, validateClient, validateUsagePlan } from './usage-plans';
import { validateProps } from './validate-props';

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
  /** Usage plans by name. */
  public readonly usagePlans: { [name: string]: apigw.UsagePlan } = {};
  /** API keys by client name. */
  public readonly apiKeys: { [client: string]: apigw.ApiKey } = {};
  /** The DynamoDB table: the one SecureApi created, or `existingTable`; undefined with `withoutTable`. */
  public readonly table?: dynamodb.ITable;
  /** The customer-managed key of the table, when known. */
  public readonly tableKey?: kms.IKey;
  /** The key that encrypts every log group of the API. */
  public readonly logKey: kms.Key;
  /** The access log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The execution log group, `API-Gateway-Execution-Logs_{restApiId}/{stageName}`, created before the stage. */
  public readonly executionLogGroup: logs.LogGroup;
  /** The trail that records the API's table and account, unless an existing trail is used. */
  public readonly auditTrail?: AuditTrail;
  /** ARN of the trail that records the API's account. */
  public readonly trailArn: string;
  /** The custom domain, if any. */
  public readonly domainName?: apigw.DomainName;
  /** The origins browsers may call the API from (`cors.allowOrigins`); empty when CORS is off. */
  public readonly corsAllowOrigins: string[];
  /**
   * The environment variables a Lambda proxy integration needs to answer browsers with the API's CORS headers
   * (`SECURE_API_CORS_ALLOW_ORIGINS`, the allowed origins comma-separated; see the README's CORS section and the
   * `secure-api/cors` module); empty when CORS is off. Proxy integrations must send the CORS headers themselves.
   */
  public readonly corsEnvironment: { [name: string]: string };
  /** The threat monitoring: metrics, alarms, change alerts, dashboard and the topic that notifies people. */
  public readonly monitoring: SecurityMonitoring;

  private readonly routes = new Map<string, RouteEntry>();
  /** The methods addRoute created: any other method of the RestApi fails synth. */
  private readonly routeMethods = new Set<apigw.Method>();
  private readonly props: SecureApiProps;
  private readonly issuers: IssuerConfig[];
  private readonly validators: { body: apigw.RequestValidator; params: apigw.RequestValidator };
  private readonly apiKeySource: apigw.ApiKeySourceType;
  private readonly clientClaims = new Map<string, string>();
  private readonly routeThrottles: Array<{ plan: string; routeKey: string }> = [];
  private readonly planOptions = new Map<string, UsagePlanOptions>();
  private readonly clientPlans = new Map<string, string>();
  private readonly logSettings: { logRetention: logs.RetentionDays; removalPolicy: RemovalPolicy };
  private readonly authorizer: JwtAuthorizer;

  constructor(scope: Construct, id: string, props: SecureApiProps) {
    super(scope, id);
    this.props = props;
    validateProps(this, props);
    this.corsAllowOrigins = [...(props.cors?.allowOrigins ?? [])];
    this.corsEnvironment = corsEnvironment(this.corsAllowOrigins);
    this.issuers = resolveIssuers(this, props);
    this.apiKeySource = props.apiKeySource ?? apigw.ApiKeySourceType.HEADER;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;
    this.logSettings = { logRetention, removalPolicy };

    this.logKey = createLogKey(this, removalPolicy);
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: this.logKey,
      retention: logRetention,
      removalPolicy,
    });

    if (props.existingTable) {
      this.table = props.existingTable;
      this.tableKey = props.existingTableKey ?? props.existingTable.encryptionKey;
    } else if (!props.withoutTable) {
      const data = new EncryptedTable(this, 'Data', { removalPolicy, ...props.table });
      this.table = data.table;
      this.tableKey = data.encryptionKey;
    }

    const throttle = props.throttle ?? { rateLimit: DEFAULTS.stageRateLimit, burstLimit: DEFAULTS.stageBurstLimit };
    const stageName = props.stageName ?? DEFAULTS.stageName;
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: props.apiName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: props.description ?? 'SecureApi REST API',
      binaryMediaTypes: props.binaryMediaTypes,
      minCompressionSize: props.minCompressionSize,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: props.customDomain !== undefined && !props.customDomain.keepExecuteApiEndpoint,
      apiKeySourceType: this.apiKeySource,
      // The account-wide role is shared by every SecureApi of the account and region (below), not one per API.
      cloudWatchRole: false,
      policy: props.ipAllowList ? ipAllowListPolicy(props.ipAllowList) : undefined,
      defaultCorsPreflightOptions: props.cors ? {
        allowOrigins: props.cors.allowOrigins,
        allowHeaders: props.cors.allowHeaders ?? ['Authorization', 'Content-Type', 'X-Api-Key'],
        allowMethods: props.cors.allowMethods ?? apigw.Cors.ALL_METHODS,
        maxAge: props.cors.maxAge ?? Duration.minutes(10),
      } : undefined,
      deployOptions: {
        stageName,
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
    const account = (props.cloudWatchRole ?? cloudWatchRoleByDefault(this)) ? accountLogging(this) : undefined;
    if (!account && props.cloudWatchRole === undefined) {
      // `cdk init` apps set the flag: say so, since a stage with execution logs fails to deploy in an account without the role.
      Annotations.of(this).addWarningV2('secure-api:accountLoggingRoleNotSet', "The feature flag '@aws-cdk/aws-apigateway:disableCloudWatchRole' is set, so this SecureApi does not set API Gateway's account-wide CloudWatch Logs role: the account must already have one (API Gateway settings), or the stage fails to deploy with execution and access logging. Set 'cloudWatchRole: true' to have SecureApi create it once per account and region, or 'cloudWatchRole: false' to silence this warning. A check at deploy time fails before the stage when the account has no role.");
    }
    // Execution and access logging fail to deploy until the account has the role: the stage waits for SecureApi's
    // role or, when the account's own is used, for a check that the account has one (a clear failure otherwise).
    this.api.deploymentStage.node.addDependency(account ?? accountLoggingCheck(this, { logKey: this.logKey, logRetention, removalPolicy }));
    // API Gateway writes execution logs to this group and creates it itself, unencrypted and kept forever, when it
    // does not exist: the stack creates it first, with the log key and the retention of every other log group.
    // @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      encryptionKey: this.logKey,
      retention: logRetention,
      removalPolicy,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogGroup);
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
    addGatewayResponses(this.api, this.corsAllowOrigins);

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
      allowOrigins: props.cors ? this.corsAllowOrigins : undefined,
      stageArn: this.api.deploymentStage.stageArn,
      logKey: this.logKey,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
    this.webAcl = this.firewall.webAcl;

    if (props.audit?.existingTrailArn) {
      this.trailArn = props.audit.existingTrailArn;
    } else {
      const trail = props.audit?.trail;
      const trailStack = trail && Stack.of(trail);
      if (trailStack && trailStack !== Stack.of(this) && account && Stack.of(account) === trailStack) {
        // The trail would read this stack's table ARN (its stack depends on this one) while this stage waits for the
        // account logging settings in that same stack (this stack depends on it): a cycle CloudFormation cannot deploy.
        throw configError(this, `'audit.trail' is in stack '${trailStack.stackName}', which also holds the account's API Gateway logging settings that this API's stage waits for: the two stacks would depend on each other. Create the shared AuditTrail in a stack of its own, or set 'audit.existingTrailArn'`);
      }
      this.auditTrail = trail ?? sharedTrail(this, { logKey: this.logKey, logRetention, removalPolicy });
      if (this.table) this.auditTrail.recordTable(this.table, props.audit?.tableDataEvents);
      this.trailArn = this.auditTrail.trail.trailArn;
    }

    if (props.customDomain) {
      this.domainName = addCustomDomain(this, this.api, props.customDomain);
    }

    this.monitoring = createApiMonitoring(this, props.monitoring, { authorizerLogGroup: this.authorizer.logGroup, removalPolicy });
    // The functions behind the routes and the plans with quotas are known once every route and plan is declared.
    Aspects.of(this).add(new CompleteMonitoring(this), { priority: AspectPriority.MUTATING });

    for (const [key, options] of Object.entries(props.routes ?? {})) {
      this.addRoute(key, options);
    }
    for (const [name, plan] of Object.entries(props.usagePlans ?? {})) {
      this.addUsagePlan(name, plan);
    }
    for (const [name, client] of Object.entries(props.clients ?? {})) {
      this.addClient(name, client);
    }
    // Routes, plans and clients can still be added after the constructor: checks that need all of them run at synth.
    this.node.addValidation({ validate: () => this.validateComplete() });
  }

  /**
   * Declares a route: its access rule (scopes, claims, or public), its integration and its request validation.
   * @param routeKey `'METHOD /path/{param}'`, e.g. `'GET /items/{id}'`
   * @param options who may call the route and what serves it
   */
  public addRoute(routeKey: string, options: SecureRouteOptions): apigw.Method {
    const parsed = this.routeModel(() => parseRouteKey(routeKey));
    const canonical = `${parsed.method} ${parsed.path}`;
    if (this.routes.has(canonical)) {
      throw configError(this, `route '${canonical}' is declared twice`);
    }
    // The route model checks the rule again; these answers speak the construct's prop names.
    const own = (['scopes', 'scopeMatch', 'claims', 'anyOf'] as const).filter((key) => options[key] !== undefined);
    if (options.publicAccess && own.length > 0) {
      throw configError(this, `route '${canonical}': a route with 'publicAccess: true' must not declare 'scopes', 'scopeMatch', 'claims' or 'anyOf' (got '${own[0]}')`);
    }
    if (!options.publicAccess && !options.scopes && !options.claims && !options.anyOf) {
      throw configError(this, `route '${canonical}' must declare 'scopes', 'claims' or 'anyOf', or explicitly 'publicAccess: true'`);
    }
    const rule = (where: string, access: AccessRuleOptions): AccessRule => {
      (access.claims ?? []).forEach((condition, i) => {
        const never = condition._neverMatches();
        if (never) throw configError(this, `route '${canonical}': '${where}claims[${i}]' can never match: ${never}`);
      });
      return {
        ...(access.scopes ? { scopes: access.scopes } : {}),
        ...(access.scopeMatch ? { scopeMatch: access.scopeMatch as 'all' | 'any' } : {}),
        ...(access.claims ? { claims: access.claims.map((c) => c._toConfig()) } : {}),
      };
    };
    const entry: RouteEntry = {
      method: parsed.method,
      path: parsed.path,
      ...(options.publicAccess ? { public: true }
        : options.anyOf ? { ...rule('', options), anyOf: options.anyOf.map((alternative, i) => rule(`anyOf[${i}].`, alternative)) }
          : rule('', options)),
    };
    this.routeModel(() => validateRouteTable([...this.routes.values(), entry]));
    if (BODY_METHODS.has(parsed.method) && !options.requestSchema && !options.allowAnyBody) {
      throw configError(this, `route '${canonical}' takes a body: set 'requestSchema' (JSON Schema draft-04) or explicitly 'allowAnyBody: true'`);
    }

    const resource = this.api.root.resourceForPath(parsed.path);
    const requestParameters: { [name: string]: boolean } = {};
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
    const method = resource.addMethod(parsed.method, options.integration, {
      authorizer: options.publicAccess ? undefined : this.tokenAuthorizer,
      authorizationType: options.publicAccess ? apigw.AuthorizationType.NONE : apigw.AuthorizationType.CUSTOM,
      requestParameters,
      requestValidator: model ? this.validators.body : this.validators.params,
      requestModels: model ? { 'application/json': model } : undefined,
    });
    this.routeMethods.add(method);
    // Clients may be added after the route: whether it needs a key is decided at synth, unless set explicitly.
    const keyByAuthorizer = this.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER;
    (method.node.defaultChild as apigw.CfnMethod).apiKeyRequired = options.apiKeyRequired ?? Lazy.any({
      produce: () => this.clientClaims.size > 0 && !(keyByAuthorizer && options.publicAccess),
    });
    if (options.publicAccess) {
      const reason = `Route '${canonical}' is declared 'publicAccess: true' in the SecureApi routes: it takes no token by design.`;
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
    } else {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: `Route '${canonical}' is protected by the SecureApi Lambda JWT authorizer (aws-jwt-verify, any OpenID Connect issuer, Cognito included), which checks signature, issuer, audience, expiry and the route's scopes and claims.`,
      });
    }
    this.routes.set(canonical, entry);
    return method;
  }

  /**
   * Adds a usage plan on the API's stage. Clients join it with `addClient`.
   * @param name the plan's name, `[A-Za-z0-9][A-Za-z0-9_-]{0,63}`
   * @param options its throttle, quota and per-route throttles
   */
  public addUsagePlan(name: string, options: UsagePlanOptions): apigw.UsagePlan {
    validateUsagePlan(this, name, options);
    if (name in this.usagePlans) {
      throw configError(this, `usage plan '${name}' is declared twice`);
    }
    const usagePlan = this.api.addUsagePlan(`Plan${pascal(name)}`, {
      name: `${Stack.of(this).stackName}-${name}`,
      description: options.description ?? `SecureApi usage plan '${name}'`,
      throttle: options.throttle,
      quota: options.quota,
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    const routeThrottles = Object.entries(options.routeThrottles ?? {});
    if (routeThrottles.length > 0) {
      // CDK's typed per-method throttle needs the Method object, and routes may be added after the plan: the map is
      // rendered at synth; its keys are checked against the route table in validateComplete.
      (usagePlan.node.defaultChild as apigw.CfnUsagePlan).addPropertyOverride('ApiStages.0.Throttle', Lazy.any({
        produce: () => Object.fromEntries(routeThrottles.map(([key, t]) =>
          [usagePlanMethodKey(key), { RateLimit: t.rateLimit, BurstLimit: t.burstLimit }])),
      }));
      for (const [routeKey] of routeThrottles) this.routeThrottles.push({ plan: name, routeKey });
    }
    this.usagePlans[name] = usagePlan;
    this.planOptions.set(name, options);
    return usagePlan;
  }

  /**
   * Adds an API client: its own API key, in one usage plan. The key's id is a stack output; read its value with
   * `aws apigateway get-api-key --include-value --api-key <id>`.
   * @param name the client's name, `[A-Za-z0-9][A-Za-z0-9_-]{0,63}`
   * @param options its plan and, with the AUTHORIZER key source, the claim value that identifies it
   */
  public addClient(name: string, options: ApiClientOptions): apigw.ApiKey {
    validateClient(this, name, options, Object.keys(this.usagePlans), this.clientClaims);
    if (name in this.apiKeys) {
      throw configError(this, `client '${name}' is declared twice`);
    }
    const apiKey = new apigw.ApiKey(this, `ApiKey${pascal(name)}`, {
      description: `SecureApi key of client '${name}' (plan '${options.plan}')`,
      enabled: true,
    });
    new CfnOutput(this, `ApiKeyId${pascal(name)}`, {
      description: `API key id of client '${name}': aws apigateway get-api-key --include-value --api-key <id>`,
      value: apiKey.keyId,
    });
    if (this.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER) {
      this.authorizer.grantReadApiKeys([apiKey]);
    }
    this.usagePlans[options.plan].addApiKey(apiKey);
    this.apiKeys[name] = apiKey;
    this.clientPlans.set(name, options.plan);
    this.clientClaims.set(options.claimValue ?? name, name);
    return apiKey;
  }

  /** The API Gateway TOKEN authorizer that runs the authorizer function on every non-public route. */
  public get tokenAuthorizer(): apigw.TokenAuthorizer {
    return this.authorizer.authorizer;
  }

  /** The route keys of the API (`'GET /items/{id}'`), in the order they were declared. */
  public get routeKeys(): string[] {
    return [...this.routes.keys()];
  }

  private authorizerConfig(): AuthorizerConfig {
    const tokenPolicy = this.props.tokenPolicy ?? {};
    const lifetime = tokenPolicy.allowAnyTokenLifetime ? undefined : tokenPolicy.maxTokenLifetime ?? DEFAULTS.maxTokenLifetime;
    const keyByAuthorizer = this.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER;
    return {
      issuers: this.issuers,
      routes: [...this.routes.values()],
      clockSkewSeconds: (tokenPolicy.clockSkew ?? DEFAULTS.clockSkew).toSeconds(),
      maxTokenBytes: tokenPolicy.maxTokenBytes ?? DEFAULTS.maxTokenBytes,
      ...(lifetime ? { maxTokenLifetimeSeconds: lifetime.toSeconds() } : {}),
      jwksTimeoutMs: (tokenPolicy.jwksTimeout ?? DEFAULTS.jwksTimeout).toMilliseconds(),
      jwksMaxAgeSeconds: (tokenPolicy.jwksMaxAge ?? DEFAULTS.jwksMaxAge).toSeconds(),
      ...(tokenPolicy.tenantClaim ? { tenantClaim: tokenPolicy.tenantClaim } : {}),
      ...(tokenPolicy.principalClaims ? { principalClaims: tokenPolicy.principalClaims } : {}),
      ...(keyByAuthorizer ? {
        apiKey: {
          claim: this.props.apiKeyClaim ?? 'client_id',
          keyIds: Object.fromEntries([...this.clientClaims].map(([claimValue, name]) => [claimValue, this.apiKeys[name].keyId])),
        },
      } : {}),
    };
  }

  /** What can only be checked once every route, plan and client is in: CDK runs it at synth. */
  private validateComplete(): string[] {
    const errors: string[] = [];
    if (this.routes.size === 0) {
      errors.push("no routes: declare at least one in 'routes' or with addRoute()");
    }
    for (const { plan, routeKey } of this.routeThrottles) {
      if (!this.routes.has(routeKey)) {
        errors.push(`'usagePlans.${plan}.routeThrottles' names an unknown route (got '${routeKey}'; routes: ${this.routeKeys.join(', ') || 'none'})`);
      }
    }
    for (const method of this.api.methods) {
      // With 'cors', CDK adds an OPTIONS preflight (a MOCK integration that answers CORS headers) to every resource.
      if (this.routeMethods.has(method) || (this.props.cors && method.httpMethod === 'OPTIONS')) continue;
      const authorization = (method.node.defaultChild as apigw.CfnMethod).authorizationType ?? 'NONE';
      errors.push(`method '${method.httpMethod} ${method.resource.path}' was added to the RestApi directly, not with addRoute(), so no route rule covers it (got authorization type '${authorization}' at '${method.node.path}'): declare it with addRoute(), with 'publicAccess: true' if it is meant to be public`);
    }
    if (this.apiKeySource === apigw.ApiKeySourceType.AUTHORIZER && this.clientClaims.size === 0) {
      errors.push("'apiKeySource' AUTHORIZER needs clients ('clients' or addClient()): the authorizer maps a token claim to a client's key");
    }
    errors.push(...oversizedFunctionPolicies(this));
    return errors.map((message) => configMessage(this, message));
  }

  /**
   * Adds the alarms of the functions behind the routes and of the plans' quotas.
   * @internal
   */
  public _completeMonitoring(): void {
    this.monitoring._complete({
      functions: integrationFunctions(this.api).filter((fn) => fn !== this.authorizerFunction),
      quotaPlans: quotaPlansOf(this, this.planOptions, this.clientPlans),
      logKey: this.logKey,
      ...this.logSettings,
    });
  }

  /** Runs a route-model check, turning its error into this construct's configuration error. */
  private routeModel<T>(check: () => T): T {
    try {
      return check();
    } catch (e) {
      throw e instanceof RouteTableError ? configError(this, `'routes': ${e.message}`) : e;
    }
  }
}

function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

/** A stable construct id for a route's model, e.g. 'PUT /items/{id}' → 'PutItemsId'. */
function modelId(routeKey: string): string {
  return pascal(routeKey.toLowerCase());
}
