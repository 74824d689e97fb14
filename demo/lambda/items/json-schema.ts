/**
 * A validator for the subset of JSON Schema draft-04 that API Gateway request models use.
 *
 * The handler validates request bodies with the very schema objects that the construct turns into API Gateway
 * models (`schemas.ts`), so the two layers cannot drift apart. Schemas that use a keyword outside the subset are
 * refused when compiled, rather than the keyword being silently ignored.
 */
import type { FieldError } from './errors';

/** The `$schema` URI of JSON Schema draft-04, the dialect of API Gateway models. */
export const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';

/** A JSON Schema draft-04 type name. */
export type JsonSchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/** The draft-04 keywords this validator (and the items service) supports. */
export interface JsonSchema {
  readonly $schema?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: JsonSchemaType;
  readonly properties?: { readonly [name: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: JsonSchema;
  readonly uniqueItems?: boolean;
  readonly enum?: readonly (string | number | boolean | null)[];
}

const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([
  '$schema', 'title', 'description', 'type', 'properties', 'required', 'additionalProperties', 'minLength',
  'maxLength', 'pattern', 'minimum', 'maximum', 'minItems', 'maxItems', 'items', 'uniqueItems', 'enum',
]);

/** A compiled validator: returns the violations, empty when the value is valid. */
export type SchemaValidator = (value: unknown) => FieldError[];

/** The JSON type of a parsed JSON value, in draft-04 terms (`integer` for whole numbers). */
function jsonTypeOf(value: unknown): JsonSchemaType | 'undefined' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string': return 'string';
    case 'boolean': return 'boolean';
    case 'number': return Number.isInteger(value) ? 'integer' : 'number';
    case 'object': return 'object';
    case 'undefined': return 'undefined';
    default: return 'other';
  }
}

function matchesType(value: unknown, type: JsonSchemaType): boolean {
  const actual = jsonTypeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Draft-04 string lengths count Unicode code points, not UTF-16 code units. */
function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

/**
 * A canonical text of a JSON value (object members sorted), so that draft-04 equality for `enum` and
 * `uniqueItems` is string equality and `uniqueItems` stays linear on large arrays.
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function checkKeywords(schema: JsonSchema, at: string): void {
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN_KEYWORDS.has(keyword)) {
      throw new Error(`json-schema: unsupported keyword '${keyword}' at '${at || '/'}'`);
    }
  }
}

/**
 * Compiles a draft-04 schema (the supported subset) into a validator.
 *
 * Semantics follow draft-04: `pattern` is an unanchored ECMA-262 regular expression (anchor it in the schema),
 * `minLength`/`maxLength` count code points, keywords apply only to values of their type.
 *
 * @throws Error when the schema uses a keyword outside the subset or an invalid pattern.
 */
export function compileSchema(schema: JsonSchema): SchemaValidator {
  const check = compileNode(schema, '');
  return (value) => {
    const errors: FieldError[] = [];
    check(value, '', errors);
    return errors;
  };
}

type NodeCheck = (value: unknown, pointer: string, errors: FieldError[]) => void;

function compileNode(schema: JsonSchema, at: string): NodeCheck {
  checkKeywords(schema, at);
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u');
  const properties = Object.entries(schema.properties ?? {}).map(
    ([name, child]) => [name, compileNode(child, `${at}/properties/${pointerToken(name)}`)] as const,
  );
  const propertyNames: ReadonlySet<string> = new Set(properties.map(([name]) => name));
  const items = schema.items === undefined ? undefined : compileNode(schema.items, `${at}/items`);
  const allowed: ReadonlySet<string> | undefined = schema.enum === undefined
    ? undefined
    : new Set(schema.enum.map(canonicalJson));

  return (value, pointer, errors) => {
    if (schema.type !== undefined && !matchesType(value, schema.type)) {
      errors.push({ pointer, detail: `must be of type ${schema.type}` });
      return;
    }
    if (schema.enum !== undefined && !allowed?.has(canonicalJson(value))) {
      errors.push({ pointer, detail: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` });
    }
    if (typeof value === 'string') {
      const length = codePointLength(value);
      if (schema.minLength !== undefined && length < schema.minLength) {
        errors.push({ pointer, detail: `must be at least ${schema.minLength} characters long` });
      }
      if (schema.maxLength !== undefined && length > schema.maxLength) {
        errors.push({ pointer, detail: `must be at most ${schema.maxLength} characters long` });
      }
      if (pattern !== undefined && !pattern.test(value)) {
        errors.push({ pointer, detail: `must match the pattern ${schema.pattern}` });
      }
    } else if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) {
        errors.push({ pointer, detail: `must be at least ${schema.minimum}` });
      }
      if (schema.maximum !== undefined && value > schema.maximum) {
        errors.push({ pointer, detail: `must be at most ${schema.maximum}` });
      }
    } else if (Array.isArray(value)) {
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        errors.push({ pointer, detail: `must have at least ${schema.minItems} items` });
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        errors.push({ pointer, detail: `must have at most ${schema.maxItems} items` });
      }
      if (schema.uniqueItems === true) {
        const seen = new Set<string>();
        const duplicate = value.findIndex((item) => {
          const text = canonicalJson(item);
          if (seen.has(text)) return true;
          seen.add(text);
          return false;
        });
        if (duplicate >= 0) {
          errors.push({ pointer: `${pointer}/${duplicate}`, detail: 'must not repeat an earlier item' });
        }
      }
      if (items !== undefined) {
        value.forEach((item, i) => items(item, `${pointer}/${i}`, errors));
      }
    } else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? []) {
        if (!Object.prototype.hasOwnProperty.call(record, name)) {
          errors.push({ pointer: `${pointer}/${pointerToken(name)}`, detail: 'is required' });
        }
      }
      if (schema.additionalProperties === false) {
        // The name of an unknown member is the client's text: say where, not what.
        const unknown = Object.keys(record).filter((name) => !propertyNames.has(name)).length;
        if (unknown > 0) {
          errors.push({ pointer, detail: `has ${unknown} member(s) that are not allowed` });
        }
      }
      for (const [name, child] of properties) {
        if (Object.prototype.hasOwnProperty.call(record, name)) {
          child(record[name], `${pointer}/${pointerToken(name)}`, errors);
        }
      }
    }
  };
}
