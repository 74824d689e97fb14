/**
 * The local run's own endpoint for its security counters, `GET /.local/security` on the API's port: JSON from
 * {@link SecuritySignals.snapshot}. It is not part of the API and is not emulated AWS: nothing of the template
 * answers it.
 *
 * It cannot shadow an API route: every route of a REST API is served under its stage (`/<stage>/…`), a path outside
 * every stage is answered by API Gateway itself (403) before any API is involved, and a stage name holds only
 * letters, digits, hyphens and underscores, so no stage can be named `.local`.
 * @see https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/apigateway/aws.sdk.kotlin.services.apigateway.model/-stage/stage-name.html
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecuritySignals } from './security-signals';

/** The path of the endpoint. */
export const SECURITY_ENDPOINT_PATH = '/.local/security';

/** Whether a request target is the endpoint (any query string is ignored). */
export function isSecurityEndpoint(target: string | undefined): boolean {
  if (target === undefined) return false;
  const question = target.indexOf('?');
  return (question < 0 ? target : target.slice(0, question)) === SECURITY_ENDPOINT_PATH;
}

/** Answers a request to the endpoint: the counters for GET and HEAD, 405 for any other method. */
export function serveSecurityEndpoint(signals: SecuritySignals, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const body = JSON.stringify({ message: `${SECURITY_ENDPOINT_PATH} answers GET only` });
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Length': Buffer.byteLength(body) }).end(body);
    return;
  }
  const body = `${JSON.stringify(signals.snapshot(), null, 2)}\n`;
  res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
