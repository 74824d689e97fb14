/**
 * DynamoDB access for items. Every call is keyed by the caller's owner key, so no call can address another
 * owner's items.
 *
 * Layout (table with partition key `pk` and sort key `sk`, both strings):
 * - `pk`: `OWNER#<issuer>#<tenant>#<principalClaim>#<principal>`, each part percent-encoded (see `owner.ts`)
 * - `sk`: `ITEM#<id>`
 * - attributes: `id` (S), `name` (S), `description` (S, absent when none), `tags` (L of S, absent when none),
 *   `version` (N), `createdAt` (S), `updatedAt` (S)
 */
import {
  AttributeValue, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand,
  PutItemCommand, QueryCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CorruptItemError, ItemNotFoundError, ServiceUnavailableError, VersionConflictError,
} from './errors';
import type { CreateItemInput, Item, UpdateItemInput } from './item';
import { idFromSortKey, ITEM_SORT_KEY_PREFIX, itemSortKey } from './item';

/** The part of a DynamoDB client the repository uses. */
export type DynamoDbSender = Pick<DynamoDBClient, 'send'>;

/** Options of {@link ItemsRepository}. */
export interface ItemsRepositoryOptions {
  /** The low-level DynamoDB client. */
  readonly client: DynamoDbSender;
  /** Name of the table (partition key `pk`, sort key `sk`). */
  readonly tableName: string;
}

/** One page of a listing. */
export interface ItemPage {
  readonly items: Item[];
  /** Sort key of the last item of the page when more items may follow. */
  readonly lastSortKey?: string;
}

/** Error names with which DynamoDB says "slow down"; the client may retry. */
const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'ThrottlingException',
]);

/** The owner-scoped item store. */
export class ItemsRepository {
  private readonly client: DynamoDbSender;
  private readonly tableName: string;

  constructor(options: ItemsRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /**
   * Stores a new item with version 1.
   * @throws Error when an item with the id already exists (a UUID collision: never expected)
   */
  async create(ownerKey: string, id: string, input: CreateItemInput, now: Date): Promise<Item> {
    const timestamp = now.toISOString();
    const item: Item = {
      id,
      name: input.name,
      ...(input.description ? { description: input.description } : {}),
      ...(input.tags && input.tags.length > 0 ? { tags: [...input.tags] } : {}),
      version: 1,
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    await this.call(() => this.client.send(new PutItemCommand({
      TableName: this.tableName,
      Item: { ...key(ownerKey, id), ...marshalItem(item) },
      ConditionExpression: 'attribute_not_exists(pk)',
    })));
    return item;
  }

  /** Reads one of the owner's items; `undefined` when the owner has no item with this id. */
  async get(ownerKey: string, id: string): Promise<Item | undefined> {
    const result = await this.call(() => this.client.send(new GetItemCommand({
      TableName: this.tableName,
      Key: key(ownerKey, id),
      ConsistentRead: true,
    })));
    return result.Item === undefined ? undefined : unmarshalItem(result.Item);
  }

  /**
   * Changes one of the owner's items if its version is still `input.version`, and increments the version.
   * @throws ItemNotFoundError when the owner has no item with this id
   * @throws VersionConflictError when the item's version is no longer `input.version`
   */
  async update(ownerKey: string, id: string, input: UpdateItemInput, now: Date): Promise<Item> {
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, AttributeValue> = {
      ':expected': { N: String(input.version) },
      ':next': { N: String(input.version + 1) },
      ':now': { S: now.toISOString() },
    };
    const set = ['#version = :next', '#updatedAt = :now'];
    const remove: string[] = [];
    if (input.name !== undefined) {
      names['#name'] = 'name';
      values[':name'] = { S: input.name };
      set.push('#name = :name');
    }
    if (input.description !== undefined) {
      names['#description'] = 'description';
      if (input.description === '') {
        remove.push('#description');
      } else {
        values[':description'] = { S: input.description };
        set.push('#description = :description');
      }
    }
    if (input.tags !== undefined) {
      names['#tags'] = 'tags';
      if (input.tags.length === 0) {
        remove.push('#tags');
      } else {
        values[':tags'] = marshalTags(input.tags);
        set.push('#tags = :tags');
      }
    }
    const updateExpression = `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`;

    try {
      const result = await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: key(ownerKey, id),
        UpdateExpression: updateExpression,
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      if (result.Attributes === undefined) throw new CorruptItemError();
      return unmarshalItem(result.Attributes);
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw translate(err);
      // DynamoDB returns the current item with the failure; emulators that ignore
      // ReturnValuesOnConditionCheckFailure do not, so read it.
      const current = err.Item ?? (await this.getRaw(ownerKey, id));
      if (current === undefined) throw new ItemNotFoundError();
      throw new VersionConflictError();
    }
  }

  /** Deletes one of the owner's items; does nothing when there is none. */
  async delete(ownerKey: string, id: string): Promise<void> {
    await this.call(() => this.client.send(new DeleteItemCommand({
      TableName: this.tableName,
      Key: key(ownerKey, id),
    })));
  }

  /**
   * Lists the owner's items in sort-key order, `limit` at a time, starting after `afterSortKey`.
   * The start key is always built from `ownerKey`: a sort key from anywhere only positions within this partition.
   */
  async list(ownerKey: string, limit: number, afterSortKey?: string): Promise<ItemPage> {
    // One more than asked tells whether another page exists without an empty last page.
    const result = await this.call(() => this.client.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: ownerKey }, ':prefix': { S: ITEM_SORT_KEY_PREFIX } },
      ExclusiveStartKey: afterSortKey === undefined ? undefined : { pk: { S: ownerKey }, sk: { S: afterSortKey } },
      Limit: limit + 1,
      ConsistentRead: true,
    })));
    const records = result.Items ?? [];
    if (records.length > limit) {
      const page = records.slice(0, limit);
      return { items: page.map(unmarshalItem), lastSortKey: stringAttribute(page[page.length - 1], 'sk') };
    }
    // Fewer than asked but a LastEvaluatedKey: DynamoDB stopped at its 1 MB page size.
    const lastKey = result.LastEvaluatedKey;
    return lastKey === undefined
      ? { items: records.map(unmarshalItem) }
      : { items: records.map(unmarshalItem), lastSortKey: stringAttribute(lastKey, 'sk') };
  }

  private async getRaw(ownerKey: string, id: string): Promise<Record<string, AttributeValue> | undefined> {
    const result = await this.call(() => this.client.send(new GetItemCommand({
      TableName: this.tableName,
      Key: key(ownerKey, id),
      ConsistentRead: true,
      ProjectionExpression: 'pk',
    })));
    return result.Item;
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw translate(err);
    }
  }
}

/** Maps throttling to {@link ServiceUnavailableError}; everything else stays as it is (a 500). */
function translate(err: unknown): unknown {
  return err instanceof Error && THROTTLING_ERRORS.has(err.name) ? new ServiceUnavailableError() : err;
}

function key(ownerKey: string, id: string): Record<string, AttributeValue> {
  return { pk: { S: ownerKey }, sk: { S: itemSortKey(id) } };
}

function marshalTags(tags: readonly string[]): AttributeValue {
  return { L: tags.map((tag) => ({ S: tag })) };
}

function marshalItem(item: Item): Record<string, AttributeValue> {
  return {
    id: { S: item.id },
    name: { S: item.name },
    ...(item.description === undefined ? {} : { description: { S: item.description } }),
    ...(item.tags === undefined ? {} : { tags: marshalTags(item.tags) }),
    version: { N: String(item.version) },
    createdAt: { S: item.createdAt },
    updatedAt: { S: item.updatedAt },
  };
}

function stringAttribute(record: Record<string, AttributeValue>, name: string): string {
  const value = record[name]?.S;
  if (value === undefined) throw new CorruptItemError();
  return value;
}

/** Reads a stored item into its client view, leaving out `pk` and `sk`; refuses anything malformed. */
function unmarshalItem(record: Record<string, AttributeValue>): Item {
  const id = stringAttribute(record, 'id');
  if (idFromSortKey(stringAttribute(record, 'sk')) !== id) throw new CorruptItemError();
  const version = Number(record.version?.N);
  if (!Number.isSafeInteger(version) || version < 1) throw new CorruptItemError();
  const description = record.description?.S;
  const tagList = record.tags?.L;
  let tags: string[] | undefined;
  if (tagList !== undefined) {
    tags = tagList.map((tag) => {
      if (tag.S === undefined) throw new CorruptItemError();
      return tag.S;
    });
  }
  return {
    id,
    name: stringAttribute(record, 'name'),
    ...(description === undefined ? {} : { description }),
    ...(tags === undefined ? {} : { tags }),
    version,
    createdAt: stringAttribute(record, 'createdAt'),
    updatedAt: stringAttribute(record, 'updatedAt'),
  };
}
