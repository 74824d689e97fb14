import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { IConstruct } from 'constructs';
import { IssuerConfig, TENANT_ID, TENANT_PLACEHOLDER } from './common/authorizer-config';
import { configError } from './errors';
import { CognitoTokenUse, SecureApiProps, TokenIssuer } from './secure-api-props';

/**
 * The issuers the authorizer trusts, from `issuer`/`audience`, `additionalIssuers` and `cognito`, checked: https
 * URLs, an audience or the explicit `allowAnyAudience`, no issuer trusted twice.
 */
export function resolveIssuers(scope: IConstruct, props: SecureApiProps): IssuerConfig[] {
  const issuers: IssuerConfig[] = [];
  const trust = (where: string, config: IssuerConfig) => {
    if (issuers.some((i) => i.issuer === config.issuer)) {
      throw configError(scope, `'${where}issuer' is trusted twice (got '${config.issuer}')`);
    }
    issuers.push(config);
  };
  const add = (where: string, issuer: TokenIssuer) => {
    if (issuer.issuer === GOOGLE_LEGACY_ISSUER) {
      if (issuer.jwksUri === undefined) {
        throw configError(scope, `'${where}jwksUri' is required for the issuer '${GOOGLE_LEGACY_ISSUER}', which is no URL to derive it from: Google's is 'https://www.googleapis.com/oauth2/v3/certs'`);
      }
    } else if (!isHttpsUrl(issuer.issuer.split(TENANT_PLACEHOLDER).join('tenant'))) {
      throw configError(scope, `'${where}issuer' must be an https URL, or Google's legacy '${GOOGLE_LEGACY_ISSUER}' (got '${issuer.issuer}')`);
    }
    if (issuer.allowAnyAudience && issuer.audience !== undefined) {
      throw configError(scope, `'${where}audience' and '${where}allowAnyAudience' exclude each other (got audience ${JSON.stringify(issuer.audience)})`);
    }
    if (issuer.audience === undefined && !issuer.allowAnyAudience) {
      throw configError(scope, `'${where}audience' is required: list the accepted audiences, or set '${where}allowAnyAudience: true' to explicitly accept any audience`);
    }
    // Checked at run time too: JavaScript callers (and other languages through jsii) can pass anything.
    if (issuer.audience !== undefined && !Array.isArray(issuer.audience)) {
      throw configError(scope, `'${where}audience' must be a list of audiences, such as ['api://orders'] (got ${JSON.stringify(issuer.audience)})`);
    }
    if (issuer.audience && (issuer.audience.length === 0 || issuer.audience.some((a) => typeof a !== 'string' || !a))) {
      throw configError(scope, `'${where}audience' must list non-empty values (got ${JSON.stringify(issuer.audience)})`);
    }
    const jwksUri = issuer.jwksUri ?? `${issuer.issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
    if (!isHttpsUrl(jwksUri.split(TENANT_PLACEHOLDER).join('tenant'))) {
      throw configError(scope, `'${where}jwksUri' must be an https URL (got '${jwksUri}')`);
    }
    if (issuer.allowAnyTenant) {
      addAnyTenant(where, issuer, jwksUri);
      return;
    }
    if (issuer.tenantIdClaim !== undefined) {
      throw configError(scope, `'${where}tenantIdClaim' needs '${where}allowAnyTenant: true' (got '${issuer.tenantIdClaim}')`);
    }
    for (const tenant of tenantsOf(scope, where, issuer)) {
      const expand = (template: string) => (tenant === undefined ? template : template.split(TENANT_PLACEHOLDER).join(tenant));
      trust(where, { issuer: expand(issuer.issuer), audience: issuer.audience ?? null, jwksUri: expand(jwksUri) });
    }
  };
  const addAnyTenant = (where: string, issuer: TokenIssuer, jwksUri: string) => {
    if (issuer.tenants !== undefined) {
      throw configError(scope, `'${where}tenants' and '${where}allowAnyTenant' exclude each other (got tenants ${JSON.stringify(issuer.tenants)})`);
    }
    if (issuer.issuer.split(TENANT_PLACEHOLDER).length !== 2) {
      throw configError(scope, `'${where}issuer' must contain '${TENANT_PLACEHOLDER}' exactly once with '${where}allowAnyTenant', e.g. 'https://login.microsoftonline.com/{tenant}/v2.0' (got '${issuer.issuer}')`);
    }
    if (issuer.jwksUri === undefined || jwksUri.includes(TENANT_PLACEHOLDER)) {
      throw configError(scope, `'${where}jwksUri' must be set, and not depend on the tenant, with '${where}allowAnyTenant' (Entra ID: 'https://login.microsoftonline.com/common/discovery/v2.0/keys'; got ${JSON.stringify(issuer.jwksUri)})`);
    }
    const claim = issuer.tenantIdClaim ?? 'tid';
    if (typeof claim !== 'string' || claim.length === 0) {
      throw configError(scope, `'${where}tenantIdClaim' must be a claim name (got ${JSON.stringify(claim)})`);
    }
    trust(where, { issuer: issuer.issuer, audience: issuer.audience ?? null, jwksUri, anyTenant: { claim } });
  };
  if (props.issuer !== undefined) {
    add('', { issuer: props.issuer, audience: props.audience, allowAnyAudience: props.allowAnyAudience, jwksUri: props.jwksUri });
  } else if (props.audience !== undefined || props.jwksUri !== undefined || props.allowAnyAudience !== undefined) {
    throw configError(scope, "'audience', 'allowAnyAudience' and 'jwksUri' need 'issuer'");
  }
  (props.additionalIssuers ?? []).forEach((issuer, i) => add(`additionalIssuers[${i}].`, issuer));
  if (props.cognito) {
    const { userPool, clientIds } = props.cognito;
    if (clientIds.length === 0) {
      throw configError(scope, "'cognito.clientIds' must list at least one app client id (got [])");
    }
    const issuer = `https://cognito-idp.${userPoolRegion(scope, userPool)}.${Stack.of(userPool).urlSuffix}/${userPool.userPoolId}`;
    issuers.push({
      issuer,
      audience: clientIds,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      cognito: { userPoolId: userPool.userPoolId, tokenUse: (props.cognito.tokenUse ?? CognitoTokenUse.ACCESS) as 'access' | 'id' },
    });
  }
  if (issuers.length === 0) {
    throw configError(scope, "a token issuer is required: set 'issuer' and 'audience', 'additionalIssuers' or 'cognito'");
  }
  return issuers;
}

/**
 * The one issuer value that is not an https URL and that a major provider documents: Google's ID tokens may carry
 * `accounts.google.com` "for legacy implementations". Trusted only with an explicit (https) `jwksUri`.
 * @see https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken
 */
const GOOGLE_LEGACY_ISSUER = 'accounts.google.com';

const MAX_TENANTS = 500;

/**
 * The tenants an issuer entry expands to: `[undefined]` for a plain issuer, else its checked `tenants`.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer
 */
function tenantsOf(scope: IConstruct, where: string, issuer: TokenIssuer): Array<string | undefined> {
  const placeholders = issuer.issuer.split(TENANT_PLACEHOLDER).length - 1;
  if (issuer.tenants === undefined) {
    if (placeholders > 0 || (issuer.jwksUri ?? '').includes(TENANT_PLACEHOLDER)) {
      const fix = where === '' ? "declare it in 'additionalIssuers' with its 'tenants'" : `list the accepted tenants in '${where}tenants'`;
      throw configError(scope, `'${where}issuer' contains '${TENANT_PLACEHOLDER}': ${fix} (got '${issuer.issuer}')`);
    }
    return [undefined];
  }
  if (placeholders !== 1) {
    throw configError(scope, `'${where}issuer' must contain '${TENANT_PLACEHOLDER}' exactly once when '${where}tenants' is set, e.g. 'https://login.microsoftonline.com/{tenant}/v2.0' (got '${issuer.issuer}')`);
  }
  const tenants = issuer.tenants;
  if (!Array.isArray(tenants) || tenants.length === 0 || tenants.length > MAX_TENANTS) {
    throw configError(scope, `'${where}tenants' must list 1 to ${MAX_TENANTS} tenant ids (got ${JSON.stringify(tenants)})`);
  }
  tenants.forEach((tenant, i) => {
    if (typeof tenant !== 'string' || !TENANT_ID.test(tenant)) {
      throw configError(scope, `'${where}tenants[${i}]' must be a tenant id of letters, digits, '.', '_' and '-' (got ${JSON.stringify(tenant)})`);
    }
  });
  if (new Set(tenants).size !== tenants.length) {
    throw configError(scope, `'${where}tenants' must not repeat a tenant (got ${JSON.stringify(tenants)})`);
  }
  return tenants;
}

/**
 * The region of a user pool: its stack's for a pool this app creates; otherwise from its id (`<region>_<suffix>`),
 * since a pool imported from another region signs with that region's issuer, not the stack's (split in
 * CloudFormation when the id is a token).
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 */
function userPoolRegion(scope: IConstruct, userPool: cognito.IUserPool): string {
  const id = userPool.userPoolId;
  if (userPool instanceof cognito.UserPool) return Stack.of(userPool).region;
  if (Token.isUnresolved(id)) return Fn.select(0, Fn.split('_', id));
  const match = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[A-Za-z0-9]+$/.exec(id);
  if (!match) {
    throw configError(scope, `'cognito.userPool' must have a user pool id of the form <region>_<id>, such as 'eu-west-1_AbC123' (got '${id}')`);
  }
  return match[1];
}

function isHttpsUrl(value: string): boolean {
  if (Token.isUnresolved(value)) return true;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
