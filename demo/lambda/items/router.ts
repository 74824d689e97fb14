/**
 * The items service: routes an API Gateway proxy event to the owner-scoped operation and answers it.
 *
 * `handler.ts` only wires this factory to its environment; tests build handlers with {@link createItemsHandler}
 * against a real DynamoDB API.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { corsHeaders, requestOrigin } from '../../../lib/common/cors';
import { decodeCursor, encodeCursor } from './cursor';
import {
  ItemNotFoundError, ItemsConfigurationError, MethodNotAllowedError, RouteNotFoundError,
} from './errors';
import { DEFAULT_MAX_BODY_BYTES, readJsonObject } from './json-body';
import { ownerFromEvent, ownerKey } from './owner';
import { ItemsLogger, problemResponse } from './problem';
import { DynamoDbSender, ItemsRepository } from './repository';
import { emptyResponse, jsonResponse } from './responses';
import {
  checkQueryParameters, PageSizeOptions, parseCreateItem, parseItemId, parseListQuery, parseUpdateItem,
} from './validate';

/** The collection resource, as API Gateway names it in `event.resource`. */
export const ITEMS_RESOURCE = '/items';
/** The item resource, as API Gateway names it in `event.resource`. */
export const ITEM_RESOURCE = '/items/{id}';

/** Absolute limit on the page size (`limit`), whatever the options say. */
export const MAX_PAGE_SIZE_LIMIT = 100;

/** Options of {@link createItemsHandler}. */
export interface ItemsHandlerOptions {
  /** Low-level DynamoDB client; create it once per execution environment. */
  readonly client: DynamoDbSender;
  /** Name of the items table (partition key `pk`, sort key `sk`, both strings). */
  readonly tableName: string;
  /** Structured logger (e.g. a Powertools Logger). */
  readonly logger: ItemsLogger;
  /**
   * Largest accepted request body, in bytes.
   * @default 16384
   */
  readonly maxBodyBytes?: number;
  /**
   * Page size of `GET /items` when the client sends no `limit`.
   * @default 20
   */
  readonly defaultPageSize?: number;
  /**
   * Largest `limit` of `GET /items`; at most 100.
   * @default 100
   */
  readonly maxPageSize?: number;
  /**
   * Origins whose pages may read the answers (the SecureApi's `cors.allowOrigins`, handed over in
   * `SECURE_API_CORS_ALLOW_ORIGINS`): every answer then carries the API's CORS headers for an allowed origin only.
   * @default - none: CORS off, no CORS headers
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Source of the current time.
   * @default - the system clock
   */
  readonly now?: () => Date;
}

/** An API Gateway (REST, Lambda proxy) handler. */
export type ItemsHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Headers of this service's answers that pages need to read: CORS hides all but the safelisted ones. */
const EXPOSED_HEADERS = ['Location', 'Retry-After', 'Allow'];

/** Characters allowed in the request path echoed into a `Location` header. */
const SAFE_PATH = /^[A-Za-z0-9/_.~-]*$/;

function checkIntegerOption(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ItemsConfigurationError(`createItemsHandler: '${name}' must be an integer from ${min} to ${max} (got ${value})`);
  }
}

/**
 * Builds the items handler.
 * @throws ItemsConfigurationError when an option is invalid (names the option, the rule and the value)
 */
export function createItemsHandler(options: ItemsHandlerOptions): ItemsHandler {
  if (typeof options.tableName !== 'string' || options.tableName.length < 3) {
    throw new ItemsConfigurationError(`createItemsHandler: 'tableName' must be a table name of at least 3 characters (got '${String(options.tableName)}')`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const pageSizes: PageSizeOptions = {
    maxPageSize: options.maxPageSize ?? MAX_PAGE_SIZE_LIMIT,
    defaultPageSize: options.defaultPageSize ?? 20,
  };
  checkIntegerOption('maxBodyBytes', maxBodyBytes, 1, 10 * 1024 * 1024);
  checkIntegerOption('maxPageSize', pageSizes.maxPageSize, 1, MAX_PAGE_SIZE_LIMIT);
  checkIntegerOption('defaultPageSize', pageSizes.defaultPageSize, 1, pageSizes.maxPageSize);

  const repository = new ItemsRepository({ client: options.client, tableName: options.tableName });
  const now = options.now ?? (() => new Date());
  const { logger } = options;
  const allowedOrigins = [...(options.allowedOrigins ?? [])];

  async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    // Identity first: nothing is served, not even a 404 or 400, without a verified owner.
    const owner = ownerKey(ownerFromEvent(event));

    if (event.resource === ITEMS_RESOURCE) {
      switch (event.httpMethod) {
        case 'GET': {
          const query = parseListQuery(event, pageSizes);
          const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
          const page = await repository.list(owner, query.limit, after);
          return jsonResponse(200, {
            items: page.items,
            ...(page.lastSortKey === undefined ? {} : { nextCursor: encodeCursor(page.lastSortKey) }),
          });
        }
        case 'POST': {
          checkQueryParameters(event, []);
          const input = parseCreateItem(readJsonObject(event, { maxBytes: maxBodyBytes }));
          const item = await repository.create(owner, randomUUID(), input, now());
          return jsonResponse(201, item, { Location: locationOf(event, item.id) });
        }
        default:
          throw new MethodNotAllowedError(['GET', 'POST']);
      }
    }

    if (event.resource === ITEM_RESOURCE) {
      if (!['GET', 'PUT', 'DELETE'].includes(event.httpMethod)) {
        throw new MethodNotAllowedError(['DELETE', 'GET', 'PUT']);
      }
      checkQueryParameters(event, []);
      const id = parseItemId(event.pathParameters);
      switch (event.httpMethod) {
        case 'GET': {
          const item = await repository.get(owner, id);
          if (item === undefined) throw new ItemNotFoundError();
          return jsonResponse(200, item);
        }
        case 'PUT': {
          const input = parseUpdateItem(readJsonObject(event, { maxBytes: maxBodyBytes }));
          return jsonResponse(200, await repository.update(owner, id, input, now()));
        }
        default: {
          await repository.delete(owner, id);
          return emptyResponse(204);
        }
      }
    }

    throw new RouteNotFoundError();
  }

  return async (event) => {
    let response: APIGatewayProxyResult;
    try {
      response = await route(event);
    } catch (err) {
      response = problemResponse(err, logger, { resource: event?.resource, httpMethod: event?.httpMethod });
    }
    // A proxy integration's answer reaches the browser as is: the function sends the CORS headers, errors included.
    const cors = corsHeaders(requestOrigin(event?.headers), allowedOrigins, { exposeHeaders: EXPOSED_HEADERS });
    return Object.keys(cors).length === 0 ? response : { ...response, headers: { ...response.headers, ...cors } };
  };
}

/**
 * The `Location` of a new item: the request path (which includes the stage or base path) plus the id, or
 * `/items/<id>` when the request path is not the plain collection path.
 */
function locationOf(event: APIGatewayProxyEvent, id: string): string {
  const requestPath = (event.requestContext as { path?: unknown } | undefined)?.path;
  if (typeof requestPath === 'string' && SAFE_PATH.test(requestPath)) {
    const trimmed = requestPath.replace(/\/+$/, '');
    if (trimmed.endsWith(ITEMS_RESOURCE)) return `${trimmed}/${id}`;
  }
  return `${ITEMS_RESOURCE}/${id}`;
}
