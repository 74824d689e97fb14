/**
 * DynamoDB for the local run: dynalite (a real implementation of the DynamoDB API) in-process on 127.0.0.1, on disk
 * (LevelDB in the data directory) or in memory, with the template's tables created when they do not exist yet.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand, CreateTableCommandInput, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { closeServer, listen } from './net';

/** Options of dynalite used here; the package ships no type declarations. */
interface DynaliteOptions {
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
  readonly path?: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;

/** Dummy credentials: dynalite does not check signatures, but the SDK needs something to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIALOCALDEVELOPMENT', secretAccessKey: 'local-development-only' } as const;

/** A running local DynamoDB. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Names of the tables that were created on this start (the others already existed). */
  readonly created: string[];
  stop(): Promise<void>;
}

/**
 * Starts dynalite and creates the tables.
 * @param dataPath LevelDB directory; undefined keeps everything in memory.
 */
export async function startLocalDynamo(options: { dataPath?: string; region: string; tables: Array<Record<string, unknown>> }): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.dataPath });
  await listen(server, 0, 'local DynamoDB');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: options.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const stop = async () => {
    client.destroy();
    await closeServer(server);
  };
  const created: string[] = [];
  try {
    for (const definition of options.tables) {
      const TableName = String(definition.TableName);
      try {
        await client.send(new DescribeTableCommand({ TableName }));
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
        await client.send(new CreateTableCommand(definition as unknown as CreateTableCommandInput));
        created.push(TableName);
      }
    }
  } catch (err) {
    await stop();
    const message = (err as Error).message;
    throw new Error(/lock/i.test(message)
      ? `the DynamoDB data in ${options.dataPath} is in use by another local run: stop it first (${message})`
      : `local DynamoDB failed: ${message}`, { cause: err });
  }
  client.destroy();
  return {
    endpoint,
    created,
    stop: () => closeServer(server),
  };
}
