/**
 * The owner key: derived from the authorizer context only, and injective in (issuer, tenant, principal claim,
 * principal).
 */
import * as fc from 'fast-check';
import { OwnerContextError } from '../../../../demo/lambda/items/errors';
import { MAX_OWNER_KEY_BYTES, Owner, ownerFromEvent, ownerKey } from '../../../../demo/lambda/items/owner';
import { AuthorizerContextKey } from '../../../../lib/common/authorizer-config';
import { alice, apiEvent, DEFAULT_ISSUER } from './events';

const ISS = 'https://idp.example.com/';

/** An authorizer context as the authorizer fills it, with `overrides` applied. */
function context(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    [AuthorizerContextKey.SUBJECT]: 's-1',
    [AuthorizerContextKey.PRINCIPAL]: 's-1',
    [AuthorizerContextKey.PRINCIPAL_CLAIM]: 'sub',
    [AuthorizerContextKey.CLIENT_ID]: 'app',
    [AuthorizerContextKey.SCOPES]: '',
    [AuthorizerContextKey.TENANT]: 't-1',
    [AuthorizerContextKey.ISSUER]: ISS,
    ...overrides,
  };
}

function owner(parts: Partial<Owner>): Owner {
  return { issuer: ISS, tenant: '', principalClaim: 'sub', principal: 'p', ...parts };
}

describe('ownerFromEvent', () => {
  test('reads the issuer, tenant, principal claim and principal from the authorizer context keys', () => {
    const event = apiEvent(null, { method: 'GET', authorizer: context() });
    expect(ownerFromEvent(event)).toEqual({ issuer: ISS, tenant: 't-1', principalClaim: 'sub', principal: 's-1' });
  });

  test('the principal, not the sub, is the owner: a client-credentials principal with another sub', () => {
    const event = apiEvent(null, {
      method: 'GET',
      authorizer: context({ sub: 'user-1', principal: 'client-9', principalClaim: 'client_id', clientId: 'client-9' }),
    });
    expect(ownerFromEvent(event)).toEqual({ issuer: ISS, tenant: 't-1', principalClaim: 'client_id', principal: 'client-9' });
  });

  test('a missing tenant key means no tenant', () => {
    const authorizer = context();
    delete authorizer[AuthorizerContextKey.TENANT];
    expect(ownerFromEvent(apiEvent(null, { method: 'GET', authorizer })).tenant).toBe('');
  });

  test('ignores everything outside the authorizer context', () => {
    const event = apiEvent(alice, {
      method: 'GET',
      id: '11111111-1111-4111-8111-111111111111',
      query: { sub: 'bob', iss: 'https://evil.example/', principal: 'bob' },
      headers: { sub: 'bob', 'x-tenant': 'x', iss: 'https://evil.example/', principal: 'bob' },
    });
    expect(ownerFromEvent(event)).toEqual({ issuer: DEFAULT_ISSUER, tenant: '', principalClaim: 'sub', principal: 'alice' });
  });

  test.each<[string, unknown, string]>([
    ['no requestContext', undefined, 'MissingAuthorizerContext'],
    ['no authorizer', { authorizer: undefined }, 'MissingAuthorizerContext'],
    ['a null authorizer', { authorizer: null }, 'MissingAuthorizerContext'],
    ['an empty context', { authorizer: {} }, 'MissingIssuer'],
    ['only a sub (no issuer, principal or claim)', { authorizer: { [AuthorizerContextKey.SUBJECT]: 's' } }, 'MissingIssuer'],
    ['no issuer', { authorizer: context({ iss: undefined }) }, 'MissingIssuer'],
    ['an empty issuer', { authorizer: context({ iss: '' }) }, 'MissingIssuer'],
    ['a numeric issuer', { authorizer: context({ iss: 1 }) }, 'MissingIssuer'],
    ['no principal claim', { authorizer: context({ principalClaim: undefined }) }, 'MissingPrincipalClaim'],
    ['an empty principal claim', { authorizer: context({ principalClaim: '' }) }, 'MissingPrincipalClaim'],
    ['an array principal claim', { authorizer: context({ principalClaim: ['sub'] }) }, 'MissingPrincipalClaim'],
    ['no principal', { authorizer: context({ principal: undefined }) }, 'MissingPrincipal'],
    ['an empty principal (a sub is no fallback)', { authorizer: context({ principal: '', sub: 's-1' }) }, 'MissingPrincipal'],
    ['a boolean principal', { authorizer: context({ principal: true }) }, 'MissingPrincipal'],
    ['only a principalId', { authorizer: { principalId: 'alice' } }, 'MissingIssuer'],
    ['an object tenant', { authorizer: context({ tenant: {} }) }, 'InvalidTenant'],
  ])('throws OwnerContextError for %s', (_case, requestContext, reason) => {
    const thrown = (() => {
      try {
        ownerFromEvent({ requestContext } as never);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(OwnerContextError);
    expect((thrown as OwnerContextError).logReason).toBe(reason);
  });

  test('reads only own properties of the context', () => {
    const inherited = Object.assign(Object.create({ [AuthorizerContextKey.PRINCIPAL]: 'alice' }) as object, context({ principal: undefined }));
    delete (inherited as Record<string, unknown>)[AuthorizerContextKey.PRINCIPAL];
    expect(() => ownerFromEvent({ requestContext: { authorizer: inherited } } as never)).toThrow(OwnerContextError);
  });
});

describe('ownerKey', () => {
  test('is OWNER#<issuer>#<tenant>#<principalClaim>#<principal> with each part percent-encoded', () => {
    expect(ownerKey(owner({ principal: 'alice' }))).toBe('OWNER#https%3A%2F%2Fidp.example.com%2F##sub#alice');
    expect(ownerKey({ issuer: 'i#%', tenant: 'acme', principalClaim: 'client_id', principal: 'a#b%c' }))
      .toBe('OWNER#i%23%25#acme#client_id#a%23b%25c');
  });

  test('the same sub from two issuers is two keys', () => {
    expect(ownerKey(owner({ issuer: 'https://a.example/', principal: 'u' })))
      .not.toBe(ownerKey(owner({ issuer: 'https://b.example/', principal: 'u' })));
  });

  test('the same value as sub and as client_id of one issuer is two keys', () => {
    expect(ownerKey(owner({ principalClaim: 'sub', principal: 'svc' })))
      .not.toBe(ownerKey(owner({ principalClaim: 'client_id', principal: 'svc' })));
  });

  // Mostly short strings over a tiny alphabet of separators and escape characters, so that random pairs of owners
  // often spell the same characters with the separators in other places.
  const part = fc.oneof(
    { arbitrary: fc.string({ unit: fc.constantFrom('#', '%', '2', '3', '5'), maxLength: 3 }), weight: 4 },
    fc.string({ maxLength: 8 }),
    fc.constantFrom('', '#', '%', '%23', '%25', 'OWNER#', '##', 'a#', '#a', 'sub', 'client_id', 'https://a/', 'https%3A%2F%2Fa%2F'),
  );
  const anOwner = fc.record({ issuer: part, tenant: part, principalClaim: part, principal: part });

  test('is injective: different owners never share a key, whatever `#` and `%` the parts hold', () => {
    fc.assert(fc.property(anOwner, anOwner, (first, second) => {
      fc.pre(first.issuer !== second.issuer || first.tenant !== second.tenant
        || first.principalClaim !== second.principalClaim || first.principal !== second.principal);
      return ownerKey(first) !== ownerKey(second);
    }), { numRuns: 5000 });
  });

  test('is injective when only one part differs, or a separator moves between neighbouring parts', () => {
    const names = ['issuer', 'tenant', 'principalClaim', 'principal'] as const;
    fc.assert(fc.property(anOwner, fc.constantFrom(...names), part, (base, name, other) => {
      fc.pre(base[name] !== other);
      return ownerKey(base) !== ownerKey({ ...base, [name]: other });
    }), { numRuns: 2000 });
    fc.assert(fc.property(anOwner, fc.integer({ min: 0, max: 2 }), (base, i) => {
      // `x#` + `y` against `x` + `#y`: the same characters with the separator on the other side.
      const moved = { ...base, [names[i]]: `${base[names[i]]}#`, [names[i + 1]]: base[names[i + 1]] };
      const shifted = { ...base, [names[i + 1]]: `#${base[names[i + 1]]}` };
      return ownerKey(moved) !== ownerKey(shifted);
    }), { numRuns: 2000 });
  });

  test('decodes back to its owner: split at the separators, each part percent-decoded (so it is injective)', () => {
    fc.assert(fc.property(anOwner, (o) => {
      const key = ownerKey(o);
      expect(key.startsWith('OWNER#')).toBe(true);
      const [issuer, tenant, principalClaim, principal, ...rest] = key.slice('OWNER#'.length).split('#').map(decodeURIComponent);
      expect(rest).toEqual([]);
      expect({ issuer, tenant, principalClaim, principal }).toEqual(o);
    }), { numRuns: 2000 });
  });

  test('has exactly four separators whatever the parts hold', () => {
    const anyPart = fc.string({ unit: 'grapheme' });
    fc.assert(fc.property(anyPart, anyPart, anyPart, anyPart, (issuer, tenant, principalClaim, principal) => {
      return ownerKey({ issuer, tenant, principalClaim, principal }).split('#').length === 5;
    }));
  });

  test('refuses lone surrogates in any part', () => {
    for (const name of ['issuer', 'tenant', 'principalClaim', 'principal'] as const) {
      expect(() => ownerKey(owner({ [name]: 'a\udc00' }))).toThrow(OwnerContextError);
      expect(() => ownerKey(owner({ [name]: '\ud800' }))).toThrow(OwnerContextError);
    }
  });

  test('refuses keys longer than DynamoDB allows for a partition key, and accepts the longest allowed', () => {
    const fixed = ownerKey(owner({ principal: '' })).length;
    expect(ownerKey(owner({ principal: 'x'.repeat(MAX_OWNER_KEY_BYTES - fixed) }))).toHaveLength(MAX_OWNER_KEY_BYTES);
    expect(() => ownerKey(owner({ principal: 'x'.repeat(MAX_OWNER_KEY_BYTES - fixed + 1) }))).toThrow(OwnerContextError);
    // The limit applies to the encoded key: a long issuer counts too, three bytes for each escaped character.
    expect(() => ownerKey(owner({ issuer: '/'.repeat(Math.ceil(MAX_OWNER_KEY_BYTES / 3)), principal: 'p' }))).toThrow(OwnerContextError);
  });
});
