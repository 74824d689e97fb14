/**
 * The one place where errors become HTTP answers: RFC 9457 problem details with the security headers.
 *
 * Answers say what the client can act on and nothing about the implementation: no stack traces, class names,
 * table names or SDK messages. Deliberate errors ({@link ItemsError}) are answered with their status; anything
 * else is a generic 500. Every error is logged with a reason code, never with the request body or headers.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { FieldError, ItemsError, MethodNotAllowedError, ServiceUnavailableError, ValidationError } from './errors';
import { jsonResponse, PROBLEM_CONTENT_TYPE } from './responses';

/** Prefix of the `type` URI of every problem this service answers with; the reason follows. */
export const PROBLEM_TYPE_PREFIX = 'urn:secure-api:problem:';

/** The structured logger the service writes to (Powertools Logger fits). */
export interface ItemsLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** An RFC 9457 problem details object. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** Individual violations (extension member), for validation errors. */
  readonly errors?: readonly FieldError[];
}

/** Where the failed request went, for the logs. */
export interface RequestSummary {
  readonly resource?: string;
  readonly httpMethod?: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const GENERIC_FAILURE: Problem = {
  type: `${PROBLEM_TYPE_PREFIX}internal-error`,
  title: TITLES[500],
  status: 500,
  detail: 'The server could not process the request.',
};

/** The problem details for an error: its own for an {@link ItemsError}, the generic 500 for anything else. */
export function problemFor(err: unknown): Problem {
  if (!(err instanceof ItemsError) || (err.status >= 500 && !(err instanceof ServiceUnavailableError))) {
    return GENERIC_FAILURE;
  }
  const errors = err instanceof ValidationError && err.errors.length > 0 ? { errors: err.errors } : {};
  return {
    type: `${PROBLEM_TYPE_PREFIX}${err.reason}`,
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.message,
    ...errors,
  };
}

/** Logs an error with its reason code and answers it as problem details. */
export function problemResponse(err: unknown, logger: ItemsLogger, request: RequestSummary = {}): APIGatewayProxyResult {
  const problem = problemFor(err);
  const where = { resource: request.resource, httpMethod: request.httpMethod };
  if (err instanceof ItemsError) {
    const entry = { reason: err.logReason, status: problem.status, ...where };
    if (problem.status >= 500) {
      logger.error('Request failed', entry);
    } else {
      // Logged so that probing (e.g. many 404s on ids that are not the caller's) is visible.
      logger.info('Request rejected', entry);
    }
  } else {
    logger.error('Request failed', {
      reason: 'UnexpectedError',
      status: problem.status,
      ...where,
      errorName: err instanceof Error ? err.name : typeof err,
      errorMessage: err instanceof Error ? err.message : undefined,
    });
  }
  const headers: Record<string, string> = {};
  if (err instanceof MethodNotAllowedError) headers.Allow = err.allow.join(', ');
  if (err instanceof ServiceUnavailableError) headers['Retry-After'] = '1';
  return jsonResponse(problem.status, problem, headers, PROBLEM_CONTENT_TYPE);
}
