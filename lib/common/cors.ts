/**
 * The CORS rule of a SecureApi, shared by the construct (which hands the allowed origins to functions as an
 * environment variable) and by Lambda proxy integrations (which must send the CORS headers themselves: a proxy
 * integration has no integration response for API Gateway to add them to).
 *
 * The rule: when CORS is on, every response carries `Vary: Origin`; a request whose `Origin` is exactly one of the
 * allowed origins also gets `Access-Control-Allow-Origin: <that origin>` and `Access-Control-Expose-Headers`.
 * Any other origin gets no `Access-Control-Allow-Origin`, so the browser does not hand it the response.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 *
 * Published as `secure-api/cors`. This module is bundled into Lambdas: it must not import aws-cdk-lib or constructs.
 */

/** The environment variable that carries the allowed origins, comma-separated, to a function. */
export const CORS_ALLOW_ORIGINS_ENV = 'SECURE_API_CORS_ALLOW_ORIGINS';

/**
 * Response headers a browser page may read besides the CORS-safelisted ones: API Gateway's request id, which every
 * answer carries and which the gateway's problem bodies quote.
 * @see https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name
 */
export const CORS_EXPOSE_HEADERS: readonly string[] = ['x-amzn-RequestId'];

/** Options of {@link corsHeaders}. */
export interface CorsHeaderOptions {
  /**
   * Response headers the page may read, besides the CORS-safelisted ones and `CORS_EXPOSE_HEADERS`
   * (e.g. `Location`, `Retry-After`).
   * @default - only CORS_EXPOSE_HEADERS
   */
  readonly exposeHeaders?: readonly string[];
}

/**
 * The CORS headers of a response to a request from `requestOrigin`: none when `allowedOrigins` is empty (CORS off);
 * otherwise `Vary: Origin`, plus `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers` when the origin is
 * exactly one of `allowedOrigins` (browsers send the origin serialized: scheme, lowercase host, port unless default).
 * @param requestOrigin the request's `Origin` header, if any (see {@link requestOrigin})
 * @param allowedOrigins the API's allowed origins (see {@link allowedOriginsFromEnvironment})
 */
export function corsHeaders(requestOrigin: string | undefined, allowedOrigins: readonly string[],
  options: CorsHeaderOptions = {}): Record<string, string> {
  if (allowedOrigins.length === 0) return {};
  if (requestOrigin === undefined || !allowedOrigins.includes(requestOrigin)) return { Vary: 'Origin' };
  const expose = [...new Set([...CORS_EXPOSE_HEADERS, ...(options.exposeHeaders ?? [])])];
  return {
    'Access-Control-Allow-Origin': requestOrigin,
    'Access-Control-Expose-Headers': expose.join(','),
    Vary: 'Origin',
  };
}

/**
 * The `Origin` header of a request, found whatever its case (API Gateway hands proxy integrations the headers as the
 * client sent them); undefined when absent.
 * @param headers the event's `headers`, e.g. `event.headers` of an API Gateway proxy event
 */
export function requestOrigin(headers: Readonly<Record<string, string | undefined>> | null | undefined): string | undefined {
  if (headers === null || headers === undefined) return undefined;
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'origin') return headers[name];
  }
  return undefined;
}

/** The environment variables that tell a function the allowed origins; none when the list is empty. */
export function corsEnvironment(allowedOrigins: readonly string[]): Record<string, string> {
  return allowedOrigins.length === 0 ? {} : { [CORS_ALLOW_ORIGINS_ENV]: allowedOrigins.join(',') };
}

/**
 * The allowed origins a function was given with {@link corsEnvironment}: empty (CORS off) when the variable is unset.
 * @param env the process environment, e.g. `process.env`
 */
export function allowedOriginsFromEnvironment(env: Readonly<Record<string, string | undefined>>): string[] {
  const value = env[CORS_ALLOW_ORIGINS_ENV];
  if (value === undefined) return [];
  return value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
}
