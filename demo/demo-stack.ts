import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { SecureApi } from '../lib';
import { ItemsService } from './items-service';

/** Settings of the demo stack, read from CDK context by `bin/app.ts`. */
export interface DemoStackProps extends StackProps {
  /** Token issuer (`iss`). */
  readonly issuer: string;
  /** Accepted audiences. */
  readonly audience: string[];
  /** JWKS URL. @default - `${issuer}/.well-known/jwks.json` */
  readonly jwksUri?: string;
  /** Where API Gateway reads API keys. @default HEADER */
  readonly apiKeySource?: apigw.ApiKeySourceType;
  /** Removal policy of stateful resources. @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Source CIDRs allowed to call the API. @default - every source */
  readonly ipAllowList?: string[];
  /** Origins of browser pages that may call the API (CORS). @default - no CORS */
  readonly corsOrigins?: string[];
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
      apiKeySource: props.apiKeySource,
      ipAllowList: props.ipAllowList,
      cors: props.corsOrigins?.length ? { allowOrigins: props.corsOrigins } : undefined,
      removalPolicy,
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
    this.items = new ItemsService(this, 'Items', { api: this.secureApi, logRemovalPolicy: removalPolicy });
  }
}
