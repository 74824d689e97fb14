/** Reads API key values from API Gateway (needs `apigateway:GET` on `/apikeys/<id>`). */
import type { ApiKeyValueFetcher } from './api-key-resolver';

/**
 * An {@link ApiKeyValueFetcher} over API Gateway's GetApiKey with `includeValue: true`.
 *
 * The SDK client is loaded with a dynamic import, started at once (during init, when the function is created with
 * an API key mapping) and shared by every call: APIs without the AUTHORIZER key source never pay for loading it
 * (about three quarters of the code). The bundler emits `./api-gateway-sdk` as a file of its own, so they do not
 * parse it either.
 */
export function createApiGatewayKeyFetcher(): ApiKeyValueFetcher {
  const sdk = import('./api-gateway-sdk').then((m) => ({ client: new m.APIGatewayClient({}), GetApiKeyCommand: m.GetApiKeyCommand }));
  // Surface a load failure on the first fetch, not as an unhandled rejection during init.
  sdk.catch(() => undefined);
  return async (keyId) => {
    const { client, GetApiKeyCommand } = await sdk;
    const response = await client.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }));
    if (!response.value) throw new Error(`API key ${keyId} has no value`);
    return response.value;
  };
}
