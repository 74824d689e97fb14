/**
 * The deploy-time check a SecureApi runs when it does not manage API Gateway's account-wide CloudWatch Logs role
 * (`cloudWatchRole: false`, or the `@aws-cdk/aws-apigateway:disableCloudWatchRole` feature flag): a CloudFormation
 * custom resource that fails, before the stage is created, with a message that says what to do, instead of the stage
 * failing with "CloudWatch Logs role ARN must be set in account settings to enable logging".
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/crpg-ref-responses.html
 */
import { request } from 'node:https';

/** The fields of a CloudFormation custom resource request this function reads. */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
}

/** What the check answers CloudFormation. */
export interface CheckResult {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
}

/** Reads API Gateway's account settings (GetAccount). */
export type GetAccount = () => Promise<{ cloudwatchRoleArn?: string }>;

/** The physical id of the check: there is nothing to replace or delete. */
export const PHYSICAL_ID = 'secure-api-account-logging-check';

/** The answer when the account has no role: what failed, why it matters, and both ways to fix it. */
export const MISSING_ROLE_REASON = "SecureApi: API Gateway in this account and region has no CloudWatch Logs role (account setting 'cloudwatchRoleArn'), so the stage cannot deploy with execution and access logging. Set 'cloudWatchRole: true' on the SecureApi to have it create the role, or set the account's role: aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role ARN>";

/** Checks that API Gateway's account settings name a CloudWatch Logs role. Deleting the check checks nothing. */
export async function checkAccountLogging(requestType: CustomResourceEvent['RequestType'], getAccount: GetAccount): Promise<CheckResult> {
  if (requestType === 'Delete') return { status: 'SUCCESS', reason: 'Nothing to delete' };
  let roleArn: string | undefined;
  try {
    roleArn = (await getAccount()).cloudwatchRoleArn;
  } catch (e) {
    const name = e instanceof Error ? e.name : 'Error';
    return { status: 'FAILED', reason: `SecureApi: could not read API Gateway's account settings (apigateway:GET /account): ${name}` };
  }
  if (!roleArn) return { status: 'FAILED', reason: MISSING_ROLE_REASON };
  return { status: 'SUCCESS', reason: "API Gateway's account CloudWatch Logs role is set" };
}

/** The response document CloudFormation expects at the request's pre-signed URL. */
export function responseBody(event: CustomResourceEvent, result: CheckResult): string {
  return JSON.stringify({
    Status: result.status,
    Reason: result.reason,
    PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

/**
 * PUTs the response to the pre-signed S3 URL. The signature covers no content type, so none is sent. A failure
 * throws: Lambda retries the asynchronous invocation, and CloudFormation otherwise times the resource out.
 */
export function sendResponse(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode !== undefined && res.statusCode < 300
        ? resolve()
        : reject(new Error(`CloudFormation response URL answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A handler over the given GetAccount: check, log the outcome (no secrets involved), answer CloudFormation. */
export function createHandler(getAccount: GetAccount): (event: CustomResourceEvent) => Promise<void> {
  return async (event) => {
    const result = await checkAccountLogging(event.RequestType, getAccount);
    console.log(JSON.stringify({ message: 'account logging check', requestType: event.RequestType, status: result.status }));
    await sendResponse(event.ResponseURL, responseBody(event, result));
  };
}
