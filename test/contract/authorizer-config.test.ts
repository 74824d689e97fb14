/**
 * The construct writes the authorizer's configuration; the Lambda parses it strictly (unknown keys, bad values and
 * mismatched Cognito addresses fail init). These tests feed what the construct synthesizes to the Lambda's parser,
 * with deploy-time references replaced by realistic values.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Duration, Stack } from 'aws-cdk-lib';
import { readAuthorizerConfig } from '../../lambda/authorizer/config';
import type { AuthorizerConfig } from '../../lib/common/authorizer-config';
import { ClaimCondition, ClaimPath, CognitoTokenUse, ScopeMatch, SecureApi } from '../../lib';
import { backend, deployedAuthorizerConfig, newStack, synth } from '../lib/helpers';

/** The configuration as the deployed function reads it, with deploy-time references replaced by realistic values. */
function deployedConfig(stack: Stack): AuthorizerConfig {
  const { file, references } = deployedAuthorizerConfig(stack, (part: any) => {
    const ref: string = part.Ref ?? '';
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (ref.startsWith('Pool')) return 'eu-west-1_AbCdEf123';
    if (ref.includes('ApiKey')) return `k${ref.length}xyz`;
    throw new Error(`unexpected reference in the authorizer configuration: ${JSON.stringify(part)}`);
  });
  return readAuthorizerConfig(file, references);
}

describe('authorizer configuration contract', () => {
  test('the minimal construct output is accepted by the authorizer', () => {
    const { stack } = synth();
    expect(() => deployedConfig(stack)).not.toThrow();
  });

  test('every option the construct can emit is accepted by the authorizer', () => {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const integration = backend(stack);
    new SecureApi(stack, 'Api', {
      issuer: 'https://login.example.com/', audience: ['api://a', 'api://b'], jwksUri: 'https://keys.example.com/jwks.json',
      additionalIssuers: [
        { issuer: 'https://other.example.com', allowAnyAudience: true },
        { issuer: 'https://login.microsoftonline.com/{tenant}/v2.0', tenants: ['t-1', 't-2'], audience: ['api-client'],
          jwksUri: 'https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys' },
        { issuer: 'https://sts.windows.net/{tenant}/', allowAnyTenant: true, audience: ['api-client'],
          jwksUri: 'https://login.microsoftonline.com/common/discovery/keys' },
      ],
      cognito: { userPool: pool, clientIds: ['client1'], tokenUse: CognitoTokenUse.ID },
      tokenPolicy: { clockSkew: Duration.seconds(0), allowAnyTokenLifetime: true, tenantClaim: 'tenant_id', jwksTimeout: Duration.seconds(1),
        jwksMaxAge: Duration.minutes(5), principalClaims: ['sub', 'client_id'] },
      apiKeySource: apigw.ApiKeySourceType.AUTHORIZER,
      usagePlans: { basic: { throttle: { rateLimit: 1, burstLimit: 1 } } },
      clients: { alpha: { plan: 'basic' }, beta: { plan: 'basic', claimValue: 'svc-beta' } },
      routes: {
        'GET /health': { integration, publicAccess: true },
        'GET /things/{id}': { integration, scopes: ['a', 'b'], scopeMatch: ScopeMatch.ANY, claims: [ClaimCondition.includes('groups', 'staff')] },
        'DELETE /things/{id}': { integration, claims: [ClaimCondition.oneOf('role', ['admin', 'owner']), ClaimCondition.equalToBoolean('email_verified', true)] },
        'PATCH /things/{id}': { integration, allowAnyBody: true, anyOf: [
          { scopes: ['Things.Write'] },
          { claims: [ClaimPath.of('realm_access', 'roles').includes('writer'), ClaimPath.of('https://example.com/tier').equalTo('gold')] },
        ] },
        'PUT /things/{id}': { integration, allowAnyBody: true, claims: [ClaimCondition.equalTo('tier', 'gold'), ClaimCondition.equalToNumber('level', 3), ClaimCondition.oneOfNumbers('shard', [1, 2])] },
      },
    });
    const config = deployedConfig(stack);
    expect(config.issuers.map((i) => i.issuer)).toEqual([
      'https://login.example.com/', 'https://other.example.com', 'https://login.microsoftonline.com/t-1/v2.0',
      'https://login.microsoftonline.com/t-2/v2.0', 'https://sts.windows.net/{tenant}/',
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    ]);
    expect(config.issuers[4].anyTenant).toEqual({ claim: 'tid' });
    expect(config.issuers[3].jwksUri).toBe('https://login.microsoftonline.com/t-2/discovery/v2.0/keys');
    expect(config.principalClaims).toEqual(['sub', 'client_id']);
    expect(config.jwksMaxAgeSeconds).toBe(300);
    expect(config.routes.find((r) => r.method === 'PATCH')!.anyOf).toEqual([
      { scopes: ['Things.Write'] },
      { claims: [{ claim: ['realm_access', 'roles'], includes: 'writer' }, { claim: 'https://example.com/tier', equals: 'gold' }] },
    ]);
    expect(Object.keys(config.apiKey!.keyIds)).toEqual(['alpha', 'svc-beta']);
    expect(config.routes).toHaveLength(5);
    expect(config.routes.find((r) => r.method === 'PUT')!.claims).toEqual([
      { claim: 'tier', equals: 'gold' }, { claim: 'level', equals: 3 }, { claim: 'shard', oneOf: [1, 2] },
    ]);
    expect(config.routes.find((r) => r.method === 'GET' && r.path === '/things/{id}')!.scopeMatch).toBe('any');
    expect(config.issuers[1].audience).toBeNull();
    expect(config.maxTokenLifetimeSeconds).toBeUndefined();
    expect(config.issuers[5].cognito!.tokenUse).toBe('id');
  });
});
