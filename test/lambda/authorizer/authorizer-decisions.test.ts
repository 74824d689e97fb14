/**
 * Decisions on verified tokens: allow, deny policies (403) with their reasons, the tenant claim, and API keys for
 * the AUTHORIZER key source. Real signed tokens and a real HTTPS JWKS; only GetApiKey is replaced (offline).
 */
import { buildPolicy, policyAllows } from '../../../lib/common/execute-api-policy';
import { createAuthorizer } from '../../../lambda/authorizer/authorizer';
import { JwksServer, startJwksServer } from '../../support/jwks-server';
import { claims, generateRsaKey, signToken, TestKey } from '../../support/tokens';
import { bearer, configFor, event, methodArn, recordingLogger, STAGE } from './fixtures';

let server: JwksServer;
let rsa: TestKey;
let log: ReturnType<typeof recordingLogger>;
let authorize: ReturnType<typeof createAuthorizer>;

beforeAll(async () => {
  rsa = generateRsaKey('rsa-1');
  server = await startJwksServer({ keys: [rsa.publicJwk] });
  log = recordingLogger();
  authorize = createAuthorizer(configFor(server), { logger: log.logger });
  await authorize.ready;
});

afterAll(async () => {
  log.restore();
  await server.close();
});

function token(overrides: Record<string, unknown> = {}): string {
  return bearer(signToken(rsa, claims(server.issuer, overrides)));
}

describe('route decisions', () => {
  test('denies a route the scopes do not grant with a policy, not an error, and logs insufficient_scope', async () => {
    const result = await authorize(event(token({ scope: 'items:read' }), 'GET /items/1/admin'));
    expect(policyAllows(result.policyDocument as never, methodArn('GET /items/1/admin'))).toBe(false);
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'insufficient_scope', routeKey: 'GET /items/{id}/admin' });
  });

  test('returns the same policy whatever route was requested, so a cached result is safe', async () => {
    const t = token({ scope: 'items:read' });
    const denied = await authorize(event(t, 'GET /items/1/admin'));
    const allowed = await authorize(event(t, 'GET /items/1'));
    expect(denied).toEqual(allowed);
    expect(policyAllows(allowed.policyDocument as never, methodArn('GET /items/2'))).toBe(true);
    expect(policyAllows(allowed.policyDocument as never, methodArn('POST /items'))).toBe(false);
  });

  test('answers every token with the policy of its own claims, one authorizer serving them in turn', async () => {
    // The authorizer caches policies per stage and claims: interleaved tokens must never get another's policy.
    const tokens = [
      { sub: 'reader-1', scope: 'items:read' },
      { sub: 'writer', scope: 'items:write', 'cognito:groups': ['admins'] },
      { sub: 'reader-2', scope: 'items:read' },
      { sub: 'writer-no-group', scope: 'items:write', 'cognito:groups': ['users'] },
      { sub: 'nobody', scope: 'other' },
    ];
    for (const round of [1, 2]) {
      for (const overrides of tokens) {
        const result = await authorize(event(token(overrides), 'GET /items/1'));
        const expected = buildPolicy(configFor(server).routes, claims(server.issuer, overrides), methodArn('GET /items/1'));
        expect({ round, principal: result.principalId, policy: JSON.stringify(result.policyDocument) })
          .toEqual({ round, principal: overrides.sub, policy: JSON.stringify(expected.policy) });
      }
    }
  });

  test("needs any one scope of a scopeMatch 'any' route", async () => {
    await authorize(event(token({ scope: 'items:admin' }), 'POST /items'));
    expect(log.last()).toMatchObject({ decision: 'allow', routeKey: 'POST /items' });
  });

  test('denies a route whose claim condition fails and logs claim_mismatch', async () => {
    const result = await authorize(event(token({ scope: 'items:write', 'cognito:groups': ['users'] }), 'DELETE /items/1'));
    expect(policyAllows(result.policyDocument as never, methodArn('DELETE /items/1'))).toBe(false);
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'claim_mismatch', routeKey: 'DELETE /items/{id}' });
  });

  test('allows a route whose scopes and group claim both hold', async () => {
    const result = await authorize(event(token({ scope: 'items:write', 'cognito:groups': ['users', 'admins'] }), 'DELETE /items/1'));
    expect(policyAllows(result.policyDocument as never, methodArn('DELETE /items/1'))).toBe(true);
    expect(log.last()).toMatchObject({ decision: 'allow', reason: 'authorized' });
  });

  test('denies a request that matches no route and logs unknown_route', async () => {
    const result = await authorize(event(token({ scope: 'items:read' }), 'PUT /items/1'));
    expect(policyAllows(result.policyDocument as never, methodArn('PUT /items/1'))).toBe(false);
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'unknown_route', routeKey: 'PUT /items/1' });
  });

  test('returns a single stage-wide Deny when the token grants no route at all', async () => {
    const noPublic = createAuthorizer(configFor(server, { routes: [{ method: 'GET', path: '/items', scopes: ['items:read'] }] }),
      { logger: log.logger });
    const result = await noPublic(event(token({ scope: 'other' })));
    expect(result.policyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${STAGE}*`] }],
    });
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'insufficient_scope' });
  });

  test('logs route_shadowed when an allowed route is caught by the Deny of a refused overlapping route', async () => {
    const shadowing = createAuthorizer(configFor(server, {
      routes: [
        { method: 'GET', path: '/{a}/{b}', scopes: ['wide'] },
        { method: 'GET', path: '/items/{id}', scopes: ['narrow'] },
        { method: 'GET', path: '/items/{id}/admin', scopes: ['wide'] },
      ],
    }), { logger: log.logger });
    // '/{a}/{b}' (allowed: GET/*/*) also matches requests to '/items/{id}', which is refused: GET/items/* is denied,
    // and that Deny also covers GET /items/1/admin. Over-denial is the safe side; the log says why.
    const result = await shadowing(event(token({ scope: 'wide' }), 'GET /items/1/admin'));
    expect(policyAllows(result.policyDocument as never, methodArn('GET /items/1/admin'))).toBe(false);
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'route_shadowed', routeKey: 'GET /items/{id}/admin' });
  });

  test('answers 500 for a malformed methodArn rather than guessing a policy', async () => {
    await expect(authorize({ type: 'TOKEN', authorizationToken: token({ scope: 'items:read' }), methodArn: 'arn:oops' }))
      .rejects.toThrow(/^Authorizer failure$/);
    expect(log.last()).toMatchObject({ decision: 'error', reason: 'internal_error' });
  });
});

describe('tenant claim', () => {
  let tenanted: ReturnType<typeof createAuthorizer>;
  beforeAll(() => {
    tenanted = createAuthorizer(configFor(server, { tenantClaim: 'custom:tenant' }), { logger: log.logger });
  });

  test('puts the tenant into the context', async () => {
    const result = await tenanted(event(token({ scope: 'items:read', 'custom:tenant': 'acme' })));
    expect(result.context).toMatchObject({ tenant: 'acme' });
    expect(log.last()).toMatchObject({ decision: 'allow' });
  });

  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a string', ['acme']],
  ])('denies every route when the tenant claim is %s', async (_name, value) => {
    const result = await tenanted(event(token({ scope: 'items:read', 'custom:tenant': value })));
    expect(result.policyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${STAGE}*`] }],
    });
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'missing_tenant' });
  });
});

describe('API keys (key source AUTHORIZER)', () => {
  const apiKey = { claim: 'client_id', keyIds: { 'app-1': 'key-id-1', 'app-2': 'key-id-2' } };

  function keyFetcher(fail = 0): { fetch: (id: string) => Promise<string>; calls: string[] } {
    const calls: string[] = [];
    let failures = fail;
    return {
      calls,
      fetch: async (id) => {
        calls.push(id);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (failures > 0) {
          failures--;
          throw new Error('throttled');
        }
        return `value-of-${id}`;
      },
    };
  }

  test('returns the API key of the token\'s client as usageIdentifierKey, read once across many calls', async () => {
    const fetcher = keyFetcher();
    const keyed = createAuthorizer(configFor(server, { apiKey }), { logger: log.logger, fetchApiKeyValue: fetcher.fetch });
    const calls = Array.from({ length: 10 }, (_, i) => keyed(event(token({ scope: 'items:read', client_id: 'app-1', sub: `u${i}` }))));
    const results = await Promise.all(calls);
    expect(results.map((r) => r.usageIdentifierKey)).toEqual(Array(10).fill('value-of-key-id-1'));
    await keyed(event(token({ scope: 'items:read', client_id: 'app-2' })));
    await keyed(event(token({ scope: 'items:read', client_id: 'app-1' })));
    expect(fetcher.calls).toEqual(['key-id-1', 'key-id-2']);
  });

  test('denies every route to a client without an API key and logs unknown_client', async () => {
    const fetcher = keyFetcher();
    const keyed = createAuthorizer(configFor(server, { apiKey }), { logger: log.logger, fetchApiKeyValue: fetcher.fetch });
    for (const client of [{ client_id: 'app-unknown' }, {}, { client_id: 'constructor' }, { client_id: ['app-1'] }]) {
      const result = await keyed(event(token({ scope: 'items:read', ...client })));
      expect(result.usageIdentifierKey).toBeUndefined();
      expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${STAGE}*`] }]);
      expect(log.last()).toMatchObject({ decision: 'deny', reason: 'unknown_client' });
    }
    expect(fetcher.calls).toEqual([]);
  });

  test('answers 500 when the key cannot be read, and reads it again on the next call', async () => {
    const fetcher = keyFetcher(1);
    const keyed = createAuthorizer(configFor(server, { apiKey }), { logger: log.logger, fetchApiKeyValue: fetcher.fetch });
    await expect(keyed(event(token({ scope: 'items:read', client_id: 'app-1' })))).rejects.toThrow(/^Authorizer failure$/);
    expect(log.last()).toMatchObject({ decision: 'error', reason: 'api_key_unavailable' });
    await expect(keyed(event(token({ scope: 'items:read', client_id: 'app-1' })))).resolves.toMatchObject({
      usageIdentifierKey: 'value-of-key-id-1',
    });
    expect(fetcher.calls).toEqual(['key-id-1', 'key-id-1']);
  });

  test('refuses to start with an API key mapping but no way to read keys', () => {
    expect(() => createAuthorizer(configFor(server, { apiKey }), { logger: log.logger }))
      .toThrow("AuthorizerConfig: 'apiKey' is set, so an API key fetcher is required");
  });
});
