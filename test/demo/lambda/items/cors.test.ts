/**
 * CORS of the items service: a Lambda proxy integration's answer reaches the browser as the function wrote it, so
 * every answer — success, client error, server error — carries the CORS headers for an allowed origin, and no
 * `Access-Control-Allow-Origin` for any other origin.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
 */
import { apiEvent } from './events';
import { Harness } from './harness';

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';
let harness: Harness;

beforeAll(async () => {
  harness = await Harness.start();
});

afterAll(async () => {
  await harness.stop();
});

beforeEach(() => harness.reset({ allowedOrigins: [APP, ADMIN] }));

const from = (origin: string) => ({ 'content-type': 'application/json', origin });

test('201 with Location, 200, 404, 400 and 405 from an allowed origin carry its CORS headers and expose Location and Allow', async () => {
  const caller = harness.caller('cors');
  const created = await harness.send(apiEvent(caller, { method: 'POST', body: { name: 'x' }, headers: from(ADMIN) }));
  const answers = [
    created,
    await harness.send(apiEvent(caller, { method: 'GET', headers: from(ADMIN) })),
    await harness.send(apiEvent(caller, { method: 'GET', id: '00000000-0000-4000-8000-000000000000', headers: from(ADMIN) })),
    await harness.send(apiEvent(caller, { method: 'POST', body: { nope: 1 }, headers: from(ADMIN) })),
    await harness.send(apiEvent(caller, { method: 'PATCH', headers: from(ADMIN) })),
  ];
  expect(answers.map((a) => a.statusCode)).toEqual([201, 200, 404, 400, 405]);
  for (const answer of answers) {
    expect(answer.headers).toMatchObject({
      'Access-Control-Allow-Origin': ADMIN,
      'Access-Control-Expose-Headers': 'x-amzn-RequestId,Location,Retry-After,Allow',
      'Vary': 'Origin',
    });
  }
  expect(created.headers?.Location).toMatch(/^\/prod\/items\//);
});

test('a 500 (no verified subject) carries them too', async () => {
  const answer = await harness.send(apiEvent(null, { method: 'GET', authorizer: {}, headers: from(APP) }));
  expect(answer.statusCode).toBe(500);
  expect(answer.headers?.['Access-Control-Allow-Origin']).toBe(APP);
});

test('another origin, or none, gets Vary but no Access-Control-Allow-Origin', async () => {
  const caller = harness.caller('cors-other');
  for (const headers of [from('https://evil.example.com'), from(`${APP}.evil.example.com`), {}]) {
    const answer = await harness.send(apiEvent(caller, { method: 'GET', headers }));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
    expect(answer.headers?.['Access-Control-Expose-Headers']).toBeUndefined();
    expect(answer.headers?.Vary).toBe('Origin');
  }
});

test('without allowed origins the service sends no CORS headers', async () => {
  harness.reset();
  const answer = await harness.send(apiEvent(harness.caller('cors-off'), { method: 'GET', headers: from(APP) }));
  expect(Object.keys(answer.headers ?? {}).filter((h) => /^(access-control-|vary$)/i.test(h))).toEqual([]);
});
