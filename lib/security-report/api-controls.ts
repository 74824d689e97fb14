/*
 * The API Gateway controls of a template: TLS and endpoint access, custom domains, authorization of each method,
 * request validation, usage plans and API keys, throttling, access and execution logging, tracing.
 */
import { control, evidence, yesNo } from './evidence';
import { Acknowledgment, Control, Evidence } from './report-model';
import { describeValue, LocatedResource, methodRoute, referencedId, resourceById, resourcesOfType, StackTemplate } from './template';

/** Enhanced (`SecurityPolicy_TLS13_…`, `SecurityPolicy_TLS12_…`) and legacy TLS 1.2 policies. */
function isTls12OrLater(policy: unknown): boolean {
  return typeof policy === 'string' && (policy === 'TLS_1_2' || /^SecurityPolicy_TLS1[23]/.test(policy));
}

/** Whether an acknowledgment that the method is public (`AwsSolutions-APIG4`) is recorded on it or an ancestor. */
function publicAcknowledgment(method: LocatedResource, acknowledgments: Acknowledgment[]): Acknowledgment | undefined {
  const path = method.constructPath ?? '';
  return acknowledgments.find((ack) => /(^|::)AwsSolutions-APIG4$/.test(ack.ruleId)
    && (path === ack.constructPath || path.startsWith(`${ack.constructPath}/`)));
}

/** Why a method without authorization is an exception, or `undefined` when it is not one. */
function publicException(method: LocatedResource, acknowledgments: Acknowledgment[]): string | undefined {
  const integration = method.properties.Integration as { Type?: unknown } | undefined;
  if (method.properties.HttpMethod === 'OPTIONS' && integration?.Type === 'MOCK') return 'CORS preflight answered by a mock integration';
  const ack = publicAcknowledgment(method, acknowledgments);
  return ack ? `declared public: ${ack.reason}` : undefined;
}

function methodEvidence(stack: StackTemplate, acknowledgments: Acknowledgment[]): { auth: Evidence[]; validation: Evidence[]; keys: Evidence[] } {
  const auth: Evidence[] = [];
  const validation: Evidence[] = [];
  const keys: Evidence[] = [];
  for (const method of resourcesOfType(stack, 'AWS::ApiGateway::Method')) {
    const route = methodRoute(stack, method);
    const type = method.properties.AuthorizationType;
    const exception = type === undefined || type === 'NONE' ? publicException(method, acknowledgments) : undefined;
    if (type === 'CUSTOM' || type === 'COGNITO_USER_POOLS') {
      auth.push(evidence(method, 'AuthorizerId', true, `${route}: ${String(type)} authorizer ${describeValue(method.properties.AuthorizerId)}`));
    } else if (type === 'AWS_IAM') {
      auth.push(evidence(method, 'AuthorizationType', true, `${route}: IAM (SigV4) authorization`));
    } else {
      auth.push(evidence(method, 'AuthorizationType', false, `${route}: no authorization`, exception));
    }
    if (method.properties.HttpMethod === 'OPTIONS') continue;
    const validatorId = referencedId(method.properties.RequestValidatorId);
    const validator = resourceById(stack, validatorId);
    validation.push(validator
      ? evidence(method, 'RequestValidatorId', true, `${route}: validates body ${yesNo(validator.properties.ValidateRequestBody)}, parameters ${yesNo(validator.properties.ValidateRequestParameters)}`
        + (method.properties.RequestModels ? `, model ${describeValue(Object.values(method.properties.RequestModels as object)[0])}` : ''))
      : evidence(method, 'RequestValidatorId', false, `${route}: no request validator`, exception));
    keys.push(evidence(method, 'ApiKeyRequired', method.properties.ApiKeyRequired === true,
      `${route}: API key ${method.properties.ApiKeyRequired === true ? 'required' : 'not required'}`, method.properties.ApiKeyRequired === true ? undefined : exception));
  }
  return { auth, validation, keys };
}

/** The API Gateway controls of a template. */
export function apiControls(stack: StackTemplate, acknowledgments: Acknowledgment[]): Control[] {
  const apis = resourcesOfType(stack, 'AWS::ApiGateway::RestApi');
  const stages = resourcesOfType(stack, 'AWS::ApiGateway::Stage');
  const domains = resourcesOfType(stack, 'AWS::ApiGateway::DomainName', 'AWS::ApiGateway::DomainNameV2');
  const methods = methodEvidence(stack, acknowledgments);

  const domainEvidence: Evidence[] = domains.flatMap((domain) => [
    evidence(domain, 'SecurityPolicy', isTls12OrLater(domain.properties.SecurityPolicy),
      `${describeValue(domain.properties.DomainName)}: TLS policy ${describeValue(domain.properties.SecurityPolicy)}`),
    ...(domain.properties.EndpointAccessMode === undefined ? [] : [evidence(domain, 'EndpointAccessMode', domain.properties.EndpointAccessMode === 'STRICT',
      `${describeValue(domain.properties.DomainName)}: endpoint access mode ${describeValue(domain.properties.EndpointAccessMode)}`)]),
  ]);
  if (domains.length > 0) {
    for (const api of apis) {
      domainEvidence.push(evidence(api, 'DisableExecuteApiEndpoint', api.properties.DisableExecuteApiEndpoint === true,
        `default execute-api endpoint ${api.properties.DisableExecuteApiEndpoint === true ? 'disabled' : 'still enabled'}`));
    }
  }

  const plans = resourcesOfType(stack, 'AWS::ApiGateway::UsagePlan');
  const planEvidence = plans.flatMap((plan) => {
    const name = describeValue(plan.properties.UsagePlanName);
    const throttle = plan.properties.Throttle as { RateLimit?: unknown; BurstLimit?: unknown } | undefined;
    const quota = plan.properties.Quota as { Limit?: unknown; Period?: unknown } | undefined;
    const routeThrottles = (Array.isArray(plan.properties.ApiStages) ? plan.properties.ApiStages as Array<{ Throttle?: object }> : [])
      .flatMap((s) => Object.keys(s.Throttle ?? {}));
    return [
      evidence(plan, 'Throttle', throttle !== undefined, throttle
        ? `${name}: ${describeValue(throttle.RateLimit)} requests/s, burst ${describeValue(throttle.BurstLimit)}${routeThrottles.length ? `; route throttles ${routeThrottles.join(', ')}` : ''}`
        : `${name}: no throttle`),
      evidence(plan, 'Quota', quota !== undefined, quota ? `${name}: quota ${describeValue(quota.Limit)} per ${describeValue(quota.Period)}` : `${name}: no quota`),
    ];
  });
  const keyEvidence = [
    ...resourcesOfType(stack, 'AWS::ApiGateway::ApiKey').map((key) => evidence(key, 'Enabled', true, `API key: ${describeValue(key.properties.Description ?? key.logicalId)}`)),
    ...resourcesOfType(stack, 'AWS::ApiGateway::UsagePlanKey').map((link) =>
      evidence(link, 'UsagePlanId', true, `key ${describeValue(link.properties.KeyId)} in plan ${describeValue(link.properties.UsagePlanId)}`)),
    ...methods.keys,
  ];

  const stageThrottle: Evidence[] = [];
  const executionLogging: Evidence[] = [];
  for (const stage of stages) {
    const settings = Array.isArray(stage.properties.MethodSettings) ? stage.properties.MethodSettings as Array<Record<string, unknown>> : [];
    const index = settings.findIndex((s) => s.ResourcePath === '/*' && s.HttpMethod === '*');
    const all = index >= 0 ? settings[index] : undefined;
    const at = (p: string): string => `MethodSettings[${index}].${p}`;
    stageThrottle.push(all?.ThrottlingRateLimit !== undefined
      ? evidence(stage, at('ThrottlingRateLimit'), true, `stage ${describeValue(stage.properties.StageName)}: ${describeValue(all.ThrottlingRateLimit)} requests/s, burst ${describeValue(all.ThrottlingBurstLimit)}`)
      : evidence(stage, 'MethodSettings', false, `stage ${describeValue(stage.properties.StageName)}: no stage-wide throttle (account default applies)`));
    executionLogging.push(all?.LoggingLevel !== undefined
      ? evidence(stage, at('LoggingLevel'), all.DataTraceEnabled !== true,
        `stage ${describeValue(stage.properties.StageName)}: execution logs at ${describeValue(all.LoggingLevel)}, data trace ${all.DataTraceEnabled === true ? 'ON (logs full requests, tokens included)' : 'off'}`)
      : evidence(stage, 'MethodSettings', false, `stage ${describeValue(stage.properties.StageName)}: no execution logging`));
  }

  const tracing = [
    ...stages.map((stage) => evidence(stage, 'TracingEnabled', stage.properties.TracingEnabled === true, `stage ${describeValue(stage.properties.StageName)}: X-Ray tracing ${yesNo(stage.properties.TracingEnabled)}`)),
    ...resourcesOfType(stack, 'AWS::Lambda::Function').map((fn) => evidence(fn, 'TracingConfig.Mode',
      (fn.properties.TracingConfig as { Mode?: unknown } | undefined)?.Mode === 'Active',
      `function ${describeValue(fn.properties.Description ?? fn.logicalId)}: tracing ${describeValue((fn.properties.TracingConfig as { Mode?: unknown } | undefined)?.Mode ?? 'PassThrough')}`)),
  ];

  return [
    control('api.tls-policy', 'REST API TLS security policy (TLS 1.2 or later)',
      apis.map((api) => evidence(api, 'SecurityPolicy', isTls12OrLater(api.properties.SecurityPolicy), `${describeValue(api.properties.Name)}: ${describeValue(api.properties.SecurityPolicy)}`)),
      'no REST API in this stack'),
    control('api.endpoint-access-mode', 'REST API endpoint access mode STRICT',
      apis.map((api) => evidence(api, 'EndpointAccessMode', api.properties.EndpointAccessMode === 'STRICT', `${describeValue(api.properties.Name)}: ${describeValue(api.properties.EndpointAccessMode)}`)),
      'no REST API in this stack'),
    control('api.custom-domain', 'Custom domain with a TLS 1.2+ policy (and the default endpoint off)', domainEvidence,
      'no custom domain: clients call the default execute-api endpoint'),
    control('auth.method-authorization', 'Authorization on every method (public methods listed as exceptions)', methods.auth, 'no method in this stack'),
    control('auth.authorizers', 'Authorizers', resourcesOfType(stack, 'AWS::ApiGateway::Authorizer').map((authorizer) => {
      const p = authorizer.properties;
      const ttl = p.AuthorizerResultTtlInSeconds ?? 300;
      return evidence(authorizer, 'Type', true, `${String(p.Type)} authorizer, identity source ${describeValue(p.IdentitySource)}, cache TTL ${describeValue(ttl)} s`
        + (p.IdentityValidationExpression !== undefined ? `, token format checked by ${describeValue(p.IdentityValidationExpression)}` : ''));
    }), 'no authorizer in this stack'),
    control('api.request-validation', 'Request validation on every method', methods.validation, 'no method in this stack'),
    control('api.usage-plans', 'Usage plans with throttles and quotas', planEvidence, 'no usage plan: no per-client throttle or quota'),
    control('api.api-keys', 'API keys required and attached to usage plans', keyEvidence, 'no API key'),
    control('api.stage-throttle', 'Stage-wide throttle', stageThrottle, 'no stage in this stack'),
    control('api.access-logging', 'Access logging', stages.map((stage) => {
      const setting = stage.properties.AccessLogSetting as { Format?: unknown } | undefined;
      const fields = typeof setting?.Format === 'string' ? (setting.Format.match(/\$context\./g) ?? []).length : 0;
      return evidence(stage, 'AccessLogSetting.DestinationArn', setting !== undefined,
        setting ? `stage ${describeValue(stage.properties.StageName)}: access logs to ${describeValue((setting as { DestinationArn?: unknown }).DestinationArn)}, ${fields} fields` : `stage ${describeValue(stage.properties.StageName)}: no access logs`);
    }), 'no stage in this stack'),
    control('api.execution-logging', 'Execution logging without request data', executionLogging, 'no stage in this stack'),
    control('tracing.xray', 'X-Ray tracing (stages and functions)', tracing, 'no stage or function in this stack'),
  ];
}
