/**
 * What the authorizer logs: one structured line per decision, and never a token, a part of one, or an API key value.
 */
import { createAuthorizer } from '../../../lambda/authorizer/authorizer';
import { JwksServer, startJwksServer } from '../../support/jwks-server';
import {
  claims, embeddedJwkToken, generateRsaKey, noneAlgToken, oversizedToken, signToken, tamperedToken, TestKey,
} from '../../support/tokens';
import { bearer, configFor, event, recordingLogger } from './fixtures';

let server: JwksServer;
let rsa: TestKey;
let other: TestKey;

beforeAll(async () => {
  rsa = generateRsaKey('rsa-1');
  other = generateRsaKey('rsa-1');
  server = await startJwksServer({ keys: [rsa.publicJwk] });
});

afterAll(async () => {
  await server.close();
});

test('logs one line per decision with decision, reason, routeKey and sub, and never the token, its parts or a key value', async () => {
  const log = recordingLogger();
  try {
    const keyValue = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789secret';
    const authorize = createAuthorizer(
      configFor(server, { apiKey: { claim: 'client_id', keyIds: { 'app-1': 'key-id-1' } } }),
      { logger: log.logger, fetchApiKeyValue: async () => keyValue },
    );
    await authorize.ready;
    const now = Math.floor(Date.now() / 1000);
    const good = claims(server.issuer, { scope: 'items:read', client_id: 'app-1' });
    const tokens = {
      allow: signToken(rsa, good),
      deny: signToken(rsa, { ...good, scope: 'items:write' }),
      expired: signToken(rsa, { ...good, iat: now - 900, exp: now - 600 }),
      forged: signToken(other, good),
      tampered: tamperedToken(signToken(rsa, good), { ...good, scope: 'items:admin' }),
      none: noneAlgToken(good, rsa.kid),
      embedded: embeddedJwkToken(other, rsa.kid, good),
      oversized: oversizedToken(rsa, good, 8000),
    };
    const allowed = await authorize(event(bearer(tokens.allow), 'GET /items/1'));
    expect(allowed.usageIdentifierKey).toBe(keyValue);
    await authorize(event(bearer(tokens.deny), 'GET /items/1'));
    for (const token of [tokens.expired, tokens.forged, tokens.tampered, tokens.none, tokens.embedded, tokens.oversized]) {
      await expect(authorize(event(bearer(token)))).rejects.toThrow(/^Unauthorized$/);
    }
    server.failWith(503);
    const unverifiable = signToken(generateRsaKey('rotated'), good);
    await expect(authorize(event(bearer(unverifiable)))).rejects.toThrow(/^Authorizer failure$/);
    server.failWith(undefined);

    expect(log.decisions().map((d) => [d.decision, d.reason])).toEqual([
      ['allow', 'authorized'],
      ['deny', 'insufficient_scope'],
      ['unauthorized', 'token_expired'],
      ['unauthorized', 'invalid_signature'],
      ['unauthorized', 'invalid_signature'],
      ['unauthorized', 'alg_not_allowed'],
      ['unauthorized', 'embedded_key_header'],
      ['unauthorized', 'token_too_large'],
      ['error', 'jwks_unavailable'],
    ]);
    expect(log.decisions()[0]).toMatchObject({
      level: 'INFO', message: 'authorization decision', service: 'secure-api-authorizer',
      routeKey: 'GET /items/{id}', sub: 'user-1', iss: server.issuer, clientId: 'app-1',
    });
    expect(typeof log.decisions()[0].durationMs).toBe('number');

    const output = log.lines().join('\n');
    expect(output).not.toContain(keyValue);
    for (const token of [...Object.values(tokens), unverifiable]) {
      for (const part of token.split('.').filter((p) => p.length >= 16)) expect(output).not.toContain(part);
      // Nor a recognisable slice of the signature.
      expect(output).not.toContain(token.split('.')[2].slice(0, 24));
    }
  } finally {
    log.restore();
  }
});
