#!/usr/bin/env node
/**
 * `npm start`: synthesizes the demo and serves it locally until Ctrl-C.
 *
 *   npm start -- [--port 3000] [--issuer-port 3001] [--in-memory] [--data-dir .local] [--api-key-source HEADER|AUTHORIZER]
 *                [--cors-origin https://app.example.com]...
 */
import { parseArgs } from 'node:util';
import { startLocalApi } from './server';

// The local run talks to dynalite with the AWS SDK; its notice about future Node.js support is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Usage: npm start -- [options]

  --port <n>               HTTP port of the API (default 3000; 0 picks a free port)
  --issuer-port <n>        HTTPS port of the local issuer (default 3001; 0 picks a free port)
  --in-memory              keep nothing on disk: DynamoDB in memory, keys and signing key generated per start
  --data-dir <dir>         data directory (default <repo>/.local)
  --api-key-source <src>   HEADER (x-api-key header, default) or AUTHORIZER (the token's client_id picks the key)
  --cors-origin <origin>   an https origin whose pages may call the API (CORS); repeat for several
  -h, --help               this text`;

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number from 0 to 65535 (got '${value}')`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'issuer-port': { type: 'string' },
      'in-memory': { type: 'boolean' },
      'data-dir': { type: 'string' },
      'api-key-source': { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const source = values['api-key-source']?.toUpperCase();
  if (source !== undefined && source !== 'HEADER' && source !== 'AUTHORIZER') {
    throw new Error(`--api-key-source must be HEADER or AUTHORIZER (got '${values['api-key-source']}')`);
  }
  console.log('Synthesizing the demo app and starting the local API…');
  const api = await startLocalApi({
    port: port(values.port, 'port'),
    issuerPort: port(values['issuer-port'], 'issuer-port'),
    inMemory: values['in-memory'],
    dataDir: values['data-dir'],
    apiKeySource: source as 'HEADER' | 'AUTHORIZER' | undefined,
    corsOrigins: values['cors-origin'],
    verbose: true,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the local API…`);
    api.stop().then(() => {
      console.log('Stopped.');
      process.exit(0);
    }, (err: unknown) => {
      console.error(`stopping failed: ${(err as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`npm start: ${(err as Error).message}`);
  process.exit(1);
});
