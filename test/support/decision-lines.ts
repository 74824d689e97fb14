/**
 * Real decision log lines of the authorizer: for every decision and reason of `DECISION_REASONS`, the line the real
 * authorizer printed when driven to that outcome with real inputs (signed tokens, a real HTTPS JWKS server, real
 * configurations, a JWKS outage, an API key read that fails, a malformed method ARN). Metric filter tests match
 * their patterns against these lines, so a pattern is proven on what the authorizer writes, not on a hand-written
 * copy. Jest only: the lines are captured from stdout and stderr with the authorizer tests' recording logger.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';
import { AuthorizerHandler, createAuthorizer } from '../../lambda/authorizer/authorizer';
import type { Decision, DenyReason, ErrorReason, UnauthorizedReason } from '../../lib/common/decision-reasons';
import { PolicyDocument, policyAllows } from '../../lib/common/execute-api-policy';
import { bearer, configFor, event, recordingLogger } from '../lambda/authorizer/fixtures';
import { JwksServer, startJwksServer } from './jwks-server';
import {
  base64url, claims, embeddedJwkToken, generateEcKey, generateRsaKey, hmacWithPublicKeyToken, oversizedToken, signJws,
  signToken, TestKey, unsecuredToken,
} from './tokens';

/** What the authorizer answered: the policy's effect on the requested method ARN, or the thrown error's message. */
export type DecisionAnswer = 'allow' | 'deny' | 'Unauthorized' | 'Authorizer failure';

/** One decision line the real authorizer printed. */
export interface DecisionLine {
  /** The decision the input was made to reach (compare with `entry.decision`). */
  readonly decision: Decision;
  /** The reason the input was made to reach (compare with `entry.reason`). */
  readonly reason: string;
  /** What drove the authorizer there, in words. */
  readonly input: string;
  /** The `Authorization` header value sent, so that tests can check the line does not leak it. */
  readonly authorization: string;
  /** What the authorizer answered. */
  readonly answer: DecisionAnswer;
  /** The line exactly as printed (one JSON object, no newline): what CloudWatch Logs metric filters evaluate. */
  readonly line: string;
  /** The line, parsed. */
  readonly entry: Record<string, unknown>;
}

interface ReasonsOf {
  allow: 'authorized';
  deny: DenyReason;
  unauthorized: UnauthorizedReason;
  error: ErrorReason;
}

/** What a scenario has to work with: one JWKS server, keys generated once, an authorizer over the server. */
interface World {
  readonly server: JwksServer;
  readonly logger: ReturnType<typeof recordingLogger>['logger'];
  /** The trusted signing key (kid `rsa-1`). */
  readonly rsa: TestKey;
  /** Another key with the trusted key's kid. */
  readonly attacker: TestKey;
  /** A key the JWKS does not publish. */
  readonly stranger: TestKey;
  /** A key the JWKS publishes for encryption (`use: enc`). */
  readonly encryption: TestKey;
  /** An authorizer with the tests' default configuration over the server. */
  readonly main: AuthorizerHandler;
  /** Claims of a valid token of the server's issuer with scope `items:read`, plus overrides. */
  read(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** A bearer header of a token signed by the trusted key. */
  signed(overrides?: Record<string, unknown>, header?: Record<string, unknown>): string;
  /** Invokes an authorizer as Lambda does (with a context) and reports its answer. */
  send(authorize: AuthorizerHandler, request: APIGatewayTokenAuthorizerEvent): Promise<DecisionAnswer>;
}

interface Scenario {
  readonly input: string;
  /** Sends exactly one request (more setup is fine: only decision lines are read). */
  run(world: World): Promise<{ request: APIGatewayTokenAuthorizerEvent; answer: DecisionAnswer }>;
}

/** An authorizer and the one request to send it. */
type Call = [AuthorizerHandler, APIGatewayTokenAuthorizerEvent];

/** A scenario that sends one request built from the world to an authorizer built from the world. */
function scenario(input: string, build: (w: World) => Call | Promise<Call>): Scenario {
  return {
    input,
    async run(w) {
      const [authorize, request] = await build(w);
      return { request, answer: await w.send(authorize, request) };
    },
  };
}

async function ready(authorize: AuthorizerHandler): Promise<AuthorizerHandler> {
  await authorize.ready;
  return authorize;
}

const now = (): number => Math.floor(Date.now() / 1000);

const COGNITO_POOL = 'eu-west-1_TestPool1';
const COGNITO_ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${COGNITO_POOL}`;

/** One scenario per decision and reason; the types make a reason added to the vocabulary a compile error here. */
const SCENARIOS: { readonly [D in Decision]: Readonly<Record<ReasonsOf[D], Scenario>> } = {
  allow: {
    authorized: scenario('a valid token whose scope grants GET /items/{id}', (w) => [w.main, event(w.signed(), 'GET /items/1')]),
  },
  deny: {
    insufficient_scope: scenario('items:read on GET /items/{id}/admin, which needs items:admin',
      (w) => [w.main, event(w.signed(), 'GET /items/1/admin')]),
    claim_mismatch: scenario('items:write without the admins group on DELETE /items/{id}',
      (w) => [w.main, event(w.signed({ scope: 'items:write', 'cognito:groups': ['users'] }), 'DELETE /items/1')]),
    unknown_route: scenario('a request that matches no route (PUT /items/{id})', (w) => [w.main, event(w.signed(), 'PUT /items/1')]),
    route_shadowed: scenario('an allowed route caught by the Deny of a refused overlapping route', async (w) => [
      await ready(createAuthorizer(configFor(w.server, {
        routes: [
          { method: 'GET', path: '/{a}/{b}', scopes: ['wide'] },
          { method: 'GET', path: '/items/{id}', scopes: ['narrow'] },
          { method: 'GET', path: '/items/{id}/admin', scopes: ['wide'] },
        ],
      }), { logger: w.logger })),
      event(w.signed({ scope: 'wide' }), 'GET /items/1/admin'),
    ]),
    missing_tenant: scenario('a token without the configured tenant claim', async (w) => [
      await ready(createAuthorizer(configFor(w.server, { tenantClaim: 'custom:tenant' }), { logger: w.logger })),
      event(w.signed()),
    ]),
    unknown_client: scenario('a client the API key mapping does not know', async (w) => [
      await apiKeyAuthorizer(w), event(w.signed({ client_id: 'app-unknown' })),
    ]),
  },
  unauthorized: {
    missing_token: scenario('an empty Authorization header', (w) => [w.main, event('')]),
    invalid_scheme: scenario('Basic credentials', (w) => [w.main, event('Basic dXNlcjpwYXNzd29yZA')]),
    token_too_large: scenario('a signed token of about 5000 bytes (maxTokenBytes 4096)',
      (w) => [w.main, event(bearer(oversizedToken(w.rsa, w.read(), 5000)))]),
    malformed_token: scenario('an unsecured JWT (alg none, empty signature segment)',
      (w) => [w.main, event(bearer(unsecuredToken(w.read(), w.rsa.kid)))]),
    malformed_header: scenario('a signed token whose header is truncated JSON', (w) => {
      const [, payload, signature] = signToken(w.rsa, w.read()).split('.');
      return [w.main, event(bearer(`${base64url('{"alg":"RS256","kid":')}.${payload}.${signature}`))];
    }),
    malformed_payload: scenario('a signed token whose payload is a JSON array',
      (w) => [w.main, event(bearer(signJws({ alg: 'RS256', typ: 'JWT', kid: w.rsa.kid }, ['x'], w.rsa.privateKey, 'RS256')))]),
    alg_not_allowed: scenario('HS256 signed with the RSA public key as HMAC secret (algorithm confusion)',
      (w) => [w.main, event(bearer(hmacWithPublicKeyToken(w.rsa, w.read())))]),
    embedded_key_header: scenario("a token that embeds its signer's key (jwk) and names the trusted kid",
      (w) => [w.main, event(bearer(embeddedJwkToken(w.attacker, w.rsa.kid, w.read())))]),
    crit_header: scenario('a token with a crit header', (w) => [w.main, event(w.signed({}, { crit: ['exp'], exp: 1 }))]),
    b64_header: scenario('a token with an unencoded-payload (b64) header', (w) => [w.main, event(w.signed({}, { b64: false }))]),
    unsupported_header: scenario('a token with a compression (zip) header', (w) => [w.main, event(w.signed({}, { zip: 'DEF' }))]),
    missing_kid: scenario('a token without kid', (w) => [w.main, event(w.signed({}, { kid: undefined }))]),
    unknown_issuer: scenario('a token of an issuer the authorizer does not trust',
      (w) => [w.main, event(w.signed({ iss: 'https://evil.example' }))]),
    unknown_kid: scenario('a token whose kid the JWKS does not publish, even after a re-fetch',
      (w) => [w.main, event(bearer(signToken(w.stranger, w.read())))]),
    invalid_jwk: scenario('a token whose kid names an encryption key (use enc) of the JWKS',
      (w) => [w.main, event(bearer(signToken(w.encryption, w.read())))]),
    invalid_signature: scenario('a token signed by another key with the trusted kid',
      (w) => [w.main, event(bearer(signToken(w.attacker, w.read())))]),
    invalid_issuer: scenario('an any-tenant issuer whose iss names another tenant than the tid claim', async (w) => {
      const authorize = await ready(createAuthorizer(configFor(w.server, {
        issuers: [{
          issuer: `${w.server.issuer}/{tenant}/v2.0`, audience: ['api://secure-api'], jwksUri: w.server.jwksUri, anyTenant: { claim: 'tid' },
        }],
      }), { logger: w.logger }));
      return [authorize, event(w.signed({ iss: `${w.server.issuer}/tenant-a/v2.0`, tid: 'tenant-b' }))];
    }),
    invalid_audience: scenario('a token for another audience', (w) => [w.main, event(w.signed({ aud: 'api://other' }))]),
    invalid_token_use: scenario('a Cognito ID token where access tokens are configured', async (w) => {
      // CognitoJwtVerifier derives the JWKS URI from the pool id; the requests go to the local HTTPS server.
      const real = new SimpleFetcher();
      const local: Fetcher = {
        fetch: (uri, options, data) => real.fetch(uri.replace(/^https:\/\/[^/]+\/[^/]+/, w.server.issuer), options, data),
      };
      const authorize = await ready(createAuthorizer(configFor(w.server, {
        issuers: [{
          issuer: COGNITO_ISSUER, audience: ['client-abc'], jwksUri: `${COGNITO_ISSUER}/.well-known/jwks.json`,
          cognito: { userPoolId: COGNITO_POOL, tokenUse: 'access' },
        }],
      }), { logger: w.logger, jwksFetcher: local }));
      const payload = claims(COGNITO_ISSUER, { token_use: 'id', aud: 'client-abc', client_id: 'client-abc' });
      return [authorize, event(bearer(signToken(w.rsa, payload)))];
    }),
    token_expired: scenario('a token that expired a minute ago',
      (w) => [w.main, event(w.signed({ iat: now() - 600, exp: now() - 60 }))]),
    token_not_yet_valid: scenario('a token whose nbf is two minutes ahead', (w) => [w.main, event(w.signed({ nbf: now() + 120 }))]),
    missing_exp: scenario('a token without exp', (w) => [w.main, event(w.signed({ exp: undefined }))]),
    missing_iat: scenario('a token without iat under a lifetime cap', (w) => [w.main, event(w.signed({ iat: undefined }))]),
    iat_in_future: scenario('a token issued two minutes ahead',
      (w) => [w.main, event(w.signed({ iat: now() + 120, exp: now() + 600 }))]),
    lifetime_exceeded: scenario('a token valid for 3601 s under a 3600 s cap',
      (w) => [w.main, event(w.signed({ iat: now(), exp: now() + 3601 }))]),
    missing_principal: scenario('a token without sub', (w) => [w.main, event(w.signed({ sub: undefined }))]),
  },
  error: {
    jwks_unavailable: {
      input: 'a valid token while the JWKS answers 503, to an authorizer with nothing cached',
      async run(w) {
        w.server.failWith(503);
        try {
          const authorize = await ready(createAuthorizer(configFor(w.server), { logger: w.logger }));
          const request = event(w.signed());
          return { request, answer: await w.send(authorize, request) };
        } finally {
          w.server.failWith(undefined);
        }
      },
    },
    api_key_unavailable: scenario('a mapped client whose API key cannot be read (GetApiKey throttled)', async (w) => [
      await apiKeyAuthorizer(w), event(w.signed({ client_id: 'app-1' })),
    ]),
    internal_error: scenario('a valid token with a malformed methodArn', (w) => [
      w.main, { type: 'TOKEN', authorizationToken: w.signed(), methodArn: 'arn:oops' },
    ]),
  },
};

/** An authorizer mapping client `app-1` to an API key whose reads fail as GetApiKey does when throttled. */
async function apiKeyAuthorizer(w: World): Promise<AuthorizerHandler> {
  return ready(createAuthorizer(configFor(w.server, { apiKey: { claim: 'client_id', keyIds: { 'app-1': 'key-id-1' } } }), {
    logger: w.logger,
    fetchApiKeyValue: async () => {
      throw Object.assign(new Error('Too Many Requests'), { name: 'TooManyRequestsException' });
    },
  }));
}

/** The invocation context Lambda passes (the handler hands it to the authorizer, whose logger adds its fields). */
function lambdaContext(): Context {
  const name = 'secure-api-authorizer';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function isDecisionLine(line: string): boolean {
  try {
    const entry: unknown = JSON.parse(line);
    return typeof entry === 'object' && entry !== null && Object.hasOwn(entry, 'decision');
  } catch {
    return false;
  }
}

/**
 * Drives the real authorizer to every decision and reason of `DECISION_REASONS` and returns the line it printed for
 * each, in the order of the vocabulary. Starts one HTTPS JWKS server (run under `node scripts/run-tests.mjs`, which
 * makes the test CA) and closes it; captures stdout and stderr meanwhile, so do not call it while another capture of
 * them is active. Takes about a second.
 * @throws when a scenario makes the authorizer print other than exactly one decision line.
 */
export async function realDecisionLines(): Promise<DecisionLine[]> {
  const rsa = generateRsaKey('rsa-1');
  const attacker = generateRsaKey('rsa-1');
  const stranger = generateEcKey('stranger-1');
  const encryption = generateEcKey('enc-1');
  const server = await startJwksServer({ keys: [rsa.publicJwk, { ...encryption.publicJwk, use: 'enc' }] });
  const log = recordingLogger();
  try {
    const read = (overrides: Record<string, unknown> = {}) => claims(server.issuer, { scope: 'items:read', ...overrides });
    const world: World = {
      server,
      logger: log.logger,
      rsa,
      attacker,
      stranger,
      encryption,
      main: await ready(createAuthorizer(configFor(server), { logger: log.logger })),
      read,
      signed: (overrides = {}, header = {}) => bearer(signToken(rsa, read(overrides), header)),
      async send(authorize, request) {
        try {
          const result = await authorize(request, lambdaContext());
          return policyAllows(result.policyDocument as PolicyDocument, request.methodArn) ? 'allow' : 'deny';
        } catch (err) {
          return (err as Error).message as DecisionAnswer;
        }
      },
    };
    const lines: DecisionLine[] = [];
    for (const decision of Object.keys(SCENARIOS) as Decision[]) {
      for (const [reason, { input, run }] of Object.entries(SCENARIOS[decision]) as Array<[string, Scenario]>) {
        const before = log.lines().length;
        const { request, answer } = await run(world);
        const printed = log.lines().slice(before).filter(isDecisionLine);
        if (printed.length !== 1) {
          throw new Error(`${decision}/${reason} (${input}): the authorizer printed ${printed.length} decision lines`);
        }
        lines.push({
          decision, reason, input, authorization: request.authorizationToken, answer, line: printed[0], entry: JSON.parse(printed[0]),
        });
      }
    }
    return lines;
  } finally {
    log.restore();
    await server.close();
  }
}
