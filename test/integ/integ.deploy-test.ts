/**
 * The deploy test of the demo, for integ-runner: deploys a Cognito user pool, the demo stack trusting it and a probe
 * function into the account of the caller's credentials, runs the assertions, then destroys the stacks.
 * README, "Deploy test": how to run it, what it costs and what to clean up by hand.
 */
import { App } from 'aws-cdk-lib';
import { buildDeployTest, DEPLOY_TEST_CONTEXT } from './deploy-test';

buildDeployTest(new App({ context: DEPLOY_TEST_CONTEXT }));
