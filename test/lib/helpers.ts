import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Errors, Stack, Stage } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureApi, SecureApiProps } from '../../lib';
import { CONFIG_REFERENCE_PREFIX } from '../../lib/common/authorizer-config';

/** A stack in a fixed environment, so ARNs and region-specific principals render as plain strings. */
export function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** A trivial backend for routes under test. */
export function backend(stack: Stack): apigw.LambdaIntegration {
  const fn = new lambda.Function(stack, 'Backend', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  });
  return new apigw.LambdaIntegration(fn);
}

/** The smallest secure call plus one GET route. */
export const MINIMAL: SecureApiProps = { issuer: 'https://issuer.example.com', audience: ['api://demo'] };

/**
 * Builds a SecureApi from the minimal props, one read route and the given overrides, and returns its template.
 * `props` may be a function of a ready Lambda integration, for routes.
 */
export function synth(props: Partial<SecureApiProps> | ((integration: apigw.Integration) => Partial<SecureApiProps>) = {},
  configure?: (api: SecureApi, stack: Stack, integration: apigw.Integration) => void):
  { template: Template; api: SecureApi; stack: Stack } {
  const stack = newStack();
  const integration = backend(stack);
  const overrides = typeof props === 'function' ? props(integration) : props;
  const api = new SecureApi(stack, 'Api', {
    ...MINIMAL,
    routes: { 'GET /things': { integration, scopes: ['things:read'] } },
    ...overrides,
  } as SecureApiProps);
  configure?.(api, stack, integration);
  const template = Template.fromStack(stack);
  stacks.set(template, stack);
  return { template, api, stack };
}

/** The stack each template of {@link synth} was synthesized from. */
const stacks = new WeakMap<Template, Stack>();

/**
 * What the construct hands the authorizer, as the deployed function would see it: the configuration file of its
 * configuration layer (in the synthesized cloud assembly) and the deploy-time values of its environment, each
 * CloudFormation reference in them rendered by `render`.
 */
export function deployedAuthorizerConfig(stack: Stack, render: (reference: unknown) => string = () => 'TOKEN'):
{ file: string; references?: string } {
  const template = Template.fromStack(stack);
  const [fn] = (Object.values(template.findResources('AWS::Lambda::Function')) as any[])
    .filter((f) => f.Properties.Environment?.Variables?.SECURE_API_AUTHORIZER_CONFIG_FILE !== undefined);
  const layers = template.findResources('AWS::Lambda::LayerVersion') as Record<string, any>;
  const layer = (fn.Properties.Layers as Array<{ Ref: string }>).map(({ Ref }) => layers[Ref]).find((l) => l !== undefined);
  const outdir = Stage.of(stack)!.outdir;
  // The layer's asset, staged in the assembly as asset.<hash> (its S3 key is <hash>.zip).
  const file = path.join(outdir, `asset.${layer.Properties.Content.S3Key.replace(/\.zip$/, '')}`, 'secure-api', 'authorizer-config.json');
  const raw = fn.Properties.Environment.Variables.SECURE_API_AUTHORIZER_CONFIG_REFS;
  if (raw === undefined) return { file };
  const references = typeof raw === 'string' ? raw
    : raw['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : render(part))).join('');
  return { file, references };
}

/** The authorizer configuration the construct hands to the Lambda, parsed (references render as `TOKEN`). */
export function authorizerConfig(template: Template, stack?: Stack): any {
  const source = stack ?? stacks.get(template);
  if (source === undefined) throw new Error('authorizerConfig: pass the stack of a template that synth() did not make');
  const { file, references } = deployedAuthorizerConfig(source);
  const values: string[] = references === undefined ? [] : JSON.parse(references);
  return JSON.parse(fs.readFileSync(file, 'utf8'), (_key, value) => (typeof value === 'string' && value.startsWith(CONFIG_REFERENCE_PREFIX)
    ? values[Number(value.slice(CONFIG_REFERENCE_PREFIX.length))] : value));
}

/** The error `run` throws, which must be CDK's ValidationError (as every SecureApi configuration error is). */
export function validationErrorOf(run: () => unknown): Error & { constructPath?: string } {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(Errors.isValidationError(error)).toBe(true);
  return error as Error & { constructPath?: string };
}
