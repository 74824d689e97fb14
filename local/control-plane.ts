/**
 * A tiny stand-in for API Gateway's control plane, for the one call the functions make: GetApiKey with
 * `includeValue` (the authorizer reads client key values with the AUTHORIZER key source). The functions reach it
 * through `AWS_ENDPOINT_URL_API_GATEWAY`, which the AWS SDK honours. Everything else answers 404.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyWithValue } from './gateway';
import { closeServer, listen } from './net';

/** A running control-plane endpoint. */
export interface ControlPlane {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** GetApiKey calls served (for tests). */
  readonly getApiKeyCalls: () => number;
  close(): Promise<void>;
}

/** Starts the endpoint on 127.0.0.1 and a free port. */
export async function startControlPlane(keys: readonly KeyWithValue[]): Promise<ControlPlane> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://local');
    const match = /^\/apikeys\/([^/]+)$/.exec(url.pathname);
    const json = (status: number, body: unknown, errorType?: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}) })
        .end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || match === null) {
      json(404, { message: 'not emulated locally' }, 'NotFoundException');
      return;
    }
    calls++;
    const found = keys.find((k) => k.key.id === decodeURIComponent(match[1]));
    if (found === undefined) {
      json(404, { message: 'Invalid API Key identifier specified' }, 'NotFoundException');
      return;
    }
    json(200, {
      id: found.key.id,
      name: found.key.name,
      enabled: found.key.enabled,
      stageKeys: [],
      ...(url.searchParams.get('includeValue') === 'true' ? { value: found.value } : {}),
    });
  });
  await listen(server, 0, 'local API Gateway control plane');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    getApiKeyCalls: () => calls,
    close: () => closeServer(server),
  };
}
