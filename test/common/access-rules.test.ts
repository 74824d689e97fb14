import { claimValue, satisfies, tokenScopes, unmetRequirement } from '../../lib/common/access-rules';
import { parseRouteKey, RouteEntry } from '../../lib/common/route-model';

describe('tokenScopes', () => {
  test('reads the space-delimited scope claim', () => {
    expect(tokenScopes({ scope: 'items:read  items:write' })).toEqual(['items:read', 'items:write']);
  });

  test('reads scp as an array (Okta) or a string (Entra ID) and de-duplicates with scope', () => {
    expect(tokenScopes({ scp: ['a', 'b', 'a'] })).toEqual(['a', 'b']);
    expect(tokenScopes({ scp: 'a c' })).toEqual(['a', 'c']);
    expect(tokenScopes({ scope: 'a b', scp: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
  });

  test('ignores non-string entries and claims of other types', () => {
    expect(tokenScopes({ scope: 42, scp: ['a', 1, null, 'b c'] })).toEqual(['a']);
    expect(tokenScopes({})).toEqual([]);
  });
});

describe('satisfies', () => {
  const read = { scopes: ['read', 'write'] };
  test("needs every scope by default ('all')", () => {
    expect(satisfies(read, { scope: 'read write' })).toBe(true);
    expect(satisfies(read, { scope: 'read' })).toBe(false);
    expect(unmetRequirement(read, { scope: 'read' })).toBe('scopes');
  });

  test("needs one scope with scopeMatch 'any'", () => {
    expect(satisfies({ ...read, scopeMatch: 'any' }, { scope: 'write' })).toBe(true);
    expect(satisfies({ ...read, scopeMatch: 'any' }, { scp: ['write'] })).toBe(true);
    expect(satisfies({ ...read, scopeMatch: 'any' }, { scope: 'admin' })).toBe(false);
  });

  test('matches whole scopes only', () => {
    expect(satisfies({ scopes: ['read'] }, { scope: 'readonly' })).toBe(false);
  });

  test('equals compares strictly', () => {
    const rule = { claims: [{ claim: 'level', equals: 1 }] };
    expect(satisfies(rule, { level: 1 })).toBe(true);
    expect(satisfies(rule, { level: '1' })).toBe(false);
    expect(satisfies({ claims: [{ claim: 'email_verified', equals: true }] }, { email_verified: 'true' })).toBe(false);
    expect(satisfies({ claims: [{ claim: 'email_verified', equals: true }] }, { email_verified: true })).toBe(true);
  });

  test('oneOf accepts a string or number among the values', () => {
    const rule = { claims: [{ claim: 'tenant', oneOf: ['t1', 2] }] };
    expect(satisfies(rule, { tenant: 't1' })).toBe(true);
    expect(satisfies(rule, { tenant: 2 })).toBe(true);
    expect(satisfies(rule, { tenant: '2' })).toBe(false);
    expect(satisfies(rule, { tenant: ['t1'] })).toBe(false);
    expect(satisfies(rule, {})).toBe(false);
  });

  test('includes finds a member of an array claim or a whole word of a space-delimited claim', () => {
    const rule = { claims: [{ claim: 'cognito:groups', includes: 'admin' }] };
    expect(satisfies(rule, { 'cognito:groups': ['users', 'admin'] })).toBe(true);
    expect(satisfies(rule, { 'cognito:groups': 'users admin' })).toBe(true);
    expect(satisfies(rule, { 'cognito:groups': 'admins' })).toBe(false);
    expect(satisfies(rule, { 'cognito:groups': ['admins'] })).toBe(false);
    expect(satisfies(rule, { 'cognito:groups': { admin: true } })).toBe(false);
  });

  test('needs every claim condition and the scopes together', () => {
    const rule = { scopes: ['read'], claims: [{ claim: 'tenant', equals: 't1' }, { claim: 'tier', oneOf: ['gold'] }] };
    expect(satisfies(rule, { scope: 'read', tenant: 't1', tier: 'gold' })).toBe(true);
    expect(satisfies(rule, { scope: 'read', tenant: 't1', tier: 'silver' })).toBe(false);
    expect(unmetRequirement(rule, { scope: 'read', tenant: 't2', tier: 'gold' })).toBe('claims');
    expect(unmetRequirement(rule, { tenant: 't1', tier: 'gold' })).toBe('scopes');
  });

  test('public routes need nothing; a rule with neither scopes nor claims is never satisfied', () => {
    expect(satisfies({ public: true }, {})).toBe(true);
    expect(satisfies({}, { scope: 'anything' })).toBe(false);
  });

  test('does not read claims from Object.prototype', () => {
    expect(satisfies({ claims: [{ claim: 'constructor', equals: 'x' }] }, {})).toBe(false);
    expect(satisfies({ claims: [{ claim: 'toString', includes: 'x' }] }, {})).toBe(false);
  });
});

describe('claimValue', () => {
  test('reads a top-level claim by its verbatim name and a nested one by its path', () => {
    const claims = { 'a.b': 1, a: { b: 2, 'c.d': 3 }, 'https://example.com/roles': ['x'] };
    expect(claimValue(claims, 'a.b')).toBe(1);
    expect(claimValue(claims, ['a', 'b'])).toBe(2);
    expect(claimValue(claims, ['a', 'c.d'])).toBe(3);
    expect(claimValue(claims, 'https://example.com/roles')).toEqual(['x']);
    expect(claimValue(claims, ['a.b'])).toBe(1);
  });

  test('never steps into an array, a scalar, null or an inherited member', () => {
    const claims = JSON.parse('{"list": [{"x": 1}], "n": null, "s": "str", "o": {"__proto__": {"x": 1}}}');
    expect(claimValue(claims, ['list', '0'])).toBeUndefined();
    expect(claimValue(claims, ['n', 'x'])).toBeUndefined();
    expect(claimValue(claims, ['s', 'length'])).toBeUndefined();
    expect(claimValue(claims, ['o', 'x'])).toBeUndefined();
    expect(claimValue(claims, ['o', 'toString'])).toBeUndefined();
    expect(claimValue(claims, ['missing', 'x'])).toBeUndefined();
  });
});

describe('alternatives', () => {
  const route = { anyOf: [{ scopes: ['a'] }, { claims: [{ claim: ['x', 'roles'], includes: 'r' }] }, { scopes: ['b'], claims: [{ claim: 'amr', includes: 'mfa' }] }] };

  test('hold when any one alternative holds', () => {
    expect(unmetRequirement(route, { scope: 'a' })).toBeUndefined();
    expect(unmetRequirement(route, { x: { roles: ['r'] } })).toBeUndefined();
    expect(unmetRequirement(route, { scope: ['b'], amr: ['mfa'] })).toBeUndefined();
  });

  test('report claims when some alternative failed only on its claims, else scopes', () => {
    expect(unmetRequirement(route, { scope: 'b', amr: ['pwd'] })).toBe('claims');
    expect(unmetRequirement(route, { x: { roles: ['other'] } })).toBe('claims');
    expect(unmetRequirement({ anyOf: [{ scopes: ['a'] }, { scopes: ['b'] }] }, { scope: 'c' })).toBe('scopes');
  });
});
