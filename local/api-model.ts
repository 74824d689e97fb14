/**
 * Reads what the local gateway needs out of a synthesized template: the REST API's resources and methods, its
 * authorizers, request validators and models, gateway responses, stage throttling, usage plans and API keys, the
 * Lambda functions (with their asset directories) and the DynamoDB tables. Every value is resolved to a local
 * physical value with {@link IntrinsicResolver}; nothing here is specific to the demo.
 */
import { CfnResource, CfnTemplate, IntrinsicResolver } from './intrinsics';
import { LocalFunction, readLambdaFunctions } from './lambda-functions';
import { num, ofType, props } from './template-values';

export type { LocalFunction } from './lambda-functions';

/** Thrown when the template has something the local run cannot serve. */
export class LocalModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalModelError';
  }
}

/** A throttle: steady rate per second and bucket size. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** The integration of a method. */
export interface LocalIntegration {
  /** `AWS_PROXY`, `MOCK`, … */
  readonly type: string;
  /** For Lambda integrations: the logical id of the function. */
  readonly functionLogicalId?: string;
  /** API Gateway's integration timeout. @default 29000 */
  readonly timeoutMs: number;
  /** For MOCK: the integration responses. */
  readonly mockResponse?: { statusCode: number; headers: Record<string, string>; body: string };
}

/** A method of a resource. */
export interface LocalMethod {
  readonly logicalId: string;
  readonly httpMethod: string;
  /** The resource path, e.g. `/items/{id}`. */
  readonly resourcePath: string;
  readonly resourceId: string;
  /** `NONE`, `CUSTOM`, `AWS_IAM`, `COGNITO_USER_POOLS`. */
  readonly authorizationType: string;
  readonly authorizerId?: string;
  readonly apiKeyRequired: boolean;
  /** `method.request.<where>.<name>` → required. */
  readonly requestParameters: Record<string, boolean>;
  /** Content type → model name. */
  readonly requestModels: Record<string, string>;
  readonly validateBody: boolean;
  readonly validateParameters: boolean;
  readonly integration: LocalIntegration;
}

/** A resource of the API, with its methods. */
export interface LocalResource {
  readonly id: string;
  readonly pathPart: string;
  readonly path: string;
  readonly children: LocalResource[];
  readonly methods: Map<string, LocalMethod>;
}

/** A Lambda authorizer. */
export interface LocalAuthorizer {
  readonly id: string;
  readonly name: string;
  /** `TOKEN` or `REQUEST`. */
  readonly type: string;
  /** For TOKEN authorizers: the header that carries the token. */
  readonly identityHeader?: string;
  /** For REQUEST authorizers: every identity source (`method.request.header.X`, …). */
  readonly identitySources: string[];
  readonly validationExpression?: RegExp;
  /** Result cache TTL in seconds; 0 disables caching. */
  readonly ttlSeconds: number;
  readonly functionLogicalId: string;
}

/** A gateway response of the API. */
export interface LocalGatewayResponse {
  readonly type: string;
  readonly statusCode?: number;
  /** Header name → value expression (a quoted literal or a `method.request.*` / `context.*` reference). */
  readonly headers: Record<string, string>;
  /** Content type → template. */
  readonly templates: Record<string, string>;
}

/** A usage plan with the throttles and quota that apply to this API's stage. */
export interface LocalUsagePlan {
  readonly id: string;
  readonly name: string;
  readonly throttle?: Throttle;
  readonly quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH'; offset: number };
  /** `'/items/POST'`-style keys (resource path and method) → throttle. */
  readonly methodThrottles: Record<string, Throttle>;
}

/** An API key. */
export interface LocalApiKey {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  /** The value from the template (`Value`), if it sets one; otherwise generated locally. */
  readonly templateValue?: string;
  /** Ids of the usage plans (of this API's stage) the key is in. */
  readonly planIds: string[];
}

/** A stage throttle from `MethodSettings`. */
export interface StageMethodThrottle {
  /** `/*` for every resource or an escaped resource path (`/~1items`). */
  readonly resourcePath: string;
  /** `*` or a method. */
  readonly httpMethod: string;
  readonly throttle: Throttle;
}


/** A DynamoDB table definition, ready for CreateTable. */
export interface LocalTable {
  readonly logicalId: string;
  readonly tableName: string;
  readonly definition: Record<string, unknown>;
}

/** Everything the local gateway serves. */
export interface LocalApiModel {
  readonly stackName: string;
  readonly apiId: string;
  readonly apiName: string;
  readonly stageName: string;
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER';
  /** The REST API's endpoint type (`EndpointConfiguration.Types`): `REGIONAL`, `EDGE` (the default) or `PRIVATE`. */
  readonly endpointType: string;
  readonly root: LocalResource;
  readonly authorizers: Map<string, LocalAuthorizer>;
  /** Model name → JSON schema. */
  readonly models: Map<string, object>;
  readonly gatewayResponses: Map<string, LocalGatewayResponse>;
  readonly stageThrottles: StageMethodThrottle[];
  readonly usagePlans: Map<string, LocalUsagePlan>;
  readonly apiKeys: LocalApiKey[];
  readonly functions: Map<string, LocalFunction>;
  readonly tables: LocalTable[];
  /** Resource types of the template with no local counterpart (WAF, KMS, CloudTrail, …), with their count. */
  readonly awsOnly: Map<string, number>;
  /** Whether the API has a resource policy (not evaluated locally). */
  readonly hasResourcePolicy: boolean;
  readonly warnings: string[];
}

/** Resource types the local run serves or reads. */
const LOCAL_TYPES = new Set([
  'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Resource', 'AWS::ApiGateway::Method', 'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::RequestValidator', 'AWS::ApiGateway::Model', 'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::Stage', 'AWS::ApiGateway::Deployment', 'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey', 'AWS::ApiGateway::ApiKey', 'AWS::Lambda::Function', 'AWS::Lambda::LayerVersion',
  'AWS::Lambda::Permission',
  'AWS::DynamoDB::Table', 'AWS::CDK::Metadata', 'AWS::ApiGateway::Account',
]);




function throttleOf(value: unknown): Throttle | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = value as Record<string, unknown>;
  if (t.RateLimit === undefined && t.BurstLimit === undefined) return undefined;
  return { rateLimit: num(t.RateLimit, Infinity), burstLimit: num(t.BurstLimit, Infinity) };
}

/** `method.request.header.Authorization` → `Authorization`. */
function headerOfIdentitySource(source: string): string | undefined {
  const match = /^method\.request\.header\.(.+)$/.exec(source.trim());
  return match?.[1];
}

/**
 * Builds the model of the template's REST API (the first one with a stage).
 * @param outdir the cloud assembly directory, where the function assets are.
 * @param assetDirectories asset hash → directory (relative to `outdir`), from the stack's asset manifest.
 */
export function buildApiModel(template: CfnTemplate, resolver: IntrinsicResolver, outdir: string, stackName: string,
  assetDirectories: Readonly<Record<string, string>> = {}): LocalApiModel {
  const r = resolver;
  const warnings: string[] = [];
  const exists = (resource: CfnResource) => resource.Condition === undefined || r.condition(resource.Condition);
  const present = (type: string) => ofType(template, type).filter(([, res]) => exists(res));

  const stages = present('AWS::ApiGateway::Stage');
  const apis = present('AWS::ApiGateway::RestApi');
  if (apis.length === 0) throw new LocalModelError('the template has no AWS::ApiGateway::RestApi');
  const apiIds = new Map(apis.map(([logicalId]) => [r.ids.ref(logicalId), logicalId]));
  const stageEntry = stages.find(([, s]) => apiIds.has(r.resolveString(props(s).RestApiId, 'Stage.RestApiId')));
  if (stageEntry === undefined) throw new LocalModelError('the template has no AWS::ApiGateway::Stage for its REST API');
  const stageProps = props(stageEntry[1]);
  const apiId = r.resolveString(stageProps.RestApiId, 'Stage.RestApiId');
  const apiLogicalId = apiIds.get(apiId)!;
  if (apis.length > 1) warnings.push(`the template has ${apis.length} REST APIs; serving only ${apiLogicalId}`);
  const apiProps = props(template.Resources[apiLogicalId]);
  const stageName = r.resolveString(stageProps.StageName, 'Stage.StageName');
  const stageLogicalId = stageEntry[0];
  const forThisApi = (resource: CfnResource) => r.resolve(props(resource).RestApiId) === apiId;

  // Functions first: integrations and authorizers refer to them by ARN.
  const functions = readLambdaFunctions(template, r, present('AWS::Lambda::Function'), outdir, assetDirectories, warnings);
  const functionByArn = new Map([...functions.values()].map((fn) => [fn.arn, fn.logicalId]));
  const functionOfUri = (uri: string, where: string): string => {
    const arn = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
    // A qualified ARN (alias or version) runs the same local code.
    const logicalId = arn === undefined ? undefined
      : functionByArn.get(arn) ?? functionByArn.get(arn.replace(/:[^:]+$/, ''));
    if (logicalId === undefined) throw new LocalModelError(`${where}: no local function for integration URI ${uri}`);
    return logicalId;
  };

  // Resources: a tree from the root resource id.
  const rootId = r.ids.getAtt(apiLogicalId, 'RootResourceId');
  const root: LocalResource = { id: rootId, pathPart: '', path: '/', children: [], methods: new Map() };
  const byId = new Map<string, LocalResource>([[rootId, root]]);
  const pending = present('AWS::ApiGateway::Resource').filter(([, res]) => forThisApi(res));
  while (pending.length > 0) {
    const index = pending.findIndex(([, res]) => byId.has(r.resolveString(props(res).ParentId, 'Resource.ParentId')));
    if (index < 0) throw new LocalModelError(`resources without a parent in the API: ${pending.map(([id]) => id).join(', ')}`);
    const [logicalId, res] = pending.splice(index, 1)[0];
    const parent = byId.get(r.resolveString(props(res).ParentId, 'Resource.ParentId'))!;
    const pathPart = r.resolveString(props(res).PathPart, `${logicalId}.PathPart`);
    const node: LocalResource = {
      id: r.ids.ref(logicalId),
      pathPart,
      path: `${parent.path === '/' ? '' : parent.path}/${pathPart}`,
      children: [],
      methods: new Map(),
    };
    parent.children.push(node);
    byId.set(node.id, node);
  }

  const validators = new Map<string, { body: boolean; params: boolean }>();
  for (const [logicalId, res] of present('AWS::ApiGateway::RequestValidator').filter(([, v]) => forThisApi(v))) {
    const p = r.resolve(props(res)) as Record<string, unknown>;
    validators.set(r.ids.ref(logicalId), { body: p.ValidateRequestBody === true, params: p.ValidateRequestParameters === true });
  }

  const models = new Map<string, object>();
  for (const [logicalId, res] of present('AWS::ApiGateway::Model').filter(([, m]) => forThisApi(m))) {
    const schema = r.resolve(props(res).Schema);
    const parsed = typeof schema === 'string' ? JSON.parse(schema) as object : schema as object;
    models.set(r.ids.ref(logicalId), parsed);
  }

  for (const [logicalId, res] of present('AWS::ApiGateway::Method').filter(([, m]) => forThisApi(m))) {
    const p = r.resolve(props(res)) as Record<string, unknown>;
    const resource = byId.get(String(p.ResourceId));
    if (resource === undefined) throw new LocalModelError(`method ${logicalId} is on an unknown resource`);
    const integrationProps = (p.Integration ?? {}) as Record<string, unknown>;
    const type = String(integrationProps.Type ?? 'MOCK');
    const validator = p.RequestValidatorId === undefined ? undefined : validators.get(String(p.RequestValidatorId));
    let integration: LocalIntegration = { type, timeoutMs: num(integrationProps.TimeoutInMillis, 29_000) };
    if (type === 'AWS_PROXY' || type === 'AWS') {
      integration = { ...integration, functionLogicalId: functionOfUri(String(integrationProps.Uri), logicalId) };
      if (type === 'AWS') warnings.push(`method ${logicalId}: non-proxy Lambda integrations are served as proxy integrations`);
    } else if (type === 'MOCK') {
      const responses = (integrationProps.IntegrationResponses ?? []) as Array<Record<string, unknown>>;
      const chosen = responses.find((x) => x.SelectionPattern === undefined || x.SelectionPattern === '') ?? responses[0];
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries((chosen?.ResponseParameters ?? {}) as Record<string, string>)) {
        const header = /^method\.response\.header\.(.+)$/.exec(key)?.[1];
        if (header !== undefined) headers[header] = String(value).replace(/^'(.*)'$/s, '$1');
      }
      const templates = (chosen?.ResponseTemplates ?? {}) as Record<string, string>;
      integration = {
        ...integration,
        mockResponse: { statusCode: num(chosen?.StatusCode, 200), headers, body: templates['application/json'] ?? '' },
      };
    } else {
      warnings.push(`method ${logicalId}: ${type} integrations are not emulated; it answers 500`);
    }
    const method: LocalMethod = {
      logicalId,
      httpMethod: String(p.HttpMethod).toUpperCase(),
      resourcePath: resource.path,
      resourceId: resource.id,
      authorizationType: String(p.AuthorizationType ?? 'NONE'),
      authorizerId: p.AuthorizerId === undefined ? undefined : String(p.AuthorizerId),
      apiKeyRequired: p.ApiKeyRequired === true || p.ApiKeyRequired === 'true',
      requestParameters: Object.fromEntries(Object.entries((p.RequestParameters ?? {}) as Record<string, unknown>)
        .map(([k, v]) => [k, v === true || v === 'true'])),
      requestModels: (p.RequestModels ?? {}) as Record<string, string>,
      validateBody: validator?.body ?? false,
      validateParameters: validator?.params ?? false,
      integration,
    };
    if (method.authorizationType === 'AWS_IAM' || method.authorizationType === 'COGNITO_USER_POOLS') {
      warnings.push(`method ${logicalId}: ${method.authorizationType} authorization is not emulated; it answers 500`);
    }
    resource.methods.set(method.httpMethod, method);
  }

  const authorizers = new Map<string, LocalAuthorizer>();
  for (const [logicalId, res] of present('AWS::ApiGateway::Authorizer').filter(([, a]) => forThisApi(a))) {
    const p = r.resolve(props(res)) as Record<string, unknown>;
    const type = String(p.Type);
    if (type !== 'TOKEN' && type !== 'REQUEST') {
      warnings.push(`authorizer ${logicalId}: ${type} authorizers are not emulated`);
      continue;
    }
    const sources = String(p.IdentitySource ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    authorizers.set(r.ids.ref(logicalId), {
      id: r.ids.ref(logicalId),
      name: String(p.Name ?? logicalId),
      type,
      identityHeader: type === 'TOKEN' ? headerOfIdentitySource(sources[0] ?? '') : undefined,
      identitySources: sources,
      validationExpression: typeof p.IdentityValidationExpression === 'string' && type === 'TOKEN'
        ? new RegExp(p.IdentityValidationExpression) : undefined,
      ttlSeconds: num(p.AuthorizerResultTtlInSeconds, 300),
      functionLogicalId: functionOfUri(String(p.AuthorizerUri), logicalId),
    });
  }

  const gatewayResponses = new Map<string, LocalGatewayResponse>();
  for (const [, res] of present('AWS::ApiGateway::GatewayResponse').filter(([, g]) => forThisApi(g))) {
    const p = r.resolve(props(res)) as Record<string, unknown>;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries((p.ResponseParameters ?? {}) as Record<string, string>)) {
      const header = /^gatewayresponse\.header\.(.+)$/.exec(key)?.[1];
      if (header !== undefined) headers[header] = String(value);
    }
    gatewayResponses.set(String(p.ResponseType), {
      type: String(p.ResponseType),
      statusCode: p.StatusCode === undefined ? undefined : num(p.StatusCode, 500),
      headers,
      templates: (p.ResponseTemplates ?? {}) as Record<string, string>,
    });
  }

  const stageThrottles: StageMethodThrottle[] = [];
  for (const setting of (r.resolve(stageProps.MethodSettings) ?? []) as Array<Record<string, unknown>>) {
    const throttle = throttleOf({ RateLimit: setting.ThrottlingRateLimit, BurstLimit: setting.ThrottlingBurstLimit });
    if (throttle === undefined) continue;
    stageThrottles.push({
      resourcePath: String(setting.ResourcePath ?? '/*'),
      httpMethod: String(setting.HttpMethod ?? '*'),
      throttle,
    });
  }

  const usagePlans = new Map<string, LocalUsagePlan>();
  for (const [logicalId, res] of present('AWS::ApiGateway::UsagePlan')) {
    const p = r.resolve(props(res)) as Record<string, unknown>;
    const stagesOfPlan = (p.ApiStages ?? []) as Array<Record<string, unknown>>;
    const mine = stagesOfPlan.find((s) => s.ApiId === apiId && (s.Stage === stageName || s.Stage === r.ids.ref(stageLogicalId)));
    if (mine === undefined) continue;
    const methodThrottles: Record<string, Throttle> = {};
    for (const [key, value] of Object.entries((mine.Throttle ?? {}) as Record<string, unknown>)) {
      const throttle = throttleOf(value);
      if (throttle !== undefined) methodThrottles[key] = throttle;
    }
    const quota = p.Quota as Record<string, unknown> | undefined;
    const period = String(quota?.Period ?? '');
    usagePlans.set(r.ids.ref(logicalId), {
      id: r.ids.ref(logicalId),
      name: String(p.UsagePlanName ?? logicalId),
      throttle: throttleOf(p.Throttle),
      quota: quota !== undefined && quota.Limit !== undefined && ['DAY', 'WEEK', 'MONTH'].includes(period)
        ? { limit: num(quota.Limit, Infinity), period: period as 'DAY' | 'WEEK' | 'MONTH', offset: num(quota.Offset, 0) }
        : undefined,
      methodThrottles,
    });
  }

  const planKeys = present('AWS::ApiGateway::UsagePlanKey').map(([, res]) => r.resolve(props(res)) as Record<string, unknown>);
  const apiKeys: LocalApiKey[] = present('AWS::ApiGateway::ApiKey').map(([logicalId, res]) => {
    const p = r.resolve(props(res)) as Record<string, unknown>;
    const id = r.ids.ref(logicalId);
    return {
      logicalId,
      id,
      name: String(p.Name ?? logicalId),
      enabled: p.Enabled !== false && p.Enabled !== 'false',
      templateValue: typeof p.Value === 'string' ? p.Value : undefined,
      planIds: planKeys.filter((k) => k.KeyId === id && k.KeyType === 'API_KEY' && usagePlans.has(String(k.UsagePlanId)))
        .map((k) => String(k.UsagePlanId)),
    };
  });

  const tables: LocalTable[] = present('AWS::DynamoDB::Table').map(([logicalId, res]) => {
    const p = r.resolve(props(res)) as Record<string, unknown>;
    const tableName = r.ids.ref(logicalId);
    const definition: Record<string, unknown> = {
      TableName: tableName,
      AttributeDefinitions: p.AttributeDefinitions,
      KeySchema: p.KeySchema,
      BillingMode: p.BillingMode ?? 'PROVISIONED',
    };
    if (p.ProvisionedThroughput !== undefined) definition.ProvisionedThroughput = p.ProvisionedThroughput;
    else if (definition.BillingMode === 'PROVISIONED') definition.ProvisionedThroughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
    for (const key of ['GlobalSecondaryIndexes', 'LocalSecondaryIndexes']) if (p[key] !== undefined) definition[key] = p[key];
    return { logicalId, tableName, definition };
  });

  const awsOnly = new Map<string, number>();
  for (const resource of Object.values(template.Resources)) {
    if (!LOCAL_TYPES.has(resource.Type)) awsOnly.set(resource.Type, (awsOnly.get(resource.Type) ?? 0) + 1);
  }

  return {
    stackName,
    apiId,
    apiName: String(r.resolve(apiProps.Name) ?? apiLogicalId),
    stageName,
    apiKeySource: r.resolve(apiProps.ApiKeySourceType) === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER',
    endpointType: String((r.resolve(apiProps.EndpointConfiguration) as { Types?: unknown[] } | undefined)?.Types?.[0] ?? 'EDGE'),
    root,
    authorizers,
    models,
    gatewayResponses,
    stageThrottles,
    usagePlans,
    apiKeys,
    functions,
    tables,
    awsOnly,
    hasResourcePolicy: apiProps.Policy !== undefined,
    warnings,
  };
}

/** Every method of the API, depth first, in path order. */
export function allMethods(root: LocalResource): LocalMethod[] {
  const out: LocalMethod[] = [];
  const visit = (node: LocalResource) => {
    out.push(...[...node.methods.values()].sort((a, b) => a.httpMethod.localeCompare(b.httpMethod)));
    [...node.children].sort((a, b) => a.pathPart.localeCompare(b.pathPart)).forEach(visit);
  };
  visit(root);
  return out;
}
