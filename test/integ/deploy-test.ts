import { ExpectedResult, IApiCall, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Aspects, CfnResource, Duration, IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { DemoStack } from '../../demo/demo-stack';
import { IdentityProviderStack } from './identity-provider-stack';
import { ProbeStack } from './probe-stack';
import { ProbeEvent } from './probe/probe';

/** Stack names of the deploy test: the snapshot's file names, and what to look for when cleaning up by hand. */
export const DEPLOY_TEST_STACKS = {
  identity: 'SecureApiIntegIdentity',
  demo: 'SecureApiIntegDemo',
  probe: 'SecureApiIntegProbe',
  assertions: 'SecureApiIntegAssertions',
} as const;

/**
 * Context of the deploy test's app. Cross-stack references stay CloudFormation exports (CDK's default, said
 * explicitly to silence its warning): the stacks are created and deleted together, in dependency order.
 */
export const DEPLOY_TEST_CONTEXT = { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } as const;

/** The API client of the demo whose key the probe sends. */
const API_CLIENT = 'demo-web';
/** Name of the item the test creates, then expects in the list. */
const ITEM_NAME = 'deploy-test item';
/** Larger than the WAF body-size rule's default limit (16 KiB). */
const OVERSIZED_BODY_BYTES = 17 * 1024;

/** The deployed stacks and the test. */
export interface DeployTest {
  readonly identity: IdentityProviderStack;
  readonly demo: DemoStack;
  readonly probe: ProbeStack;
  readonly test: IntegTest;
}

/**
 * The deploy test of the demo: a Cognito user pool as token issuer, the demo stack trusting it (everything DESTROY
 * but the audit buckets), a probe function, and the assertions that run once all three are deployed.
 */
export function buildDeployTest(app: App): DeployTest {
  const identity = new IdentityProviderStack(app, DEPLOY_TEST_STACKS.identity);
  const demo = new DemoStack(app, DEPLOY_TEST_STACKS.demo, {
    cognito: {
      userPool: identity.userPool,
      clientIds: [identity.clients.reader.userPoolClientId, identity.clients.writer.userPoolClientId],
    },
    readScope: identity.readScope,
    writeScope: identity.writeScope,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // Audit logs are never deleted automatically (SecureApi's rule, DESTROY or not), and CloudFormation cannot delete
  // a bucket that holds objects: the trail's buckets stay behind, so that the stack itself deletes cleanly. They have
  // no Object Lock retention with DESTROY, so they can be emptied by hand (README, "Deploy test").
  const trail = demo.secureApi.auditTrail;
  if (trail) {
    trail.bucket.applyRemovalPolicy(RemovalPolicy.RETAIN);
    trail.accessLogsBucket.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
  const probe = new ProbeStack(app, DEPLOY_TEST_STACKS.probe, { identity, demo, apiClient: API_CLIENT });

  const assertionStack = new Stack(app, DEPLOY_TEST_STACKS.assertions);
  Aspects.of(assertionStack).add(new DisposableFunctionLogs());
  const test = new IntegTest(app, 'SecureApiDeployTest', {
    testCases: [identity, demo, probe],
    assertionStack,
    // The snapshot holds templates, not assets: there is no previous version to deploy first.
    stackUpdateWorkflow: false,
    diffAssets: false,
  });

  const call = (event: ProbeEvent, expected: object, totalTimeout: Duration, interval: Duration): IApiCall => {
    const invoke = test.assertions.invokeFunction({ functionName: probe.function.functionName, payload: JSON.stringify(event) });
    invoke.expect(ExpectedResult.objectLike({ Payload: Match.serializedJson(Match.objectLike(expected)) }));
    // Retries cover what settles after the deployment: the new Cognito domain, the WAF association.
    return invoke.waitForAssertions({ totalTimeout, interval });
  };
  // A waiter's total is its number of attempts times the interval; an attempt's own time comes on top.
  const settle = [Duration.minutes(3), Duration.seconds(15)] as const;

  // 1. No token: the authorizer never runs, API Gateway answers 401 (with a valid API key, so that is not the reason).
  const noToken = call({ action: 'request', method: 'GET', path: '/items', apiKey: true }, { status: 401 }, ...settle);
  // 2. A token with the read scope on a write route: the authorizer denies, 403. The first token request: a new
  // Cognito domain can take some minutes to resolve.
  const readScopeOnWrite = call({
    action: 'request', method: 'POST', path: '/items', token: 'reader', apiKey: true, body: { name: ITEM_NAME },
  }, { status: 403 }, Duration.minutes(10), Duration.seconds(20));
  // 3. A token with the write scope creates an item (201), 4. which that client then lists (200): items belong to
  // the token's subject, so the reader would see none.
  const create = call({
    action: 'request', method: 'POST', path: '/items', token: 'writer', apiKey: true, body: { name: ITEM_NAME },
  }, { status: 201, body: Match.objectLike({ name: ITEM_NAME }) }, ...settle);
  const list = call({ action: 'request', method: 'GET', path: '/items', token: 'writer', apiKey: true },
    { status: 200, body: Match.objectLike({ items: Match.arrayWith([Match.objectLike({ name: ITEM_NAME })]) }) }, ...settle);
  // 5. A body over the WAF limit, without a token: WAF's own 413 (API Gateway would have answered 401).
  const oversized = call({
    action: 'request', method: 'POST', path: '/items', bodyBytes: OVERSIZED_BODY_BYTES,
  }, { status: 413, body: { message: 'Request Entity Too Large' } }, Duration.minutes(5), Duration.seconds(15));
  // 6. Anonymous requests from one address at 40/s (below the stage throttle of 100/s, so a 429 can only be WAF's):
  // the per-IP rate-based rule (1000 per 5 minutes) engages within a minute or so of the limit being passed, and
  // every attempt adds to the count.
  // @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-caveats.html
  const burst = call({ action: 'burst', path: '/items', perSecond: 40, seconds: 75 },
    { limited: { status: 429, body: { message: 'Too Many Requests' } } }, Duration.minutes(5), Duration.seconds(30));

  // In order: the burst comes last, since it gets the probe's address blocked for a while.
  noToken.next(readScopeOnWrite).next(create).next(list).next(oversized).next(burst);
  return { identity, demo, probe, test };
}

/**
 * Gives the assertion providers' functions a log group that is deleted with the stack: left alone, Lambda creates
 * never-expiring groups that outlive the test.
 */
class DisposableFunctionLogs implements IAspect {
  public visit(node: IConstruct): void {
    // The providers are raw CfnResources of type AWS::Lambda::Function; the probe and the demo use lambda.Function.
    if (!(node instanceof CfnResource) || node instanceof lambda.CfnFunction || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    const scope = node.node.scope;
    if (!scope || scope.node.tryFindChild('Logs')) return;
    const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY });
    node.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
  }
}
