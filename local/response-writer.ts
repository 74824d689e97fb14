/**
 * Writes the gateway's answers: a refusal is the template's gateway response for its type (counted), every
 * response carries `x-amzn-RequestId` and `x-amz-apigw-id`, and each answer writes the request's log line.
 *
 * Request logs name the method, path, status, route and latency: never a header, token, key or body.
 */
import { STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LocalApiModel } from './api-model';
import type { GatewayRefusal } from './gateway-refusal';
import { GatewayResponseContext, renderGatewayResponse } from './gateway-responses';
import type { RequestState } from './request-state';

/** A response to write. */
export interface OutgoingResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** What the {@link ResponseWriter} needs. */
export interface ResponseWriterOptions {
  readonly model: LocalApiModel;
  readonly accountId: string;
  /** Gateway responses sent, by type: counted in place. */
  readonly counts: Record<string, number>;
  /** Receives one line per request. */
  readonly log?: (line: string) => void;
}

/** Writes responses and gateway responses. */
export class ResponseWriter {
  constructor(private readonly options: ResponseWriterOptions) {}

  /** Answers with the template's gateway response for a refusal. */
  public refuse(res: ServerResponse, state: RequestState, refusal: GatewayRefusal): void {
    this.send(res, state, this.render(state, refusal));
  }

  /**
   * Answers a request Node.js could not parse on its socket (there is no response object), then closes it;
   * `reason` is the parser's error code, for the log line.
   */
  public refuseOnSocket(socket: Duplex, state: RequestState, refusal: GatewayRefusal, reason: string): void {
    const response = this.render(state, refusal);
    const head = [`HTTP/1.1 ${response.statusCode} ${STATUS_CODES[response.statusCode] ?? ''}`];
    for (const [name, value] of Object.entries(response.headers)) head.push(`${name}: ${value}`);
    head.push(`Content-Length: ${response.body.length}`, 'Connection: close', '', '');
    socket.end(Buffer.concat([Buffer.from(head.join('\r\n'), 'latin1'), response.body]));
    this.options.log?.(`(unparsable request: ${reason}) ${response.statusCode} ${refusal.type} ${state.requestId}`);
  }

  /** The template's gateway response for a refusal (counted). */
  private render(state: RequestState, refusal: GatewayRefusal): { statusCode: number; headers: Record<string, string>; body: Buffer } {
    const { model } = this.options;
    this.options.counts[refusal.type] = (this.options.counts[refusal.type] ?? 0) + 1;
    const ctx: GatewayResponseContext = {
      context: {
        requestId: state.requestId,
        extendedRequestId: state.extendedRequestId,
        apiId: model.apiId,
        stage: model.stageName,
        httpMethod: state.method,
        resourcePath: state.resourcePath ?? '',
        path: state.path,
        requestTimeEpoch: state.started,
        accountId: this.options.accountId,
        'authorizer.principalId': state.principalId ?? '',
        'authorizer.error': state.authorizerError ?? '',
      },
      headers: state.headers,
      query: state.query,
      pathParameters: state.pathParameters,
      stageVariables: {},
    };
    const rendered = renderGatewayResponse(model.gatewayResponses, refusal.type, ctx, refusal.options);
    state.target = state.target === undefined ? refusal.type : `${state.target} → ${refusal.type}`;
    const headers = { ...rendered.headers, 'x-amzn-RequestId': state.requestId, 'x-amz-apigw-id': state.extendedRequestId };
    return { statusCode: rendered.statusCode, headers, body: Buffer.from(rendered.body) };
  }

  /** Writes a response (unless one was already written) with the request ids, and logs the request. */
  public send(res: ServerResponse, state: RequestState, response: OutgoingResponse): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | string[]> = { ...response.headers };
    headers['x-amzn-RequestId'] = state.requestId;
    headers['x-amz-apigw-id'] = state.extendedRequestId;
    headers['Content-Length'] = String(response.body.length);
    res.writeHead(response.statusCode, headers);
    res.end(state.method === 'HEAD' ? undefined : response.body);
    const ms = Date.now() - state.started;
    this.options.log?.(`${state.method} ${state.path} ${response.statusCode} ${ms} ms ${state.target ?? ''} ${state.requestId}`.trimEnd());
  }
}
