/**
 * The opaque pagination cursor of `GET /items`.
 *
 * A cursor is the base64url of the last returned item's sort key, and nothing else: the partition key is always
 * the caller's own, taken from the authorizer context when the cursor is used. A cursor copied from another
 * owner's listing therefore only positions a listing inside the caller's own partition; it cannot reach the
 * other owner's items.
 */
import { ValidationError } from './errors';
import { idFromSortKey } from './item';

/** Longest cursor accepted, in characters (an item sort key encodes to 55). */
export const MAX_CURSOR_LENGTH = 128;

/** Encodes an item sort key as a cursor. */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor to the item sort key it holds.
 * @throws ValidationError when the cursor is not one this service made (400)
 */
export function decodeCursor(cursor: string): string {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalidCursor();
  }
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  // Only the canonical encoding of a valid sort key is accepted: no padding tricks, no trailing bits.
  if (idFromSortKey(sortKey) === undefined || encodeCursor(sortKey) !== cursor) {
    throw invalidCursor();
  }
  return sortKey;
}

function invalidCursor(): ValidationError {
  return new ValidationError("The query parameter 'cursor' is not valid. Use the 'nextCursor' of a previous page.",
    [], 'invalid-cursor');
}
