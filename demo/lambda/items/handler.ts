/**
 * Lambda entry point of the items service (API Gateway REST, Lambda proxy integration).
 *
 * Environment:
 * - `TABLE_NAME` (required): the items table.
 * - `SECURE_API_CORS_ALLOW_ORIGINS` (optional, set by the SecureApi's `corsEnvironment`): origins whose pages may
 *   read the answers, comma-separated.
 * - `AWS_ENDPOINT_URL_DYNAMODB` (optional, honoured by the AWS SDK): another DynamoDB endpoint, e.g. in tests.
 *
 * The logger and the DynamoDB client are created once per execution environment; the handler only wires them to
 * {@link createItemsHandler}.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { allowedOriginsFromEnvironment } from '../../../lib/common/cors';
import { ItemsConfigurationError } from './errors';
import { createItemsHandler } from './router';

const logger = new Logger({ serviceName: 'secure-api-items' });

const tableName = process.env.TABLE_NAME;
if (tableName === undefined || tableName === '') {
  logger.error('Missing configuration', { reason: 'MissingTableName' });
  throw new ItemsConfigurationError('items: the environment variable TABLE_NAME is required');
}

const client = new DynamoDBClient({});

const handle = createItemsHandler({ client, tableName, logger, allowedOrigins: allowedOriginsFromEnvironment(process.env) });

/** The Lambda handler. */
export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  if (context !== undefined) logger.addContext(context);
  return handle(event);
}
