/** Shared fixtures of the authorizer tests: a configuration over a local JWKS server, events, and log capture. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { AuthorizerConfig } from '../../../lib/common/authorizer-config';
import type { RouteEntry } from '../../../lib/common/route-model';
import { SERVICE_NAME } from '../../../lambda/authorizer/authorizer';
import type { JwksServer } from '../../support/jwks-server';

export const AUDIENCE = 'api://secure-api';
export const STAGE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/';

/** The method ARN of a concrete request, e.g. `GET /items/1`. */
export function methodArn(request: string): string {
  const [method, path] = request.split(' ');
  return `${STAGE}${method}${path}`;
}

/** A TOKEN authorizer event. */
export function event(authorizationToken: string, request = 'GET /items'): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', authorizationToken, methodArn: methodArn(request) };
}

/** A bearer header. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

export const ROUTES: RouteEntry[] = [
  { method: 'GET', path: '/health', public: true },
  { method: 'GET', path: '/items', scopes: ['items:read'] },
  { method: 'GET', path: '/items/{id}', scopes: ['items:read'] },
  { method: 'GET', path: '/items/{id}/admin', scopes: ['items:admin'] },
  { method: 'POST', path: '/items', scopes: ['items:write', 'items:admin'], scopeMatch: 'any' },
  { method: 'DELETE', path: '/items/{id}', scopes: ['items:write'], claims: [{ claim: 'cognito:groups', includes: 'admins' }] },
];

/** A configuration that trusts `server` as the only issuer. */
export function configFor(server: JwksServer, overrides: Partial<AuthorizerConfig> = {}): AuthorizerConfig {
  return {
    issuers: [{ issuer: server.issuer, audience: [AUDIENCE], jwksUri: server.jwksUri }],
    routes: ROUTES,
    clockSkewSeconds: 30,
    maxTokenBytes: 4096,
    maxTokenLifetimeSeconds: 3600,
    jwksTimeoutMs: 2000,
    ...overrides,
  };
}

let configFiles = 0;

/**
 * Writes a configuration (or any text) to a fresh file, as the construct's configuration layer holds it, and returns
 * its path: the value of the authorizer's SECURE_API_AUTHORIZER_CONFIG_FILE.
 */
export function configFile(config: AuthorizerConfig | string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-test-config-'));
  const file = path.join(dir, `authorizer-config-${++configFiles}.json`);
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

/** A logger that prints nothing. */
export function silentLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' });
}

/** Captures what Powertools loggers write (JSON lines on stdout and stderr) while a test runs. */
export function captureLogs(): { lines: () => string[]; entries: () => Array<Record<string, unknown>>; restore: () => void } {
  const written: string[] = [];
  const capture = (chunk: unknown): boolean => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  const lines = (): string[] => written.join('').split('\n').filter((line) => line.trim() !== '');
  return {
    lines,
    entries: () => lines().flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    }),
    restore: () => { out.mockRestore(); err.mockRestore(); },
  };
}

/** A logger whose decisions tests can read; call `restore` in afterEach/afterAll. */
export function recordingLogger(): { logger: Logger; decisions: () => Array<Record<string, unknown>>; last: () => Record<string, unknown>; lines: () => string[]; restore: () => void } {
  const capture = captureLogs();
  const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: 'INFO' });
  const decisions = (): Array<Record<string, unknown>> => capture.entries().filter((e) => e.decision !== undefined);
  return {
    logger,
    decisions,
    last: () => decisions()[decisions().length - 1],
    lines: capture.lines,
    restore: capture.restore,
  };
}
