import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { CognitoIssuerOptions, SecureApi } from '../lib';
import { ItemsService } from './items-service';

/** Settings of the demo stack, read from CDK context by `bin/app.ts`. */
export interface DemoStackProps extends StackProps {
  /** Token issuer (`iss`). @default - none; then `cognito` is required */
  readonly issuer?: string;
  /** Accepted audiences of `issuer`. @default - none; required with `issuer` */
  readonly audience?: string[];
  /** JWKS URL. @default - `${issuer}/.well-known/jwks.json` */
  readonly jwksUri?: string;
  /** Where API Gateway reads API keys. @default HEADER */
  readonly apiKeySource?: apigw.ApiKeySourceType;
  /** Removal policy of stateful resources. @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Source CIDRs allowed to call the API. @default - every source */
  readonly ipAllowList?: string[];
  /** A Cognito user pool as token issuer, instead of or besides `issuer`. @default - none */
  readonly cognito?: CognitoIssuerOptions;
  /** Scope needed to read items (Cognito scopes are `<resource server>/<scope>`). @default 'items:read' */
  readonly readScope?: string;
  /** Scope needed to create, change and delete items. @default 'items:write' */
  readonly writeScope?: string;
  /** Origins of browser pages that may call the API (CORS). @default - no CORS */
  readonly corsOrigins?: string[];
  /** Email addresses subscribed to the alarms and change alerts. @default - none */
  readonly alarmEmails?: string[];
}

/** The demo: a SecureApi in front of the owner-scoped items service, with two API clients in two plans. */
export class DemoStack extends Stack {
  /** The API. */
  public readonly secureApi: SecureApi;
  /** The items service. */
  public readonly items: ItemsService;

  constructor(scope: Construct, id: string, props: DemoStackProps) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.secureApi = new SecureApi(this, 'SecureApi', {
      issuer: props.issuer,
      audience: props.audience,
      jwksUri: props.jwksUri,
      cognito: props.cognito,
      apiKeySource: props.apiKeySource,
      ipAllowList: props.ipAllowList,
      cors: props.corsOrigins?.length ? { allowOrigins: props.corsOrigins } : undefined,
      monitoring: { alarmEmails: props.alarmEmails },
      removalPolicy,
      // The demo deploys to a fresh account, which has no API Gateway logging role yet: set it whatever the app's
      // feature flags say (cdk init apps set @aws-cdk/aws-apigateway:disableCloudWatchRole), or the stage fails to
      // deploy with logging. https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
      cloudWatchRole: true,
      table: { removalPolicy },
      usagePlans: {
        standard: {
          throttle: { rateLimit: 50, burstLimit: 100 },
          quota: { limit: 10_000, period: apigw.Period.DAY },
          routeThrottles: { 'POST /items': { rateLimit: 10, burstLimit: 20 } },
        },
        partner: {
          throttle: { rateLimit: 200, burstLimit: 400 },
          quota: { limit: 1_000_000, period: apigw.Period.MONTH },
        },
      },
      clients: {
        'demo-web': { plan: 'standard' },
        'demo-partner': { plan: 'partner' },
      },
    });
    this.items = new ItemsService(this, 'Items', {
      api: this.secureApi,
      readScope: props.readScope,
      writeScope: props.writeScope,
      logRemovalPolicy: removalPolicy,
    });
  }
}
