/**
 * The owner key: derived from the authorizer context only, and injective in (tenant, subject).
 */
import * as fc from 'fast-check';
import { OwnerContextError } from '../../../../demo/lambda/items/errors';
import { MAX_OWNER_KEY_BYTES, ownerFromEvent, ownerKey } from '../../../../demo/lambda/items/owner';
import { AuthorizerContextKey } from '../../../../lib/common/authorizer-config';
import { alice, apiEvent } from './events';

describe('ownerFromEvent', () => {
  test('reads the subject and tenant from the authorizer context keys', () => {
    expect(ownerFromEvent(apiEvent({ sub: 's-1', tenant: 't-1' }, { method: 'GET' }))).toEqual({ subject: 's-1', tenant: 't-1' });
  });

  test('a missing tenant key means no tenant', () => {
    const event = apiEvent(null, { method: 'GET', authorizer: { [AuthorizerContextKey.SUBJECT]: 's' } });
    expect(ownerFromEvent(event)).toEqual({ subject: 's', tenant: '' });
  });

  test('ignores everything outside the authorizer context', () => {
    const event = apiEvent(alice, {
      method: 'GET', id: '11111111-1111-4111-8111-111111111111', query: { sub: 'bob' }, headers: { sub: 'bob', 'x-tenant': 'x' },
    });
    expect(ownerFromEvent(event)).toEqual({ subject: 'alice', tenant: '' });
  });

  test.each<[string, unknown]>([
    ['no requestContext', undefined],
    ['no authorizer', { authorizer: undefined }],
    ['a null authorizer', { authorizer: null }],
    ['no subject', { authorizer: { principalId: 'alice' } }],
    ['an empty subject', { authorizer: { [AuthorizerContextKey.SUBJECT]: '' } }],
    ['a numeric subject', { authorizer: { [AuthorizerContextKey.SUBJECT]: 1 } }],
    ['an object tenant', { authorizer: { [AuthorizerContextKey.SUBJECT]: 's', [AuthorizerContextKey.TENANT]: {} } }],
  ])('throws OwnerContextError for %s', (_case, requestContext) => {
    expect(() => ownerFromEvent({ requestContext } as never)).toThrow(OwnerContextError);
  });
});

describe('ownerKey', () => {
  test('is OWNER#<tenant>#<subject> with each part percent-encoded', () => {
    expect(ownerKey({ tenant: '', subject: 'alice' })).toBe('OWNER##alice');
    expect(ownerKey({ tenant: 'acme', subject: 'a#b%c' })).toBe('OWNER#acme#a%23b%25c');
  });

  test('is injective: different (tenant, subject) pairs never share a key', () => {
    const part = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', '#', '%', '%23', 'OWNER#', '##', 'a#', '#a'));
    fc.assert(fc.property(part, part, part, part, (t1, s1, t2, s2) => {
      fc.pre(s1 !== '' && s2 !== '' && (t1 !== t2 || s1 !== s2));
      return ownerKey({ tenant: t1, subject: s1 }) !== ownerKey({ tenant: t2, subject: s2 });
    }), { numRuns: 2000 });
  });

  test('has exactly two separators whatever the parts hold', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme', minLength: 1 }), (tenant, subject) => {
      return ownerKey({ tenant, subject }).split('#').length === 3;
    }));
  });

  test('refuses lone surrogates and keys longer than DynamoDB allows', () => {
    expect(() => ownerKey({ tenant: '', subject: 'a\udc00' })).toThrow(OwnerContextError);
    expect(() => ownerKey({ tenant: '\ud800', subject: 'a' })).toThrow(OwnerContextError);
    expect(() => ownerKey({ tenant: '', subject: 'x'.repeat(MAX_OWNER_KEY_BYTES) })).toThrow(OwnerContextError);
    expect(ownerKey({ tenant: '', subject: 'x'.repeat(MAX_OWNER_KEY_BYTES - 7) })).toHaveLength(MAX_OWNER_KEY_BYTES);
  });
});
