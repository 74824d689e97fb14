/**
 * Helpers of the end-to-end tests: real HTTP calls (global fetch) against a local run, and the assertions every
 * gateway refusal must meet (status, problem+json body, security headers, request id).
 */
import { createServer } from 'node:net';
import type { LocalApi } from '../../local/server';

/** The security headers every answer of the API carries (lib/common/security-headers.ts). */
export const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

/** An answer, read completely. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined. */
  readonly json: any;
}

/** Options of {@link call}. */
export interface CallOptions {
  readonly token?: string;
  /** An API key value (x-api-key). */
  readonly key?: string;
  readonly body?: unknown;
  /** Raw body text (sent as is). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** Calls the local API: `path` is appended to `api.url`. */
export async function call(api: Pick<LocalApi, 'url'>, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.key !== undefined) headers['x-api-key'] = options.key;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${api.url}${path}`, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * Asserts a gateway refusal as the template defines it: status, problem+json body with `type`, `title`, `status`
 * and the request id that is also in `x-amzn-RequestId`, and the security headers.
 */
export function expectGatewayProblem(answer: Answer, status: number, title: string): void {
  expect({ status: answer.status, body: answer.json }).toEqual({
    status,
    body: { type: 'about:blank', title, status, requestId: answer.headers.get('x-amzn-requestid') },
  });
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expectSecurityHeaders(answer);
  if (status === 401) expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  else expect(answer.headers.get('www-authenticate')).toBeNull();
}

/** Asserts the security headers and an API Gateway request id. */
export function expectSecurityHeaders(answer: Answer): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect([name, answer.headers.get(name)]).toEqual([name, value]);
  expect(answer.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
}

/** Asserts a problem answered by the items function (RFC 9457 with the service's `type`). */
export function expectServiceProblem(answer: Answer, status: number, reason: string): void {
  expect({ status: answer.status, type: answer.json?.type, problemStatus: answer.json?.status })
    .toEqual({ status, type: `urn:secure-api:problem:${reason}`, problemStatus: status });
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expectSecurityHeaders(answer);
}

/** A TCP port that was free a moment ago (to reuse one issuer port across two starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The authorizer's invocation count. */
export function authorizerInvocations(api: LocalApi): number {
  return Object.values(api.stats().functions).filter((f) => f.role === 'authorizer').reduce((n, f) => n + f.invocations, 0);
}

/** The items function's counters. */
export function itemsStats(api: LocalApi) {
  const entry = Object.entries(api.stats().functions).find(([id]) => id.toLowerCase().includes('items'));
  if (entry === undefined) throw new Error('no items function');
  return entry[1];
}

/** Time for a local start (synthesis takes a few seconds) in beforeAll. */
export const START_TIMEOUT_MS = 60_000;
