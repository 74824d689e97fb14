/**
 * Which tokens the authorizer accepts and which it answers 401 for, with real signed tokens and a real HTTPS JWKS.
 */
import { createAuthorizer } from '../../../lambda/authorizer/authorizer';
import { JwksServer, startJwksServer } from '../../support/jwks-server';
import {
  badBase64Token, claims, embeddedJwkToken, generateEcKey, generateRsaKey, hmacWithPublicKeyToken, keySourceHeaderToken,
  noneAlgToken, oversizedToken, signJws, signToken, tamperedToken, TestKey, unsecuredToken,
} from '../../support/tokens';
import { AUDIENCE, bearer, configFor, event, methodArn, recordingLogger, STAGE } from './fixtures';

let server: JwksServer;
let rsa: TestKey;
let ec: TestKey;
let attacker: TestKey;
let log: ReturnType<typeof recordingLogger>;
let authorize: ReturnType<typeof createAuthorizer>;

beforeAll(async () => {
  rsa = generateRsaKey('rsa-1');
  ec = generateEcKey('ec-1');
  attacker = generateRsaKey('rsa-1'); // same kid as the trusted key
  server = await startJwksServer({ keys: [rsa.publicJwk, ec.publicJwk] });
  log = recordingLogger();
  authorize = createAuthorizer(configFor(server), { logger: log.logger });
  await authorize.ready;
});

afterAll(async () => {
  log.restore();
  await server.close();
});

function read(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return claims(server.issuer, { scope: 'items:read', ...overrides });
}

async function expectUnauthorized(authorization: string, reason: string, request = 'GET /items'): Promise<void> {
  const before = log.decisions().length;
  await expect(authorize(event(authorization, request))).rejects.toThrow(/^Unauthorized$/);
  // Exactly one new decision line, so a stale line of an earlier call cannot satisfy the assertion.
  expect(log.decisions()).toHaveLength(before + 1);
  expect(log.last()).toMatchObject({ decision: 'unauthorized', reason });
}

describe('valid tokens', () => {
  test('allows a valid RS256 token with a policy over exactly the routes its scopes grant', async () => {
    const result = await authorize(event(bearer(signToken(rsa, read({ client_id: 'app-1' }))), 'GET /items/7'));
    expect(result).toEqual({
      principalId: 'user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: [`${STAGE}GET/health`, `${STAGE}GET/items`, `${STAGE}GET/items/*`],
          },
          // GET/items/* would also match a colon, empty segments, trailing slashes and GET /items/{id}/admin
          // (which needs items:admin); no allowed route lies below /items/{id}, so all of it is denied.
          {
            Action: 'execute-api:Invoke',
            Effect: 'Deny',
            Resource: [`${STAGE}*:*`, `${STAGE}*//*`, `${STAGE}*/*/`, `${STAGE}GET/items/*/*`],
          },
        ],
      },
      context: {
        sub: 'user-1', principal: 'user-1', principalClaim: 'sub', clientId: 'app-1', scope: 'items:read', tenant: '', iss: server.issuer,
      },
    });
    expect(result.usageIdentifierKey).toBeUndefined();
    expect(log.last()).toMatchObject({ decision: 'allow', reason: 'authorized', routeKey: 'GET /items/{id}', sub: 'user-1' });
  });

  test('allows a valid ES256 token (JOSE r||s signature)', async () => {
    const result = await authorize(event(bearer(signToken(ec, read({ sub: 'user-ec' })))));
    expect(result.principalId).toBe('user-ec');
    expect(log.last()).toMatchObject({ decision: 'allow' });
  });

  test('accepts the scheme in any case', async () => {
    await expect(authorize(event(`bEaReR ${signToken(rsa, read())}`))).resolves.toMatchObject({ principalId: 'user-1' });
  });

  test('reads Okta-style scp arrays', async () => {
    const result = await authorize(event(bearer(signToken(rsa, read({ scope: undefined, scp: ['items:read'] })))));
    expect(result.context).toMatchObject({ scope: 'items:read' });
    expect(log.last()).toMatchObject({ decision: 'allow' });
  });

  test('tolerates exp and nbf within the clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(authorize(event(bearer(signToken(rsa, read({ exp: now - 10, nbf: now + 10, iat: now - 100 }))))))
      .resolves.toMatchObject({ principalId: 'user-1' });
  });

  test('accepts a token without iat when no lifetime cap is configured', async () => {
    const uncapped = createAuthorizer(configFor(server, { maxTokenLifetimeSeconds: undefined }), { logger: log.logger });
    await expect(uncapped(event(bearer(signToken(rsa, read({ iat: undefined })))))).resolves.toMatchObject({ principalId: 'user-1' });
  });
});

describe('rejected before signature verification', () => {
  test.each([
    ['an empty header', '', 'missing_token'],
    ['a bare scheme', 'Bearer ', 'missing_token'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'invalid_scheme'],
    ['no scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'invalid_scheme'],
    ['two spaces after the scheme', 'Bearer  eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'malformed_token'],
    ['two segments', 'Bearer eyJhbGciOiJSUzI1NiJ9.e30', 'malformed_token'],
    ['four segments', 'Bearer a.b.c.d', 'malformed_token'],
    ['a header that is not JSON', 'Bearer bm90IGpzb24.e30.c2ln', 'malformed_header'],
    ['a header that is a JSON array', `Bearer ${Buffer.from('[]').toString('base64url')}.e30.c2ln`, 'malformed_header'],
  ])('rejects %s', async (_name, authorization, reason) => {
    await expectUnauthorized(authorization, reason);
  });

  test('rejects a missing Authorization value', async () => {
    await expect(authorize({ type: 'TOKEN', methodArn: methodArn('GET /items') } as never)).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ decision: 'unauthorized', reason: 'missing_token' });
  });

  test('rejects alg none, with or without a signature, in any case', async () => {
    await expectUnauthorized(bearer(unsecuredToken(read(), rsa.kid)), 'malformed_token');
    await expectUnauthorized(bearer(noneAlgToken(read(), rsa.kid)), 'alg_not_allowed');
    await expectUnauthorized(bearer(noneAlgToken(read(), rsa.kid, 'None')), 'alg_not_allowed');
  });

  test('rejects HS256 signed with the RSA public key as HMAC secret (algorithm confusion)', async () => {
    await expectUnauthorized(bearer(hmacWithPublicKeyToken(rsa, read())), 'alg_not_allowed');
  });

  test('rejects an alg outside the asymmetric allow-list', async () => {
    for (const alg of ['HS384', 'HS512', 'PS256', 'RSA-OAEP', '']) {
      await expectUnauthorized(bearer(signToken(rsa, read(), { alg })), 'alg_not_allowed');
    }
    await expectUnauthorized(bearer(signToken(rsa, read(), { alg: undefined })), 'alg_not_allowed');
  });

  test('rejects a token that embeds its own key (jwk), signed by that key', async () => {
    await expectUnauthorized(bearer(embeddedJwkToken(attacker, rsa.kid, read())), 'embedded_key_header');
  });

  test.each(['jku', 'x5u', 'x5c'] as const)('rejects a token with a %s header', async (header) => {
    await expectUnauthorized(bearer(keySourceHeaderToken(rsa, header, read())), 'embedded_key_header');
  });

  test('rejects a token with a crit header, even one naming a known parameter', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read(), { crit: ['exp'], exp: 1 })), 'crit_header');
    await expectUnauthorized(bearer(signToken(rsa, read(), { crit: [] })), 'crit_header');
  });

  test('rejects an unencoded-payload (b64) header', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read(), { b64: false })), 'b64_header');
  });

  test('rejects a token without kid', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read(), { kid: undefined })), 'missing_kid');
    await expectUnauthorized(bearer(signToken(rsa, read(), { kid: '' })), 'missing_kid');
    await expectUnauthorized(bearer(signToken(rsa, read(), { kid: 7 })), 'missing_kid');
  });

  test('rejects standard base64 characters and padding', async () => {
    const token = signToken(rsa, read());
    await expectUnauthorized(bearer(badBase64Token(token, 'plus')), 'malformed_token');
    await expectUnauthorized(bearer(badBase64Token(token, 'slash')), 'malformed_token');
    await expectUnauthorized(bearer(badBase64Token(token, 'padding')), 'malformed_token');
  });

  test('rejects non-canonical base64url (stray bits in the last character)', async () => {
    const token = signToken(rsa, read());
    const [header, payload, signature] = token.split('.');
    const last = signature[signature.length - 1];
    // Flip the lowest bit, which a 256-byte signature's base64url encoding leaves unused.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = alphabet[alphabet.indexOf(last) ^ 1];
    await expectUnauthorized(bearer(`${header}.${payload}.${signature.slice(0, -1)}${flipped}`), 'malformed_token');
  });

  test('rejects a payload that is not a JSON object', async () => {
    await expectUnauthorized(bearer(signJws({ alg: 'RS256', kid: rsa.kid }, ['x'], rsa.privateKey, 'RS256')), 'malformed_payload');
  });

  test('rejects an issuer it does not trust', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read({ iss: 'https://evil.example' }))), 'unknown_issuer');
    await expectUnauthorized(bearer(signToken(rsa, read({ iss: `${server.issuer}/` }))), 'unknown_issuer');
    await expectUnauthorized(bearer(signToken(rsa, read({ iss: undefined }))), 'unknown_issuer');
  });

  test('rejects an oversized token', async () => {
    await expectUnauthorized(bearer(oversizedToken(rsa, read(), 5000)), 'token_too_large');
  });
});

describe('rejected by verification', () => {
  test('rejects a tampered payload (signature of another payload)', async () => {
    const token = signToken(rsa, read());
    await expectUnauthorized(bearer(tamperedToken(token, read({ scope: 'items:admin' }))), 'invalid_signature');
  });

  test('rejects a token signed with another key that has the trusted kid', async () => {
    await expectUnauthorized(bearer(signToken(attacker, read())), 'invalid_signature');
  });

  test('rejects an RS256 header on a token whose kid names an ES256 key', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read(), { kid: ec.kid })), 'alg_not_allowed');
  });

  test('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(bearer(signToken(rsa, read({ iat: now - 600, exp: now - 60 }))), 'token_expired');
  });

  test('rejects a token that is not yet valid (nbf in the future)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(bearer(signToken(rsa, read({ nbf: now + 120 }))), 'token_not_yet_valid');
  });

  test('rejects a token issued in the future (iat beyond the skew)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(bearer(signToken(rsa, read({ iat: now + 120, exp: now + 600 }))), 'iat_in_future');
  });

  test('rejects a token whose lifetime exceeds the cap', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(bearer(signToken(rsa, read({ iat: now, exp: now + 3601 }))), 'lifetime_exceeded');
  });

  test('rejects a token without iat when a lifetime cap is configured', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read({ iat: undefined }))), 'missing_iat');
  });

  test('rejects a token without exp', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read({ exp: undefined }))), 'missing_exp');
  });

  test('rejects a token without sub, or with an empty sub', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read({ sub: undefined }))), 'missing_principal');
    await expectUnauthorized(bearer(signToken(rsa, read({ sub: '' }))), 'missing_principal');
  });

  test('rejects a wrong audience, and a token without audience', async () => {
    await expectUnauthorized(bearer(signToken(rsa, read({ aud: 'api://other' }))), 'invalid_audience');
    await expectUnauthorized(bearer(signToken(rsa, read({ aud: undefined }))), 'invalid_audience');
  });

  test('accepts any audience only with the explicit opt-out (audience: null)', async () => {
    const config = configFor(server);
    const optOut = createAuthorizer({ ...config, issuers: [{ ...config.issuers[0], audience: null }] }, { logger: log.logger });
    await expect(optOut(event(bearer(signToken(rsa, read({ aud: 'api://other' })))))).resolves.toMatchObject({ principalId: 'user-1' });
    await expect(optOut(event(bearer(signToken(rsa, read({ aud: undefined })))))).resolves.toMatchObject({ principalId: 'user-1' });
  });

  test('accepts one of several configured audiences', async () => {
    const config = configFor(server);
    const multi = createAuthorizer({ ...config, issuers: [{ ...config.issuers[0], audience: ['api://a', AUDIENCE] }] }, { logger: log.logger });
    await expect(multi(event(bearer(signToken(rsa, read({ aud: ['x', AUDIENCE] })))))).resolves.toMatchObject({ principalId: 'user-1' });
  });
});
