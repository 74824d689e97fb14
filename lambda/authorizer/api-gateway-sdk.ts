/**
 * The part of the AWS SDK the API key fetcher needs. A module of its own so that the bundler can emit it as a separate
 * file next to the handler's bundle (`assets/authorizer/api-gateway-sdk.js`), which Node reads and compiles only when
 * {@link createApiGatewayKeyFetcher} imports it: an authorizer without an API key mapping does not even parse it.
 */
export { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
