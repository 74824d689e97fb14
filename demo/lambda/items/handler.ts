/**
 * Lambda entry point of the items service (API Gateway REST, Lambda proxy integration).
 *
 * Environment:
 * - `TABLE_NAME` (required): the items table.
 * - `AWS_ENDPOINT_URL_DYNAMODB` (optional, honoured by the AWS SDK): another DynamoDB endpoint, e.g. in tests.
 *
 * The logger and the DynamoDB client are created once per execution environment; the handler only wires them to
 * {@link createItemsHandler}.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ItemsConfigurationError } from './errors';
import { createItemsHandler } from './router';

const logger = new Logger({ serviceName: 'secure-api-items' });

const tableName = process.env.TABLE_NAME;
if (tableName === undefined || tableName === '') {
  logger.error('Missing configuration', { reason: 'MissingTableName' });
  throw new ItemsConfigurationError('items: the environment variable TABLE_NAME is required');
}

const client = new DynamoDBClient({});

const handle = createItemsHandler({ client, tableName, logger });

/** The Lambda handler. */
export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  if (context !== undefined) logger.addContext(context);
  return handle(event);
}
