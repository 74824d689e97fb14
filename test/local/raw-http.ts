/**
 * Raw HTTP/1.1 over a TCP socket, for the requests `fetch` refuses to send or rewrites: literal `{` and `..` in a
 * path, malformed percent-encoding, repeated headers, header names such as `__proto__`, bytes that are not
 * ASCII, broken chunked framing and bodies cut off half way.
 */
import { connect } from 'node:net';
import type { Answer } from '../e2e/support';

/** A raw request: the request target (as sent, after the host), headers in order, and the body. */
export interface RawRequest {
  readonly method?: string;
  /** The request target, e.g. `/prod/items?x=1`: sent byte for byte (as latin1). */
  readonly target: string;
  /** Header pairs in order; repeated names are sent repeatedly. `Host` and `Connection: close` are added. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** Sent as is after the head; no Content-Length is added. */
  readonly body?: string | Buffer;
}

/** The API's `host:port`, from its URL. */
export function hostOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

/**
 * Writes bytes to the server and reads everything until it closes the connection; with `abortAfterMs`, the client
 * closes the connection that long after writing (time for the server to start on the request).
 */
export function exchange(url: string, bytes: Buffer, options: { abortAfterMs?: number } = {}): Promise<Buffer> {
  const { host, port } = hostOf(url);
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 20 s'));
    }, 20_000);
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (options.abortAfterMs !== undefined) setTimeout(() => socket.destroy(), options.abortAfterMs);
      });
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Parses one HTTP/1.1 response (Content-Length framed, as every answer of the local API is). */
export function parseResponse(raw: Buffer): Answer {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`not an HTTP response: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const length = Number(headers.get('content-length') ?? raw.length - end - 4);
  const text = raw.subarray(end + 4, end + 4 + length).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

/** Sends a raw request on a fresh connection and parses the answer. */
export async function rawCall(url: string, request: RawRequest): Promise<Answer> {
  const { host, port } = hostOf(url);
  const lines = [`${request.method ?? 'GET'} ${request.target} HTTP/1.1`, `Host: ${host}:${port}`];
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  lines.push('Connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  return parseResponse(await exchange(url, Buffer.concat([head, body])));
}
