/**
 * API key source AUTHORIZER: maps the token's client claim to the API key of that client, and reads each key's value
 * once. API Gateway then meters the request against the usage plan of the returned `usageIdentifierKey`.
 */
import { claimValue } from '../../lib/common/access-rules';
import type { ApiKeyMappingConfig } from '../../lib/common/authorizer-config';

/** Reads the value of an API Gateway API key by its id. */
export type ApiKeyValueFetcher = (keyId: string) => Promise<string>;

/** Resolves a token's client to its API key. */
export interface ApiKeyResolver {
  /** The API key id mapped to the token's client claim, or undefined when the client has no key. */
  keyIdFor(claims: Record<string, unknown>): string | undefined;
  /**
   * The key's value, read once per key id and cached; a failed read is not cached, so the next call retries.
   * @throws whatever the fetcher throws.
   */
  valueOf(keyId: string): Promise<string>;
}

/** Creates a resolver over a mapping and a fetcher (API Gateway's GetApiKey in the Lambda, anything in tests). */
export function createApiKeyResolver(mapping: ApiKeyMappingConfig, fetchValue: ApiKeyValueFetcher): ApiKeyResolver {
  const values = new Map<string, Promise<string>>();
  return {
    keyIdFor(claims) {
      const client = claimValue(claims, mapping.claim);
      if (typeof client !== 'string' || !Object.prototype.hasOwnProperty.call(mapping.keyIds, client)) return undefined;
      return mapping.keyIds[client];
    },
    valueOf(keyId) {
      let value = values.get(keyId);
      if (value === undefined) {
        value = Promise.resolve().then(() => fetchValue(keyId)).then((v) => {
          if (typeof v !== 'string' || v.length === 0) throw new Error(`API key ${keyId} has no value`);
          return v;
        });
        values.set(keyId, value);
        value.catch(() => {
          // Only forget this attempt: a concurrent retry may already have replaced it.
          if (values.get(keyId) === value) values.delete(keyId);
        });
      }
      return value;
    },
  };
}
