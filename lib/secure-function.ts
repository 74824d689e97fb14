import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, UnscopedValidationError, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Code of a Lambda bundle that ships prebuilt in this package's `assets/` (the authorizer, the account logging check,
 * the quota watcher). Bundles are built by
 * `npm run build` (esbuild, no Docker), so apps that use SecureApi need neither esbuild nor the Lambda runtime
 * libraries.
 */
export function bundledCode(name: 'authorizer' | 'account-logging-check' | 'quota-watcher'): lambda.Code {
  const dir = path.join(__dirname, '..', 'assets', name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new UnscopedValidationError(MISSING_BUNDLE, `SecureApi: the '${name}' Lambda bundle is missing at ${dir}: run 'npm run build' first`);
  }
  return lambda.Code.fromAsset(dir);
}

const MISSING_BUNDLE = 'SecureApiMissingBundle' as ConstructorParameters<typeof UnscopedValidationError>[0];

/** Who invokes a `SecureFunction`, which decides why a dead-letter queue and reserved concurrency do not apply. */
export enum SecureFunctionCaller {
  /** API Gateway, synchronously: an authorizer or a proxy integration. */
  API_GATEWAY = 'API_GATEWAY',
  /** CloudFormation, as a custom resource that answers through the request's response URL. */
  CLOUDFORMATION = 'CLOUDFORMATION',
  /** An EventBridge schedule, asynchronously, with an event that carries no data (a scheduled job). */
  SCHEDULE = 'SCHEDULE',
}

/** Properties of a `SecureFunction`. */
export interface SecureFunctionProps {
  /** The function's code: a bundle whose `index.js` exports `handler`. */
  readonly code: lambda.Code;
  /** What the function does. */
  readonly description: string;
  /** Powertools service name. */
  readonly serviceName: string;
  /** Memory, MiB. */
  readonly memorySize: number;
  /** Timeout. */
  readonly timeout: Duration;
  /**
   * Environment variables (never secrets: they are visible in the console).
   * @default - only the Powertools settings
   */
  readonly environment?: { [name: string]: string };
  /** Key that encrypts the function's log group. */
  readonly logKey: kms.IKey;
  /** Log retention. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the log group. */
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * Reserved concurrency.
   * @default - none: the function uses the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Who invokes the function.
   * @default SecureFunctionCaller.API_GATEWAY
   */
  readonly invokedBy?: SecureFunctionCaller;
}

/**
 * A Lambda function with every default SecureApi wants: the latest Node.js runtime on arm64, a prebuilt bundle,
 * explicit memory and timeout, Powertools JSON logs into a KMS-encrypted log group with retention, and active X-Ray
 * tracing. Its role has no inline policy: every permission is in one customer-managed policy (`addToPolicy`).
 */
export class SecureFunction extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** Its execution role. It has no inline policy: every permission is in `policy`. */
  public readonly role: iam.Role;
  /** The customer-managed policy that holds every permission of the function, and nothing else. */
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `SecureApi: permissions of the ${props.serviceName} function`,
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          // X-Ray has no resource-level permissions: these two actions only accept '*'.
          sid: 'WriteTraces',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    this.role = new iam.Role(this, 'Role', {
      description: `SecureApi: execution role of the ${props.serviceName} function`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [this.policy],
    });
    Validations.of(this.policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; every other statement names its resource.',
    });
    this.function = new lambda.Function(this, 'Function', {
      // CDK would otherwise add an inline default policy (X-Ray) to the role: every permission goes to the policy.
      role: this.role.withoutPolicyUpdates(),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: 'index.handler',
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    });
    acknowledgeFunctionFindings(this.function, props.invokedBy ?? SecureFunctionCaller.API_GATEWAY, props.reservedConcurrentExecutions !== undefined);
  }

  /**
   * Adds a permission to the function's policy (the role takes no inline policies).
   * @param statement the permission
   */
  public addToPolicy(statement: iam.PolicyStatement): void {
    this.policy.addStatements(statement);
  }
}

/** The policy findings every SecureFunction carries, each with the reason it does not apply. */
function acknowledgeFunctionFindings(fn: lambda.Function, caller: SecureFunctionCaller, hasReservedConcurrency: boolean): void {
  const dlq = {
    [SecureFunctionCaller.API_GATEWAY]: 'API Gateway invokes this function synchronously (authorizer or proxy integration): a dead-letter queue only receives failed asynchronous invocations, and API Gateway returns the error to the caller.',
    [SecureFunctionCaller.CLOUDFORMATION]: 'CloudFormation invokes this custom resource function and waits for its answer at the response URL: the function reports every outcome there itself, Lambda retries a crash, and CloudFormation fails the resource on timeout; a dead-letter queue would hold an event nobody can replay.',
    [SecureFunctionCaller.SCHEDULE]: 'An EventBridge schedule invokes this function with an event that carries no data: Lambda retries a failed run twice, then the next scheduled run redoes the work; a failed event holds nothing to replay, each failure shows in the function\'s Errors metric, and a dead-letter queue would only collect empty schedule ticks.',
  }[caller];
  const vpc = 'The function reaches only AWS public endpoints (DynamoDB, API Gateway, CloudFormation\'s S3 response URL, the issuer JWKS over HTTPS with TLS); it has no private resources to reach, and a VPC would add NAT cost and cold-start latency without reducing exposure. Access is bounded by its IAM policy.';
  Validations.of(fn).acknowledge(
    { id: 'Serverless-LambdaDLQ', reason: dlq },
    { id: 'NIST.800.53.R5-LambdaDLQ', reason: dlq },
    { id: 'HIPAA.Security-LambdaDLQ', reason: dlq },
    { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: vpc },
    { id: 'HIPAA.Security-LambdaInsideVPC', reason: vpc },
    { id: 'PCI.DSS.321-LambdaInsideVPC', reason: vpc },
    { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: vpc },
  );
  if (!hasReservedConcurrency) {
    const concurrency = {
      [SecureFunctionCaller.API_GATEWAY]: 'Concurrency is bounded upstream by the stage throttle, usage plans and WAF rate rules; reserving concurrency by default fails deployment in accounts with the default quota. Set the reserved-concurrency prop to reserve it.',
      [SecureFunctionCaller.CLOUDFORMATION]: 'CloudFormation invokes this function once per create or update of its stack; reserving concurrency for it would take capacity from the account and fails deployment in accounts with the default quota.',
      [SecureFunctionCaller.SCHEDULE]: 'Its schedule invokes this function once per interval, and a run ends within the interval; reserving concurrency for it would take capacity from the account and fails deployment in accounts with the default quota.',
    }[caller];
    Validations.of(fn).acknowledge(
      { id: 'NIST.800.53.R5-LambdaConcurrency', reason: concurrency },
      { id: 'HIPAA.Security-LambdaConcurrency', reason: concurrency },
    );
  }
}
