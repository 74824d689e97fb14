/**
 * The request schemas: draft-04 documents that API Gateway accepts, and the handler's validation agrees with
 * them field for field (the handler compiles these very objects).
 */
import * as fc from 'fast-check';
import { compileSchema, DRAFT_04, JsonSchema } from '../../../../demo/lambda/items/json-schema';
import {
  createItemSchema, DESCRIPTION_PATTERN, ITEM_LIMITS, itemListSchema, itemSchema, NAME_PATTERN, problemSchema,
  TAG_PATTERN, updateItemSchema,
} from '../../../../demo/lambda/items/schemas';
import { parseCreateItem, parseUpdateItem } from '../../../../demo/lambda/items/validate';
import { ValidationError } from '../../../../demo/lambda/items/errors';

/** The draft-04 keywords API Gateway models support that the brief allows. */
const API_GATEWAY_KEYWORDS = new Set([
  '$schema', 'title', 'description', 'type', 'properties', 'required', 'additionalProperties', 'minLength',
  'maxLength', 'pattern', 'minimum', 'maximum', 'minItems', 'maxItems', 'items', 'uniqueItems', 'enum',
]);

function keywordsOf(schema: JsonSchema): string[] {
  const own = Object.keys(schema);
  const nested = [
    ...Object.values(schema.properties ?? {}).flatMap(keywordsOf),
    ...(schema.items === undefined ? [] : keywordsOf(schema.items)),
  ];
  return [...own, ...nested];
}

const ALL = { createItemSchema, updateItemSchema, itemSchema, itemListSchema, problemSchema };

describe.each(Object.entries(ALL))('%s', (_name, schema) => {
  test('is a draft-04 document', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.$schema).toBe(DRAFT_04);
    expect(schema.type).toBe('object');
  });

  test('uses only keywords that API Gateway models support', () => {
    for (const keyword of keywordsOf(schema)) expect(API_GATEWAY_KEYWORDS).toContain(keyword);
  });

  test('survives JSON serialisation unchanged (it is plain data)', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

/** Runs a body through the handler's validator: `true` when accepted. */
function acceptsCreate(body: Record<string, unknown>): boolean {
  try {
    parseCreateItem(body);
    return true;
  } catch (err) {
    if (err instanceof ValidationError) return false;
    throw err;
  }
}

function acceptsUpdate(body: Record<string, unknown>): boolean {
  try {
    parseUpdateItem(body);
    return true;
  } catch (err) {
    if (err instanceof ValidationError) return false;
    throw err;
  }
}

describe('the handler validator agrees with the schemas', () => {
  test('create: every property of the schema is accepted, required is exactly [name], nothing else is allowed', () => {
    expect(createItemSchema.required).toEqual(['name']);
    expect(createItemSchema.additionalProperties).toBe(false);
    expect(Object.keys(createItemSchema.properties ?? {}).sort()).toEqual(['description', 'name', 'tags']);
    expect(acceptsCreate({ name: 'n', description: 'd', tags: ['t'] })).toBe(true);
    expect(acceptsCreate({ description: 'd' })).toBe(false);
    expect(acceptsCreate({ name: 'n', other: 1 })).toBe(false);
  });

  test('update: every property of the schema is accepted, required is exactly [version], nothing else is allowed', () => {
    expect(updateItemSchema.required).toEqual(['version']);
    expect(updateItemSchema.additionalProperties).toBe(false);
    expect(Object.keys(updateItemSchema.properties ?? {}).sort()).toEqual(['description', 'name', 'tags', 'version']);
    expect(acceptsUpdate({ version: 1, name: 'n', description: 'd', tags: ['t'] })).toBe(true);
    expect(acceptsUpdate({ name: 'n' })).toBe(false);
    expect(acceptsUpdate({ version: 1, other: 1 })).toBe(false);
  });

  test('the parsed input keeps exactly the schema fields, in fresh objects', () => {
    const tags = ['a'];
    const parsed = parseCreateItem({ name: 'n', tags });
    expect(parsed).toEqual({ name: 'n', tags: ['a'] });
    expect(parsed.tags).not.toBe(tags);
  });

  test('the limits in the schemas are the documented ones', () => {
    expect(ITEM_LIMITS).toEqual({ nameMaxLength: 200, descriptionMaxLength: 2000, maxTags: 20, tagMaxLength: 50, maxVersion: 2147483647 });
    expect(createItemSchema.properties?.name).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(createItemSchema.properties?.description).toMatchObject({ type: 'string', maxLength: 2000 });
    expect(createItemSchema.properties?.tags).toMatchObject({
      type: 'array', maxItems: 20, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 50 },
    });
    expect(updateItemSchema.properties?.version).toMatchObject({ type: 'integer', minimum: 1 });
  });
});

describe('bodies generated from the rules', () => {
  const nameArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
    .filter((s) => new RegExp(NAME_PATTERN, 'u').test(s) && [...s].length <= 200);
  const tagArb = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,10}( [A-Za-z0-9_.:-]{1,10}){0,3}$/);
  const tagsArb = fc.uniqueArray(tagArb, { maxLength: 20 });
  const descriptionArb = fc.string({ unit: 'grapheme', maxLength: 300 })
    .filter((s) => new RegExp(DESCRIPTION_PATTERN, 'u').test(s));

  test('every body built within the rules is accepted', () => {
    fc.assert(fc.property(
      fc.record({ name: nameArb, description: descriptionArb, tags: tagsArb }, { requiredKeys: ['name'] }),
      (body) => acceptsCreate(body),
    ), { numRuns: 300 });
  });

  test('adding any member outside the schema makes a body invalid', () => {
    fc.assert(fc.property(
      nameArb,
      fc.string({ minLength: 1 }).filter((k) => !['name', 'description', 'tags'].includes(k)),
      fc.jsonValue(),
      (name, key, value) => !acceptsCreate({ name, [key]: value }),
    ), { numRuns: 300 });
  });

  test('a name, description or tag that is not a string is invalid', () => {
    const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object());
    fc.assert(fc.property(notString, (value) => !acceptsCreate({ name: value })
      && !acceptsCreate({ name: 'n', description: value })
      && !acceptsCreate({ name: 'n', tags: [value] })));
  });

  test('a version is valid exactly when it is an integer from 1 to 2^31-1', () => {
    const anything = fc.oneof(fc.integer({ min: -10, max: 10 }), fc.integer(), fc.double(), fc.string(), fc.boolean(),
      fc.constant(null), fc.constant(2 ** 31 - 1), fc.constant(2 ** 31), fc.array(fc.integer()));
    fc.assert(fc.property(anything, (value) => acceptsUpdate({ version: value })
      === (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 2 ** 31 - 1)), { numRuns: 500 });
  });

  test('tags outside the safe pattern are invalid', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 50 }), (tag) => {
      const matches = new RegExp(TAG_PATTERN).test(tag);
      return acceptsCreate({ name: 'n', tags: [tag] }) === matches;
    }), { numRuns: 500 });
  });
});

describe('response schemas', () => {
  test('describe an item as the service returns it', () => {
    const validate = compileSchema(itemSchema);
    const item = {
      id: '11111111-1111-4111-8111-111111111111', name: 'n', version: 1,
      createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z',
    };
    expect(validate(item)).toEqual([]);
    expect(validate({ ...item, pk: 'OWNER##a' })).toHaveLength(1);
    expect(compileSchema(itemListSchema)({ items: [item], nextCursor: 'abc' })).toEqual([]);
  });
});
