#!/usr/bin/env node
/**
 * `npm run token`: prints a token signed by the local issuer of a data directory (the last `npm start`), or with
 * `--api-key <client>` the local API key of a client.
 *
 *   TOKEN=$(npm run --silent token -- --sub alice --scope "items:read items:write")
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readSigningKey, signJwt, tokenClaims, TokenRequest } from './issuer';
import type { LocalState } from './local-state';
import { readRunInfo } from './run-info';
import { DEFAULT_DATA_DIR, signingKeyFile, stateFile } from './paths';

const USAGE = `Usage: npm run --silent token -- --sub <subject> [options]

  --sub <subject>          the token's subject (required)
  --scope "<a b>"          space-delimited scopes, e.g. "items:read items:write"
  --expires-in <t>         lifetime: seconds, or 30s, 15m, 1h, 1d (default 1h; negative for an expired token)
  --client-id <id>         client_id claim (picks the API key with --api-key-source AUTHORIZER)
  --tenant <id>            tenant claim
  --aud <audience>         audience override (default: the local API's audience)
  --claim <name=value>     any other claim; the value is parsed as JSON when it can be (repeatable)
  --api-key <client>       print the local API key of a client instead of a token
  --data-dir <dir>         data directory of the local run (default <repo>/.local)
  -h, --help               this text

Tokens are signed with the key of the last 'npm start' (not with --in-memory) and carry its issuer.`;

/** Parses a lifetime: `3600`, `30s`, `15m`, `1h`, `1d`, optionally negative. */
function parseLifetime(value: string): number {
  const match = /^(-?\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new Error(`--expires-in must be seconds or a number with s, m, h or d (got '${value}')`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      scope: { type: 'string' },
      'expires-in': { type: 'string' },
      'client-id': { type: 'string' },
      tenant: { type: 'string' },
      aud: { type: 'string' },
      claim: { type: 'string', multiple: true },
      'api-key': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = path.resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const info = readRunInfo(dataDir);
  if (info === undefined) {
    throw new Error(`no local run in ${dataDir}: start it first with 'npm start' (tokens are signed with the key it keeps there)`);
  }

  if (values['api-key'] !== undefined) {
    const client = info.clients[values['api-key']];
    const state = JSON.parse(fs.readFileSync(stateFile(dataDir), 'utf8')) as LocalState;
    const value = client === undefined ? undefined : Object.values(state.apiKeys).find((k) => k.id === client.apiKeyId)?.value;
    if (value === undefined) throw new Error(`no client '${values['api-key']}' (clients: ${Object.keys(info.clients).join(', ')})`);
    console.log(value);
    return;
  }

  if (values.sub === undefined || values.sub === '') throw new Error(`--sub is required\n\n${USAGE}`);
  const key = readSigningKey(signingKeyFile(dataDir));
  if (key === undefined || key.kid !== info.kid) {
    throw new Error(`the signing key in ${dataDir} does not match the last local run: restart it with 'npm start'`);
  }
  const extra: Record<string, unknown> = {};
  for (const pair of values.claim ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--claim must be name=value (got '${pair}')`);
    const raw = pair.slice(eq + 1);
    try {
      extra[pair.slice(0, eq)] = JSON.parse(raw);
    } catch {
      extra[pair.slice(0, eq)] = raw;
    }
  }
  const request: TokenRequest = {
    ...extra,
    sub: values.sub,
    ...(values.scope !== undefined ? { scope: values.scope } : {}),
    ...(values['expires-in'] !== undefined ? { expiresInSeconds: parseLifetime(values['expires-in']) } : {}),
    ...(values['client-id'] !== undefined ? { client_id: values['client-id'] } : {}),
    ...(values.tenant !== undefined ? { tenant: values.tenant } : {}),
    ...(values.aud !== undefined ? { aud: values.aud } : {}),
  };
  console.log(signJwt(key, tokenClaims(info.issuer, info.audience, request)));
}

try {
  main();
} catch (err) {
  console.error(`npm run token: ${(err as Error).message}`);
  process.exit(1);
}
