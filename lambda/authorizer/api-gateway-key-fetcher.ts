/** Reads API key values from API Gateway (needs `apigateway:GET` on `/apikeys/<id>`). */
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import type { ApiKeyValueFetcher } from './api-key-resolver';

/** An {@link ApiKeyValueFetcher} over API Gateway's GetApiKey with `includeValue: true`. */
export function createApiGatewayKeyFetcher(client: APIGatewayClient): ApiKeyValueFetcher {
  return async (keyId) => {
    const response = await client.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }));
    if (!response.value) throw new Error(`API key ${keyId} has no value`);
    return response.value;
  };
}
