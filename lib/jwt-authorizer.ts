import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AUTHORIZER_CONFIG_ENV, AuthorizerConfig } from './common/authorizer-config';
import { bundledCode, SecureFunction } from './secure-function';

/**
 * Lambda's limit on all environment variables of a function together, in bytes.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/** Properties of a {@link JwtAuthorizer}. */
export interface JwtAuthorizerProps {
  /** Produces the authorizer configuration at synth time, after every route is known. */
  readonly config: () => AuthorizerConfig;
  /** Result cache TTL; 0 disables caching. */
  readonly resultsCacheTtl: Duration;
  /** Key that encrypts the function's log group. */
  readonly logKey: kms.IKey;
  /** Log retention. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the log group. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Memory, MiB. */
  readonly memorySize: number;
  /** Timeout. */
  readonly timeout: Duration;
  /** Reserved concurrency. @default - none */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * The Lambda TOKEN authorizer of a SecureApi (internal to SecureApi, which exposes its parts): verifies the bearer JWT with aws-jwt-verify against the configured
 * issuers and returns an IAM policy that allows exactly the routes the token's scopes and claims satisfy.
 */
export class JwtAuthorizer extends Construct {
  /** The authorizer function. */
  public readonly function: lambda.Function;
  private readonly resultsCacheTtl: Duration;
  private tokenAuthorizer?: apigw.TokenAuthorizer;
  private readApiKeys?: iam.PolicyStatement;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  private readonly secureFunction: SecureFunction;

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
    const configJson = Lazy.string({ produce: () => JSON.stringify(props.config()) });
    const fn = new SecureFunction(this, 'Handler', {
      code: bundledCode('authorizer'),
      description: 'SecureApi JWT/claims authorizer',
      serviceName: 'secure-api-authorizer',
      memorySize: props.memorySize,
      timeout: props.timeout,
      logKey: props.logKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: { [AUTHORIZER_CONFIG_ENV]: configJson },
    });
    this.secureFunction = fn;
    this.resultsCacheTtl = props.resultsCacheTtl;
    this.function = fn.function;
    this.logGroup = fn.logGroup;

    Validations.of(this.function).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
      reason: "API Gateway's permission to invoke the authorizer sets SourceArn to this API's authorizer ARN and SourceAccount to this account; the rule only recognises literal strings, and both are CloudFormation references here.",
    });

    this.node.addValidation({
      validate: () => {
        const config = props.config();
        const size = Buffer.byteLength(AUTHORIZER_CONFIG_ENV) + Buffer.byteLength(JSON.stringify(config)) + 300;
        return size > LAMBDA_ENVIRONMENT_LIMIT
          ? [`SecureApi: the authorizer configuration (routes and issuers) is ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT}-byte environment limit: merge routes or shorten claim rules`]
          : [];
      },
    });
  }

  /**
   * The API Gateway TOKEN authorizer, created when first asked for (by the first route that uses it): an authorizer
   * that no method uses cannot be rendered, and an API without routes should fail with its own validation message.
   */
  public get authorizer(): apigw.TokenAuthorizer {
    this.tokenAuthorizer ??= new apigw.TokenAuthorizer(this, 'Authorizer', {
      handler: this.function,
      identitySource: apigw.IdentitySource.header('Authorization'),
      // API Gateway answers 401 itself, without invoking the function, unless the header looks like a bearer JWT.
      validationRegex: '^[Bb]earer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
      resultsCacheTtl: this.resultsCacheTtl,
    });
    return this.tokenAuthorizer;
  }

  /** Lets the authorizer read the values of these API keys (API key source AUTHORIZER): one statement for all. */
  public grantReadApiKeys(apiKeys: apigw.IApiKey[]): void {
    if (apiKeys.length === 0) return;
    const stack = Stack.of(this);
    if (!this.readApiKeys) {
      this.readApiKeys = new iam.PolicyStatement({ sid: 'ReadClientApiKeys', actions: ['apigateway:GET'] });
      this.secureFunction.addToPolicy(this.readApiKeys);
    }
    this.readApiKeys.addResources(...apiKeys.map((key) => stack.formatArn({
      service: 'apigateway', account: '', resource: '/apikeys', resourceName: key.keyId,
    })));
  }
}
