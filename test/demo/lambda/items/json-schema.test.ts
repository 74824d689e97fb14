/**
 * The draft-04 subset validator that the handler shares with API Gateway's models.
 */
import { compileSchema, DRAFT_04, JsonSchema } from '../../../../demo/lambda/items/json-schema';

describe('compileSchema', () => {
  test('refuses a schema with a keyword outside the supported subset instead of ignoring it', () => {
    expect(() => compileSchema({ type: 'string', format: 'email' } as unknown as JsonSchema))
      .toThrow("unsupported keyword 'format' at '/'");
    expect(() => compileSchema({ type: 'object', properties: { a: { minProperties: 1 } as unknown as JsonSchema } }))
      .toThrow("unsupported keyword 'minProperties' at '/properties/a'");
    expect(() => compileSchema({ type: 'array', items: { oneOf: [] } as unknown as JsonSchema }))
      .toThrow("unsupported keyword 'oneOf' at '/items'");
  });

  test('refuses an invalid pattern', () => {
    expect(() => compileSchema({ type: 'string', pattern: '(' })).toThrow();
  });

  test('accepts the annotations $schema, title and description', () => {
    const validate = compileSchema({ $schema: DRAFT_04, title: 'T', description: 'D', type: 'string' });
    expect(validate('x')).toEqual([]);
  });
});

describe('draft-04 semantics', () => {
  const check = (schema: JsonSchema, value: unknown): string[] => compileSchema(schema)(value).map((e) => `${e.pointer} ${e.detail}`);

  test.each<[JsonSchema['type'], unknown, boolean]>([
    ['object', {}, true],
    ['object', [], false],
    ['object', null, false],
    ['array', [], true],
    ['array', {}, false],
    ['string', '', true],
    ['string', 1, false],
    ['integer', 1, true],
    ['integer', 1.5, false],
    ['integer', '1', false],
    ['number', 1, true],
    ['number', 1.5, true],
    ['boolean', false, true],
    ['boolean', 0, false],
    ['null', null, true],
    ['null', undefined, false],
  ])('type %s: %j is valid = %s', (type, value, valid) => {
    expect(check({ type }, value)).toHaveLength(valid ? 0 : 1);
  });

  test('minLength and maxLength count code points', () => {
    const schema: JsonSchema = { type: 'string', minLength: 2, maxLength: 3 };
    expect(check(schema, '😀😀😀')).toEqual([]);
    expect(check(schema, '😀')).toEqual([' must be at least 2 characters long']);
    expect(check(schema, '😀😀😀😀')).toEqual([' must be at most 3 characters long']);
  });

  test('pattern is not implicitly anchored', () => {
    expect(check({ type: 'string', pattern: 'b' }, 'abc')).toEqual([]);
    expect(check({ type: 'string', pattern: '^b' }, 'abc')).toHaveLength(1);
  });

  test('minimum and maximum are inclusive', () => {
    const schema: JsonSchema = { type: 'integer', minimum: 1, maximum: 3 };
    expect([0, 1, 3, 4].map((n) => check(schema, n).length)).toEqual([1, 0, 0, 1]);
  });

  test('keywords apply only to values of their type', () => {
    // Without `type`, a string keyword says nothing about a number, and so on.
    expect(check({ minLength: 5, maxItems: 0, minimum: 10 }, 3.5)).toHaveLength(1);
    expect(check({ minLength: 5, maxItems: 0, minimum: 10 }, 'abc')).toHaveLength(1);
    expect(check({ minLength: 5, maxItems: 0, minimum: 10 }, [1])).toHaveLength(1);
    expect(check({ minLength: 5, maxItems: 0, minimum: 10 }, {})).toEqual([]);
  });

  test('required, properties and additionalProperties', () => {
    const schema: JsonSchema = {
      type: 'object', required: ['a'], additionalProperties: false, properties: { a: { type: 'string' }, 'b/~c': { type: 'integer' } },
    };
    expect(check(schema, { a: 'x' })).toEqual([]);
    expect(check(schema, {})).toEqual(['/a is required']);
    expect(check(schema, { a: 1, 'b/~c': 'y' })).toEqual([' /a must be of type string', '/b~1~0c must be of type integer'].map((s) => s.trim()));
    expect(check(schema, { a: 'x', z: 1, y: 2 })).toEqual([' has 2 member(s) that are not allowed']);
    // additionalProperties defaults to true in draft-04.
    expect(check({ type: 'object', properties: { a: { type: 'string' } } }, { z: 1 })).toEqual([]);
  });

  test('required is checked on own members only', () => {
    const inherited = Object.create({ a: 'x' }) as Record<string, unknown>;
    expect(check({ type: 'object', required: ['a'] }, inherited)).toEqual(['/a is required']);
  });

  test('items, minItems, maxItems and uniqueItems', () => {
    const schema: JsonSchema = { type: 'array', minItems: 1, maxItems: 3, uniqueItems: true, items: { type: 'string' } };
    expect(check(schema, ['a', 'b'])).toEqual([]);
    expect(check(schema, [])).toEqual([' must have at least 1 items']);
    expect(check(schema, ['a', 'b', 'c', 'd'])).toEqual([' must have at most 3 items']);
    expect(check(schema, ['a', 'b', 'a'])).toEqual(['/2 must not repeat an earlier item']);
    expect(check(schema, ['a', 1])).toEqual(['/1 must be of type string']);
  });

  test('uniqueItems compares objects by value, whatever the member order', () => {
    const schema: JsonSchema = { type: 'array', uniqueItems: true };
    expect(check(schema, [{ a: 1, b: 2 }, { b: 2, a: 1 }])).toEqual(['/1 must not repeat an earlier item']);
    expect(check(schema, [1, '1'])).toEqual([]);
  });

  test('uniqueItems stays fast on a large array', () => {
    const big = Array.from({ length: 50000 }, (_, i) => `v${i}`);
    const start = Date.now();
    expect(check({ type: 'array', uniqueItems: true }, big)).toEqual([]);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  test('enum', () => {
    const schema: JsonSchema = { enum: ['a', 1, null] };
    expect([['a'], [1], [null], ['b'], [true]].map(([v]) => check(schema, v).length)).toEqual([0, 0, 0, 1, 1]);
  });
});
