/**
 * Gateway responses: what API Gateway itself answers when it refuses or fails a request. The template's
 * `AWS::ApiGateway::GatewayResponse` for the type is used (status, `gatewayresponse.header.*` values, the
 * `application/json` template with `$context.*` substituted); without one, the template's DEFAULT_4XX/DEFAULT_5XX;
 * without that, API Gateway's built-in answer `{"message": …}`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
import type { LocalGatewayResponse } from './api-model';

/** API Gateway's built-in status, message and `x-amzn-ErrorType` of each response type. */
export const GATEWAY_RESPONSE_DEFAULTS: Readonly<Record<string, { status: number; message: string | null; errorType: string }>> = {
  ACCESS_DENIED: { status: 403, message: 'User is not authorized to access this resource', errorType: 'AccessDeniedException' },
  API_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, message: null, errorType: 'AuthorizerConfigurationException' },
  AUTHORIZER_FAILURE: { status: 500, message: null, errorType: 'AuthorizerFailureException' },
  BAD_REQUEST_PARAMETERS: { status: 400, message: 'Missing required request parameters', errorType: 'BadRequestException' },
  BAD_REQUEST_BODY: { status: 400, message: 'Invalid request body', errorType: 'BadRequestException' },
  EXPIRED_TOKEN: { status: 403, message: 'Token expired', errorType: 'ExpiredTokenException' },
  INTEGRATION_FAILURE: { status: 504, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out', errorType: 'InternalServerErrorException' },
  INVALID_API_KEY: { status: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  INVALID_SIGNATURE: { status: 403, message: 'Invalid signature', errorType: 'InvalidSignatureException' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token', errorType: 'MissingAuthenticationTokenException' },
  QUOTA_EXCEEDED: { status: 429, message: 'Limit Exceeded', errorType: 'LimitExceededException' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long', errorType: 'RequestTooLargeException' },
  RESOURCE_NOT_FOUND: { status: 404, message: 'Not Found', errorType: 'NotFoundException' },
  THROTTLED: { status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type', errorType: 'UnsupportedMediaTypeException' },
  WAF_FILTERED: { status: 403, message: 'Forbidden', errorType: 'WAFFilteredException' },
};

/** What a gateway response may refer to: `$context.*` variables and the request's parameters. */
export interface GatewayResponseContext {
  /** Flat `$context` variables, e.g. `requestId`, `error.message`, `authorizer.principalId`. */
  readonly context: Record<string, string | number | null | undefined>;
  /** Request headers, lowercase names. */
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
  readonly pathParameters: Record<string, string>;
  readonly stageVariables: Record<string, string>;
}

/** A rendered response. */
export interface RenderedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Options of {@link renderGatewayResponse}. */
export interface RenderOptions {
  /** A status that replaces the type's built-in default (the template's status still wins). */
  readonly defaultStatus?: number;
  /** A message that replaces the type's built-in message (`$context.error.message`). */
  readonly message?: string | null;
  /** `$context.error.validationErrorString`. */
  readonly validationErrorString?: string;
  /** An `x-amzn-ErrorType` that replaces the type's built-in one (for refusals answered through DEFAULT_4XX). */
  readonly errorType?: string;
}

function headerValue(expression: string, ctx: GatewayResponseContext): string | undefined {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal) return literal[1];
  const [source, ...rest] = expression.split('.');
  const name = rest.join('.');
  if (source === 'method' && rest[0] === 'request') {
    const [, where, ...parts] = rest;
    const param = parts.join('.');
    if (where === 'header') return ctx.headers[param.toLowerCase()];
    if (where === 'querystring') return ctx.query[param];
    if (where === 'path') return ctx.pathParameters[param];
    return undefined;
  }
  if (source === 'context') {
    const value = ctx.context[name];
    return value === undefined || value === null ? undefined : String(value);
  }
  if (source === 'stageVariables') return ctx.stageVariables[name];
  return undefined;
}

/** Substitutes `$context.x.y`, `${context.x}`, `$stageVariables.x` (what gateway response templates can use). */
export function renderTemplate(template: string, ctx: GatewayResponseContext): string {
  return template.replace(/\$!?(?:\{(context|stageVariables)((?:\.[A-Za-z0-9_]+)+)\}|(context|stageVariables)((?:\.[A-Za-z0-9_]+)+))/g,
    (_whole, braced: string | undefined, bracedPath: string | undefined, bare: string | undefined, barePath: string | undefined) => {
      const source = braced ?? bare!;
      const name = (bracedPath ?? barePath!).slice(1);
      if (source === 'stageVariables') return ctx.stageVariables[name] ?? '';
      const value = ctx.context[name];
      return value === undefined || value === null ? '' : String(value);
    });
}

/**
 * The answer API Gateway gives for a gateway response type.
 * @param responses the API's gateway responses from the template, by type.
 */
export function renderGatewayResponse(responses: ReadonlyMap<string, LocalGatewayResponse>, type: string,
  ctx: GatewayResponseContext, options: RenderOptions = {}): RenderedResponse {
  const builtIn = GATEWAY_RESPONSE_DEFAULTS[type] ?? { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' };
  const defaultStatus = options.defaultStatus ?? builtIn.status;
  const family = defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const specific = responses.get(type);
  const fallback = responses.get(family);
  const configured = specific ?? fallback;
  const statusCode = specific?.statusCode ?? fallback?.statusCode ?? defaultStatus;
  const message = options.message !== undefined ? options.message : builtIn.message;
  const full: GatewayResponseContext = {
    ...ctx,
    context: {
      ...ctx.context,
      'error.message': message ?? '',
      'error.messageString': JSON.stringify(message),
      'error.responseType': type,
      'error.validationErrorString': options.validationErrorString ?? '',
      status: statusCode,
    },
  };
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'x-amzn-ErrorType': options.errorType ?? builtIn.errorType };
  let body: string;
  if (configured === undefined) {
    body = JSON.stringify({ message });
  } else {
    for (const [name, expression] of Object.entries(configured.headers)) {
      const value = headerValue(expression, full);
      if (value !== undefined) {
        for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
        headers[name] = value;
      }
    }
    const template = configured.templates['application/json'] ?? Object.values(configured.templates)[0];
    body = template === undefined ? JSON.stringify({ message }) : renderTemplate(template, full);
  }
  return { statusCode, headers, body };
}
