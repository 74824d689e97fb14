/**
 * The CORS rule Lambda proxy integrations apply (lib/common/cors.ts, published as `secure-api/cors`): the headers of
 * an allowed origin only, `Vary: Origin` always while CORS is on, and the environment contract with the construct.
 */
import {
  allowedOriginsFromEnvironment, CORS_ALLOW_ORIGINS_ENV, corsEnvironment, corsHeaders, requestOrigin,
} from '../../lib/common/cors';

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com:8443';

describe('corsHeaders', () => {
  test('an allowed origin is named, with Vary and the exposed request id', () => {
    expect(corsHeaders(ADMIN, [APP, ADMIN])).toEqual({
      'Access-Control-Allow-Origin': ADMIN,
      'Access-Control-Expose-Headers': 'x-amzn-RequestId',
      'Vary': 'Origin',
    });
  });

  test('another origin gets only Vary: no Access-Control-Allow-Origin, so its page cannot read the answer', () => {
    expect(corsHeaders('https://evil.example.com', [APP])).toEqual({ Vary: 'Origin' });
  });

  test('the match is exact: no prefix, suffix, case or port variant of an allowed origin is allowed', () => {
    for (const near of ['https://app.example.com.evil.com', 'https://evil-app.example.com', 'https://APP.example.com',
      'https://app.example.com:8443', 'http://app.example.com', `${APP}/`, 'null', '']) {
      expect([near, corsHeaders(near, [APP])]).toEqual([near, { Vary: 'Origin' }]);
    }
  });

  test('a request without an Origin gets only Vary', () => {
    expect(corsHeaders(undefined, [APP])).toEqual({ Vary: 'Origin' });
  });

  test('no headers at all when CORS is off (no allowed origins)', () => {
    expect(corsHeaders(APP, [])).toEqual({});
  });

  test('more headers can be exposed, without repeating one', () => {
    expect(corsHeaders(APP, [APP], { exposeHeaders: ['Location', 'x-amzn-RequestId', 'Retry-After'] })['Access-Control-Expose-Headers'])
      .toBe('x-amzn-RequestId,Location,Retry-After');
  });
});

describe('requestOrigin', () => {
  test('finds the Origin header whatever its case', () => {
    expect(requestOrigin({ origin: APP })).toBe(APP);
    expect(requestOrigin({ Origin: APP, Accept: '*/*' })).toBe(APP);
    expect(requestOrigin({ ORIGIN: APP })).toBe(APP);
  });

  test('is undefined without headers or without an Origin header', () => {
    expect(requestOrigin(null)).toBeUndefined();
    expect(requestOrigin(undefined)).toBeUndefined();
    expect(requestOrigin({ Referer: APP })).toBeUndefined();
  });
});

describe('the environment contract', () => {
  test('the origins go into SECURE_API_CORS_ALLOW_ORIGINS, comma-separated, and come back out', () => {
    const env = corsEnvironment([APP, ADMIN]);
    expect(env).toEqual({ SECURE_API_CORS_ALLOW_ORIGINS: `${APP},${ADMIN}` });
    expect(CORS_ALLOW_ORIGINS_ENV).toBe('SECURE_API_CORS_ALLOW_ORIGINS');
    expect(allowedOriginsFromEnvironment(env)).toEqual([APP, ADMIN]);
  });

  test('no variable when CORS is off, and an unset variable means no origins', () => {
    expect(corsEnvironment([])).toEqual({});
    expect(allowedOriginsFromEnvironment({})).toEqual([]);
  });

  test('blanks around and between entries are ignored', () => {
    expect(allowedOriginsFromEnvironment({ SECURE_API_CORS_ALLOW_ORIGINS: ` ${APP} ,, ${ADMIN} ` })).toEqual([APP, ADMIN]);
  });
});
