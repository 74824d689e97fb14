/**
 * The items service's answers to bad input, misdeployment and failures, against a real DynamoDB API (dynalite):
 * status codes, problem+json bodies that give nothing away, reason codes in the logs, and nothing stored.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ItemsConfigurationError } from '../../../../demo/lambda/items/errors';
import type { Item } from '../../../../demo/lambda/items/item';
import { createItemsHandler } from '../../../../demo/lambda/items/router';
import { AuthorizerContextKey } from '../../../../lib/common/authorizer-config';
import { apiEvent, Caller, DEFAULT_ISSUER, expectProblem, json, RecordingLogger } from './events';
import { Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
});

afterAll(async () => {
  await h.stop();
});

beforeEach(() => {
  h.reset();
});

const GENERIC_500 = {
  type: 'urn:secure-api:problem:internal-error',
  title: 'Internal Server Error',
  status: 500,
  detail: 'The server could not process the request.',
};

/** Asserts that the caller still has no items: a rejected request stored nothing. */
async function expectNothingStored(caller: Caller): Promise<void> {
  expect(json(await h.list(caller))).toEqual({ items: [] });
}

describe('request bodies', () => {
  const name = (n: number): string => 'n'.repeat(n);

  test.each<[string, unknown]>([
    ['name missing', {}],
    ['name empty', { name: '' }],
    ['name of 201 characters', { name: name(201) }],
    ['name only spaces', { name: '   ' }],
    ['name with a control character', { name: 'a\u0000b' }],
    ['name with a newline', { name: 'a\nb' }],
    ['name a number', { name: 5 }],
    ['name null', { name: null }],
    ['name an array', { name: ['x'] }],
    ['description of 2001 characters', { name: 'x', description: 'd'.repeat(2001) }],
    ['description with a control character', { name: 'x', description: 'a\u0007' }],
    ['description an object', { name: 'x', description: { a: 1 } }],
    ['tags a string', { name: 'x', tags: 'a' }],
    ['tags with a number', { name: 'x', tags: [1] }],
    ['21 tags', { name: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
    ['a tag of 51 characters', { name: 'x', tags: ['t'.repeat(51)] }],
    ['an empty tag', { name: 'x', tags: [''] }],
    ['repeated tags', { name: 'x', tags: ['a', 'b', 'a'] }],
    ['a tag with markup', { name: 'x', tags: ['<script>'] }],
    ['a tag with a double space', { name: 'x', tags: ['a  b'] }],
    ['a tag with a trailing space', { name: 'x', tags: ['a '] }],
    ['an id (mass assignment)', { name: 'x', id: '11111111-1111-4111-8111-111111111111' }],
    ['a version (mass assignment)', { name: 'x', version: 7 }],
    ['timestamps (mass assignment)', { name: 'x', createdAt: '2000-01-01T00:00:00.000Z' }],
    ['an owner (mass assignment)', { name: 'x', owner: 'bob' }],
    ['table keys (mass assignment)', { name: 'x', pk: 'OWNER##bob', sk: 'ITEM#x' }],
  ])('POST with %s is 400 and stores nothing', async (_case, body) => {
    const alice = h.caller('alice');
    const response = await h.send(apiEvent(alice, { method: 'POST', body }));
    expect(response.statusCode).toBe(400);
    expect(json(response).type).toBe('urn:secure-api:problem:invalid-body');
    await expectNothingStored(alice);
  });

  test.each<[string, unknown]>([
    ['version missing', { name: 'x' }],
    ['version 0', { version: 0, name: 'x' }],
    ['version a string', { version: '1', name: 'x' }],
    ['version a fraction', { version: 1.5, name: 'x' }],
    ['version too large', { version: 2 ** 31, name: 'x' }],
    ['name empty', { version: 1, name: '' }],
    ['an id', { version: 1, id: '11111111-1111-4111-8111-111111111111' }],
    ['createdAt', { version: 1, createdAt: '2000-01-01T00:00:00.000Z' }],
    ['an unknown field', { version: 1, admin: true }],
  ])('PUT with %s is 400 and changes nothing', async (_case, body) => {
    const alice = h.caller('alice');
    const item = await h.create(alice, { name: 'original' });
    const response = await h.update(alice, item.id, body);
    expect(response.statusCode).toBe(400);
    expect(json(await h.get(alice, item.id))).toEqual(item);
  });

  test('lengths count characters (code points), not UTF-16 units: 200 emoji are a valid name, 201 are not', async () => {
    const alice = h.caller('alice');
    const created = await h.create(alice, { name: '😀'.repeat(200) });
    expect(created.name).toBe('😀'.repeat(200));
    const response = await h.send(apiEvent(alice, { method: 'POST', body: { name: '😀'.repeat(201) } }));
    expect(response.statusCode).toBe(400);
  });

  test('the largest valid item is accepted', async () => {
    const alice = h.caller('alice');
    const body = {
      name: name(200),
      description: 'line one\nline\ttwo\r\n'.padEnd(2000, 'd'),
      tags: Array.from({ length: 20 }, (_, i) => `tag.${i}:x-y_z`.padEnd(50, 'q')),
    };
    const created = await h.create(alice, body);
    expect(created).toMatchObject(body);
  });

  test('a validation problem lists each violation by JSON pointer without echoing the values', async () => {
    const alice = h.caller('alice');
    const response = await h.send(apiEvent(alice, {
      method: 'POST', body: { name: '', tags: ['ok', 'SECRET VALUE!'], sneaky: 'SECRET2' },
    }));
    const problem = expectProblem(response, 400);
    expect(problem.errors).toEqual(expect.arrayContaining([
      { pointer: '/name', detail: expect.any(String) },
      { pointer: '/tags/1', detail: expect.any(String) },
      { pointer: '', detail: expect.stringContaining('not allowed') },
    ]));
    expect(response.body).not.toContain('SECRET');
    expect(response.body).not.toContain('sneaky');
  });

  test('a body over 16 KiB is 413', async () => {
    const alice = h.caller('alice');
    const response = await h.send(apiEvent(alice, { method: 'POST', body: { name: 'x', description: 'd'.repeat(17 * 1024) } }));
    expect(response.statusCode).toBe(413);
    // Counted in bytes of UTF-8: 6000 three-byte characters are 18000 bytes.
    const wide = await h.send(apiEvent(alice, { method: 'POST', body: { name: 'x', description: '€'.repeat(6000) } }));
    expect(wide.statusCode).toBe(413);
    await expectNothingStored(alice);
  });

  test.each([
    ['malformed JSON', '{"name": "x"', 'invalid-json'],
    ['trailing garbage', '{"name": "x"} x', 'invalid-json'],
    ['a JSON array', '[{"name": "x"}]', 'invalid-request'],
    ['JSON null', 'null', 'invalid-request'],
    ['a JSON string', '"name"', 'invalid-request'],
    ['a JSON number', '42', 'invalid-request'],
    ['an empty body', '', 'missing-body'],
    ['a repeated member name', '{"name": "a", "name": "b"}', 'duplicate-member'],
    ['a repeated member name spelled with an escape', '{"name": "a", "n\\u0061me": "b"}', 'duplicate-member'],
    ['a __proto__ member', '{"name": "x", "__proto__": {"admin": true}}', 'forbidden-member'],
    ['an escaped __proto__ member', '{"name": "x", "\\u005f_proto__": {}}', 'forbidden-member'],
    ['a nested __proto__ member', '{"name": "x", "tags": [{"__proto__": 1}]}', 'forbidden-member'],
    ['a constructor member', '{"name": "x", "constructor": {"prototype": {}}}', 'forbidden-member'],
    ['a prototype member', '{"prototype": 1, "name": "x"}', 'forbidden-member'],
    ['deep nesting', `{"name": "x", "tags": ${'['.repeat(40)}${']'.repeat(40)}}`, 'too-deep'],
    ['a lone surrogate', '{"name": "a\\ud800b"}', 'invalid-text'],
  ])('POST with %s is 400 (%s)', async (_case, raw, reason) => {
    const alice = h.caller('alice');
    const response = await h.send(apiEvent(alice, { method: 'POST', body: raw }));
    expect(response.statusCode).toBe(400);
    expect(json(response).type).toBe(`urn:secure-api:problem:${reason}`);
    await expectNothingStored(alice);
  });

  test('a __proto__ member does not pollute the prototype of anything', async () => {
    const alice = h.caller('alice');
    await h.send(apiEvent(alice, { method: 'POST', body: '{"name": "x", "__proto__": {"polluted": true}}' }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([
    ['no Content-Type', {}],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['application/x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['application/json with another charset', { 'content-type': 'application/json; charset=latin1' }],
    ['application/jsonx', { 'content-type': 'application/jsonx' }],
  ])('a body sent with %s is 415', async (_case, headers) => {
    const alice = h.caller('alice');
    const response = await h.send(apiEvent(alice, { method: 'POST', body: { name: 'x' }, headers }));
    expect(response.statusCode).toBe(415);
    await expectNothingStored(alice);
  });

  test('accepts Content-Type in any case, with charset=utf-8', async () => {
    const alice = h.caller('alice');
    const variants: Record<string, string>[] = [
      { 'Content-Type': 'Application/JSON; charset=UTF-8' },
      { 'CONTENT-TYPE': 'application/json;charset="utf-8"' },
    ];
    for (const headers of variants) {
      const response = await h.send(apiEvent(alice, { method: 'POST', body: { name: 'x' }, headers }));
      expect(response.statusCode).toBe(201);
    }
  });

  test('accepts a base64-encoded body (binary media types) and refuses one that is not UTF-8', async () => {
    const alice = h.caller('alice');
    const good = await h.send(apiEvent(alice, {
      method: 'POST', body: Buffer.from('{"name":"é"}').toString('base64'), isBase64Encoded: true,
    }));
    expect(good.statusCode).toBe(201);
    expect(json<Item>(good).name).toBe('é');
    const bad = await h.send(apiEvent(alice, {
      method: 'POST', body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]).toString('base64'), isBase64Encoded: true,
    }));
    expect(bad.statusCode).toBe(400);
    const big = await h.send(apiEvent(alice, {
      method: 'POST', body: Buffer.from(JSON.stringify({ name: 'x', description: 'd'.repeat(17000) })).toString('base64'),
      isBase64Encoded: true,
    }));
    expect(big.statusCode).toBe(413);
  });
});

describe('query parameters', () => {
  test('an unknown query parameter is 400 on every route', async () => {
    const alice = h.caller('alice');
    const item = await h.create(alice);
    const responses = await Promise.all([
      h.send(apiEvent(alice, { method: 'GET', query: { owner: 'bob' } })),
      h.send(apiEvent(alice, { method: 'POST', query: { owner: 'bob' }, body: { name: 'x' } })),
      h.send(apiEvent(alice, { method: 'GET', id: item.id, query: { owner: 'bob' } })),
      h.send(apiEvent(alice, { method: 'PUT', id: item.id, query: { version: '1' }, body: { version: 1 } })),
      h.send(apiEvent(alice, { method: 'DELETE', id: item.id, query: { force: 'true' } })),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400]);
    expect(json(await h.get(alice, item.id))).toEqual(item);
  });

  test('a repeated query parameter is 400', async () => {
    const alice = h.caller('alice');
    const response = await h.send(apiEvent(alice, {
      method: 'GET', query: { limit: '5' }, multiQuery: { limit: ['100', '5'] },
    }));
    expect(response.statusCode).toBe(400);
  });
});

describe('routes', () => {
  test('a resource the function does not serve is 404', async () => {
    const response = await h.send(apiEvent(h.caller('alice'), { method: 'GET', resource: '/admin' }));
    expect(response.statusCode).toBe(404);
  });

  test.each([
    ['/items', 'DELETE', 'GET, POST'],
    ['/items', 'PUT', 'GET, POST'],
    ['/items/{id}', 'POST', 'DELETE, GET, PUT'],
    ['/items/{id}', 'PATCH', 'DELETE, GET, PUT'],
  ])('%s %s is 405 with an Allow header', async (resource, method, allow) => {
    const response = await h.send(apiEvent(h.caller('alice'), {
      method, resource, id: resource === '/items' ? undefined : '11111111-1111-4111-8111-111111111111',
    }));
    expect(response.statusCode).toBe(405);
    expect(response.headers?.Allow).toBe(allow);
  });
});

describe('caller identity missing from the authorizer context', () => {
  /** A complete context of the authorizer with `overrides` applied. */
  function identity(overrides: Record<string, unknown>): Record<string, unknown> {
    return {
      [AuthorizerContextKey.SUBJECT]: 'alice',
      [AuthorizerContextKey.PRINCIPAL]: 'alice',
      [AuthorizerContextKey.PRINCIPAL_CLAIM]: 'sub',
      [AuthorizerContextKey.TENANT]: '',
      [AuthorizerContextKey.ISSUER]: DEFAULT_ISSUER,
      ...overrides,
    };
  }

  test.each<[string, Record<string, unknown> | null, string]>([
    ['no authorizer context', null, 'MissingAuthorizerContext'],
    ['an empty context', {}, 'MissingIssuer'],
    ['only a sub', { [AuthorizerContextKey.SUBJECT]: 'alice', [AuthorizerContextKey.TENANT]: '' }, 'MissingIssuer'],
    ['only a principalId', { principalId: 'alice' }, 'MissingIssuer'],
    ['an empty issuer', identity({ [AuthorizerContextKey.ISSUER]: '' }), 'MissingIssuer'],
    ['an issuer that is not a string', identity({ [AuthorizerContextKey.ISSUER]: 5 }), 'MissingIssuer'],
    ['an empty principal claim', identity({ [AuthorizerContextKey.PRINCIPAL_CLAIM]: '' }), 'MissingPrincipalClaim'],
    ['no principal claim', identity({ [AuthorizerContextKey.PRINCIPAL_CLAIM]: undefined }), 'MissingPrincipalClaim'],
    ['an empty principal, even with a sub', identity({ [AuthorizerContextKey.PRINCIPAL]: '' }), 'MissingPrincipal'],
    ['a principal that is not a string', identity({ [AuthorizerContextKey.PRINCIPAL]: 5 }), 'MissingPrincipal'],
    ['a tenant that is not a string', identity({ [AuthorizerContextKey.TENANT]: 7 }), 'InvalidTenant'],
    ['a principal with a lone surrogate', identity({ [AuthorizerContextKey.PRINCIPAL]: 'a\ud800' }), 'MalformedOwnerIdentity'],
    ['an issuer with a lone surrogate', identity({ [AuthorizerContextKey.ISSUER]: 'https://a/\udc00' }), 'MalformedOwnerIdentity'],
    ['a principal too long for a partition key', identity({ [AuthorizerContextKey.PRINCIPAL]: '#'.repeat(700) }), 'OwnerKeyTooLong'],
  ])('%s: every route answers a generic 500, logs the reason and never reads or writes the table', async (_case, authorizer, reason) => {
    const id = '11111111-1111-4111-8111-111111111111';
    const events = [
      apiEvent(null, { method: 'GET', authorizer }),
      apiEvent(null, { method: 'POST', body: { name: 'x' }, authorizer }),
      apiEvent(null, { method: 'GET', id, authorizer }),
      apiEvent(null, { method: 'PUT', id, body: { version: 1 }, authorizer }),
      apiEvent(null, { method: 'DELETE', id, authorizer }),
      apiEvent(null, { method: 'POST', body: 'not json', authorizer }),
      apiEvent(null, { method: 'GET', resource: '/admin', authorizer }),
    ];
    for (const event of events) {
      const response = await h.send(event);
      expect(json(response)).toEqual(GENERIC_500);
    }
    expect(h.counter.calls()).toBe(0);
    expect(h.logger.entries.map((e) => [e.level, e.attributes.reason])).toEqual(events.map(() => ['error', reason]));
  });
});

describe('failures', () => {
  test('an unexpected DynamoDB error is a generic 500, logged with a reason code, with no SDK or table details in the answer', async () => {
    const logger = new RecordingLogger();
    const handle = createItemsHandler({ client: h.dynamo.client, tableName: 'no-such-table-xyz', logger });
    const response = await handle(apiEvent(h.caller('alice'), { method: 'GET' }));
    expectProblem(response, 500, 'no-such-table-xyz');
    expect(json(response)).toEqual(GENERIC_500);
    expect(logger.entries).toEqual([{
      level: 'error',
      message: 'Request failed',
      attributes: expect.objectContaining({ reason: 'UnexpectedError', status: 500, errorName: 'ResourceNotFoundException' }),
    }]);
  });

  test('a malformed stored item is a generic 500, not a partial answer', async () => {
    const alice = h.caller('alice');
    const id = '33333333-3333-4333-8333-333333333333';
    await h.dynamo.client.send(new PutItemCommand({
      TableName: h.dynamo.tableName,
      Item: { pk: { S: `OWNER#${encodeURIComponent(DEFAULT_ISSUER)}##sub#${alice.sub}` }, sk: { S: `ITEM#${id}` }, id: { S: id }, version: { S: 'one' } },
    }));
    const response = await h.get(alice, id);
    expect(json(response)).toEqual(GENERIC_500);
    expect(h.logger.reasons()).toEqual(['CorruptItemError']);
    expect((await h.list(alice)).statusCode).toBe(500);
    await h.delete(alice, id);
  });
});

describe('logging', () => {
  test('logs reason codes of rejected requests, and never bodies, headers or tokens', async () => {
    const alice = h.caller('alice');
    const secretHeaders = { 'content-type': 'application/json', authorization: 'Bearer SECRET-TOKEN', 'x-api-key': 'SECRET-KEY' };
    await h.send(apiEvent(alice, { method: 'POST', body: { name: '', description: 'SECRET-BODY' }, headers: secretHeaders }));
    await h.send(apiEvent(alice, { method: 'POST', body: '{"SECRET-BODY', headers: secretHeaders }));
    await h.send(apiEvent(null, { method: 'POST', body: { name: 'SECRET-BODY' }, headers: secretHeaders, authorizer: {} }));
    await h.send(apiEvent(alice, { method: 'GET', id: '44444444-4444-4444-8444-444444444444', headers: secretHeaders }));
    expect(h.logger.reasons()).toEqual(['ValidationError', 'ValidationError', 'MissingIssuer', 'ItemNotFoundError']);
    expect(h.logger.entries.map((e) => e.level)).toEqual(['info', 'info', 'error', 'info']);
    expect(JSON.stringify(h.logger.entries)).not.toMatch(/SECRET/);
  });

  test('successful requests log nothing', async () => {
    const alice = h.caller('alice');
    const item = await h.create(alice);
    await h.get(alice, item.id);
    await h.list(alice);
    expect(h.logger.entries).toEqual([]);
  });
});

describe('options', () => {
  test.each([
    [{ tableName: 'ab' }, "'tableName'"],
    [{ maxPageSize: 101 }, "'maxPageSize' must be an integer from 1 to 100 (got 101)"],
    [{ maxPageSize: 10, defaultPageSize: 20 }, "'defaultPageSize' must be an integer from 1 to 10 (got 20)"],
    [{ maxBodyBytes: 0 }, "'maxBodyBytes'"],
  ])('refuses invalid options %j', (options, message) => {
    expect(() => createItemsHandler({
      client: h.dynamo.client, tableName: 'items-test', logger: new RecordingLogger(), ...options,
    })).toThrow(message);
    expect(() => createItemsHandler({
      client: h.dynamo.client, tableName: 'items-test', logger: new RecordingLogger(), ...options,
    })).toThrow(ItemsConfigurationError);
  });

  test('a smaller maxPageSize caps limit', async () => {
    h.reset({ maxPageSize: 5, defaultPageSize: 2 });
    const alice = h.caller('alice');
    for (let i = 0; i < 3; i++) await h.create(alice);
    expect((await h.list(alice, { limit: '6' })).statusCode).toBe(400);
    expect(json<{ items: unknown[] }>(await h.list(alice)).items).toHaveLength(2);
  });
});
