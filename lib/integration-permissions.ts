import { CfnElement, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * Lambda's limit on a function's resource-based policy (not adjustable).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 * @see https://repost.aws/knowledge-center/lambda-resource-based-policy-size-error
 */
const FUNCTION_POLICY_LIMIT_BYTES = 20480;

/**
 * A low estimate of one API Gateway permission statement as Lambda stores it: its fixed JSON is about 200 bytes, and
 * the statement id CloudFormation generates, the function ARN and the execute-api source ARN add some 250 more.
 */
const PERMISSION_STATEMENT_BYTES = 400;

/**
 * Functions of the stack whose API Gateway permissions cannot fit in Lambda's 20 KB resource-based policy: with
 * `scopePermissionToMethod` (the default), `LambdaIntegration` adds two statements per method (the stage and the
 * console's test invoke), so a function behind about 25 routes fails to deploy ("The final policy size is bigger
 * than the limit") although it synthesizes.
 * @see https://github.com/aws/aws-cdk/issues/5774
 * @returns one message per such function.
 */
export function oversizedFunctionPolicies(scope: IConstruct): string[] {
  const stack = Stack.of(scope);
  const byFunction = new Map<string, number>();
  for (const resolved of apiGatewayInvokedFunctions(stack)) {
    // A function of this stack is referenced by logical id; any other by its name or ARN.
    const name = resolved?.['Fn::GetAtt']?.[0] ?? resolved?.Ref ?? JSON.stringify(resolved);
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (const [fn, count] of byFunction) {
    const bytes = count * PERMISSION_STATEMENT_BYTES;
    if (bytes <= FUNCTION_POLICY_LIMIT_BYTES) continue;
    problems.push(`function '${fn}' gets ${count} API Gateway invoke permissions (at least ${Math.round(bytes / 1024)} KB), `
      + `over Lambda's ${FUNCTION_POLICY_LIMIT_BYTES / 1024} KB resource-based policy limit, so the stack would fail to deploy: `
      + 'create the integrations it serves with `new apigw.LambdaIntegration(fn, { scopePermissionToMethod: false })`, '
      + 'which permits this API once instead of twice per method');
  }
  return problems;
}

/**
 * The Lambda functions of the API's stack that its methods invoke: those its `LambdaIntegration`s gave API Gateway
 * permission to call (per method, or API-wide with `scopePermissionToMethod: false`). A function of another stack is
 * referenced by an import, not a logical id, and is not found.
 */
export function integrationFunctions(api: apigw.RestApi): lambda.IFunction[] {
  const stack = Stack.of(api);
  const invoked = new Set<string>();
  for (const resolved of apiGatewayInvokedFunctions(api)) {
    const logicalId = resolved?.['Fn::GetAtt']?.[0];
    if (typeof logicalId === 'string') invoked.add(logicalId);
  }
  if (invoked.size === 0) return [];
  return stack.node.findAll().filter((node): node is lambda.Function => node instanceof lambda.Function
    && Stack.of(node) === stack && invoked.has(stack.getLogicalId(node.node.defaultChild as CfnElement)));
}

/** The function of every permission under `scope` that lets API Gateway invoke it, as its stack renders it. */
function* apiGatewayInvokedFunctions(scope: IConstruct): Generator<any> {
  const stack = Stack.of(scope);
  for (const node of scope.node.findAll()) {
    if (node instanceof lambda.CfnPermission && node.principal === 'apigateway.amazonaws.com') yield stack.resolve(node.functionName);
  }
}
