/** The flat context the authorizer hands to integrations (`event.requestContext.authorizer.<key>`). */
import { AuthorizerContextKey } from '../../lib/common/authorizer-config';
import { claimValue, tokenScopes } from '../../lib/common/access-rules';
import type { Principal } from './claim-checks';

/**
 * The OAuth client the token was issued to: `client_id` (RFC 9068, Cognito, Duende), `azp` (OIDC, Entra ID v2.0),
 * `appid` (Entra ID v1.0) or `cid` (Okta); for a Cognito ID token (`token_use: id`), its `aud`; or ''.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 */
export function clientIdOf(claims: Record<string, unknown>): string {
  for (const name of ['client_id', 'azp', 'appid', 'cid']) {
    const value = claimValue(claims, name);
    if (typeof value === 'string' && value.length > 0) return value;
  }
  // A Cognito ID token's audience is the app client it was issued to (an access token's audience is the API).
  const aud = claimValue(claims, 'aud');
  return claimValue(claims, 'token_use') === 'id' && typeof aud === 'string' ? aud : '';
}

/** The tenant id from the configured tenant claim, or undefined when the claim is missing, empty or not a string. */
export function tenantOf(claims: Record<string, unknown>, tenantClaim: string): string | undefined {
  const value = claimValue(claims, tenantClaim);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The authorizer context: flat strings under the keys of {@link AuthorizerContextKey}. */
export function buildAuthorizerContext(claims: Record<string, unknown>, principal: Principal, tenant: string):
Record<string, string> {
  const sub = claimValue(claims, 'sub');
  const iss = claimValue(claims, 'iss');
  return {
    [AuthorizerContextKey.SUBJECT]: typeof sub === 'string' ? sub : '',
    [AuthorizerContextKey.PRINCIPAL]: principal.value,
    [AuthorizerContextKey.PRINCIPAL_CLAIM]: principal.claim,
    [AuthorizerContextKey.CLIENT_ID]: clientIdOf(claims),
    [AuthorizerContextKey.SCOPES]: tokenScopes(claims).join(' '),
    [AuthorizerContextKey.TENANT]: tenant,
    [AuthorizerContextKey.ISSUER]: typeof iss === 'string' ? iss : '',
  };
}
