/**
 * Builders of API Gateway (REST, Lambda proxy) events for the items service tests, and helpers to read answers.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AuthorizerContextKey } from '../../../../lib/common/authorizer-config';

/** The issuer of every caller that does not name one. */
export const DEFAULT_ISSUER = 'https://issuer.example.com/';

/** A caller as the authorizer describes it. */
export interface Caller {
  /** The `sub` claim. */
  readonly sub: string;
  /** @default '' */
  readonly tenant?: string;
  /** @default DEFAULT_ISSUER */
  readonly iss?: string;
  /** The claim the principal comes from. @default 'sub' */
  readonly principalClaim?: string;
  /** @default the `sub` */
  readonly principal?: string;
  /** @default 'test-client' */
  readonly clientId?: string;
}

export const alice: Caller = { sub: 'alice' };
export const bob: Caller = { sub: 'bob' };

/** Options of {@link apiEvent}. */
export interface EventOptions {
  readonly method: string;
  /** `/items` or `/items/{id}` (the API Gateway resource), or anything else for negative tests. */
  readonly resource?: string;
  /** Value of the `{id}` path parameter. */
  readonly id?: string;
  readonly query?: Record<string, string>;
  readonly multiQuery?: Record<string, string[]>;
  /** A string is sent as it is; anything else is JSON-encoded. */
  readonly body?: unknown;
  /** @default { 'content-type': 'application/json' } when there is a body */
  readonly headers?: Record<string, string>;
  /** Replaces the whole authorizer context (e.g. `null` or `{}` to simulate a misdeployed route). */
  readonly authorizer?: Record<string, unknown> | null;
  readonly isBase64Encoded?: boolean;
  /** `requestContext.path` @default '/prod' + path */
  readonly requestPath?: string;
}

/** Builds a proxy event as API Gateway sends it after the authorizer allowed the call. */
export function apiEvent(caller: Caller | null, options: EventOptions): APIGatewayProxyEvent {
  const resource = options.resource ?? (options.id === undefined ? '/items' : '/items/{id}');
  const path = options.id === undefined ? '/items' : `/items/${options.id}`;
  const body = options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers = options.headers ?? (body === null ? {} : { 'content-type': 'application/json' });
  const authorizer = options.authorizer !== undefined
    ? options.authorizer
    : caller === null
      ? null
      : {
        [AuthorizerContextKey.SUBJECT]: caller.sub,
        [AuthorizerContextKey.PRINCIPAL]: caller.principal ?? caller.sub,
        [AuthorizerContextKey.PRINCIPAL_CLAIM]: caller.principalClaim ?? 'sub',
        [AuthorizerContextKey.CLIENT_ID]: caller.clientId ?? 'test-client',
        [AuthorizerContextKey.SCOPES]: 'items/read items/write',
        [AuthorizerContextKey.TENANT]: caller.tenant ?? '',
        [AuthorizerContextKey.ISSUER]: caller.iss ?? DEFAULT_ISSUER,
        principalId: caller.principal ?? caller.sub,
        integrationLatency: 12,
      };
  const multiQuery = options.multiQuery
    ?? (options.query === undefined ? null : Object.fromEntries(Object.entries(options.query).map(([k, v]) => [k, [v]])));
  return {
    resource,
    path,
    httpMethod: options.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: options.id === undefined ? null : { id: options.id },
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: multiQuery,
    stageVariables: null,
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer,
      protocol: 'HTTP/1.1',
      httpMethod: options.method,
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      path: options.requestPath ?? `/prod${path}`,
      stage: 'prod',
      requestId: 'request-1',
      requestTimeEpoch: 1700000000000,
      resourceId: 'res123',
      resourcePath: resource,
    },
  };
}

/** The JSON body of a response. */
export function json<T = Record<string, unknown>>(response: APIGatewayProxyResult): T {
  return JSON.parse(response.body) as T;
}

/** The headers the brief requires on every response, with their exact values. */
export const REQUIRED_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/** Asserts the security headers and a Content-Type on a response. */
export function expectSecurityHeaders(response: APIGatewayProxyResult): void {
  expect(response.headers).toMatchObject(REQUIRED_SECURITY_HEADERS);
  expect(response.headers?.['Content-Type']).toEqual(expect.any(String));
}

/**
 * Asserts that a response is an RFC 9457 problem with the given status, and that it gives nothing away: no stack
 * trace, no table name, no class or SDK error names, no file paths.
 */
export function expectProblem(response: APIGatewayProxyResult, status: number, tableName = 'items-test'): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expectSecurityHeaders(response);
  expect(response.headers?.['Content-Type']).toBe('application/problem+json');
  const problem = json(response);
  expect(problem).toEqual(expect.objectContaining({
    type: expect.stringMatching(/^urn:secure-api:problem:[a-z-]+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  }));
  expect(Object.keys(problem).filter((k) => !['type', 'title', 'status', 'detail', 'errors'].includes(k))).toEqual([]);
  const text = response.body;
  for (const leak of [tableName, '.ts', 'node_modules', 'Exception', 'DynamoDB', 'dynalite', 'OWNER#', 'ITEM#', 'stack']) {
    expect(text).not.toContain(leak);
  }
  expect(text).not.toMatch(/\bat .*:\d+:\d+/);
  expect(text).not.toMatch(/\bpk\b|\bsk\b/);
  // Class names such as ValidationError or TypeError (the RFC title 'Internal Server Error' is fine).
  expect(text).not.toMatch(/[A-Za-z]Error\b/);
  return problem;
}

/** A logger that records entries, for assertions on reason codes and on what is never logged. */
export class RecordingLogger {
  readonly entries: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  info(message: string, attributes: Record<string, unknown>): void { this.entries.push({ level: 'info', message, attributes }); }
  warn(message: string, attributes: Record<string, unknown>): void { this.entries.push({ level: 'warn', message, attributes }); }
  error(message: string, attributes: Record<string, unknown>): void { this.entries.push({ level: 'error', message, attributes }); }
  reasons(): unknown[] { return this.entries.map((e) => e.attributes.reason); }
}
