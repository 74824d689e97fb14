/**
 * The Lambda proxy integration (AWS_PROXY): the request's proxy event goes to the method's function and its proxy
 * result comes back as the answer. The gateway waits at most the integration timeout.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
import type { IncomingMessage } from 'node:http';
import type { LocalApiModel, LocalMethod } from './api-model';
import { GatewayRefusal } from './gateway-refusal';
import type { FunctionHost, InvokeOutcome } from './lambda-host';
import { parseProxyResult, ProxyContext, ProxyRequest, RouteMatch } from './proxy-event';
import type { RequestState } from './request-state';
import type { OutgoingResponse } from './response-writer';

/** Invokes a function and waits at most `timeoutMs` for its outcome (the invocation itself runs on). */
export async function invokeWithin(host: FunctionHost, event: unknown, timeoutMs: number): Promise<InvokeOutcome | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([host.invoke(event), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sourceIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/** The parts of a request its proxy event is made of. */
export function proxyRequestOf(req: IncomingMessage, state: RequestState, apiPath: string, rawQuery: string, body: Buffer): ProxyRequest {
  return {
    httpMethod: state.method,
    path: apiPath,
    rawHeaders: req.rawHeaders,
    rawQuery,
    body,
    sourceIp: sourceIp(req),
    protocol: 'http',
    host: req.headers.host ?? '127.0.0.1',
  };
}

/** The request context of a request's proxy event, without its API key and authorizer. */
export function proxyContextOf(accountId: string, model: LocalApiModel, state: RequestState, match: RouteMatch, method: LocalMethod): ProxyContext {
  return {
    accountId,
    apiId: model.apiId,
    stage: model.stageName,
    requestId: state.requestId,
    extendedRequestId: state.extendedRequestId,
    requestTimeEpoch: state.started,
    resourceId: match.resource.id,
    resourcePath: method.resourcePath,
  };
}

/**
 * Invokes a Lambda proxy integration with the request's event and answers with its result; throws the refusal
 * API Gateway answers with when the function times out, fails or returns a malformed result.
 */
export async function invokeLambdaProxy(host: FunctionHost, event: Record<string, unknown>, timeoutMs: number,
  state: RequestState, log?: (line: string) => void): Promise<OutgoingResponse> {
  const outcome = await invokeWithin(host, event, timeoutMs);
  if (outcome === 'timeout') throw new GatewayRefusal('INTEGRATION_TIMEOUT');
  if (!outcome.ok && outcome.kind === 'rejected') {
    // Lambda refused the invocation itself: API Gateway answers 500.
    throw new GatewayRefusal('API_CONFIGURATION_ERROR', { message: 'Internal server error' });
  }
  const result = outcome.ok ? parseProxyResult(outcome.payload) : undefined;
  if (result === undefined) {
    // A function error, a crash, a Lambda timeout or a malformed result: 502 "Internal server error".
    log?.(`  ${host.fn.logicalId} failed: ${outcome.ok ? 'malformed proxy result' : `${outcome.errorType}: ${outcome.errorMessage}`}`);
    throw new GatewayRefusal('INTEGRATION_FAILURE', { defaultStatus: 502, message: 'Internal server error' });
  }
  state.integrationStatus = result.statusCode;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of result.headers) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [...[existing].flat(), value];
  }
  return { statusCode: result.statusCode, headers, body: result.body };
}
