/** The flat context the authorizer hands to integrations (`event.requestContext.authorizer.<key>`). */
import { AUTHORIZER_CONTEXT_KEYS } from '../../lib/common/authorizer-config';
import { tokenScopes } from '../../lib/common/route-policy';

function own(claims: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(claims, name) ? claims[name] : undefined;
}

/** The OAuth client the token was issued to: `client_id` (RFC 9068, Cognito), `azp` (OIDC) or `cid` (Okta); or ''. */
export function clientIdOf(claims: Record<string, unknown>): string {
  for (const name of ['client_id', 'azp', 'cid']) {
    const value = own(claims, name);
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return '';
}

/** The tenant id from the configured tenant claim, or undefined when the claim is missing, empty or not a string. */
export function tenantOf(claims: Record<string, unknown>, tenantClaim: string): string | undefined {
  const value = own(claims, tenantClaim);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The authorizer context: flat strings under the keys of {@link AUTHORIZER_CONTEXT_KEYS}. */
export function buildAuthorizerContext(claims: Record<string, unknown>, tenant: string): Record<string, string> {
  const sub = own(claims, 'sub');
  const iss = own(claims, 'iss');
  return {
    [AUTHORIZER_CONTEXT_KEYS.subject]: typeof sub === 'string' ? sub : '',
    [AUTHORIZER_CONTEXT_KEYS.clientId]: clientIdOf(claims),
    [AUTHORIZER_CONTEXT_KEYS.scopes]: tokenScopes(claims).join(' '),
    [AUTHORIZER_CONTEXT_KEYS.tenant]: tenant,
    [AUTHORIZER_CONTEXT_KEYS.issuer]: typeof iss === 'string' ? iss : '',
  };
}
