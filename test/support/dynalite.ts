/**
 * Starts an in-process, in-memory dynalite (a real implementation of the DynamoDB API) for tests, creates the
 * items table (`pk`/`sk`, on-demand, as the construct does) and returns a client that talks to it.
 */
import { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Options of the dynalite server factory that the tests use. dynalite ships no type declarations. */
interface DynaliteOptions {
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
  readonly path?: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;

/** Region the test clients use; dynalite accepts any. */
export const TEST_REGION = 'us-east-1';

/** Dummy credentials: dynalite does not check signatures, but the SDK needs something to sign with. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTESTTESTTEST', secretAccessKey: 'test-secret-key' } as const;

/** A running dynalite with one table. */
export interface TestDynamo {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The name of the created table (`pk` S hash key, `sk` S range key). */
  readonly tableName: string;
  /** A client pointed at {@link endpoint}. */
  readonly client: DynamoDBClient;
  /** Destroys the client and closes the server. */
  stop(): Promise<void>;
}

/** Options of {@link startDynalite}. */
export interface StartDynaliteOptions {
  /**
   * Name of the table to create (3+ characters).
   * @default 'items-test'
   */
  readonly tableName?: string;
}

/** Builds a DynamoDB client for a dynalite endpoint with dummy credentials. */
export function createTestClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

/** Starts dynalite on 127.0.0.1 (random port), creates the table and returns a client for it. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<TestDynamo> {
  const tableName = options.tableName ?? 'items-test';
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createTestClient(endpoint);

  const stop = async (): Promise<void> => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  try {
    await client.send(new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, tableName, client, stop };
}
