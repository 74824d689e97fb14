import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SecureApi, SecureFunction } from '../lib';
import { createItemSchema, updateItemSchema } from './lambda/items/schemas';

/** Properties of an {@link ItemsService}. */
export interface ItemsServiceProps {
  /** The SecureApi whose table stores the items and whose routes serve them. */
  readonly api: SecureApi;
  /** Scope needed to read items. @default 'items:read' */
  readonly readScope?: string;
  /** Scope needed to create, change and delete items. @default 'items:write' */
  readonly writeScope?: string;
  /** Memory of the function, MiB. @default 512 */
  readonly memorySize?: number;
  /** Timeout of the function. @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Reserved concurrency. @default - none */
  readonly reservedConcurrentExecutions?: number;
  /** Removal policy of the function's log group. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Log retention. @default RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The demo's owner-scoped items service: `GET/POST /items` and `GET/PUT/DELETE /items/{id}` on the SecureApi
 * table, reads behind `items:read` and writes behind `items:write`. Each caller only ever sees its own items: the
 * function derives the partition key from the verified issuer, tenant and principal the authorizer passes, never
 * from the request.
 */
export class ItemsService extends Construct {
  /** The items function. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: ItemsServiceProps) {
    super(scope, id);
    const { table, tableKey } = props.api;
    if (!table || !tableKey) {
      throw new Error(`ItemsService at '${this.node.path}': the SecureApi needs a table with a known customer-managed key (not 'withoutTable')`);
    }
    const fn = new SecureFunction(this, 'Handler', {
      code: itemsCode(),
      description: 'SecureApi demo: owner-scoped items service',
      serviceName: 'secure-api-items',
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logKey: props.api.logKey,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      logRemovalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      // The API's CORS origins: a proxy integration sends the CORS headers itself.
      environment: { TABLE_NAME: table.tableName, ...props.api.corsEnvironment },
    });
    this.function = fn.function;
    grantItemAccess(fn, table, tableKey);

    // No test-invoke permission: the console's test button is not a way into production data.
    const integration = new apigw.LambdaIntegration(this.function, { proxy: true, allowTestInvoke: false });
    const read = { scopes: [props.readScope ?? 'items:read'] };
    const write = { scopes: [props.writeScope ?? 'items:write'] };
    const listQuery = { limit: false, cursor: false };
    props.api.addRoute('GET /items', { integration, ...read, queryParameters: listQuery });
    props.api.addRoute('POST /items', { integration, ...write, requestSchema: toApiGatewaySchema(createItemSchema) });
    props.api.addRoute('GET /items/{id}', { integration, ...read });
    props.api.addRoute('PUT /items/{id}', { integration, ...write, requestSchema: toApiGatewaySchema(updateItemSchema) });
    props.api.addRoute('DELETE /items/{id}', { integration, ...write });
  }
}

/** The items bundle, built by `npm run build` into `demo/assets/items` (not part of the published package). */
function itemsCode(): lambda.Code {
  const dir = path.join(__dirname, 'assets', 'items');
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`the items Lambda bundle is missing at ${dir}: run 'npm run build' first`);
  }
  return lambda.Code.fromAsset(dir);
}

/** Exactly the item operations the handler performs, on the table only, and the key uses DynamoDB makes for them. */
function grantItemAccess(fn: SecureFunction, table: dynamodb.ITable, key: kms.IKey): void {
  fn.addToPolicy(new iam.PolicyStatement({
    sid: 'ItemOperationsOnTheTable',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    resources: [table.tableArn],
  }));
  fn.addToPolicy(new iam.PolicyStatement({
    sid: 'TableKeyThroughDynamoDB',
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
  }));
}

/** The handler's draft-04 schema objects use API Gateway's keywords; only `$schema` is spelled differently. */
function toApiGatewaySchema(schema: object): apigw.JsonSchema {
  const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
  return { schema: apigw.JsonSchemaVersion.DRAFT4, ...rest } as apigw.JsonSchema;
}
