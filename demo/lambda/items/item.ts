/**
 * The item model as clients see it, and the sort-key layout inside an owner's partition.
 */

/** An item as returned to its owner: no table internals (`pk`, `sk`). */
export interface Item {
  /** Server-generated UUID (v4, lowercase). */
  readonly id: string;
  readonly name: string;
  /** Absent when the item has no description. */
  readonly description?: string;
  /** Absent when the item has no tags. */
  readonly tags?: readonly string[];
  /** Starts at 1, incremented by every update; updates must name the current version. */
  readonly version: number;
  /** ISO 8601 UTC timestamp of the creation. */
  readonly createdAt: string;
  /** ISO 8601 UTC timestamp of the last change. */
  readonly updatedAt: string;
}

/** The fields a client sets when creating an item. */
export interface CreateItemInput {
  readonly name: string;
  /** `''` means no description. */
  readonly description?: string;
  /** `[]` means no tags. */
  readonly tags?: readonly string[];
}

/** The fields a client sends to update an item: the version it read, and the fields to change. */
export interface UpdateItemInput {
  /** The version the client last read; the update fails with a conflict when it is no longer current. */
  readonly version: number;
  readonly name?: string;
  /** `''` removes the description. */
  readonly description?: string;
  /** `[]` removes the tags. */
  readonly tags?: readonly string[];
}

/** Text of the regular expression of an item id: a lowercase UUID v4, as `crypto.randomUUID()` makes them. */
export const ITEM_ID_PATTERN_SOURCE = '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

const ITEM_ID_PATTERN = new RegExp(ITEM_ID_PATTERN_SOURCE);

/** Whether a string is a well-formed item id. */
export function isItemId(value: string): boolean {
  return ITEM_ID_PATTERN.test(value);
}

/** Prefix of the sort key of every item in an owner's partition. */
export const ITEM_SORT_KEY_PREFIX = 'ITEM#';

/** The sort key of an item: `ITEM#<id>`. */
export function itemSortKey(id: string): string {
  return `${ITEM_SORT_KEY_PREFIX}${id}`;
}

/** The id in an item sort key, or `undefined` when the text is not an item sort key. */
export function idFromSortKey(sortKey: string): string | undefined {
  if (!sortKey.startsWith(ITEM_SORT_KEY_PREFIX)) return undefined;
  const id = sortKey.slice(ITEM_SORT_KEY_PREFIX.length);
  return isItemId(id) ? id : undefined;
}
