import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AspectPriority, Aspects, Duration, IAspect, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import {
  AUTHORIZER_CONFIG_FILE, AUTHORIZER_CONFIG_FILE_ENV, AUTHORIZER_CONFIG_LAYER_PATH, AUTHORIZER_CONFIG_REFS_ENV,
  AuthorizerConfig, CONFIG_REFERENCE_PREFIX,
} from './common/authorizer-config';
import { configError } from './errors';
import { bundledCode, SecureFunction } from './secure-function';

/**
 * Most deploy-time values the configuration may carry: each renders as a string of at most about 60 characters (an
 * API key id has 10), and Lambda allows 4 KB for all environment variables of a function together.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
const MAX_CONFIG_REFERENCES = 50;

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
  private configLayer?: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);
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
      environment: { [AUTHORIZER_CONFIG_FILE_ENV]: AUTHORIZER_CONFIG_FILE },
    });
    this.secureFunction = fn;
    this.resultsCacheTtl = props.resultsCacheTtl;
    this.function = fn.function;
    this.logGroup = fn.logGroup;

    Validations.of(this.function).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
      reason: "API Gateway's permission to invoke the authorizer sets SourceArn to this API's authorizer ARN and SourceAccount to this account; the rule only recognises literal strings, and both are CloudFormation references here.",
    });

    // The configuration (every route and issuer) is only complete once the app has declared its routes, and can be far
    // larger than Lambda's 4 KB of environment variables: it ships as a file in a layer of its own, written when the
    // app is synthesized. A changed configuration is a new layer version, hence a new function version.
    Aspects.of(this).add(new AttachConfigLayer(this, props.config), { priority: AspectPriority.MUTATING });
  }

  /**
   * Writes the configuration file and attaches the layer that carries it (once; synthesis calls it after every route
   * is declared).
   * @internal
   */
  public _attachConfigLayer(config: AuthorizerConfig): void {
    if (this.configLayer !== undefined) return;
    // Deploy-time values (API key ids, a user pool's id) cannot be written into a file at synth: the file marks where
    // each goes, and the values travel in one small environment variable that CloudFormation fills in.
    const references: string[] = [];
    const indexes = new Map<string, number>();
    const json = JSON.stringify(config, (_key, value: unknown) => {
      if (typeof value !== 'string' || !Token.isUnresolved(value)) return value;
      let index = indexes.get(value);
      if (index === undefined) {
        index = references.push(value) - 1;
        indexes.set(value, index);
      }
      return `${CONFIG_REFERENCE_PREFIX}${index}`;
    });
    if (references.length > MAX_CONFIG_REFERENCES) {
      throw configError(this, `the authorizer configuration needs ${references.length} deploy-time values (API key ids of clients with the AUTHORIZER key source, user pool ids), more than the ${MAX_CONFIG_REFERENCES} that fit in Lambda's 4 KB of environment variables: use fewer clients per SecureApi, or the HEADER key source`);
    }
    if (references.length > 0) this.function.addEnvironment(AUTHORIZER_CONFIG_REFS_ENV, Stack.of(this).toJsonString(references));
    this.configLayer = new lambda.LayerVersion(this, 'Config', {
      code: lambda.Code.fromAsset(configLayerDirectory(json)),
      compatibleRuntimes: [this.function.runtime],
      compatibleArchitectures: [this.function.architecture],
      description: 'SecureApi authorizer configuration: routes, access rules and issuers',
    });
    this.function.addLayers(this.configLayer);
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

/** Creates the configuration layer of one authorizer when the aspects of its app run, after every route is declared. */
class AttachConfigLayer implements IAspect {
  constructor(private readonly authorizer: JwtAuthorizer, private readonly config: () => AuthorizerConfig) {}

  public visit(node: IConstruct): void {
    if (node === this.authorizer) this.authorizer._attachConfigLayer(this.config());
  }
}

/**
 * A directory holding the configuration at the layer path (`/opt/` + {@link AUTHORIZER_CONFIG_LAYER_PATH} once
 * deployed), named by the content's hash so that identical configurations share one directory.
 */
function configLayerDirectory(json: string): string {
  const hash = createHash('sha256').update(json).digest('hex').slice(0, 32);
  const dir = path.join(os.tmpdir(), `secure-api-authorizer-config-${hash}`);
  const file = path.join(dir, AUTHORIZER_CONFIG_LAYER_PATH);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== json) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, json);
  }
  return dir;
}
