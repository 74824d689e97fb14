/**
 * Reading JSON bodies: the member-name scan agrees with JSON.parse on valid documents and catches what JSON.parse
 * silently accepts (repeated and prototype member names).
 */
import * as fc from 'fast-check';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../../../demo/lambda/items/errors';
import { isJsonContentType, MAX_JSON_DEPTH, readJsonObject } from '../../../../demo/lambda/items/json-body';

const read = (body: string, maxBytes = 1 << 20): Record<string, unknown> =>
  readJsonObject({ body, headers: { 'Content-Type': 'application/json' } }, { maxBytes });

/** JSON values without forbidden names, with bounded depth. */
const safeJson = fc.jsonValue({ maxDepth: 6 }).filter((v) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(v)));

describe('readJsonObject', () => {
  test('returns what JSON.parse returns for every object without repeated or forbidden names', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), safeJson), fc.integer({ min: 0, max: 4 }), (object, indent) => {
      fc.pre(!Object.keys(object).some((k) => ['__proto__', 'constructor', 'prototype'].includes(k)));
      const text = JSON.stringify(object, null, indent);
      expect(read(text)).toEqual(JSON.parse(text));
    }), { numRuns: 300 });
  });

  test('refuses a repeated member name at any depth, whatever the escapes and the surrounding text', () => {
    fc.assert(fc.property(
      fc.string(), safeJson, safeJson, fc.constantFrom('', ' ', '\n  '),
      (name, first, second, ws) => {
        const escaped = JSON.stringify(name).replace(/[a-z]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        const inner = `{${ws}${JSON.stringify(name)}${ws}:${ws}${JSON.stringify(first)},${ws}${escaped}:${JSON.stringify(second)}${ws}}`;
        for (const text of [inner, `{"a": [1, ${inner}]}`, `{"b": {"c": ${inner}}}`]) {
          expect(() => read(text)).toThrow(ValidationError);
        }
      },
    ), { numRuns: 200 });
  });

  test('the same name in different objects, or as a string value, is not a repeat', () => {
    expect(read('{"a": {"a": "a"}, "b": ["a", {"a": 1}], "c": "\\"a\\":"}')).toEqual({
      a: { a: 'a' }, b: ['a', { a: 1 }], c: '"a":',
    });
  });

  test.each(['__proto__', 'constructor', 'prototype'])('refuses the member name %s anywhere', (name) => {
    for (const text of [`{"${name}": 1}`, `{"x": [{"${name}": 1}]}`, `{"x": {"y": {"${name}": {}}}}`]) {
      expect(() => read(text)).toThrow(ValidationError);
    }
    // As a value it is just text.
    expect(read(`{"x": "${name}"}`)).toEqual({ x: name });
  });

  test(`refuses nesting deeper than ${MAX_JSON_DEPTH}`, () => {
    const nested = (depth: number): string => `{"x": ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(() => read(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => read(nested(MAX_JSON_DEPTH + 1))).toThrow(ValidationError);
  });

  test('caps the body in bytes of UTF-8', () => {
    expect(() => read('{"a":"€€"}', 14)).not.toThrow(); // 8 ASCII bytes + 2 × 3
    expect(() => read('{"a":"€€€"}', 14)).toThrow(PayloadTooLargeError); // 17 bytes in 11 UTF-16 units
  });

  test('refuses a body that is not sent as JSON', () => {
    expect(() => readJsonObject({ body: '{}', headers: { 'content-type': 'text/json' } }, { maxBytes: 100 }))
      .toThrow(UnsupportedMediaTypeError);
    expect(() => readJsonObject({ body: '{}', headers: null }, { maxBytes: 100 })).toThrow(UnsupportedMediaTypeError);
  });
});

describe('isJsonContentType', () => {
  test.each<[string | undefined, boolean]>([
    ['application/json', true],
    ['APPLICATION/JSON', true],
    ['application/json; charset=utf-8', true],
    ['application/json;charset=UTF-8', true],
    ['application/json; charset="utf-8"', true],
    ['application/json; boundary=x', true],
    ['application/json; charset=utf-16', false],
    ['application/problem+json', false],
    ['application/json-patch+json', false],
    ['text/plain', false],
    ['', false],
    [undefined, false],
  ])('%j is JSON: %s', (value, expected) => {
    expect(isJsonContentType(value)).toBe(expected);
  });
});
