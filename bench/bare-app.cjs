// The floor of the synth benchmark: a bare CDK app in plain JavaScript with one empty stack. Like the demo app, it
// is run the way the CDK CLI runs an app (CDK_OUTDIR and CDK_CONTEXT_JSON in the environment).
const { App, Stack } = require('aws-cdk-lib');

const app = new App();
new Stack(app, 'Empty');
app.synth();
