import { IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { SECURITY_HEADERS } from './common/security-headers';
import { gatewayResponseCorsHeaders } from './cors';

/*
 * The stage and API settings of a SecureApi that are the same for every API: the access log format, the gateway
 * responses, the IP allow-list resource policy, the SourceAccount aspect and the findings the API acknowledges.
 */

/** A resource policy that allows invoking the API only from the given CIDRs. */
export function ipAllowListPolicy(cidrs: string[]): iam.PolicyDocument {
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
export function accessLogFormat(): apigw.AccessLogFormat {
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

/**
 * Generic problem+json answers with security headers for every gateway error: nothing internal leaks. With CORS
 * origins, each also carries the CORS headers, so that a page of an allowed origin can read why it was refused.
 * @param corsOrigins the allowed CORS origins; none for no CORS headers
 */
export function addGatewayResponses(api: apigw.RestApi, corsOrigins: readonly string[] = []): void {
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [k, `'${v}'`])),
    ...(corsOrigins.length > 0 ? gatewayResponseCorsHeaders(corsOrigins) : {}),
  };
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
export class SourceAccountOnPermissions implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof lambda.CfnPermission && node.principal === 'apigateway.amazonaws.com' && !node.sourceAccount) {
      node.sourceAccount = Stack.of(node).account;
    }
  }
}

/** The policy findings every SecureApi REST API carries, each with the reason it does not apply. */
export function acknowledgeApiFindings(api: apigw.RestApi): void {
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
}
