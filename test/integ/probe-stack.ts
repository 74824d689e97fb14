import { ArnFormat, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { DemoStack } from '../../demo/demo-stack';
import { IdentityProviderStack } from './identity-provider-stack';

/** Properties of a {@link ProbeStack}. */
export interface ProbeStackProps extends StackProps {
  /** The identity provider whose clients the probe gets tokens for. */
  readonly identity: IdentityProviderStack;
  /** The deployed demo. */
  readonly demo: DemoStack;
  /** The API client whose key the probe sends. */
  readonly apiClient: string;
}

/**
 * The deploy test's probe: a small Lambda function that calls the demo API as a client does, from inside AWS, and
 * that reads the client secrets and the API key at run time, so that none is in a template or a log.
 */
export class ProbeStack extends Stack {
  /** The probe function. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: ProbeStackProps) {
    super(scope, id, props);
    const { identity, demo } = props;
    const apiKey = demo.secureApi.apiKeys[props.apiClient];
    if (!apiKey) {
      throw new Error(`ProbeStack: 'apiClient' must name a client of the demo (got '${props.apiClient}'; clients: ${Object.keys(demo.secureApi.apiKeys).join(', ')})`);
    }
    this.function = new nodejs.NodejsFunction(this, 'Probe', {
      entry: path.join(__dirname, 'probe', 'handler.ts'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Under the two minutes the assertion provider waits for a synchronous invocation.
      timeout: Duration.seconds(100),
      description: 'SecureApi deploy test: calls the demo API as a client',
      logGroup: new logs.LogGroup(this, 'ProbeLogs', { retention: logs.RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY }),
      // The AWS SDK v3 clients come with the Lambda runtime: the bundle holds the probe's own code only.
      bundling: { externalModules: ['@aws-sdk/*'], minify: true },
      environment: {
        API_URL: demo.secureApi.api.url,
        API_KEY_ID: apiKey.keyId,
        USER_POOL_ID: identity.userPool.userPoolId,
        TOKEN_URL: identity.tokenUrl,
        READER_CLIENT_ID: identity.clients.reader.userPoolClientId,
        WRITER_CLIENT_ID: identity.clients.writer.userPoolClientId,
        READ_SCOPE: identity.readScope,
        WRITE_SCOPE: identity.writeScope,
      },
    });
    this.function.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadTheTestClientSecrets',
      actions: ['cognito-idp:DescribeUserPoolClient'],
      resources: [identity.userPool.userPoolArn],
    }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadTheTestApiKey',
      actions: ['apigateway:GET'],
      resources: [this.formatArn({ service: 'apigateway', account: '', resource: '/apikeys', resourceName: apiKey.keyId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    }));
  }
}
