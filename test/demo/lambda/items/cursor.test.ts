/**
 * The pagination cursor: base64url of an item sort key, nothing else, in its one canonical spelling.
 */
import * as fc from 'fast-check';
import { decodeCursor, encodeCursor } from '../../../../demo/lambda/items/cursor';
import { ValidationError } from '../../../../demo/lambda/items/errors';
import { itemSortKey } from '../../../../demo/lambda/items/item';

describe('cursor', () => {
  test('round-trips every item sort key', () => {
    fc.assert(fc.property(fc.uuid({ version: 4 }), (id) => decodeCursor(encodeCursor(itemSortKey(id))) === itemSortKey(id)));
  });

  test('is URL-safe', () => {
    fc.assert(fc.property(fc.uuid({ version: 4 }), (id) => /^[A-Za-z0-9_-]+$/.test(encodeCursor(itemSortKey(id)))));
  });

  test('refuses anything that is not the canonical encoding of an item sort key', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      let decoded: string | undefined;
      try {
        decoded = decodeCursor(text);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return true;
      }
      return encodeCursor(decoded) === text && /^ITEM#[0-9a-f-]{36}$/.test(decoded);
    }), { numRuns: 1000 });
  });

  test.each([
    ['another encoding of a valid key (trailing bits changed)', (c: string) => `${c.slice(0, -1)}${String.fromCharCode(c.charCodeAt(c.length - 1) + 1)}`],
    ['padding', (c: string) => `${c}=`],
    ['standard base64 characters', (c: string) => c.replace(/-/g, '+').replace(/_/g, '/') + '+'],
    ['an uppercase UUID', () => encodeCursor('ITEM#AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA')],
    ['a sort key of another kind', () => encodeCursor('META#11111111-1111-4111-8111-111111111111')],
  ])('refuses %s', (_case, mutate) => {
    const valid = encodeCursor(itemSortKey('11111111-1111-4111-8111-111111111111'));
    expect(() => decodeCursor(mutate(valid))).toThrow(ValidationError);
  });
});
