/**
 * What the deploy test's probe does: call the deployed API the way a client does and report only what the
 * assertions compare (status codes and response bodies), never a token, a client secret or an API key value.
 *
 * Plain functions over injected dependencies (`fetch`, the credential lookups): the handler wires them to AWS.
 */

/** The user agent of every probe request: the WAF's common rule set blocks requests without one. */
export const PROBE_USER_AGENT = 'secure-api-deploy-test-probe';

/** One API call the assertions ask for. */
export interface ProbeRequest {
  readonly action: 'request';
  /** HTTP method. */
  readonly method: string;
  /** Path below the stage URL, such as `/items`. */
  readonly path: string;
  /** Whose access token to send: the client with the read scope only, or the one with read and write. */
  readonly token?: 'reader' | 'writer';
  /** Whether to send the API key of the demo client. @default false */
  readonly apiKey?: boolean;
  /** A JSON body. */
  readonly body?: unknown;
  /** Instead of `body`: a JSON body of exactly this many bytes. */
  readonly bodyBytes?: number;
}

/** A flood of anonymous requests, to trip the WAF rate-based rule. */
export interface ProbeBurst {
  readonly action: 'burst';
  /** Path below the stage URL. */
  readonly path: string;
  /** Requests per second: below the stage throttle, so that a 429 can only come from WAF. */
  readonly perSecond: number;
  /** Stop after this many seconds without a 429. */
  readonly seconds: number;
}

/** What the assertions send the probe. */
export type ProbeEvent = ProbeRequest | ProbeBurst;

/**
 * The answer to a {@link ProbeRequest}. Every field the assertions descend into is an object, whatever the API
 * answered: the assertion provider's matcher throws on a null or a string where it expects an object, and its waiter
 * takes a thrown error for a pass.
 */
export interface ProbeResponse {
  readonly status: number;
  /** The body when it is a JSON object; otherwise `{ text }`, its first 500 characters. */
  readonly body: object;
}

/** The answer to a {@link ProbeBurst}. */
export interface BurstResult {
  /** Requests sent. */
  readonly sent: number;
  /** Responses by status code. */
  readonly counts: Record<string, number>;
  /** The first 429, or `{ status: 0, body: {} }` when none came within the time. */
  readonly limited: ProbeResponse;
}

/** What the probe needs to call the API. */
export interface ProbeDeps {
  /** The stage URL, ending in `/`. */
  readonly apiUrl: string;
  /** An access token of the named client. */
  readonly token: (client: 'reader' | 'writer') => Promise<string>;
  /** The API key value of the demo client. */
  readonly apiKey: () => Promise<string>;
  readonly fetch: typeof fetch;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

/** What {@link BurstResult.limited} is when no 429 came: an object, like a response (see {@link ProbeResponse}). */
export const NOT_LIMITED: ProbeResponse = { status: 0, body: {} };

/** Largest number of burst requests in flight at once. */
const MAX_IN_FLIGHT = 20;

/** Runs one probe event. */
export async function runProbe(event: ProbeEvent, deps: ProbeDeps): Promise<ProbeResponse | BurstResult> {
  switch (event.action) {
    case 'request': return request(event, deps);
    case 'burst': return burst(event, deps);
    default: throw new Error(`probe: unknown action ${JSON.stringify((event as { action?: unknown }).action)}`);
  }
}

/** Sends one request and answers its status and body. */
export async function request(r: ProbeRequest, deps: ProbeDeps): Promise<ProbeResponse> {
  const headers: Record<string, string> = { 'user-agent': PROBE_USER_AGENT, 'accept': 'application/json' };
  if (r.token) headers.authorization = `Bearer ${await deps.token(r.token)}`;
  if (r.apiKey) headers['x-api-key'] = await deps.apiKey();
  let body: string | undefined;
  if (r.bodyBytes !== undefined) {
    body = paddedJson(r.bodyBytes);
  } else if (r.body !== undefined) {
    body = JSON.stringify(r.body);
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await deps.fetch(urlOf(deps.apiUrl, r.path), {
    method: r.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: parseBody(await response.text()) };
}

/**
 * Sends anonymous GETs at `perSecond` until the first 429 or until `seconds` have passed, and counts the answers.
 * No token and no key: WAF counts every request before API Gateway rejects it, and the authorizer never runs.
 */
export async function burst(b: ProbeBurst, deps: ProbeDeps): Promise<BurstResult> {
  const now = deps.now ?? Date.now;
  const url = urlOf(deps.apiUrl, b.path);
  const counts: Record<string, number> = {};
  let limited: ProbeResponse | undefined;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const send = async () => {
    try {
      const response = await deps.fetch(url, {
        headers: { 'user-agent': PROBE_USER_AGENT }, redirect: 'manual', signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      counts[response.status] = (counts[response.status] ?? 0) + 1;
      if (response.status === 429 && limited === undefined) limited = { status: 429, body: parseBody(text) };
    } catch {
      counts.error = (counts.error ?? 0) + 1;
    }
  };
  const interval = 1000 / b.perSecond;
  const start = now();
  while (limited === undefined && now() - start < b.seconds * 1000) {
    const p: Promise<void> = send().finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent += 1;
    if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    // Paced against the start, so that slow answers do not lower the rate below the one asked for.
    const wait = start + sent * interval - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(inFlight);
  return { sent, counts, limited: limited ?? NOT_LIMITED };
}

/** A JSON item of exactly `bytes` bytes (ASCII), its description padded. */
export function paddedJson(bytes: number): string {
  const shell = JSON.stringify({ name: 'oversized', description: '' });
  if (bytes < shell.length) throw new Error(`probe: 'bodyBytes' must be at least ${shell.length} (got ${bytes})`);
  return JSON.stringify({ name: 'oversized', description: 'x'.repeat(bytes - shell.length) });
}

function urlOf(apiUrl: string, path: string): string {
  return new URL(path.replace(/^\/+/, ''), apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).toString();
}

function parseBody(text: string): object {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // Not JSON: reported as text below.
  }
  return { text: text.slice(0, 500) };
}
