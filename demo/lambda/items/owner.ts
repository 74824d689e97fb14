/**
 * Derives the caller's partition key from the authorizer context, and nothing else.
 *
 * OWASP API1 (BOLA): every read and write is keyed by this value, so a caller can only ever address items in their
 * own partition. The owner is the verified (issuer, tenant, principal claim, principal) that the Lambda authorizer
 * put in the request context; path, query, body and headers play no part. The issuer is part of it because two
 * trusted identity providers may issue the same `sub`; the claim name because one issuer's `sub` and `client_id`
 * values may coincide (a Cognito client-credentials token has `sub` = `client_id`).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AuthorizerContextKey } from '../../../lib/common/authorizer-config';
import { OwnerContextError } from './errors';

/** Prefix of every owner partition key. */
export const OWNER_KEY_PREFIX = 'OWNER#';

/**
 * Largest owner key accepted, in bytes: DynamoDB's limit for a partition key value.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys
 */
export const MAX_OWNER_KEY_BYTES = 2048;

/** The verified identity of the caller: an owner is all four parts together. */
export interface Owner {
  /** The issuer that signed the token (`iss`); never empty. */
  readonly issuer: string;
  /** The tenant, or `''` when the API is not multi-tenant. */
  readonly tenant: string;
  /** The name of the claim the principal was read from, e.g. `sub` or `client_id`; never empty. */
  readonly principalClaim: string;
  /** The principal: the value of that claim; never empty. */
  readonly principal: string;
}

/**
 * Reads the caller's identity from the authorizer context.
 *
 * @throws OwnerContextError when the issuer, principal claim or principal is missing, empty or not a string, or the
 * tenant is not a string: the function must never serve a request that did not pass the authorizer, nor fall back
 * to a shared partition.
 */
export function ownerFromEvent(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Owner {
  // The event type says `authorizer` is always there; a route deployed without the authorizer proves otherwise.
  const context = (event.requestContext as { authorizer?: unknown } | undefined)?.authorizer;
  if (typeof context !== 'object' || context === null) {
    throw new OwnerContextError('MissingAuthorizerContext');
  }
  const values = context as Record<string, unknown>;
  const issuer = requiredString(values, AuthorizerContextKey.ISSUER, 'MissingIssuer');
  const principalClaim = requiredString(values, AuthorizerContextKey.PRINCIPAL_CLAIM, 'MissingPrincipalClaim');
  const principal = requiredString(values, AuthorizerContextKey.PRINCIPAL, 'MissingPrincipal');
  const tenant = own(values, AuthorizerContextKey.TENANT) ?? '';
  if (typeof tenant !== 'string') {
    throw new OwnerContextError('InvalidTenant');
  }
  return { issuer, tenant, principalClaim, principal };
}

function own(values: Record<string, unknown>, key: AuthorizerContextKey): unknown {
  return Object.hasOwn(values, key) ? values[key] : undefined;
}

function requiredString(values: Record<string, unknown>, key: AuthorizerContextKey, logReason: string): string {
  const value = own(values, key);
  if (typeof value !== 'string' || value.length === 0) {
    throw new OwnerContextError(logReason);
  }
  return value;
}

/**
 * The partition key of an owner: `OWNER#<issuer>#<tenant>#<principalClaim>#<principal>`, each part percent-encoded
 * with `encodeURIComponent`.
 *
 * Encoding escapes `#` (and `%`) inside the parts, so the only `#` characters are the four separators, and
 * `encodeURIComponent` is itself injective: the mapping from owner to key is injective, so no choice of issuer,
 * tenant, claim name or principal can produce another owner's key.
 *
 * @throws OwnerContextError when a part is not well-formed Unicode (lone surrogates) or the key is too long.
 */
export function ownerKey(owner: Owner): string {
  let key: string;
  try {
    key = OWNER_KEY_PREFIX + [owner.issuer, owner.tenant, owner.principalClaim, owner.principal]
      .map((part) => encodeURIComponent(part)).join('#');
  } catch {
    // encodeURIComponent throws URIError on lone surrogates.
    throw new OwnerContextError('MalformedOwnerIdentity');
  }
  // Percent-encoded text is ASCII: its length is its size in bytes.
  if (key.length > MAX_OWNER_KEY_BYTES) {
    throw new OwnerContextError('OwnerKeyTooLong');
  }
  return key;
}
