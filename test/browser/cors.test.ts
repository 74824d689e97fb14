/**
 * CORS in a real browser: Chromium (Debian's package, driven by playwright-core) loads a page from an allowed
 * origin and one from another origin, both served over HTTPS with the test CA, and calls the local API (the
 * synthesized demo with CORS origins) with `fetch`, a token and an API key, as a single-page app would: preflight,
 * then the request. The allowed page reads the 200, 201, 401, 403 and 429 answers (items function and gateway
 * responses); the other page reads none: every fetch rejects, because nothing it gets names its origin.
 *
 * Once with one allowed origin (static headers everywhere), once with two (gateway responses reflect the request's
 * Origin, which is safe because WAF's Origin rule, emulated locally, blocks every other origin first).
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`): without it the suite says so and skips, except in CI
 * (`CI` set), where it fails.
 */
import * as fs from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { LocalApi, startLocalApi } from '../../local/server';

const CHROMIUM = '/usr/bin/chromium';
const installed = fs.existsSync(CHROMIUM);
if (!installed && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.warn(`test/browser/cors.test.ts: skipped, ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}
const describeInBrowser = installed || process.env.CI ? describe : describe.skip;

/** The quota every plan gets in these runs: small, so that the allowed page can run into a 429. */
const QUOTA = 3;

/** What a page's `fetch` of the API came to. */
type Outcome = { read: true; status: number; body: any; requestId: string | null; location: string | null } | { read: false; error: string };

/** An HTTPS server with the test CA's certificate that serves a blank page: one origin. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const tls = process.env.SECURE_API_TEST_TLS_DIR;
  if (tls === undefined) throw new Error('SECURE_API_TEST_TLS_DIR is not set: run the tests with `node scripts/run-tests.mjs`');
  const server = createServer({ key: fs.readFileSync(path.join(tls, 'server.key')), cert: fs.readFileSync(path.join(tls, 'server.crt')) },
    (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>page</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Calls the API from the page with `fetch`; the page only learns what CORS lets it read. */
function pageFetch(page: Page, url: string, init: { method?: string; token?: string; key?: string; body?: unknown }): Promise<Outcome> {
  return page.evaluate(async ({ url: target, init: options }) => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    if (options.key !== undefined) headers['x-api-key'] = options.key;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const response = await fetch(target, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
      const text = await response.text();
      return {
        read: true as const, status: response.status, body: text === '' ? null : JSON.parse(text),
        requestId: response.headers.get('x-amzn-RequestId'), location: response.headers.get('Location'),
      };
    } catch (e) {
      return { read: false as const, error: String(e) };
    }
  }, { url, init });
}

let browser: Browser | undefined;
const servers: Server[] = [];
let allowed: { origin: string };
let other: { origin: string };
let third: { origin: string };

beforeAll(async () => {
  if (!installed) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run: apt-get install -y --no-install-recommends chromium)`);
  const pages = await Promise.all([pageServer(), pageServer(), pageServer()]);
  servers.push(...pages.map((p) => p.server));
  [allowed, other, third] = pages;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
});

/** Runs the scenario against a local API whose demo allows `origins()` (the first one is the allowed page's). */
function scenario(name: string, origins: () => string[]): void {
  describeInBrowser(name, () => {
    let api: LocalApi;
    let context: BrowserContext;
    let fromAllowed: Page;
    let fromOther: Page;
    const token = () => api.mintToken({ sub: `browser-${name.length}`, scope: 'items:read items:write' });

    beforeAll(async () => {
      api = await startLocalApi({ port: 0, issuerPort: 0, inMemory: true, corsOrigins: origins(), quotaOverride: QUOTA });
      // The pages' certificates come from the test CA, which this browser profile does not know.
      context = await browser!.newContext({ ignoreHTTPSErrors: true });
      fromAllowed = await context.newPage();
      await fromAllowed.goto(`${allowed.origin}/`);
      fromOther = await context.newPage();
      await fromOther.goto(`${other.origin}/`);
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await api?.stop();
    });

    test('the allowed page reads a 200 from the items function, and the exposed request id', async () => {
      const outcome = await pageFetch(fromAllowed, `${api.url}/items`, { token: token(), key: api.apiKeys['demo-web'] });
      expect(outcome).toEqual({ read: true, status: 200, body: { items: [] }, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), location: null });
    });

    test('the allowed page reads a 201 and its Location', async () => {
      const outcome = await pageFetch(fromAllowed, `${api.url}/items`, { method: 'POST', token: token(), key: api.apiKeys['demo-web'], body: { name: 'from the browser' } });
      expect(outcome).toMatchObject({ read: true, status: 201, body: { name: 'from the browser' }, location: expect.stringMatching(/^\/prod\/items\/[0-9a-f-]{36}$/) });
    });

    test('the allowed page reads the gateway\'s 401 (no token) and 403 (no API key; a token without the scope)', async () => {
      const noToken = await pageFetch(fromAllowed, `${api.url}/items`, { key: api.apiKeys['demo-web'] });
      expect(noToken).toMatchObject({ read: true, status: 401, body: { title: 'Unauthorized', status: 401 } });
      const noKey = await pageFetch(fromAllowed, `${api.url}/items`, { token: token() });
      expect(noKey).toMatchObject({ read: true, status: 403, body: { title: 'Forbidden', status: 403 } });
      const noScope = await pageFetch(fromAllowed, `${api.url}/items`, { token: api.mintToken({ sub: 'browser-reader', scope: 'items:read' }), key: api.apiKeys['demo-web'], method: 'POST', body: { name: 'x' } });
      expect(noScope).toMatchObject({ read: true, status: 403, body: { title: 'Forbidden', status: 403 } });
      // The request id in the problem body is the one in the exposed header.
      expect((noToken as { body: any }).body.requestId).toBe((noToken as { requestId: string }).requestId);
    });

    test('the allowed page reads the gateway\'s 404 for an unknown path, when the request needs no preflight', async () => {
      expect(await pageFetch(fromAllowed, `${api.url}/nothing-here`, {}))
        .toMatchObject({ read: true, status: 404, body: { title: 'Not Found' } });
      // With a token the browser asks first, and an undeclared path has no OPTIONS method: the preflight's 404
      // is not the 2xx it needs, so the page gets nothing (so it is in AWS: only declared resources get OPTIONS).
      expect(await pageFetch(fromAllowed, `${api.url}/nothing-here`, { token: token() }))
        .toEqual({ read: false, error: expect.stringContaining('Failed to fetch') });
    });

    test('the other page reads nothing: every fetch rejects', async () => {
      const calls = [
        pageFetch(fromOther, `${api.url}/items`, { token: token(), key: api.apiKeys['demo-web'] }),
        pageFetch(fromOther, `${api.url}/items`, { key: api.apiKeys['demo-web'] }),
        pageFetch(fromOther, `${api.url}/items`, { token: token() }),
        pageFetch(fromOther, `${api.url}/items`, { method: 'POST', token: token(), key: api.apiKeys['demo-web'], body: { name: 'x' } }),
        pageFetch(fromOther, `${api.url}/nothing-here`, {}),
        pageFetch(fromOther, `${api.url}/items`, {}),
      ];
      for (const outcome of await Promise.all(calls)) {
        expect(outcome).toEqual({ read: false, error: expect.stringContaining('Failed to fetch') });
      }
    });

    test('the other origin is refused by WAF\'s Origin rule with 403 and no CORS origin (seen without a browser)', async () => {
      const answer = await fetch(`${api.url}/items`, { headers: { Origin: other.origin, 'x-api-key': api.apiKeys['demo-web'], Authorization: `Bearer ${token()}` } });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('vary')).toBe('Origin');
      expect(await answer.json()).toEqual({ message: 'Forbidden' });
    });

    test('the allowed page reads the gateway\'s 429 once the quota is spent', async () => {
      let last: Outcome | undefined;
      for (let i = 0; i <= QUOTA + 1; i++) {
        last = await pageFetch(fromAllowed, `${api.url}/items`, { token: token(), key: api.apiKeys['demo-web'] });
        if (last.read && last.status === 429) break;
      }
      expect(last).toMatchObject({ read: true, status: 429, body: { title: 'Too Many Requests', status: 429 } });
    });
  });
}

scenario('one allowed origin', () => [allowed.origin]);
scenario('two allowed origins', () => [third.origin, allowed.origin]);
