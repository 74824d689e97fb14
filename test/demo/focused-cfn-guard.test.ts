/**
 * The focused cfn-guard plugin reports exactly what CfnGuardValidator with every Control Tower rule reports, on the
 * demo and on templates that break rules, while giving cfn-guard only the rule files that can apply.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, IPolicyValidationContextBeta1, Stack, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DemoStack } from '../../demo/demo-stack';
import { FocusedCfnGuardValidator } from '../../demo/focused-cfn-guard';

/** Synthesizes stacks without any plugin and returns the validation context a plugin would get. */
function templates(build: (app: App) => Stack[]): IPolicyValidationContextBeta1 {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-guard-')) });
  const stacks = build(app);
  const assembly = app.synth();
  const templatePaths = stacks.map((stack) => path.join(assembly.directory, assembly.getStackByName(stack.stackName).templateFile));
  return { templatePaths, appConstruct: app };
}

/** The violations of a report, comparable: rule, resource and the fix, sorted. */
function findings(report: ReturnType<CfnGuardValidator['validate']>): string[] {
  return report.violations.flatMap((v) => v.violatingResources.map((r) =>
    `${v.ruleName} ${r.templatePath.split(path.sep).pop()} ${r.resourceLogicalId} ${r.locations.join(',')}`)).sort();
}

function insecure(app: App): Stack {
  const stack = new Stack(app, 'Insecure');
  new s3.CfnBucket(stack, 'Bucket');
  new dynamodb.CfnTable(stack, 'Table', { keySchema: [{ attributeName: 'pk', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST' });
  new sqs.CfnQueue(stack, 'Queue');
  new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
  return stack;
}

describe('FocusedCfnGuardValidator', () => {
  const full = new CfnGuardValidator();
  const focused = new FocusedCfnGuardValidator();

  test('keeps the name acknowledgments are written against', () => {
    expect(focused.name).toBe(full.name);
    expect(focused.name).toBe('cdk-validator-cfnguard');
  });

  test.each([
    ['the demo', (app: App) => [new DemoStack(app, 'SecureApiDemo', { issuer: 'https://issuer.example.com', audience: ['demo'] })]],
    ['resources that break rules', (app: App) => [insecure(app)]],
    ['both at once', (app: App) => [new DemoStack(app, 'SecureApiDemo', { issuer: 'https://issuer.example.com', audience: ['demo'] }), insecure(app)]],
  ])('reports the same findings as every Control Tower rule for %s', (_name, build) => {
    const context = templates(build);
    const expected = full.validate(context);
    const actual = focused.validate(context);
    expect(findings(actual)).toEqual(findings(expected));
    expect(actual.success).toBe(expected.success);
    // Not an empty comparison: the demo has acknowledged findings, the insecure stack unacknowledged ones.
    expect(findings(expected).length).toBeGreaterThan(0);
  });

  test('fails synth on an unacknowledged finding even when another finding of the pack is acknowledged', () => {
    const synthWith = (acknowledgeAll: boolean) => {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-guard-ack-')) });
      const stack = new Stack(app, 'Partly');
      const acknowledged = new sqs.Queue(stack, 'Acknowledged', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
      const other = new sqs.Queue(stack, 'Other', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
      const reason = 'test: a queue without a dead-letter queue, acknowledged';
      Validations.of(acknowledged).acknowledge({ id: 'cdk-validator-cfnguard::sqs_dlq_check', reason });
      if (acknowledgeAll) Validations.of(other).acknowledge({ id: 'cdk-validator-cfnguard::sqs_dlq_check', reason });
      Validations.of(app).addPlugins(new FocusedCfnGuardValidator());
      return () => app.synth();
    };
    // Without a severity on cfn-guard's findings, CDK let the second queue's finding pass once the first was acknowledged.
    expect(synthWith(false)).toThrow(/Partly\/Other\/Resource .*\n.*\n.*Acknowledge with 'cdk-validator-cfnguard::sqs_dlq_check'/);
    expect(synthWith(true)).not.toThrow();
  });

  test('runs nothing for a template whose resource types no rule names', () => {
    const context = templates((app) => {
      const stack = new Stack(app, 'Empty');
      new sqs.CfnQueuePolicy(stack, 'Policy', { queues: ['q'], policyDocument: {} });
      return [stack];
    });
    expect(focused.validate(context)).toEqual({ success: true, violations: [] });
  });
});
