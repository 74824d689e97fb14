/**
 * Builders of API Gateway proxy responses. Every response, success or error, carries the API's
 * `SECURITY_HEADERS` (`lib/common/security-headers.ts`, shared with the construct's gateway responses).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { SECURITY_HEADERS } from '../../../lib/common/security-headers';

/** Media type of successful responses. */
export const JSON_CONTENT_TYPE = 'application/json';

/** Media type of error responses (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A JSON response with the security headers. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
  contentType: string = JSON_CONTENT_TYPE,
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...headers, ...SECURITY_HEADERS, 'Content-Type': contentType },
    body: JSON.stringify(body),
  };
}

/**
 * A response without a body (204), with the security headers. It still names a Content-Type so that no layer in
 * between guesses one.
 */
export function emptyResponse(statusCode = 204): APIGatewayProxyResult {
  return { statusCode, headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_CONTENT_TYPE }, body: '' };
}
