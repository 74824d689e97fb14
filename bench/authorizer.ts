/**
 * Authorizer benchmark: warm decisions per second of the bundled handler (assets/authorizer/index.js), against the
 * floor of what any JWT check must do: base64url-decode and JSON-parse header and payload, and one `crypto.verify`
 * of the signature with a pre-imported key. RS256 and ES256 (JOSE r||s signatures, `ieee-p1363`).
 *
 * Runs in a child process whose stdout is /dev/null: Powertools logs each decision at its normal level (INFO) and
 * the JSON line costs its formatting and one write, as in Lambda, without a terminal in the way.
 */
import { createPublicKey, KeyObject, verify } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { AUTHORIZER_CONFIG_FILE_ENV } from '../lib/common/authorizer-config';
import { bearer, configFile, configFor, event } from '../test/lambda/authorizer/fixtures';
import { startJwksServer } from '../test/support/jwks-server';
import { claims, generateEcKey, generateRsaKey, signToken, TestKey } from '../test/support/tokens';
import { BUNDLES, LAMBDA_CONTEXT, progress } from './child';
import { interleave, median, pairedRatio, round } from './stats';

/** Options of {@link runAuthorizerBench}. */
export interface AuthorizerBenchOptions {
  /** Interleaved rounds of floor and handler per algorithm. */
  readonly rounds: number;
  /** Duration of one round, in milliseconds. */
  readonly roundMs: number;
  /** Warm-up of the handler per algorithm, in milliseconds. */
  readonly warmupMs: number;
}

/** Figures of one algorithm. */
export interface AuthorizerAlgorithmResult {
  /** Median over rounds of the handler's decisions per second. */
  readonly decisionsPerSecond: number;
  /** Median over rounds of the floor's checks per second. */
  readonly floorChecksPerSecond: number;
  /** Microseconds per decision and per floor check (from the medians). */
  readonly decisionMicros: number;
  readonly floorMicros: number;
  /** Median over rounds of (time per decision) / (time per floor check). */
  readonly ratio: number;
  /** Per-round operations per second. */
  readonly rounds: { readonly handler: number[]; readonly floor: number[] };
}

/** Result of the authorizer benchmark. */
export interface AuthorizerBenchResult {
  readonly options: AuthorizerBenchOptions;
  readonly logging: string;
  readonly RS256: AuthorizerAlgorithmResult;
  readonly ES256: AuthorizerAlgorithmResult;
}

type Handler = (event: APIGatewayTokenAuthorizerEvent, context: unknown) => Promise<APIGatewayAuthorizerResult>;

const HASH = 'sha256';

/** The floor: what verifying a compact JWS costs at the least, with the key already imported. */
function floorCheck(token: string, key: KeyObject, ec: boolean): void {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  const header = JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString('utf8')) as { alg?: string };
  const payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8')) as { sub?: string };
  const signature = Buffer.from(token.slice(second + 1), 'base64url');
  const ok = verify(HASH, Buffer.from(token.slice(0, second)), ec ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
  if (!ok || header.alg === undefined || payload.sub === undefined) throw new Error('floor: the signature does not verify');
}

/** Calls `op` in batches until `ms` have passed; returns operations per second. */
async function opsPerSecond(ms: number, op: () => unknown, batch: number): Promise<number> {
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(ms * 1e6));
  let count = 0;
  let now = start;
  while (now < end) {
    for (let i = 0; i < batch; i++) await op();
    count += batch;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

/** Runs the benchmark. Needs SECURE_API_TEST_TLS_DIR and NODE_EXTRA_CA_CERTS (set by bench/run.js). */
export async function runAuthorizerBench(options: AuthorizerBenchOptions): Promise<AuthorizerBenchResult> {
  const keys: Record<'RS256' | 'ES256', TestKey> = { RS256: generateRsaKey('bench-rs256'), ES256: generateEcKey('bench-es256') };
  const server = await startJwksServer({ keys: [keys.RS256.publicJwk, keys.ES256.publicJwk] });
  try {
    // The bundle parses its configuration at module scope: set it before requiring.
    process.env[AUTHORIZER_CONFIG_FILE_ENV] = configFile(configFor(server));
    delete process.env.POWERTOOLS_LOG_LEVEL;
    delete process.env.POWERTOOLS_DEV;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(BUNDLES.authorizer) as { handler: Handler };

    const now = Math.floor(Date.now() / 1000);
    const result: Partial<Record<'RS256' | 'ES256', AuthorizerAlgorithmResult>> = {};
    for (const alg of ['RS256', 'ES256'] as const) {
      const key = keys[alg];
      // Valid for the whole run and within the configured lifetime cap (3600 s).
      const token = signToken(key, claims(server.issuer, { scope: 'items:read', iat: now, exp: now + 1800 }));
      const request = event(bearer(token), 'GET /items/42');
      const publicKey = createPublicKey({ key: key.publicJwk, format: 'jwk' });
      const ec = alg === 'ES256';

      const first = await handler(request, LAMBDA_CONTEXT);
      const allowed = first.policyDocument.Statement.some((s) => s.Effect === 'Allow');
      if (first.principalId !== 'user-1' || !allowed) throw new Error(`authorizer did not allow the ${alg} token: ${JSON.stringify(first)}`);
      floorCheck(token, publicKey, ec);

      const decide = async (): Promise<void> => {
        const answer = await handler(request, LAMBDA_CONTEXT);
        if (answer.principalId !== 'user-1') throw new Error('authorizer: unexpected answer');
      };
      const floor = (): void => floorCheck(token, publicKey, ec);

      progress(`authorizer ${alg}: warming up`);
      await opsPerSecond(options.warmupMs, decide, 50);
      await opsPerSecond(options.warmupMs / 2, floor, 50);

      const rounds = await interleave(options.rounds, {
        handler: () => opsPerSecond(options.roundMs, decide, 25),
        floor: () => opsPerSecond(options.roundMs, floor, 25),
      }, (r) => { if ((r + 1) % 5 === 0) progress(`authorizer ${alg}: round ${r + 1}/${options.rounds}`); });

      const decisionsPerSecond = median(rounds.handler);
      const floorChecksPerSecond = median(rounds.floor);
      result[alg] = {
        decisionsPerSecond: round(decisionsPerSecond),
        floorChecksPerSecond: round(floorChecksPerSecond),
        decisionMicros: round(1e6 / decisionsPerSecond, 1),
        floorMicros: round(1e6 / floorChecksPerSecond, 1),
        // time per decision / time per floor check = floor ops per second / handler ops per second
        ratio: round(pairedRatio(rounds.floor, rounds.handler), 3),
        rounds: { handler: rounds.handler.map((v) => round(v)), floor: rounds.floor.map((v) => round(v)) },
      };
    }
    return {
      options,
      logging: 'Powertools at its default level (INFO, one JSON line per decision) written to stdout = /dev/null',
      RS256: result.RS256!,
      ES256: result.ES256!,
    };
  } finally {
    await server.close();
  }
}
