/**
 * The Lambda proxy integration contract of REST APIs (payload format 1.0): the event API Gateway sends and the
 * result it expects back.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
import type { LocalResource } from './api-model';

/** A matched route: the resource and the path parameters. */
export interface RouteMatch {
  readonly resource: LocalResource;
  readonly pathParameters: Record<string, string>;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `{id}` or `{proxy+}`: a path part that is a parameter, never a literal. */
function isTemplatePart(pathPart: string): boolean {
  return pathPart.startsWith('{') && pathPart.endsWith('}');
}

/** A map for names that come from the request: no prototype, so `__proto__` or `constructor` are plain keys. */
export function requestMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Finds the resource for a path (relative to the stage). Literal path parts win over `{param}`, which win over a
 * greedy `{param+}`, as in API Gateway. A request segment that reads like a template (`{id}`, `%7Bid%7D`) is a
 * value: template path parts never match literally. One trailing slash is ignored.
 */
export function matchRoute(root: LocalResource, path: string): RouteMatch | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed === '/' || trimmed === '' ? [] : trimmed.replace(/^\//, '').split('/');
  const walk = (node: LocalResource, index: number, params: Record<string, string>): RouteMatch | undefined => {
    if (index === segments.length) return { resource: node, pathParameters: params };
    const segment = segments[index];
    if (segment === '') return undefined;
    const literal = node.children.find((c) => !isTemplatePart(c.pathPart) && c.pathPart === decode(segment));
    if (literal !== undefined) {
      const found = walk(literal, index + 1, params);
      if (found) return found;
    }
    for (const child of node.children) {
      const param = /^\{([^}+]+)\}$/.exec(child.pathPart)?.[1];
      if (param === undefined) continue;
      const found = walk(child, index + 1, { ...params, [param]: decode(segment) });
      if (found) return found;
    }
    for (const child of node.children) {
      const greedy = /^\{([^}]+)\+\}$/.exec(child.pathPart)?.[1];
      if (greedy !== undefined) {
        return { resource: child, pathParameters: { ...params, [greedy]: segments.slice(index).map(decode).join('/') } };
      }
    }
    return undefined;
  };
  return walk(root, 0, {});
}

/** The parts of an HTTP request the event is made of. */
export interface ProxyRequest {
  readonly httpMethod: string;
  /** The path after the stage, e.g. `/items/42`. */
  readonly path: string;
  /** Raw header pairs as received (names keep their case). */
  readonly rawHeaders: string[];
  /** The raw query string without `?`. */
  readonly rawQuery: string;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
  readonly host: string;
}

/** The request context fields the gateway knows. */
export interface ProxyContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpoch: number;
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly apiKey?: string;
  readonly apiKeyId?: string;
  /** `principalId` and the authorizer's context, for authorized methods. */
  readonly authorizer?: Record<string, unknown>;
}

/** Headers as API Gateway passes them: last value per name in `headers`, every value in `multiValueHeaders`. */
export function parseHeaders(rawHeaders: string[]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers = requestMap<string>();
  const multiValueHeaders = requestMap<string[]>();
  const nameOf = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i].toLowerCase();
    const name = nameOf.get(lower) ?? rawHeaders[i];
    nameOf.set(lower, name);
    headers[name] = rawHeaders[i + 1];
    (multiValueHeaders[name] ??= []).push(rawHeaders[i + 1]);
  }
  return { headers, multiValueHeaders };
}

/** The query string as API Gateway passes it (decoded; last value per name, and every value). */
export function parseQuery(rawQuery: string): { query: Record<string, string>; multiValueQuery: Record<string, string[]> } {
  const query = requestMap<string>();
  const multiValueQuery = requestMap<string[]>();
  if (rawQuery === '') return { query, multiValueQuery };
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1).replace(/\+/g, ' '));
    query[name] = value;
    (multiValueQuery[name] ??= []).push(value);
  }
  return { query, multiValueQuery };
}

function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Builds the proxy event (payload format 1.0) of a request. */
export function buildProxyEvent(request: ProxyRequest, match: RouteMatch, context: ProxyContext): Record<string, unknown> {
  const { headers, multiValueHeaders } = parseHeaders(request.rawHeaders);
  const forwarded = { 'X-Forwarded-For': request.sourceIp, 'X-Forwarded-Port': request.host.split(':')[1] ?? '80', 'X-Forwarded-Proto': request.protocol };
  for (const [name, value] of Object.entries(forwarded)) {
    const existing = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
    const key = existing ?? name;
    headers[key] = existing !== undefined && name === 'X-Forwarded-For' ? `${headers[key]}, ${value}` : value;
    multiValueHeaders[key] = [headers[key]];
  }
  const { query, multiValueQuery } = parseQuery(request.rawQuery);
  const hasQuery = Object.keys(query).length > 0;
  const hasParams = Object.keys(match.pathParameters).length > 0;
  const userAgent = Object.entries(headers).find(([h]) => h.toLowerCase() === 'user-agent')?.[1] ?? null;
  const body = request.body.length === 0 ? null : request.body.toString('utf8');
  return {
    resource: match.resource.path,
    path: request.path,
    httpMethod: request.httpMethod,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: hasParams ? match.pathParameters : null,
    stageVariables: null,
    requestContext: {
      resourceId: context.resourceId,
      resourcePath: context.resourcePath,
      httpMethod: request.httpMethod,
      extendedRequestId: context.extendedRequestId,
      requestTime: formatRequestTime(context.requestTimeEpoch),
      path: `/${context.stage}${request.path}`,
      accountId: context.accountId,
      protocol: 'HTTP/1.1',
      stage: context.stage,
      domainPrefix: request.host.split('.')[0].split(':')[0],
      requestTimeEpoch: context.requestTimeEpoch,
      requestId: context.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: request.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent,
        user: null,
        apiKey: context.apiKey ?? null,
        apiKeyId: context.apiKeyId ?? null,
      },
      domainName: request.host,
      apiId: context.apiId,
      ...(context.authorizer !== undefined ? { authorizer: context.authorizer } : {}),
    },
    body,
    isBase64Encoded: false,
  };
}

/** A proxy integration result, checked. */
export interface ProxyResult {
  readonly statusCode: number;
  /** Header name → values. */
  readonly headers: Array<[string, string]>;
  readonly body: Buffer;
}

/**
 * Checks a Lambda's proxy result as API Gateway does; undefined when it is malformed (API Gateway answers 502).
 */
export function parseProxyResult(payload: unknown): ProxyResult | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const result = payload as Record<string, unknown>;
  const statusCode = typeof result.statusCode === 'string' ? Number(result.statusCode) : result.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return undefined;
  const headers: Array<[string, string]> = [];
  const single = result.headers;
  const multi = result.multiValueHeaders;
  if (single !== undefined && single !== null && (typeof single !== 'object' || Array.isArray(single))) return undefined;
  if (multi !== undefined && multi !== null && (typeof multi !== 'object' || Array.isArray(multi))) return undefined;
  // Both maps are merged; a pair present in both appears once (API Gateway's documented behaviour).
  for (const [name, values] of Object.entries((multi ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(values)) return undefined;
    for (const value of values) headers.push([name, String(value)]);
  }
  for (const [name, value] of Object.entries((single ?? {}) as Record<string, unknown>)) {
    const duplicate = headers.some(([n, v]) => n.toLowerCase() === name.toLowerCase() && v === String(value));
    if (!duplicate) headers.push([name, String(value)]);
  }
  const text = (result.body as string | undefined | null) ?? '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers, body };
}
