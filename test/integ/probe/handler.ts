/**
 * Lambda entry point of the deploy test's probe: wires {@link runProbe} to the deployed API, the Cognito token
 * endpoint and the AWS APIs that hold the client secrets and the API key.
 *
 * The secrets are read at run time (DescribeUserPoolClient, GetApiKey) and kept in memory: they are in no template,
 * no snapshot, no assertion's properties and no log. The probe logs nothing.
 *
 * Environment: `API_URL`, `API_KEY_ID`, `USER_POOL_ID`, `TOKEN_URL`, `READER_CLIENT_ID`, `WRITER_CLIENT_ID`,
 * `READ_SCOPE`, `WRITE_SCOPE`.
 */
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { fetchAccessToken, memoize } from './credentials';
import { BurstResult, ProbeEvent, ProbeResponse, runProbe } from './probe';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`probe: the environment variable ${name} is required`);
  return value;
}

const config = {
  apiUrl: env('API_URL'),
  apiKeyId: env('API_KEY_ID'),
  userPoolId: env('USER_POOL_ID'),
  tokenUrl: env('TOKEN_URL'),
  clients: { reader: env('READER_CLIENT_ID'), writer: env('WRITER_CLIENT_ID') },
  scopes: { reader: [env('READ_SCOPE')], writer: [env('READ_SCOPE'), env('WRITE_SCOPE')] },
};
const cognito = new CognitoIdentityProviderClient({});
const apigateway = new APIGatewayClient({});

const token = memoize(async (client: 'reader' | 'writer') => {
  const clientId = config.clients[client];
  const described = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: config.userPoolId, ClientId: clientId }));
  const clientSecret = described.UserPoolClient?.ClientSecret;
  if (!clientSecret) throw new Error(`probe: app client '${client}' has no secret`);
  // Tokens live an hour (the pool's default): one per client and execution environment is enough.
  return fetchAccessToken(fetch, config.tokenUrl, { clientId, clientSecret }, config.scopes[client]);
});
const apiKey = memoize(async (apiKeyId: string) => {
  const key = await apigateway.send(new GetApiKeyCommand({ apiKey: apiKeyId, includeValue: true }));
  if (!key.value) throw new Error('probe: the API key has no value');
  return key.value;
});

/** The Lambda handler. */
export async function handler(event: ProbeEvent): Promise<ProbeResponse | BurstResult> {
  return runProbe(event, { apiUrl: config.apiUrl, token, apiKey: () => apiKey(config.apiKeyId), fetch });
}
