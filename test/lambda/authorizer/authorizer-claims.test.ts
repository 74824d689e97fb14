/**
 * Claim rules that fit every provider, end to end through the authorizer with real signed tokens and a real HTTPS
 * JWKS: nested claims, any-of alternatives, `scope` as a JSON array, a configurable principal, and multi-tenant issuers.
 */
import type { AuthorizerConfig } from '../../../lib/common/authorizer-config';
import { policyAllows } from '../../../lib/common/execute-api-policy';
import type { RouteEntry } from '../../../lib/common/route-model';
import { createAuthorizer } from '../../../lambda/authorizer/authorizer';
import { JwksServer, startJwksServer } from '../../support/jwks-server';
import { claims, generateRsaKey, signToken, TestKey } from '../../support/tokens';
import { bearer, configFor, event, methodArn, recordingLogger } from './fixtures';

const ROUTES: RouteEntry[] = [
  // Keycloak: realm roles and client roles, nested objects.
  { method: 'GET', path: '/reports', claims: [{ claim: ['realm_access', 'roles'], includes: 'auditor' }] },
  { method: 'POST', path: '/reports', claims: [{ claim: ['resource_access', 'reports-api', 'roles'], includes: 'writer' }] },
  // A top-level claim whose name has a dot: never confused with the nested path.
  { method: 'GET', path: '/dotted', claims: [{ claim: 'realm_access.roles', includes: 'auditor' }] },
  // Entra ID: users with a delegated scope (scp), daemons with an app role (roles).
  {
    method: 'GET',
    path: '/orders',
    anyOf: [{ scopes: ['Orders.Read'] }, { claims: [{ claim: 'roles', includes: 'Orders.Read.All' }] }],
  },
  // Alternatives where one needs scope and claim together.
  {
    method: 'DELETE',
    path: '/orders/{id}',
    anyOf: [
      { scopes: ['orders:admin'], claims: [{ claim: 'amr', includes: 'mfa' }] },
      { claims: [{ claim: ['realm_access', 'roles'], includes: 'orders-admin' }] },
    ],
  },
  { method: 'GET', path: '/items', scopes: ['items:read'] },
];

let server: JwksServer;
let rsa: TestKey;
let log: ReturnType<typeof recordingLogger>;

beforeAll(async () => {
  rsa = generateRsaKey('rsa-claims');
  server = await startJwksServer({ keys: [rsa.publicJwk] });
  log = recordingLogger();
});

afterAll(async () => {
  log.restore();
  await server.close();
});

async function authorizerWith(overrides: Partial<AuthorizerConfig> = {}) {
  const authorize = createAuthorizer(configFor(server, { routes: ROUTES, ...overrides }), { logger: log.logger });
  await authorize.ready;
  return authorize;
}

function token(overrides: Record<string, unknown>, issuer = server.issuer): string {
  return bearer(signToken(rsa, claims(issuer, overrides)));
}

async function allows(authorize: Awaited<ReturnType<typeof authorizerWith>>, t: string, request: string): Promise<boolean> {
  const result = await authorize(event(t, request));
  return policyAllows(result.policyDocument as never, methodArn(request));
}

describe('nested claims', () => {
  test('reads Keycloak realm roles and client roles through their paths', async () => {
    const authorize = await authorizerWith();
    const auditor = token({ realm_access: { roles: ['auditor', 'offline_access'] } });
    const writer = token({ resource_access: { 'reports-api': { roles: ['writer'] }, account: { roles: ['view-profile'] } } });
    expect(await allows(authorize, auditor, 'GET /reports')).toBe(true);
    expect(await allows(authorize, auditor, 'POST /reports')).toBe(false);
    expect(await allows(authorize, writer, 'POST /reports')).toBe(true);
    expect(await allows(authorize, writer, 'GET /reports')).toBe(false);
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'claim_mismatch', routeKey: 'GET /reports' });
  });

  test('a role of another client, or a role list in the wrong place, grants nothing', async () => {
    const authorize = await authorizerWith();
    expect(await allows(authorize, token({ resource_access: { account: { roles: ['writer'] } } }), 'POST /reports')).toBe(false);
    expect(await allows(authorize, token({ roles: ['writer', 'auditor'] }), 'POST /reports')).toBe(false);
    expect(await allows(authorize, token({ realm_access: ['auditor'] }), 'GET /reports')).toBe(false);
    expect(await allows(authorize, token({ realm_access: { roles: 'auditor' } }), 'GET /reports')).toBe(true);
    expect(await allows(authorize, token({ realm_access: { roles: { auditor: true } } }), 'GET /reports')).toBe(false);
  });

  test('a dotted top-level claim and the nested path are different claims', async () => {
    const authorize = await authorizerWith();
    const nested = token({ realm_access: { roles: ['auditor'] } });
    const dotted = token({ 'realm_access.roles': ['auditor'] });
    expect(await allows(authorize, nested, 'GET /dotted')).toBe(false);
    expect(await allows(authorize, dotted, 'GET /dotted')).toBe(true);
    expect(await allows(authorize, dotted, 'GET /reports')).toBe(false);
  });

  test('tokens that differ only in a nested claim get different cached policies', async () => {
    const authorize = await authorizerWith();
    const a = await authorize(event(token({ sub: 'a', realm_access: { roles: ['auditor'] } }), 'GET /reports'));
    const b = await authorize(event(token({ sub: 'b', realm_access: { roles: ['viewer'] } }), 'GET /reports'));
    const c = await authorize(event(token({ sub: 'c', realm_access: { roles: ['auditor'] } }), 'GET /reports'));
    expect(policyAllows(a.policyDocument as never, methodArn('GET /reports'))).toBe(true);
    expect(policyAllows(b.policyDocument as never, methodArn('GET /reports'))).toBe(false);
    expect(c.policyDocument).toEqual(a.policyDocument);
  });
});

describe('alternatives (anyOf)', () => {
  test('a user with the delegated scope and a daemon with the app role both reach the route', async () => {
    const authorize = await authorizerWith();
    expect(await allows(authorize, token({ scp: 'Orders.Read User.Read' }), 'GET /orders')).toBe(true);
    expect(await allows(authorize, token({ roles: ['Orders.Read.All'] }), 'GET /orders')).toBe(true);
  });

  test('a token with neither is denied, with the reason of the closest alternative', async () => {
    const authorize = await authorizerWith();
    expect(await allows(authorize, token({ scp: 'User.Read', roles: ['Other.Read'] }), 'GET /orders')).toBe(false);
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'claim_mismatch', routeKey: 'GET /orders' });
    // Scope without the MFA claim: the first alternative fails on its claims; no realm role either.
    expect(await allows(authorize, token({ scope: 'orders:admin', amr: ['pwd'] }), 'DELETE /orders/1')).toBe(false);
    expect(log.last()).toMatchObject({ reason: 'claim_mismatch' });
  });

  test('within one alternative, scopes and claims are still combined with AND', async () => {
    const authorize = await authorizerWith();
    expect(await allows(authorize, token({ scope: 'orders:admin', amr: ['pwd', 'mfa'] }), 'DELETE /orders/1')).toBe(true);
    expect(await allows(authorize, token({ amr: ['mfa'] }), 'DELETE /orders/1')).toBe(false);
    expect(await allows(authorize, token({ realm_access: { roles: ['orders-admin'] } }), 'DELETE /orders/1')).toBe(true);
  });
});

describe('scope as a JSON array (Duende IdentityServer)', () => {
  test('is accepted and grants its scopes', async () => {
    const authorize = await authorizerWith();
    const result = await authorize(event(token({ scope: ['openid', 'items:read'] }), 'GET /items'));
    expect(policyAllows(result.policyDocument as never, methodArn('GET /items'))).toBe(true);
    expect(result.context).toMatchObject({ scope: 'openid items:read' });
  });

  test('a scope array that grants another scope is denied, not refused', async () => {
    const authorize = await authorizerWith();
    expect(await allows(authorize, token({ scope: ['items:write'] }), 'GET /items')).toBe(false);
    expect(log.last()).toMatchObject({ decision: 'deny', reason: 'insufficient_scope' });
  });

  test.each([
    ['a number', 42],
    ['an array with a number', ['items:read', 7]],
    ['an object', { 'items:read': true }],
  ])('a scope claim that is %s is refused as malformed', async (_name, scope) => {
    const authorize = await authorizerWith();
    await expect(authorize(event(token({ scope }), 'GET /items'))).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ decision: 'unauthorized', reason: 'malformed_payload' });
  });
});

describe('principal', () => {
  test('is sub by default: a token without sub is refused', async () => {
    const authorize = await authorizerWith();
    await expect(authorize(event(token({ sub: undefined, client_id: 'svc-1', scope: 'items:read' }), 'GET /items')))
      .rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ decision: 'unauthorized', reason: 'missing_principal' });
  });

  test('falls back to the next configured claim, named in the context', async () => {
    const authorize = await authorizerWith({ principalClaims: ['sub', 'client_id'] });
    const machine = await authorize(event(token({ sub: undefined, client_id: 'svc-1', scope: ['items:read'] }), 'GET /items'));
    expect(machine.principalId).toBe('svc-1');
    expect(machine.context).toMatchObject({ principal: 'svc-1', principalClaim: 'client_id', sub: '', clientId: 'svc-1' });
    // The decision log names the principal and its claim, and no sub the token does not have.
    expect(log.last()).toMatchObject({ decision: 'allow', principal: 'svc-1', principalClaim: 'client_id' });
    expect(log.last()).not.toHaveProperty('sub');
    expect(policyAllows(machine.policyDocument as never, methodArn('GET /items'))).toBe(true);
    const user = await authorize(event(token({ sub: 'user-9', client_id: 'web', scope: 'items:read' }), 'GET /items'));
    expect(user.principalId).toBe('user-9');
    expect(user.context).toMatchObject({ principal: 'user-9', principalClaim: 'sub', sub: 'user-9' });
  });

  test('a sub that is not a string is refused as malformed, whatever the principal claims', async () => {
    const authorize = await authorizerWith({ principalClaims: ['sub', 'client_id'] });
    await expect(authorize(event(token({ sub: 42, client_id: 'svc-1' }), 'GET /items'))).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ reason: 'malformed_payload' });
  });
});

describe('multi-tenant issuers', () => {
  test('trusts exactly the listed tenants of one issuer template, sharing one JWKS', async () => {
    const issuerOf = (tenant: string) => `${server.issuer}/${tenant}/v2.0`;
    const authorize = await authorizerWith({
      issuers: ['tenant-a', 'tenant-b'].map((tenant) => ({ issuer: issuerOf(tenant), audience: ['api://secure-api'], jwksUri: server.jwksUri })),
    });
    expect(await allows(authorize, token({ scope: 'items:read', tid: 'tenant-a' }, issuerOf('tenant-a')), 'GET /items')).toBe(true);
    expect(await allows(authorize, token({ scope: 'items:read', tid: 'tenant-b' }, issuerOf('tenant-b')), 'GET /items')).toBe(true);
    await expect(authorize(event(token({ scope: 'items:read', tid: 'tenant-c' }, issuerOf('tenant-c')), 'GET /items')))
      .rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ decision: 'unauthorized', reason: 'unknown_issuer' });
    // One fetch of the shared key set serves every tenant.
    expect(server.requestCount()).toBeGreaterThan(0);
  });
});

describe('multi-tenant issuers that accept any tenant', () => {
  const template = () => `${server.issuer}/{tenant}/v2.0`;
  const issuerOf = (tenant: string) => `${server.issuer}/${tenant}/v2.0`;
  const anyTenant = () => authorizerWith({
    issuers: [{ issuer: template(), audience: ['api://secure-api'], jwksUri: server.jwksUri, anyTenant: { claim: 'tid' } }],
  });

  test('accepts a tenant that is not listed anywhere when its iss names the tenant its tid claim carries', async () => {
    const authorize = await anyTenant();
    const result = await authorize(event(token({ scope: 'items:read', tid: '9188040d-6c67-4c5b-b112-36a304b66dad' }, issuerOf('9188040d-6c67-4c5b-b112-36a304b66dad')), 'GET /items'));
    expect(policyAllows(result.policyDocument as never, methodArn('GET /items'))).toBe(true);
    expect(result.context).toMatchObject({ iss: issuerOf('9188040d-6c67-4c5b-b112-36a304b66dad') });
  });

  // The issuer's path after the JWKS server's origin: the server only exists once the tests run.
  test.each([
    ['another tenant in tid than in iss', { tid: 'tenant-b' }, '/tenant-a/v2.0', 'invalid_issuer'],
    ['no tid', {}, '/tenant-a/v2.0', 'invalid_issuer'],
    ['a tid that is no string', { tid: ['tenant-a'] }, '/tenant-a/v2.0', 'invalid_issuer'],
    ['a tenant with a slash', { tid: 'a/b' }, '/a/b/v2.0', 'unknown_issuer'],
    ['an empty tenant', { tid: '' }, '//v2.0', 'unknown_issuer'],
    ['the template itself', { tid: '{tenant}' }, '/{tenant}/v2.0', 'unknown_issuer'],
    ['another suffix', { tid: 'tenant-a' }, '/tenant-a/v2.0/', 'unknown_issuer'],
  ])('refuses %s', async (_name, overrides, path, reason) => {
    const authorize = await anyTenant();
    await expect(authorize(event(token({ scope: 'items:read', ...overrides }, `${server.issuer}${path}`), 'GET /items'))).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ decision: 'unauthorized', reason });
  });

  test('still checks the audience and the signature of a tenant it was never told about', async () => {
    const authorize = await anyTenant();
    await expect(authorize(event(token({ scope: 'items:read', tid: 't-1', aud: 'api://other' }, issuerOf('t-1')), 'GET /items')))
      .rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ reason: 'invalid_audience' });
    const forged = bearer(signToken(generateRsaKey('rsa-claims'), claims(issuerOf('t-1'), { scope: 'items:read', tid: 't-1' })));
    await expect(authorize(event(forged, 'GET /items'))).rejects.toThrow(/^Unauthorized$/);
    expect(log.last()).toMatchObject({ reason: 'invalid_signature' });
  });
});
