/**
 * The startup banner of the local run: where everything is, the routes with who may call them, the API keys, and
 * which controls are enforced locally and which only exist in AWS.
 */
import { AUTHORIZER_CONFIG_FILE_ENV, AUTHORIZER_CONFIG_REFS_ENV, AuthorizerConfig } from '../lib/common/authorizer-config';
import { AccessRule, describeClaim, RouteEntry } from '../lib/common/route-model';
import { readAuthorizerConfig } from '../lambda/authorizer/config';
import { allMethods, LocalApiModel } from './api-model';
import { optPath } from './lambda-functions';
import type { KeyWithValue } from './gateway';
import type { CfnTemplate } from './intrinsics';

/** Everything the banner shows. */
export interface BannerInput {
  readonly model: LocalApiModel;
  readonly template: CfnTemplate;
  readonly url: string;
  /** The local run's security counters (JSON). */
  readonly securityUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly dynamoEndpoint: string;
  /** Undefined for an in-memory run. */
  readonly dataDir?: string;
  readonly keys: ReadonlyArray<KeyWithValue & { client: string; plan: string }>;
  readonly quotaOverride?: number;
  readonly warnings: readonly string[];
  /** For an in-memory run (whose signing key `npm run token` cannot reach): a token to try the API with. */
  readonly sampleToken?: string;
  /** Whether the data directory is the default one (otherwise `npm run token` needs `--data-dir`). */
  readonly defaultDataDir: boolean;
}

/**
 * The configuration of the API's SecureApi authorizers, as each reads it: the file of its configuration layer, with
 * the deploy-time values of its environment (API key ids) in place.
 */
function authorizerConfigs(model: LocalApiModel): AuthorizerConfig[] {
  const configs: AuthorizerConfig[] = [];
  for (const authorizer of model.authorizers.values()) {
    const fn = model.functions.get(authorizer.functionLogicalId);
    const file = fn?.environment[AUTHORIZER_CONFIG_FILE_ENV];
    if (fn === undefined || file === undefined) continue;
    try {
      configs.push(readAuthorizerConfig(optPath(fn, file), fn.environment[AUTHORIZER_CONFIG_REFS_ENV]));
    } catch {
      // Not a SecureApi authorizer: its routes are listed without rules.
    }
  }
  return configs;
}

function describeAccess(rule: AccessRule): string {
  const parts: string[] = [];
  if (rule.scopes?.length) parts.push(`scopes: ${rule.scopes.join(rule.scopeMatch === 'any' ? ' | ' : ' ')}`);
  for (const { claim, ...condition } of rule.claims ?? []) {
    parts.push(`claim ${describeClaim(claim)} ${Object.entries(condition).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(' ')}`);
  }
  return parts.join('; ');
}

function describeRule(rule: RouteEntry | undefined, authorizationType: string): string {
  if (authorizationType === 'NONE') return 'public (no authorizer)';
  if (rule === undefined) return authorizationType === 'CUSTOM' ? 'Lambda authorizer' : authorizationType;
  if (rule.public) return 'public';
  return rule.anyOf ? rule.anyOf.map((alternative) => `(${describeAccess(alternative)})`).join(' or ') : describeAccess(rule);
}

function throttleText(t: { rateLimit: number; burstLimit: number } | undefined): string {
  return t === undefined ? 'no throttle' : `${t.rateLimit} rps, burst ${t.burstLimit}`;
}

/** Controls that exist only in AWS, from the template's resources and settings. */
function awsOnlyControls(model: LocalApiModel, template: CfnTemplate): string[] {
  const out: string[] = [];
  const types = model.awsOnly;
  const has = (prefix: string) => [...types.keys()].some((t) => t.startsWith(prefix));
  if (has('AWS::WAFv2::')) out.push('WAF (IP and caller rate rules, body size limit, managed rule groups; rules on request headers alone, such as the CORS Origin rule, run locally)');
  const api = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGateway::RestApi');
  const policy = api?.Properties?.SecurityPolicy;
  out.push(`TLS security policy${typeof policy === 'string' ? ` (${policy})` : ''}: the local API is plain HTTP`);
  if (has('AWS::KMS::')) out.push('KMS encryption of the table and logs');
  if (has('AWS::CloudTrail::')) out.push('CloudTrail (management and table data events)');
  out.push('X-Ray tracing', 'CloudWatch access, execution and function logs (function logs print here instead)');
  if (model.hasResourcePolicy) out.push('the API resource policy (IP allow-list)');
  return out;
}

/** The banner text. */
export function renderBanner(input: BannerInput): string {
  const { model } = input;
  const configs = authorizerConfigs(model);
  const rules = configs.flatMap((c) => c.routes ?? []);
  const lines: string[] = [];
  lines.push('', `secure-api local run: ${model.stackName}, stage ${model.stageName}`, '');
  lines.push(`  API       ${input.url}`);
  lines.push(`  Issuer    ${input.issuer}  (audience ${input.audience}; discovery ${input.issuer}/.well-known/openid-configuration)`);
  lines.push(`  DynamoDB  ${input.dynamoEndpoint}  (dynalite; table ${model.tables.map((t) => t.tableName).join(', ')})`);
  lines.push(`  Data      ${input.dataDir === undefined ? 'in memory: nothing is kept after Ctrl-C' : `${input.dataDir} (kept across restarts)`}`);
  lines.push(`  Security  ${input.securityUrl}  (JSON: authorizer refusals by reason, WAF blocks by rule, 429s, the`);
  lines.push('            template\'s metric filters; a "security:" line prints here when a refusal count changes)');
  lines.push('', '  Routes');
  for (const method of allMethods(model.root)) {
    const rule = rules.find((r) => r.method === method.httpMethod && r.path === method.resourcePath);
    const extras = [
      method.apiKeyRequired ? 'API key' : undefined,
      Object.keys(method.requestModels).length > 0 && method.validateBody ? 'body model' : undefined,
    ].filter(Boolean).join(', ');
    lines.push(`    ${method.httpMethod.padEnd(7)} ${method.resourcePath.padEnd(16)} ${describeRule(rule, method.authorizationType)}${extras ? `  [${extras}]` : ''}`);
  }
  if (input.keys.length > 0) {
    lines.push('', `  API keys (${model.apiKeySource === 'HEADER' ? 'send as the x-api-key header' : 'chosen by the authorizer from the token\'s client claim'})`);
    for (const { client, plan, value, key } of input.keys) {
      const usagePlan = key.planIds.map((id) => model.usagePlans.get(id)).find((p) => p !== undefined);
      const quota = usagePlan?.quota === undefined ? 'no quota'
        : `quota ${input.quotaOverride ?? usagePlan.quota.limit}/${usagePlan.quota.period}${input.quotaOverride !== undefined ? ' (override)' : ''}`;
      const routes = Object.entries(usagePlan?.methodThrottles ?? {})
        .map(([k, t]) => `${k.slice(k.lastIndexOf('/') + 1)} ${k.slice(0, k.lastIndexOf('/'))} ${throttleText(t)}`);
      lines.push(`    ${client.padEnd(14)} ${value}`);
      lines.push(`    ${''.padEnd(14)} plan ${plan}: ${[throttleText(usagePlan?.throttle), quota, ...routes].join('; ')}`);
    }
  }
  lines.push('', '  Enforced locally: routes (unknown routes 404), API keys, usage plan throttles and quotas, stage throttle,');
  lines.push('    the Lambda authorizer (the real bundle; results cached per token for the configured TTL) and its IAM policy,');
  lines.push('    request validation (draft-04 models, required parameters), gateway responses and their headers, the 10 MB');
  lines.push('    payload limit, Lambda proxy integrations (the real bundles; timeouts, crashes → 502), DynamoDB API semantics.');
  lines.push('  Only in AWS:');
  for (const control of awsOnlyControls(model, input.template)) lines.push(`    - ${control}`);
  for (const warning of input.warnings) lines.push(`  Warning: ${warning}`);
  const firstKey = input.keys[0];
  const mapping = configs.find((c) => c.apiKey !== undefined)?.apiKey;
  const claimValue = firstKey === undefined || mapping === undefined ? undefined
    : Object.entries(mapping.keyIds).find(([, id]) => id === firstKey.key.id)?.[0];
  let clientArg = '';
  if (model.apiKeySource === 'AUTHORIZER' && mapping !== undefined && claimValue !== undefined) {
    clientArg = mapping.claim === 'client_id' ? ` --client-id ${claimValue}` : ` --claim ${mapping.claim}=${claimValue}`;
  }
  lines.push('', '  Try it:');
  if (input.sampleToken !== undefined) {
    lines.push(`    TOKEN=${input.sampleToken}`, '    (alice, items:read items:write, valid 1 h; an in-memory run keeps its signing key to itself)');
  } else {
    const dataDirArg = input.defaultDataDir ? '' : ` --data-dir ${input.dataDir}`;
    lines.push(`    TOKEN=$(npm run --silent token -- --sub alice --scope "items:read items:write"${clientArg}${dataDirArg})`);
  }
  lines.push(`    curl -H "Authorization: Bearer $TOKEN"${model.apiKeySource === 'HEADER' && firstKey ? ` -H "x-api-key: ${firstKey.value}"` : ''} ${input.url}/items`);
  lines.push('', '  Ctrl-C stops everything.', '');
  return lines.join('\n');
}
