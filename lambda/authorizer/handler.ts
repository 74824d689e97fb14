/**
 * Lambda entry point of the SecureApi TOKEN authorizer: wiring only. Everything that can be created once is created
 * at module scope (cold start): the configuration (a file of the configuration layer), the logger, the verifiers and the API Gateway client. The JWKS of
 * every issuer starts downloading during init; the first invocation awaits it (the bundle is CommonJS, so there is
 * no top-level await).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { AUTHORIZER_CONFIG_FILE_ENV, AUTHORIZER_CONFIG_REFS_ENV } from '../../lib/common/authorizer-config';
import { createApiGatewayKeyFetcher } from './api-gateway-key-fetcher';
import { createAuthorizer, SERVICE_NAME } from './authorizer';
import { readAuthorizerConfig } from './config';

const logger = new Logger({ serviceName: SERVICE_NAME });

function init() {
  try {
    const config = readAuthorizerConfig(process.env[AUTHORIZER_CONFIG_FILE_ENV], process.env[AUTHORIZER_CONFIG_REFS_ENV]);
    return createAuthorizer(config, {
      logger,
      fetchApiKeyValue: config.apiKey !== undefined ? createApiGatewayKeyFetcher() : undefined,
    });
  } catch (err) {
    // Fail the init phase: a misconfigured authorizer must not answer anything.
    logger.critical('invalid authorizer configuration', { error: (err as Error).message });
    throw err;
  }
}

const authorize = init();

/** The API Gateway TOKEN authorizer handler. */
export const handler = (event: APIGatewayTokenAuthorizerEvent, context: Context): Promise<APIGatewayAuthorizerResult> =>
  authorize(event, context);
