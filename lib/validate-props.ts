import { Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { validateCorsOrigins } from './cors';
import { validateCidrs, validateFirewallOptions } from './edge-firewall';
import { configError } from './errors';
import { SecureApiProps } from './secure-api-props';
import { UNREADABLE_CLAIM_NAMES } from './common/route-model';
import { checkThrottle } from './usage-plans';

/** API Gateway's limit on `minimumCompressionSize`. @see https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html */
const MAX_COMPRESSION_BYTES = 10_485_760;

/**
 * Checks the props of a SecureApi that can be checked on their own, before anything is created. Issuers are checked
 * by `resolveIssuers`, usage plans and clients where they are added, and what needs the whole route table at synth.
 * Unresolved tokens are skipped.
 */

export function validateProps(scope: IConstruct, props: SecureApiProps): void {
  const policy = props.securityPolicy;
  if (policy !== undefined && !policy.startsWith('SecurityPolicy_')) {
    throw configError(scope, `'securityPolicy' must be an enhanced policy such as 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09' (TLS 1.2 minimum, STRICT access mode) (got '${policy}')`);
  }
  if (policy !== undefined && isEdgePolicy(policy)) {
    throw configError(scope, `'securityPolicy' must be a policy for regional endpoints: '_EDGE' policies apply only to edge-optimized ones, and the SecureApi endpoint is regional (got '${policy}')`);
  }
  const domainPolicy = props.customDomain?.securityPolicy;
  if (domainPolicy === apigw.SecurityPolicy.TLS_1_0) {
    throw configError(scope, "'customDomain.securityPolicy' must allow TLS 1.2 at least (got 'TLS_1_0')");
  }
  if (domainPolicy !== undefined && isEdgePolicy(domainPolicy)) {
    throw configError(scope, `'customDomain.securityPolicy' must be a policy for regional domains: '_EDGE' policies apply only to edge-optimized ones, and the SecureApi domain is regional (got '${domainPolicy}')`);
  }
  const basePath = props.customDomain?.basePath;
  if (basePath !== undefined && !/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(basePath)) {
    throw configError(scope, `'customDomain.basePath' must be path segments of [A-Za-z0-9._~-] separated by '/', without a leading or trailing '/' (got '${basePath}')`);
  }
  validateTokenPolicy(scope, props);
  const ttl = props.authorizerCacheTtl;
  if (ttl && !ttl.isUnresolved() && ttl.toSeconds() > 3600) {
    throw configError(scope, `'authorizerCacheTtl' must be at most 3600 seconds (got ${ttl.toSeconds()})`);
  }
  if (props.throttle) {
    checkThrottle(scope, 'throttle', props.throttle);
  }
  if (props.cors) {
    validateCorsOrigins(scope, 'cors.allowOrigins', props.cors.allowOrigins);
  }
  const compression = props.minCompressionSize;
  if (compression && !compression.isUnresolved() && compression.toBytes() > MAX_COMPRESSION_BYTES) {
    throw configError(scope, `'minCompressionSize' must be at most 10 MiB (got ${compression.toBytes()} bytes)`);
  }
  validateCidrs(scope, 'ipAllowList', props.ipAllowList);
  validateFirewallOptions(scope, props.waf ?? {}, 'waf');
  if (props.apiKeyClaim !== undefined && props.apiKeySource !== apigw.ApiKeySourceType.AUTHORIZER) {
    throw configError(scope, "'apiKeyClaim' only applies with 'apiKeySource' AUTHORIZER");
  }
  const tableChoices = [
    props.table !== undefined && 'table',
    props.existingTable !== undefined && 'existingTable',
    props.withoutTable === true && 'withoutTable',
  ].filter(Boolean);
  if (tableChoices.length > 1) {
    throw configError(scope, `'table', 'existingTable' and 'withoutTable' exclude each other (got ${tableChoices.join(' and ')})`);
  }
  if (props.existingTableKey !== undefined && props.existingTable === undefined) {
    throw configError(scope, "'existingTableKey' needs 'existingTable'");
  }
  if (props.audit?.trail !== undefined && props.audit.existingTrailArn !== undefined) {
    throw configError(scope, "'audit.trail' and 'audit.existingTrailArn' exclude each other: record the API in a trail of this app, or rely on an existing one");
  }
}

/**
 * Whether a security policy is for edge-optimized endpoints and domains only (`SecurityPolicy_…_EDGE`).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies-list.html
 */
function isEdgePolicy(policy: string): boolean {
  return !Token.isUnresolved(policy) && policy.endsWith('_EDGE');
}

function validateTokenPolicy(scope: IConstruct, props: SecureApiProps): void {
  const tp = props.tokenPolicy ?? {};
  if (tp.clockSkew && !tp.clockSkew.isUnresolved() && tp.clockSkew.toSeconds() > 300) {
    throw configError(scope, `'tokenPolicy.clockSkew' must be at most 300 seconds (got ${tp.clockSkew.toSeconds()})`);
  }
  if (tp.maxTokenBytes !== undefined && (!Number.isInteger(tp.maxTokenBytes) || tp.maxTokenBytes < 1024 || tp.maxTokenBytes > 16384)) {
    throw configError(scope, `'tokenPolicy.maxTokenBytes' must be an integer from 1024 to 16384 (got ${tp.maxTokenBytes})`);
  }
  if (tp.maxTokenLifetime && tp.allowAnyTokenLifetime) {
    throw configError(scope, `'tokenPolicy.maxTokenLifetime' and 'tokenPolicy.allowAnyTokenLifetime' exclude each other (got maxTokenLifetime ${tp.maxTokenLifetime.toSeconds()} seconds)`);
  }
  if (tp.maxTokenLifetime && !tp.maxTokenLifetime.isUnresolved() && tp.maxTokenLifetime.toSeconds() < 60) {
    throw configError(scope, `'tokenPolicy.maxTokenLifetime' must be at least 60 seconds, or set 'allowAnyTokenLifetime' for no cap (got ${tp.maxTokenLifetime.toSeconds()})`);
  }
  if (tp.jwksTimeout && !tp.jwksTimeout.isUnresolved()
    && (tp.jwksTimeout.toMilliseconds() < 100 || tp.jwksTimeout.toMilliseconds() > 10000)) {
    throw configError(scope, `'tokenPolicy.jwksTimeout' must be from 100 ms to 10 s (got ${tp.jwksTimeout.toMilliseconds()} ms)`);
  }
  if (tp.jwksMaxAge && !tp.jwksMaxAge.isUnresolved()
    && (tp.jwksMaxAge.toSeconds() < 60 || tp.jwksMaxAge.toSeconds() > 86400)) {
    throw configError(scope, `'tokenPolicy.jwksMaxAge' must be from 1 minute to 24 hours (got ${tp.jwksMaxAge.toSeconds()} seconds)`);
  }
  if (tp.principalClaims !== undefined) {
    const names = tp.principalClaims;
    const bad = !Array.isArray(names) || names.length === 0 || names.length > 5 || new Set(names).size !== names.length
      || names.some((name) => typeof name !== 'string' || name.length === 0 || UNREADABLE_CLAIM_NAMES.includes(name));
    if (bad) {
      throw configError(scope, `'tokenPolicy.principalClaims' must list 1 to 5 distinct claim names, such as ['sub', 'client_id'] (got ${JSON.stringify(names)})`);
    }
  }
}
