/**
 * JSON Schemas (draft-04) of the items API: request bodies and responses.
 *
 * The construct turns these objects into API Gateway models, and the handler validates request bodies with the
 * same objects (`json-schema.ts`), so API Gateway and the function enforce one set of rules. Only draft-04
 * keywords that API Gateway supports are used. Patterns are anchored and linear (no nested quantifiers), so they
 * cannot be made to backtrack.
 *
 * This module is bundled into the Lambda: it must not import aws-cdk-lib or constructs.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
 */
import { DRAFT_04, JsonSchema } from './json-schema';
import { ITEM_ID_PATTERN_SOURCE } from './item';

/** Limits of the item fields, shared by the schemas and the documentation. */
export const ITEM_LIMITS = {
  /** Largest `name`, in characters (code points). */
  nameMaxLength: 200,
  /** Largest `description`, in characters (code points). */
  descriptionMaxLength: 2000,
  /** Most `tags` on one item. */
  maxTags: 20,
  /** Largest tag, in characters. */
  tagMaxLength: 50,
  /** Largest `version` (a 32-bit signed integer). */
  maxVersion: 2147483647,
} as const;

/** A name: no control characters, and at least one character that is not a space or control character. */
export const NAME_PATTERN = '^[ ]*[^\\u0000-\\u0020\\u007f][^\\u0000-\\u001f\\u007f]*$';

/** A description: no control characters other than tab, line feed and carriage return. */
export const DESCRIPTION_PATTERN = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';

/** A tag: ASCII letters, digits, `_`, `.`, `:` and `-`, in words separated by single spaces. */
export const TAG_PATTERN = '^[A-Za-z0-9_.:-]+( [A-Za-z0-9_.:-]+)*$';

/** An ISO 8601 UTC timestamp as `Date.prototype.toISOString()` writes it. */
const TIMESTAMP_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$';

const nameSchema: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: ITEM_LIMITS.nameMaxLength,
  pattern: NAME_PATTERN,
};

const descriptionSchema: JsonSchema = {
  type: 'string',
  maxLength: ITEM_LIMITS.descriptionMaxLength,
  pattern: DESCRIPTION_PATTERN,
};

const tagsSchema: JsonSchema = {
  type: 'array',
  maxItems: ITEM_LIMITS.maxTags,
  uniqueItems: true,
  items: {
    type: 'string',
    minLength: 1,
    maxLength: ITEM_LIMITS.tagMaxLength,
    pattern: TAG_PATTERN,
  },
};

const versionSchema: JsonSchema = {
  type: 'integer',
  minimum: 1,
  maximum: ITEM_LIMITS.maxVersion,
};

/**
 * Body of `POST /items`: `name` (required), `description` and `tags`; nothing else.
 * An empty `description` or `tags` is the same as leaving it out.
 */
export const createItemSchema: JsonSchema = {
  $schema: DRAFT_04,
  title: 'CreateItemRequest',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: nameSchema,
    description: descriptionSchema,
    tags: tagsSchema,
  },
};

/**
 * Body of `PUT /items/{id}`: the `version` the client read (required, optimistic concurrency) and the fields to
 * change; fields left out keep their value, `description: ''` and `tags: []` remove them.
 */
export const updateItemSchema: JsonSchema = {
  $schema: DRAFT_04,
  title: 'UpdateItemRequest',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: versionSchema,
    name: nameSchema,
    description: descriptionSchema,
    tags: tagsSchema,
  },
};

const itemObjectSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'version', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', pattern: ITEM_ID_PATTERN_SOURCE },
    name: nameSchema,
    description: { ...descriptionSchema, minLength: 1 },
    tags: { ...tagsSchema, minItems: 1 },
    version: versionSchema,
    createdAt: { type: 'string', pattern: TIMESTAMP_PATTERN },
    updatedAt: { type: 'string', pattern: TIMESTAMP_PATTERN },
  },
};

/** Response of `POST /items`, `GET /items/{id}` and `PUT /items/{id}`. */
export const itemSchema: JsonSchema = {
  $schema: DRAFT_04,
  title: 'Item',
  ...itemObjectSchema,
};

/** Response of `GET /items`: one page of the caller's items, and the cursor of the next page if there is one. */
export const itemListSchema: JsonSchema = {
  $schema: DRAFT_04,
  title: 'ItemList',
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: { type: 'array', items: itemObjectSchema },
    nextCursor: { type: 'string', minLength: 1 },
  },
};

/** Response body of every error: an RFC 9457 problem details object. */
export const problemSchema: JsonSchema = {
  $schema: DRAFT_04,
  title: 'Problem',
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
  },
};
