/**
 * API Gateway's checks of a request head before routing (percent-encoding, URL length, header sizes, the method
 * ARN of an authorized method) and the answers to requests Node.js cannot parse at all. Each check gives the
 * gateway response type to answer with, or nothing.
 *
 * Where API Gateway has no response type of its own for a refusal, it is DEFAULT_4XX with the status: "the default
 * gateway response for an unspecified response type with the status code of 4XX".
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
import type { RenderOptions } from './gateway-responses';

/** A refusal: the gateway response type and how to render it. */
export interface HeadRefusal {
  readonly type: string;
  readonly options: RenderOptions;
}

/**
 * API Gateway's REST API quota on the total size of all header values.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export const MAX_HEADER_VALUES_BYTES = 10_240;

/** The longest URL, in characters, by endpoint type (same page as {@link MAX_HEADER_VALUES_BYTES}). */
export const MAX_URL_LENGTH: Readonly<Record<string, number>> = { REGIONAL: 10_240, EDGE: 8_192, PRIVATE: 8_192 };

/**
 * The longest method ARN of an authorized method: longer path parameter values answer `414 Request URI too long`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export const MAX_METHOD_ARN_BYTES = 1600;

/**
 * Bytes of request line and headers Node.js parses (its default is 16 KiB): room for a URL and header values at
 * API Gateway's quotas, so that the gateway refuses them with its own answers. A head beyond even this is refused
 * from the parser's error, with the same answer.
 */
export const MAX_REQUEST_HEAD_BYTES = 64 * 1024;

/** A request API Gateway refuses before routing, with no response type of its own: DEFAULT_4XX, 400. */
export function badRequest(): HeadRefusal {
  return { type: 'DEFAULT_4XX', options: { defaultStatus: 400, message: 'Bad Request', errorType: 'BadRequestException' } };
}

/** `414 Request URI too long`, through DEFAULT_4XX. */
export function uriTooLong(): HeadRefusal {
  return { type: 'DEFAULT_4XX', options: { defaultStatus: 414, message: 'Request-URI Too Long', errorType: 'BadRequestException' } };
}

/** REQUEST_TOO_LARGE: API Gateway's only "request too large" response, for the body and the head alike. */
export function requestTooLarge(): HeadRefusal {
  return { type: 'REQUEST_TOO_LARGE', options: {} };
}

/**
 * Whether a path or query string is well-formed percent-encoding of UTF-8 (what `decodeURIComponent` accepts).
 * API Gateway answers 400 to a malformed one before any integration; no AWS page documents it, it is observed on
 * live APIs: https://github.com/adamchainz/apig-wsgi/pull/102, https://github.com/ustayready/fireprox/issues/27
 */
export function isWellFormedEncoding(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** The parts of a request head the checks look at. */
export interface RequestHead {
  /** The path as received (percent-encoded), without the query. */
  readonly rawPath: string;
  /** The query string without `?`. */
  readonly rawQuery: string;
  /** The URL as the client called it, e.g. `https://host/prod/items?x=1`. */
  readonly url: string;
  /** Raw header pairs as received. */
  readonly rawHeaders: readonly string[];
  /** The API's endpoint type: `REGIONAL`, `EDGE` or `PRIVATE`. */
  readonly endpointType: string;
}

/** API Gateway's checks of the request head before routing; undefined when the head passes. */
export function checkRequestHead(head: RequestHead): HeadRefusal | undefined {
  if (!isWellFormedEncoding(head.rawPath) || !isWellFormedEncoding(head.rawQuery)) return badRequest();
  if (head.url.length > (MAX_URL_LENGTH[head.endpointType] ?? MAX_URL_LENGTH.EDGE)) return uriTooLong();
  let headerBytes = 0;
  for (let i = 1; i < head.rawHeaders.length; i += 2) headerBytes += Buffer.byteLength(head.rawHeaders[i], 'latin1');
  // AWS names no answer for this quota; REQUEST_TOO_LARGE is the gateway's "request too large".
  if (headerBytes > MAX_HEADER_VALUES_BYTES) return requestTooLarge();
  return undefined;
}

/**
 * The answer to a request Node.js's parser refused (its `clientError` code): `'client-gone'` when the client
 * reset or closed the connection mid-request (no one to answer).
 */
export function parserErrorRefusal(code: string | undefined): HeadRefusal | 'client-gone' {
  switch (code) {
    case 'ECONNRESET':
    case 'HPE_INVALID_EOF_STATE':
      return 'client-gone';
    case 'HPE_HEADER_OVERFLOW':
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return requestTooLarge();
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { type: 'DEFAULT_4XX', options: { defaultStatus: 408, message: 'Request Timeout', errorType: 'RequestTimeoutException' } };
    default:
      return badRequest();
  }
}
