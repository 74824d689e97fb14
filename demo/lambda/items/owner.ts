/**
 * Derives the caller's partition key from the authorizer context, and nothing else.
 *
 * OWASP API1 (BOLA): every read and write is keyed by this value, so a caller can only ever address items in their
 * own partition. It comes from the verified `sub` (and tenant) that the Lambda authorizer put in the request
 * context; path, query, body and headers play no part.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AuthorizerContextKey } from '../../../lib/common/authorizer-config';
import { OwnerContextError } from './errors';

/** Prefix of every owner partition key. */
export const OWNER_KEY_PREFIX = 'OWNER#';

/**
 * Largest owner key accepted, in bytes. DynamoDB allows 2048 bytes for a partition key; the rest is headroom.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 */
export const MAX_OWNER_KEY_BYTES = 2048;

/** The verified identity of the caller. */
export interface Owner {
  /** The verified `sub` claim; never empty. */
  readonly subject: string;
  /** The tenant, or `''` when the API is not multi-tenant. */
  readonly tenant: string;
}

/**
 * Reads the caller's identity from the authorizer context.
 *
 * @throws OwnerContextError when the subject is missing, empty or not a string, or the tenant is not a string:
 * the function must never serve a request that did not pass the authorizer, nor fall back to a shared partition.
 */
export function ownerFromEvent(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Owner {
  // The event type says `authorizer` is always there; a route deployed without the authorizer proves otherwise.
  const context = (event.requestContext as { authorizer?: unknown } | undefined)?.authorizer;
  if (typeof context !== 'object' || context === null) {
    throw new OwnerContextError('MissingAuthorizerContext');
  }
  const values = context as Record<string, unknown>;
  const subject = values[AuthorizerContextKey.SUBJECT];
  if (typeof subject !== 'string' || subject.length === 0) {
    throw new OwnerContextError('MissingSubject');
  }
  const tenant = values[AuthorizerContextKey.TENANT] ?? '';
  if (typeof tenant !== 'string') {
    throw new OwnerContextError('InvalidTenant');
  }
  return { subject, tenant };
}

/**
 * The partition key of an owner: `OWNER#<tenant>#<subject>`, each part percent-encoded with `encodeURIComponent`.
 *
 * Encoding escapes `#` (and `%`) inside the parts, so the only `#` characters are the two separators and the
 * mapping from (tenant, subject) to key is injective: no choice of subject or tenant can produce another owner's key.
 *
 * @throws OwnerContextError when a part is not well-formed Unicode (lone surrogates) or the key is too long.
 */
export function ownerKey(owner: Owner): string {
  let key: string;
  try {
    key = `${OWNER_KEY_PREFIX}${encodeURIComponent(owner.tenant)}#${encodeURIComponent(owner.subject)}`;
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
