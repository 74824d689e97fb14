/**
 * Access tokens from the Amazon Cognito token endpoint with the OAuth 2.0 client credentials grant.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 */

/** An app client's id and secret. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Requests an access token for `scopes`. The client authenticates with HTTP Basic (RFC 6749 section 2.3.1: id and
 * secret form-encoded, then base64); errors name the endpoint's error code only, never the credentials.
 */
export async function fetchAccessToken(fetchFn: typeof fetch, tokenUrl: string, client: ClientCredentials,
  scopes: readonly string[]): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  const response = await fetchFn(tokenUrl, {
    method: 'POST',
    headers: { 'authorization': `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: scopes.join(' ') }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json().catch(() => ({})) as { access_token?: unknown; error?: unknown };
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new Error(`probe: the token endpoint answered ${response.status} (${typeof body.error === 'string' ? body.error : 'no access token'})`);
  }
  return body.access_token;
}

/** Memoizes an async lookup per key for the life of the execution environment; a failed lookup is retried. */
export function memoize<K, V>(lookup: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (key) => {
    let value = cache.get(key);
    if (!value) {
      value = lookup(key);
      value.catch(() => cache.delete(key));
      cache.set(key, value);
    }
    return value;
  };
}
