// A consumer's CDK app in plain JavaScript, run by packed-package.test.ts from a throwaway project that installed
// only the packed tarball and the peer dependency floors: `require` resolves there, never to this repository.
// Usage: node consumer-app.cjs <outroot> <scenario>... Each scenario is an App of its own, synthesized into
// <outroot>/<scenario>, which also receives facts.json: what only the app can see (construct properties, a caught
// error), or `failed` with the error that stopped the scenario. All scenarios share one process because the first
// synthesis in a process costs several seconds of lazy loading, and each further one about a second.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { App, Errors, Stack } = require('aws-cdk-lib');
const apigw = require('aws-cdk-lib/aws-apigateway');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const lambda = require('aws-cdk-lib/aws-lambda');
const { AuditTrail, SecureApi } = require('secure-api');

const env = { account: '123456789012', region: 'eu-west-1' };

/** What a construction that should fail threw, as facts (the scenario is then not synthesized). */
function thrown(construct) {
  try {
    construct();
  } catch (e) {
    return {
      error: { isValidationError: Errors.isValidationError(e), message: e.message, constructPath: e.constructPath },
      synth: false,
    };
  }
  return { error: null, synth: false };
}

/** A trivial backend for a route. */
function backend(stack, id) {
  const fn = new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  });
  return new apigw.LambdaIntegration(fn);
}

/** The smallest secure call plus one scoped route, with extra props. */
function apiProps(stack, backendId, extra = {}) {
  return {
    issuer: 'https://login.example.com',
    audience: ['api://consumer'],
    routes: { 'GET /hello': { integration: backend(stack, backendId), scopes: ['hello:read'] } },
    ...extra,
  };
}

/** The consumer's own table, encrypted with its own customer-managed key. */
function consumerTable(stack) {
  const key = new kms.Key(stack, 'OrdersKey', { enableKeyRotation: true });
  const table = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
  });
  return { key, table };
}

/** Each scenario builds its stacks in `app` and returns the facts to record. */
const scenarios = {
  plain(app) {
    const stack = new Stack(app, 'Consumer', { env });
    const api = new SecureApi(stack, 'Api', apiProps(stack, 'Hello'));
    return { tablePath: api.table && api.table.node.path, hasTrail: api.auditTrail !== undefined };
  },

  'existing-table'(app) {
    const stack = new Stack(app, 'Consumer', { env });
    const { key, table } = consumerTable(stack);
    const api = new SecureApi(stack, 'Api', apiProps(stack, 'Hello', { existingTable: table, existingTableKey: key }));
    return { tableIsConsumers: api.table === table, tableKeyIsConsumers: api.tableKey === key };
  },

  'two-apis-one-stack'(app) {
    const stack = new Stack(app, 'Consumer', { env });
    const orders = new SecureApi(stack, 'Orders', apiProps(stack, 'OrdersBackend'));
    const billing = new SecureApi(stack, 'Billing', apiProps(stack, 'BillingBackend'));
    return { sameTrail: orders.auditTrail === billing.auditTrail, sameTrailArn: orders.trailArn === billing.trailArn };
  },

  'two-apis-two-stacks'(app) {
    const first = new Stack(app, 'First', { env });
    const second = new Stack(app, 'Second', { env });
    const firstApi = new SecureApi(first, 'Api', apiProps(first, 'Hello'));
    const secondApi = new SecureApi(second, 'Api', apiProps(second, 'Hello'));
    return {
      secondStageDependsOn: secondApi.api.deploymentStage.node.dependencies.map((d) => d.node.path),
      sameTrail: firstApi.auditTrail === secondApi.auditTrail,
    };
  },

  // The trail of the first API's stack cannot serve an API of another stack: that stack also holds the account
  // logging settings the second stage waits for, so the two stacks would depend on each other. A clear error.
  'trail-across-stacks'(app) {
    const first = new Stack(app, 'First', { env });
    const second = new Stack(app, 'Second', { env });
    const firstApi = new SecureApi(first, 'Api', apiProps(first, 'Hello'));
    return thrown(() => new SecureApi(second, 'Api', apiProps(second, 'Hello', { audit: { trail: firstApi.auditTrail } })));
  },

  'trail-in-audit-stack'(app) {
    const audit = new Stack(app, 'Audit', { env });
    const logKey = new kms.Key(audit, 'TrailLogKey', { enableKeyRotation: true });
    logKey.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${env.region}.amazonaws.com`));
    const trail = new AuditTrail(audit, 'Trail', { logKey });
    const first = new Stack(app, 'First', { env });
    const second = new Stack(app, 'Second', { env });
    const firstApi = new SecureApi(first, 'Api', apiProps(first, 'Hello', { audit: { trail } }));
    const secondApi = new SecureApi(second, 'Api', apiProps(second, 'Hello', { audit: { trail } }));
    return { bothUseTrail: firstApi.auditTrail === trail && secondApi.auditTrail === trail };
  },

  'without-table'(app) {
    const stack = new Stack(app, 'Consumer', { env });
    const api = new SecureApi(stack, 'Api', apiProps(stack, 'Hello', { withoutTable: true }));
    return { hasTable: api.table !== undefined, hasTableKey: api.tableKey !== undefined };
  },

  'invalid-prop'(app) {
    const stack = new Stack(app, 'Consumer', { env });
    const { table } = consumerTable(stack);
    return thrown(() => new SecureApi(stack, 'Api', apiProps(stack, 'Hello', { existingTable: table, withoutTable: true })));
  },
};

const [outroot, ...names] = process.argv.slice(2);
const unknown = names.filter((name) => !Object.hasOwn(scenarios, name));
if (!outroot || names.length === 0 || unknown.length > 0) {
  console.error(`usage: node consumer-app.cjs <outroot> <${Object.keys(scenarios).join('|')}>...`);
  process.exit(2);
}
for (const name of names) {
  const outdir = path.join(outroot, name);
  let facts;
  try {
    const app = new App({ outdir });
    const { synth = true, ...recorded } = scenarios[name](app);
    if (synth) app.synth();
    facts = recorded;
  } catch (e) {
    // Reported, not fatal: the other scenarios still run, and the test names this one's error.
    facts = { failed: `${e.name}: ${e.message}` };
  }
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, 'facts.json'), JSON.stringify(facts, null, 2));
}
