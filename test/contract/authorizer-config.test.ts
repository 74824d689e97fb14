/**
 * The construct writes the authorizer's configuration; the Lambda parses it strictly (unknown keys, bad values and
 * mismatched Cognito addresses fail init). These tests feed what the construct synthesizes to the Lambda's parser,
 * with deploy-time references replaced by realistic values.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Duration } from 'aws-cdk-lib';
import { parseAuthorizerConfig } from '../../lambda/authorizer/config';
import { ClaimCondition, CognitoTokenUse, ScopeMatch, SecureApi } from '../../lib';
import { backend, newStack, synth } from '../lib/helpers';

/** Renders the synthesized environment value as the deployed function would see it. */
function deployedConfig(template: Template): string {
  const [fn] = (Object.values(template.findResources('AWS::Lambda::Function')) as any[])
    .filter((f) => f.Properties.Environment?.Variables?.SECURE_API_AUTHORIZER_CONFIG !== undefined);
  const raw = fn.Properties.Environment.Variables.SECURE_API_AUTHORIZER_CONFIG;
  if (typeof raw === 'string') return raw;
  return raw['Fn::Join'][1].map((part: any) => {
    if (typeof part === 'string') return part;
    const ref: string = part.Ref ?? '';
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (ref.startsWith('Pool')) return 'eu-west-1_AbCdEf123';
    if (ref.includes('ApiKey')) return `k${ref.length}xyz`;
    throw new Error(`unexpected reference in the authorizer configuration: ${JSON.stringify(part)}`);
  }).join('');
}

describe('authorizer configuration contract', () => {
  test('the minimal construct output is accepted by the authorizer', () => {
    const { template } = synth();
    expect(() => parseAuthorizerConfig(deployedConfig(template))).not.toThrow();
  });

  test('every option the construct can emit is accepted by the authorizer', () => {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const integration = backend(stack);
    new SecureApi(stack, 'Api', {
      issuer: 'https://login.example.com/', audience: ['api://a', 'api://b'], jwksUri: 'https://keys.example.com/jwks.json',
      additionalIssuers: [{ issuer: 'https://other.example.com', allowAnyAudience: true }],
      cognito: { userPool: pool, clientIds: ['client1'], tokenUse: CognitoTokenUse.ID },
      tokenPolicy: { clockSkew: Duration.seconds(0), allowAnyTokenLifetime: true, tenantClaim: 'tenant_id', jwksTimeout: Duration.seconds(1) },
      apiKeySource: apigw.ApiKeySourceType.AUTHORIZER,
      usagePlans: { basic: { throttle: { rateLimit: 1, burstLimit: 1 } } },
      clients: { alpha: { plan: 'basic' }, beta: { plan: 'basic', claimValue: 'svc-beta' } },
      routes: {
        'GET /health': { integration, publicAccess: true },
        'GET /things/{id}': { integration, scopes: ['a', 'b'], scopeMatch: ScopeMatch.ANY, claims: [ClaimCondition.includes('groups', 'staff')] },
        'DELETE /things/{id}': { integration, claims: [ClaimCondition.oneOf('role', ['admin', 'owner']), ClaimCondition.equalToBoolean('email_verified', true)] },
        'PUT /things/{id}': { integration, allowAnyBody: true, claims: [ClaimCondition.equalTo('tier', 'gold'), ClaimCondition.equalToNumber('level', 3), ClaimCondition.oneOfNumbers('shard', [1, 2])] },
      },
    });
    const config = parseAuthorizerConfig(deployedConfig(Template.fromStack(stack)));
    expect(config.issuers.map((i) => i.issuer)).toEqual([
      'https://login.example.com/', 'https://other.example.com', 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    ]);
    expect(Object.keys(config.apiKey!.keyIds)).toEqual(['alpha', 'svc-beta']);
    expect(config.routes).toHaveLength(4);
    expect(config.routes.find((r) => r.method === 'PUT')!.claims).toEqual([
      { claim: 'tier', equals: 'gold' }, { claim: 'level', equals: 3 }, { claim: 'shard', oneOf: [1, 2] },
    ]);
    expect(config.routes.find((r) => r.method === 'GET' && r.path === '/things/{id}')!.scopeMatch).toBe('any');
    expect(config.issuers[1].audience).toBeNull();
    expect(config.maxTokenLifetimeSeconds).toBeUndefined();
    expect(config.issuers[2].cognito!.tokenUse).toBe('id');
  });
});
