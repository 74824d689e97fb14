/**
 * The construct's side of claim rules that fit every provider: nested claim paths, any-of alternatives, principal
 * claims and multi-tenant issuers reach the authorizer's configuration, and rules that can never match fail synth.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { ClaimCondition, ClaimPath, ScopeMatch } from '../../lib';
import { authorizerConfig, deployedAuthorizerConfig, synth, validationErrorOf } from './helpers';

describe('claim rules in the authorizer configuration', () => {
  test('a ClaimPath reaches the route table as a path; a plain name as itself', () => {
    const { template } = synth((integration) => ({
      routes: {
        'GET /reports': { integration, claims: [ClaimPath.of('realm_access', 'roles').includes('auditor')] },
        'GET /dotted': { integration, claims: [ClaimPath.of('realm_access.roles').includes('auditor')] },
        'GET /ns': { integration, claims: [ClaimCondition.includes('https://example.com/roles', 'admin')] },
        'GET /num': { integration, claims: [ClaimPath.of('ext', 'level').oneOfNumbers([2, 3]), ClaimPath.of('ext', 'ok').equalToBoolean(true)] },
      },
    }));
    const routes = authorizerConfig(template).routes;
    const claimsOf = (path: string) => routes.find((r: any) => r.path === path).claims;
    expect(claimsOf('/reports')).toEqual([{ claim: ['realm_access', 'roles'], includes: 'auditor' }]);
    expect(claimsOf('/dotted')).toEqual([{ claim: 'realm_access.roles', includes: 'auditor' }]);
    expect(claimsOf('/ns')).toEqual([{ claim: 'https://example.com/roles', includes: 'admin' }]);
    expect(claimsOf('/num')).toEqual([{ claim: ['ext', 'level'], oneOf: [2, 3] }, { claim: ['ext', 'ok'], equals: true }]);
  });

  test('anyOf reaches the route table as alternatives', () => {
    const { template } = synth((integration) => ({
      routes: {
        'GET /orders': {
          integration,
          anyOf: [
            { scopes: ['Orders.Read', 'Orders.ReadWrite'], scopeMatch: ScopeMatch.ANY },
            { claims: [ClaimCondition.includes('roles', 'Orders.Read.All')] },
          ],
        },
      },
    }));
    expect(authorizerConfig(template).routes.find((r: any) => r.path === '/orders')).toEqual({
      method: 'GET',
      path: '/orders',
      anyOf: [
        { scopes: ['Orders.Read', 'Orders.ReadWrite'], scopeMatch: 'any' },
        { claims: [{ claim: 'roles', includes: 'Orders.Read.All' }] },
      ],
    });
  });

  test('principalClaims reach the configuration; by default there are none (the authorizer uses sub)', () => {
    expect(authorizerConfig(synth().template).principalClaims).toBeUndefined();
    expect(authorizerConfig(synth({ tokenPolicy: { principalClaims: ['sub', 'client_id'] } }).template).principalClaims)
      .toEqual(['sub', 'client_id']);
  });

  test('a multi-tenant issuer expands into one exact issuer per tenant', () => {
    const { template } = synth({
      issuer: undefined,
      audience: undefined,
      additionalIssuers: [{
        issuer: 'https://login.microsoftonline.com/{tenant}/v2.0',
        tenants: ['72f988bf-86f1-41af-91ab-2d7cd011db47', 'contoso.onmicrosoft.com'],
        audience: ['6e74172b-be56-4843-9ff4-e66a39bb12e3'],
        jwksUri: 'https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys',
      }],
    });
    expect(authorizerConfig(template).issuers).toEqual([
      {
        issuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
        audience: ['6e74172b-be56-4843-9ff4-e66a39bb12e3'],
        jwksUri: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys',
      },
      {
        issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
        audience: ['6e74172b-be56-4843-9ff4-e66a39bb12e3'],
        jwksUri: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/discovery/v2.0/keys',
      },
    ]);
  });
});

describe('an issuer that accepts any tenant', () => {
  const entra = 'https://login.microsoftonline.com/{tenant}/v2.0';
  const common = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

  test('reaches the configuration as a template with the tenant claim (tid by default)', () => {
    const config = authorizerConfig(synth({
      additionalIssuers: [
        { issuer: entra, allowAnyTenant: true, jwksUri: common, audience: ['app-id'] },
        { issuer: 'https://sts.windows.net/{tenant}/', allowAnyTenant: true, tenantIdClaim: 'tenant', jwksUri: common, audience: ['app-id'] },
      ],
    }).template);
    expect(config.issuers.slice(1)).toEqual([
      { issuer: entra, audience: ['app-id'], jwksUri: common, anyTenant: { claim: 'tid' } },
      { issuer: 'https://sts.windows.net/{tenant}/', audience: ['app-id'], jwksUri: common, anyTenant: { claim: 'tenant' } },
    ]);
  });

  test.each<[string, object, RegExp]>([
    ['with tenants', { tenants: ['t1'], jwksUri: common }, /'additionalIssuers\[0\]\.tenants' and 'additionalIssuers\[0\]\.allowAnyTenant' exclude each other/],
    ['without a JWKS', {}, /'additionalIssuers\[0\]\.jwksUri' must be set, and not depend on the tenant, with 'additionalIssuers\[0\]\.allowAnyTenant'/],
    ['with a per-tenant JWKS', { jwksUri: 'https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys' }, /'additionalIssuers\[0\]\.jwksUri' must be set, and not depend on the tenant/],
  ])('fails synth %s', (_name, extra, message) => {
    const error = validationErrorOf(() => synth({ additionalIssuers: [{ issuer: entra, allowAnyTenant: true, audience: ['a'], ...extra }] }));
    expect(error.message).toMatch(message);
  });

  test('fails synth without a placeholder, or with tenantIdClaim but no allowAnyTenant', () => {
    expect(validationErrorOf(() => synth({ additionalIssuers: [{ issuer: 'https://login.example.com', allowAnyTenant: true, jwksUri: common, audience: ['a'] }] })).message)
      .toMatch(/'additionalIssuers\[0\]\.issuer' must contain '\{tenant\}' exactly once with 'additionalIssuers\[0\]\.allowAnyTenant'/);
    expect(validationErrorOf(() => synth({ additionalIssuers: [{ issuer: 'https://login.example.com', tenantIdClaim: 'tid', audience: ['a'] }] })).message)
      .toMatch(/'additionalIssuers\[0\]\.tenantIdClaim' needs 'additionalIssuers\[0\]\.allowAnyTenant: true'/);
  });
});

describe('claim rules that fail synth', () => {
  const fails = (props: Parameters<typeof synth>[0], message: RegExp) => {
    const error = validationErrorOf(() => synth(props));
    expect(error.message).toMatch(/^SecureApi at 'TestStack\/Api': /);
    expect(error.message).toMatch(message);
  };

  test('a dotted name that reads like a nested path, naming the fix', () => {
    fails((integration) => ({ routes: { 'GET /r': { integration, claims: [ClaimCondition.includes('realm_access.roles', 'admin')] } } }),
      /route 'GET \/r': 'claims\[0\]' can never match: claim 'realm_access.roles' reads like a path into nested claims, but claim names are used verbatim: use ClaimPath.of\('realm_access', 'roles'\) for the nested claim, or ClaimPath.of\('realm_access.roles'\) if the token really has a claim with this name/);
  });

  test('a dotted name inside an alternative, naming the alternative', () => {
    fails((integration) => ({
      routes: { 'GET /r': { integration, anyOf: [{ scopes: ['a'] }, { claims: [ClaimCondition.equalTo('resource_access.api.roles', 'x')] }] } },
    }), /route 'GET \/r': 'anyOf\[1\]\.claims\[0\]' can never match: claim 'resource_access.api.roles'/);
  });

  test.each([
    ['realm_access', ClaimCondition.includes('realm_access', 'admin'), /ClaimPath.of\('realm_access', 'roles'\)/],
    ['resource_access', ClaimPath.of('resource_access').includes('admin'), /ClaimPath.of\('resource_access', '<client id>', 'roles'\)/],
    ['address', ClaimCondition.equalTo('address', 'x'), /ClaimPath.of\('address', 'country'\)/],
  ])('a condition on the object claim %s itself', (name, condition, fix) => {
    fails((integration) => ({ routes: { 'GET /r': { integration, claims: [condition] } } }),
      new RegExp(`claim '${name}' is a JSON object in the tokens that carry it, so a condition on it can never hold: name the member, e.g. ${fix.source}`));
  });

  test('a claim name the token parser drops', () => {
    fails((integration) => ({ routes: { 'GET /r': { integration, claims: [ClaimPath.of('ext', '__proto__').equalTo('x')] } } }),
      /'claim' names '__proto__', which the token parser drops/);
  });

  test('a path too long or with an empty name', () => {
    fails((integration) => ({ routes: { 'GET /r': { integration, claims: [ClaimPath.of(...'abcdefghi'.split('')).equalTo('x')] } } }),
      /'claim' must be a name or a path of 1 to 8 names/);
    fails((integration) => ({ routes: { 'GET /r': { integration, claims: [ClaimPath.of('a', '').equalTo('x')] } } }),
      /'claim' must be a non-empty string or a path of non-empty strings \(got \["a",""\]\)/);
  });

  test('anyOf mixed with scopes or claims on the route, empty, or with an empty alternative', () => {
    fails((integration) => ({ routes: { 'GET /r': { integration, scopes: ['a'], anyOf: [{ scopes: ['b'] }] } } }),
      /'anyOf' excludes 'scopes' on the route itself: put it in each alternative/);
    fails((integration) => ({ routes: { 'GET /r': { integration, anyOf: [] } } }), /'anyOf' must list 1 to 16 rules \(got \[\]\)/);
    fails((integration) => ({ routes: { 'GET /r': { integration, anyOf: [{ scopes: ['a'] }, {}] } } }),
      /'anyOf\[1\]': must declare 'scopes' or 'claims'/);
    fails((integration) => ({ routes: { 'GET /r': { integration, publicAccess: true, anyOf: [{ scopes: ['a'] }] } } }),
      /a route with 'publicAccess: true' must not declare 'scopes', 'scopeMatch', 'claims' or 'anyOf' \(got 'anyOf'\)/);
  });

  test('principalClaims that are empty, repeated, too many or unreadable', () => {
    for (const principalClaims of [[], ['sub', 'sub'], ['a', 'b', 'c', 'd', 'e', 'f'], ['sub', ''], ['constructor']]) {
      fails({ tokenPolicy: { principalClaims } },
        new RegExp(`'tokenPolicy.principalClaims' must list 1 to 5 distinct claim names, such as \\['sub', 'client_id'\\] \\(got ${JSON.stringify(principalClaims).replace(/[[\]]/g, '\\$&')}\\)`));
    }
  });

  test('multi-tenant issuers: a template without tenants, tenants without a template, bad or repeated tenants', () => {
    const entra = 'https://login.microsoftonline.com/{tenant}/v2.0';
    fails({ additionalIssuers: [{ issuer: entra, audience: ['a'] }] },
      /'additionalIssuers\[0\]\.issuer' contains '\{tenant\}': list the accepted tenants in 'additionalIssuers\[0\]\.tenants'/);
    fails({ issuer: entra, audience: ['a'] },
      /'issuer' contains '\{tenant\}': declare it in 'additionalIssuers' with its 'tenants'/);
    fails({ additionalIssuers: [{ issuer: 'https://login.example.com', tenants: ['t1'], audience: ['a'] }] },
      /'additionalIssuers\[0\]\.issuer' must contain '\{tenant\}' exactly once when 'additionalIssuers\[0\]\.tenants' is set/);
    fails({ additionalIssuers: [{ issuer: entra, tenants: [], audience: ['a'] }] }, /'additionalIssuers\[0\]\.tenants' must list 1 to 500 tenant ids/);
    fails({ additionalIssuers: [{ issuer: entra, tenants: ['ok', 'not/ok'], audience: ['a'] }] },
      /'additionalIssuers\[0\]\.tenants\[1\]' must be a tenant id of letters, digits, '\.', '_' and '-' \(got "not\/ok"\)/);
    fails({ additionalIssuers: [{ issuer: entra, tenants: ['t1', 't1'], audience: ['a'] }] },
      /'additionalIssuers\[0\]\.tenants' must not repeat a tenant/);
    // A tenant's issuer that is already trusted (MINIMAL's 'https://issuer.example.com').
    fails({ additionalIssuers: [{ issuer: 'https://issuer.{tenant}', tenants: ['example.org', 'example.com'], allowAnyAudience: true }] },
      /'additionalIssuers\[0\]\.issuer' is trusted twice \(got 'https:\/\/issuer\.example\.com'\)/);
  });
});

describe("integrations and Lambda's 20 KB function policy", () => {
  const routes = (count: number, integration: apigw.Integration) => Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`GET /r${i}`, { integration, scopes: ['a'] }]));

  test('fails synth when one function would get more invoke permissions than its policy holds', () => {
    const error = validationErrorOf(() => synth((integration) => ({ routes: routes(26, integration) })));
    expect(error.message).toMatch(/function 'Backend[0-9A-F]+' gets 52 API Gateway invoke permissions \(at least 20 KB\), over Lambda's 20 KB resource-based policy limit, so the stack would fail to deploy: create the integrations it serves with `new apigw.LambdaIntegration\(fn, \{ scopePermissionToMethod: false \}\)`/);
  });

  test('accepts a function behind many routes with one API-wide permission, and 25 routes with per-method ones', () => {
    expect(() => synth((integration) => ({ routes: routes(25, integration) }))).not.toThrow();
    expect(() => synth((integration) => {
      const fn = (integration as any).handler;
      return { routes: routes(80, new apigw.LambdaIntegration(fn, { scopePermissionToMethod: false })) };
    })).not.toThrow();
  });
});

describe('deploy-time values of the configuration', () => {
  const clients = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`c${i}`, { plan: 'p' }]));
  const props = (count: number) => ({
    apiKeySource: apigw.ApiKeySourceType.AUTHORIZER,
    usagePlans: { p: { throttle: { rateLimit: 1, burstLimit: 1 } } },
    clients: clients(count),
  });

  test('travel in the environment as one JSON array, each API key id once', () => {
    const { stack } = synth(props(3));
    const { references } = deployedAuthorizerConfig(stack, (ref: any) => `id-of-${ref.Ref}`);
    expect(JSON.parse(references!)).toEqual([expect.stringMatching(/^id-of-ApiApiKeyC0/), expect.stringMatching(/^id-of-ApiApiKeyC1/), expect.stringMatching(/^id-of-ApiApiKeyC2/)]);
  });

  test("fail synth beyond the 50 that fit in Lambda's 4 KB of environment variables", () => {
    expect(() => synth(props(50))).not.toThrow();
    expect(validationErrorOf(() => synth(props(51))).message).toMatch(/the authorizer configuration needs 51 deploy-time values \(API key ids of clients with the AUTHORIZER key source, user pool ids\), more than the 50 that fit in Lambda's 4 KB of environment variables/);
  });
});
