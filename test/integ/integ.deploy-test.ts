/**
 * The deploy test of the demo (integ-tests-alpha, in integ-runner's layout): a Cognito user pool, the demo stack
 * trusting it and a probe function, deployed into the account of the caller's credentials, then the assertions.
 * `npm run integ` deploys and destroys it; README, "Deploy test": what it costs and what to clean up by hand.
 */
import { App } from 'aws-cdk-lib';
import { buildDeployTest, DEPLOY_TEST_CONTEXT } from './deploy-test';

buildDeployTest(new App({ context: DEPLOY_TEST_CONTEXT }));
