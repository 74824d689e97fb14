/**
 * A test harness: dynalite, an items handler over it, and a `send` that checks what every response must carry
 * (security headers; problem+json on errors; schema-conformant bodies on success).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { compileSchema } from '../../../../demo/lambda/items/json-schema';
import type { Item } from '../../../../demo/lambda/items/item';
import { createItemsHandler, ItemsHandler, ItemsHandlerOptions } from '../../../../demo/lambda/items/router';
import { itemListSchema, itemSchema } from '../../../../demo/lambda/items/schemas';
import { startDynalite, TestDynamo } from '../../../support/dynalite';
import {
  apiEvent, Caller, expectProblem, expectSecurityHeaders, json, RecordingLogger,
} from './events';

const validateItem = compileSchema(itemSchema);
const validateItemList = compileSchema(itemListSchema);

/** A client wrapper that counts calls and passes them to the real client. */
export interface CountingClient {
  readonly client: ItemsHandlerOptions['client'];
  calls(): number;
}

export function countingClient(real: ItemsHandlerOptions['client']): CountingClient {
  let calls = 0;
  const client = {
    send: ((command: Parameters<typeof real.send>[0]) => {
      calls++;
      return real.send(command);
    }) as typeof real.send,
  };
  return { client, calls: () => calls };
}

export class Harness {
  logger = new RecordingLogger();
  handle!: ItemsHandler;
  counter!: CountingClient;
  private sequence = 0;

  constructor(readonly dynamo: TestDynamo) {
    this.reset();
  }

  static async start(): Promise<Harness> {
    return new Harness(await startDynalite());
  }

  /** A fresh handler and logger (the table keeps its data). */
  reset(options: Partial<ItemsHandlerOptions> = {}): void {
    this.logger = new RecordingLogger();
    this.counter = countingClient(this.dynamo.client);
    this.handle = createItemsHandler({
      client: this.counter.client,
      tableName: this.dynamo.tableName,
      logger: this.logger,
      ...options,
    });
  }

  /** A caller no other test uses, so each test starts with an empty partition. */
  caller(name: string, tenant?: string): Caller {
    this.sequence++;
    return tenant === undefined ? { sub: `${name}-${this.sequence}` } : { sub: `${name}-${this.sequence}`, tenant };
  }

  /** Sends an event and checks the invariants of every response. */
  async send(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const response = await this.handle(event);
    expectSecurityHeaders(response);
    if (response.statusCode >= 400) {
      expectProblem(response, response.statusCode, this.dynamo.tableName);
    } else if (response.statusCode === 204) {
      expect(response.body).toBe('');
    } else {
      expect(response.headers?.['Content-Type']).toBe('application/json');
      const body = json(response);
      const errors = event.resource === '/items' && event.httpMethod === 'GET' ? validateItemList(body) : validateItem(body);
      expect(errors).toEqual([]);
    }
    return response;
  }

  async create(caller: Caller, body: unknown = { name: 'a thing' }): Promise<Item> {
    const response = await this.send(apiEvent(caller, { method: 'POST', body }));
    expect(response.statusCode).toBe(201);
    return json<Item>(response);
  }

  get(caller: Caller, id: string): Promise<APIGatewayProxyResult> {
    return this.send(apiEvent(caller, { method: 'GET', id }));
  }

  update(caller: Caller, id: string, body: unknown): Promise<APIGatewayProxyResult> {
    return this.send(apiEvent(caller, { method: 'PUT', id, body }));
  }

  delete(caller: Caller, id: string): Promise<APIGatewayProxyResult> {
    return this.send(apiEvent(caller, { method: 'DELETE', id }));
  }

  list(caller: Caller, query?: Record<string, string>): Promise<APIGatewayProxyResult> {
    return this.send(apiEvent(caller, { method: 'GET', query }));
  }

  /** Follows `nextCursor` to the end and returns every page. */
  async listAll(caller: Caller, limit?: number): Promise<{ items: Item[]; nextCursor?: string }[]> {
    const pages: { items: Item[]; nextCursor?: string }[] = [];
    let cursor: string | undefined;
    do {
      const query: Record<string, string> = {};
      if (limit !== undefined) query.limit = String(limit);
      if (cursor !== undefined) query.cursor = cursor;
      const response = await this.list(caller, query);
      expect(response.statusCode).toBe(200);
      const page = json<{ items: Item[]; nextCursor?: string }>(response);
      pages.push(page);
      cursor = page.nextCursor;
      if (pages.length > 50) throw new Error('listing does not end');
    } while (cursor !== undefined);
    return pages;
  }

  stop(): Promise<void> {
    return this.dynamo.stop();
  }
}
