// The floor of the synth benchmark: a bare CDK app in plain JavaScript with one stack holding one resource that
// has no properties (CloudFormation rejects a template without resources, and with cdk.json's recommended flags
// aws-cdk-lib's built-in validation fails synth on it). Like the demo app, it is run the way the CDK CLI runs an app
// (CDK_OUTDIR and CDK_CONTEXT_JSON in the environment).
const { App, CfnWaitConditionHandle, Stack } = require('aws-cdk-lib');

const app = new App();
new CfnWaitConditionHandle(new Stack(app, 'Empty'), 'Nothing');
app.synth();
