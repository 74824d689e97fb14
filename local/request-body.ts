/**
 * Reading a request's body as API Gateway does: up to its payload limit, the rest drained and dropped.
 */
import type { IncomingMessage } from 'node:http';

/**
 * API Gateway's largest request payload.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** Bytes of an oversized body read (and dropped) before the connection is closed. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body: `'too-large'` past API Gateway's payload limit (the rest is drained, then dropped; past the
 * drain limit the connection is closed), `'aborted'` when the client goes away before the end.
 */
export function readBody(req: IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > MAX_REQUEST_BYTES;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      if (size > DRAIN_LIMIT_BYTES) req.destroy();
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    // An aborted request emits 'error' (ECONNRESET) and then 'close', without 'end'.
    req.on('error', () => resolve(tooLarge ? 'too-large' : 'aborted'));
    req.on('close', () => {
      if (!req.complete) resolve(tooLarge ? 'too-large' : 'aborted');
    });
  });
}

/** Reads and drops the body, so that the client can read the answer. */
export function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.resume();
    req.on('end', () => resolve());
    req.on('close', () => resolve());
  });
}
