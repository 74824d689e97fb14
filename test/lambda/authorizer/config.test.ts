import type { AuthorizerConfig } from '../../../lib/common/authorizer-config';
import { AUTHORIZER_CONFIG_REFS_ENV, CONFIG_REFERENCE_PREFIX } from '../../../lib/common/authorizer-config';
import { parseAuthorizerConfig, validateAuthorizerConfig } from '../../../lambda/authorizer/config';
import { AuthorizerConfigError } from '../../../lambda/authorizer/errors';

const POOL = 'eu-west-1_AbC123';
const COGNITO = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;

function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const config: AuthorizerConfig = {
    issuers: [
      { issuer: 'https://login.example.com/', audience: ['api'], jwksUri: 'https://login.example.com/.well-known/jwks.json' },
      { issuer: COGNITO, audience: null, jwksUri: `${COGNITO}/.well-known/jwks.json`, cognito: { userPoolId: POOL, tokenUse: 'access' } },
    ],
    routes: [{ method: 'GET', path: '/items', scopes: ['items:read'] }],
    clockSkewSeconds: 0,
    maxTokenBytes: 4096,
    maxTokenLifetimeSeconds: 3600,
    jwksTimeoutMs: 1500,
    tenantClaim: 'tenant',
    apiKey: { claim: 'client_id', keyIds: { app: 'abc123' } },
  };
  return { ...config, ...overrides };
}

function issuer(index: number, overrides: Record<string, unknown>): Record<string, unknown> {
  const issuers = (valid().issuers as Array<Record<string, unknown>>).map((i) => ({ ...i }));
  issuers[index] = { ...issuers[index], ...overrides };
  for (const [k, v] of Object.entries(issuers[index])) if (v === undefined) delete issuers[index][k];
  return valid({ issuers });
}

describe('parseAuthorizerConfig', () => {
  test('parses a valid configuration', () => {
    expect(parseAuthorizerConfig(JSON.stringify(valid()))).toEqual(valid());
  });

  test('accepts a minimal configuration without optional settings', () => {
    const minimal = valid({ maxTokenLifetimeSeconds: undefined, tenantClaim: undefined, apiKey: undefined });
    expect(() => parseAuthorizerConfig(JSON.stringify(minimal))).not.toThrow();
  });

  test('fails when the content is blank', () => {
    expect(() => parseAuthorizerConfig(' ')).toThrow(AuthorizerConfigError);
    expect(() => parseAuthorizerConfig(' ', undefined, 'the configuration file /opt/x.json'))
      .toThrow('AuthorizerConfig: the configuration file /opt/x.json is empty');
  });

  test('fails on invalid JSON', () => {
    expect(() => parseAuthorizerConfig('{')).toThrow(/^AuthorizerConfig: the configuration is not valid JSON: /);
  });

  test('puts each deploy-time value where the file marks it', () => {
    const marked = valid({ apiKey: { claim: 'client_id', keyIds: { alpha: `${CONFIG_REFERENCE_PREFIX}1`, beta: `${CONFIG_REFERENCE_PREFIX}0` } } });
    const config = parseAuthorizerConfig(JSON.stringify(marked), JSON.stringify(['key-b', 'key-a']));
    expect(config.apiKey!.keyIds).toEqual({ alpha: 'key-a', beta: 'key-b' });
  });

  test('fails when a marked value is missing, or the values are not a JSON array of strings', () => {
    const marked = JSON.stringify(valid({ tenantClaim: `${CONFIG_REFERENCE_PREFIX}2` }));
    expect(() => parseAuthorizerConfig(marked, '["a","b"]')).toThrow(
      `AuthorizerConfig: the configuration refers to deploy-time value 2, which environment variable ${AUTHORIZER_CONFIG_REFS_ENV} does not hold (it holds 2)`);
    expect(() => parseAuthorizerConfig(marked)).toThrow(/does not hold \(it holds 0\)/);
    expect(() => parseAuthorizerConfig(marked, '[1]')).toThrow(`AuthorizerConfig: '${AUTHORIZER_CONFIG_REFS_ENV}' must be a JSON array of strings (got [1])`);
    expect(() => parseAuthorizerConfig(marked, '{')).toThrow(`AuthorizerConfig: environment variable ${AUTHORIZER_CONFIG_REFS_ENV} is not valid JSON`);
  });
});

describe('validateAuthorizerConfig', () => {
  test.each<[string, unknown, string]>([
    ['a non-object', [], "AuthorizerConfig: '(root)' must be an object (got [])"],
    ['an unknown key', valid({ maxTokenLifetimeSecond: 60 }), "AuthorizerConfig: '(root)' has unknown keys (got maxTokenLifetimeSecond)"],
    ['no issuers', valid({ issuers: [] }), "AuthorizerConfig: 'issuers' must be a non-empty array (got [])"],
    ['an empty issuer', issuer(0, { issuer: '' }), `AuthorizerConfig: 'issuers[0].issuer' must be a non-empty string (got "")`],
    ['a repeated issuer', valid({ issuers: [(valid().issuers as unknown[])[0], (valid().issuers as unknown[])[0]] }),
      `AuthorizerConfig: 'issuers[1].issuer' must not repeat an issuer (got "https://login.example.com/")`],
    ['an empty audience list', issuer(0, { audience: [] }),
      "AuthorizerConfig: 'issuers[0].audience' must be a non-empty array of strings, or null to opt out of the audience check (got [])"],
    ['a missing audience', issuer(0, { audience: undefined }),
      "AuthorizerConfig: 'issuers[0].audience' must be a non-empty array of strings, or null to opt out of the audience check (got undefined)"],
    ['an empty audience value', issuer(0, { audience: [''] }), `AuthorizerConfig: 'issuers[0].audience[0]' must be a non-empty string (got "")`],
    ['an http JWKS URI', issuer(0, { jwksUri: 'http://login.example.com/jwks' }),
      `AuthorizerConfig: 'issuers[0].jwksUri' must be an https URL (got "http://login.example.com/jwks")`],
    ['a JWKS URI that is not a URL', issuer(0, { jwksUri: 'jwks.json' }), `AuthorizerConfig: 'issuers[0].jwksUri' must be an https URL (got "jwks.json")`],
    ['an unknown issuer key', issuer(0, { audiences: ['x'] }), "AuthorizerConfig: 'issuers[0]' has unknown keys (got audiences)"],
    ['a bad user pool id', issuer(1, { cognito: { userPoolId: 'pool', tokenUse: 'access' } }),
      `AuthorizerConfig: 'issuers[1].cognito.userPoolId' must be a Cognito user pool id such as eu-west-1_AbC123 (got "pool")`],
    ['a bad token use', issuer(1, { cognito: { userPoolId: POOL, tokenUse: 'refresh' } }),
      `AuthorizerConfig: 'issuers[1].cognito.tokenUse' must be 'access' or 'id' (got "refresh")`],
    ['a Cognito issuer of another pool', issuer(1, { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }),
      `AuthorizerConfig: 'issuers[1].issuer' must be the issuer of user pool ${POOL} (${COGNITO}) (got "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other")`],
    ['a Cognito JWKS elsewhere', issuer(1, { jwksUri: 'https://keys.example.com/jwks.json' }),
      `AuthorizerConfig: 'issuers[1].jwksUri' must be the JWKS of user pool ${POOL} (${COGNITO}/.well-known/jwks.json) (got "https://keys.example.com/jwks.json")`],
    ['an invalid route table', valid({ routes: [{ method: 'GET', path: '/items' }] }),
      "AuthorizerConfig: 'routes' is invalid: route 'GET /items': must declare 'scopes' or 'claims', or set 'public: true'"],
    ['a negative clock skew', valid({ clockSkewSeconds: -1 }), "AuthorizerConfig: 'clockSkewSeconds' must be a non-negative number (got -1)"],
    ['a fractional token size', valid({ maxTokenBytes: 10.5 }), "AuthorizerConfig: 'maxTokenBytes' must be a positive integer (got 10.5)"],
    ['a zero lifetime cap', valid({ maxTokenLifetimeSeconds: 0 }), "AuthorizerConfig: 'maxTokenLifetimeSeconds' must be a positive number (got 0)"],
    ['a string timeout', valid({ jwksTimeoutMs: '1500' }), `AuthorizerConfig: 'jwksTimeoutMs' must be a positive number (got "1500")`],
    ['a zero JWKS max age', valid({ jwksMaxAgeSeconds: 0 }), `AuthorizerConfig: 'jwksMaxAgeSeconds' must be a positive number (got 0)`],
    ['an empty tenant claim', valid({ tenantClaim: '' }), `AuthorizerConfig: 'tenantClaim' must be a non-empty string (got "")`],
    ['an API key mapping without clients', valid({ apiKey: { claim: 'client_id', keyIds: {} } }),
      "AuthorizerConfig: 'apiKey.keyIds' must map at least one client to an API key id (got {})"],
    ['an API key mapping with an empty key id', valid({ apiKey: { claim: 'client_id', keyIds: { app: '' } } }),
      `AuthorizerConfig: 'apiKey.keyIds.app' must be a non-empty string (got "")`],
    ['an API key mapping without claim', valid({ apiKey: { keyIds: { app: 'k' } } }),
      "AuthorizerConfig: 'apiKey.claim' must be a non-empty string (got undefined)"],
  ])('rejects %s', (_name, config, message) => {
    expect(() => validateAuthorizerConfig(config)).toThrow(AuthorizerConfigError);
    expect(() => validateAuthorizerConfig(config)).toThrow(message);
  });

  test('accepts the global issuer form of a Cognito user pool', () => {
    const global = `https://issuer-cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
    expect(() => validateAuthorizerConfig(issuer(1, { issuer: global, jwksUri: `${global}/.well-known/jwks.json` }))).not.toThrow();
  });
});

describe('a parsed configuration', () => {
  test('is frozen all the way down, so the authorizer can trust it was not changed after validation', () => {
    const config = parseAuthorizerConfig(JSON.stringify(valid({})));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.issuers[0])).toBe(true);
    expect(Object.isFrozen(config.routes[0])).toBe(true);
    expect(() => { (config.routes as unknown as unknown[]).push({}); }).toThrow(TypeError);
  });
});

describe('an any-tenant issuer', () => {
  const base = (anyTenant: unknown, issuer = 'https://login.example.com/{tenant}/v2.0', jwksUri = 'https://login.example.com/common/keys') =>
    valid({ issuers: [{ issuer, audience: ['a'], jwksUri, anyTenant } as never] });

  test('is valid with a template and a claim', () => {
    expect(() => validateAuthorizerConfig(base({ claim: 'tid' }))).not.toThrow();
  });

  test.each<[string, unknown, string]>([
    ['no claim', base({}), "AuthorizerConfig: 'issuers[0].anyTenant.claim' must be a non-empty string (got undefined)"],
    ['an unknown key', base({ claim: 'tid', x: 1 }), "AuthorizerConfig: 'issuers[0].anyTenant' has unknown keys (got x)"],
    ['no placeholder', base({ claim: 'tid' }, 'https://login.example.com/v2.0'), "AuthorizerConfig: 'issuers[0].issuer' must contain '{tenant}' exactly once with 'anyTenant' (got \"https://login.example.com/v2.0\")"],
    ['a tenant-dependent JWKS', base({ claim: 'tid' }, undefined, 'https://login.example.com/{tenant}/keys'), "AuthorizerConfig: 'issuers[0].jwksUri' must not depend on the tenant with 'anyTenant'"],
  ])('is refused with %s', (_name, config, message) => {
    expect(() => validateAuthorizerConfig(config)).toThrow(message);
  });
});
