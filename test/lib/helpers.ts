import { App, Errors, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureApi, SecureApiProps } from '../../lib';

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
  return { template: Template.fromStack(stack), api, stack };
}

/** The authorizer configuration the construct hands to the Lambda, parsed. */
export function authorizerConfig(template: Template): any {
  const [fn] = (Object.values(template.findResources('AWS::Lambda::Function')) as any[])
    .filter((f) => f.Properties.Environment?.Variables?.SECURE_API_AUTHORIZER_CONFIG !== undefined);
  const raw = fn.Properties.Environment.Variables.SECURE_API_AUTHORIZER_CONFIG;
  if (typeof raw === 'string') return JSON.parse(raw);
  // Tokens inside (API key ids) render as Fn::Join: stitch a placeholder in for each reference.
  const parts = raw['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN'));
  return JSON.parse(parts.join(''));
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
