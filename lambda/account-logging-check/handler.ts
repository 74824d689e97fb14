import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { createHandler } from './check';

const client = new APIGatewayClient({});

/** CloudFormation custom resource: fails when API Gateway's account settings have no CloudWatch Logs role. */
export const handler = createHandler(() => client.send(new GetAccountCommand({})));
