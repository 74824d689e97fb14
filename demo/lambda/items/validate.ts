/**
 * Turns untrusted request parts (body, path and query parameters) into typed inputs, or throws.
 *
 * Bodies are validated with the schemas that API Gateway also enforces (`schemas.ts`), then copied field by field
 * into fresh objects, so nothing a client adds beyond the schema reaches the repository (OWASP API3, mass
 * assignment).
 */
import { ItemNotFoundError, ValidationError } from './errors';
import type { CreateItemInput, UpdateItemInput } from './item';
import { isItemId } from './item';
import { compileSchema } from './json-schema';
import { createItemSchema, updateItemSchema } from './schemas';

const validateCreate = compileSchema(createItemSchema);
const validateUpdate = compileSchema(updateItemSchema);

/** Page size limits of `GET /items`. */
export interface PageSizeOptions {
  /** Page size when the client sends no `limit`. */
  readonly defaultPageSize: number;
  /** Largest `limit` accepted. */
  readonly maxPageSize: number;
}

/** The parsed query of `GET /items`. */
export interface ListQuery {
  /** Items per page. */
  readonly limit: number;
  /** The opaque cursor from a previous page, still encoded. */
  readonly cursor?: string;
}

/** Query parameters as API Gateway passes them. */
export interface QueryParameters {
  readonly queryStringParameters?: { readonly [name: string]: string | undefined } | null;
  readonly multiValueQueryStringParameters?: { readonly [name: string]: readonly string[] | undefined } | null;
}

/**
 * Validates the body of `POST /items`.
 * @throws ValidationError listing every violated rule
 */
export function parseCreateItem(body: Record<string, unknown>): CreateItemInput {
  throwIfInvalid(validateCreate(body));
  return {
    name: body.name as string,
    ...(body.description === undefined ? {} : { description: body.description as string }),
    ...(body.tags === undefined ? {} : { tags: [...(body.tags as string[])] }),
  };
}

/**
 * Validates the body of `PUT /items/{id}`.
 * @throws ValidationError listing every violated rule
 */
export function parseUpdateItem(body: Record<string, unknown>): UpdateItemInput {
  throwIfInvalid(validateUpdate(body));
  return {
    version: body.version as number,
    ...(body.name === undefined ? {} : { name: body.name as string }),
    ...(body.description === undefined ? {} : { description: body.description as string }),
    ...(body.tags === undefined ? {} : { tags: [...(body.tags as string[])] }),
  };
}

function throwIfInvalid(errors: ReturnType<typeof validateCreate>): void {
  if (errors.length > 0) {
    throw new ValidationError('The request body is not valid.', errors, 'invalid-body');
  }
}

/**
 * Reads the `{id}` path parameter. Ids are server-generated UUIDs, so anything else names no item: the answer is
 * 404, the same as for a well-formed id that is not the caller's, so the shape of the answer tells nothing.
 * @throws ItemNotFoundError when the id is missing or not a lowercase UUID v4
 */
export function parseItemId(pathParameters: { readonly [name: string]: string | undefined } | null | undefined): string {
  const id = pathParameters?.id;
  if (typeof id !== 'string' || !isItemId(id)) {
    throw new ItemNotFoundError();
  }
  return id;
}

/**
 * Refuses query parameters the route does not define, and parameters given more than once (API Gateway would
 * pass only the last one; a client that repeats a parameter is not saying what it means).
 * @throws ValidationError
 */
export function checkQueryParameters(query: QueryParameters, allowed: readonly string[]): void {
  for (const name of Object.keys(query.queryStringParameters ?? {})) {
    if (!allowed.includes(name)) {
      throw new ValidationError('The request has a query parameter that this resource does not define.', [], 'unknown-parameter');
    }
  }
  for (const [name, values] of Object.entries(query.multiValueQueryStringParameters ?? {})) {
    if (values !== undefined && values.length > 1) {
      throw new ValidationError(`The query parameter '${allowed.includes(name) ? name : '?'}' is repeated.`, [], 'repeated-parameter');
    }
  }
}

/**
 * Reads the query of `GET /items`: `limit` (a decimal integer from 1 to `maxPageSize`, no sign, no leading zero)
 * and `cursor`.
 * @throws ValidationError for any other parameter or any other `limit`
 */
export function parseListQuery(query: QueryParameters, options: PageSizeOptions): ListQuery {
  checkQueryParameters(query, ['limit', 'cursor']);
  const params = query.queryStringParameters ?? {};
  let limit = options.defaultPageSize;
  if (params.limit !== undefined) {
    limit = /^[1-9][0-9]{0,5}$/.test(params.limit) ? Number(params.limit) : NaN;
    if (!(limit >= 1 && limit <= options.maxPageSize)) {
      throw new ValidationError(`The query parameter 'limit' must be an integer from 1 to ${options.maxPageSize}.`,
        [], 'invalid-limit');
    }
  }
  return params.cursor === undefined ? { limit } : { limit, cursor: params.cursor };
}
