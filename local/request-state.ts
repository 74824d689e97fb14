/**
 * The gateway's state of one request (what refusals and the log line refer to) and the helpers that read the
 * request's headers. Maps keyed by request names (headers, query) have no prototype.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { requestMap } from './proxy-event';

/** Per-request state, for refusals and the log line. */
export interface RequestState {
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly started: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
  pathParameters: Record<string, string>;
  resourcePath?: string;
  principalId?: string;
  authorizerError?: string;
  integrationStatus?: number;
  target?: string;
}

/** The state of a new request: fresh request ids, started now. */
export function newState(method: string, path: string, headers: Record<string, string>, query: Record<string, string>): RequestState {
  return {
    requestId: randomUUID(),
    extendedRequestId: `${randomBytes(12).toString('base64').replace(/[+/=]/g, '').slice(0, 14)}=`,
    started: Date.now(),
    method: method.toUpperCase(),
    path,
    headers,
    query,
    pathParameters: {},
  };
}

/** Headers of `rawHeaders` by lowercase name; a later repeat of a name wins. */
export function lowerHeaders(rawHeaders: string[]): Record<string, string> {
  const headers = requestMap<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers[rawHeaders[i].toLowerCase()] = rawHeaders[i + 1];
  return headers;
}

/** Header name (as sent) and value pairs of `rawHeaders`; a later repeat of a name wins. */
export function headerPairs(rawHeaders: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) out.push([rawHeaders[i], rawHeaders[i + 1]]);
  return out;
}
