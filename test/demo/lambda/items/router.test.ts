/**
 * The items service end to end against a real DynamoDB API (dynalite): CRUD, owner isolation, tenants,
 * optimistic concurrency and pagination.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '../../../../demo/lambda/items/item';
import { apiEvent, Caller, DEFAULT_ISSUER, json } from './events';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('CRUD', () => {
  test('creates an item with a server-generated id, version 1 and a Location header', async () => {
    const alice = h.caller('alice');
    const response = await h.send(apiEvent(alice, {
      method: 'POST', body: { name: 'first', description: 'the first one', tags: ['a', 'b c'] },
    }));
    expect(response.statusCode).toBe(201);
    const item = json<Item>(response);
    expect(item).toEqual({
      id: expect.stringMatching(UUID),
      name: 'first',
      description: 'the first one',
      tags: ['a', 'b c'],
      version: 1,
      createdAt: expect.any(String),
      updatedAt: item.createdAt,
    });
    expect(response.headers?.Location).toBe(`/prod/items/${item.id}`);
  });

  test('omits description and tags when they are left out or empty', async () => {
    const alice = h.caller('alice');
    const plain = await h.create(alice, { name: 'plain' });
    const empty = await h.create(alice, { name: 'empty', description: '', tags: [] });
    for (const item of [plain, empty]) {
      expect(Object.keys(item).sort()).toEqual(['createdAt', 'id', 'name', 'updatedAt', 'version']);
    }
  });

  test('builds the Location from the request path, falling back to /items/<id>', async () => {
    const alice = h.caller('alice');
    for (const [requestPath, prefix] of [
      ['/items', '/items/'],
      ['/v1/items/', '/v1/items/'],
      ['/prod/other', '/items/'],
      ['/prod/items?x=<script>', '/items/'],
    ] as const) {
      const response = await h.send(apiEvent(alice, { method: 'POST', body: { name: 'x' }, requestPath }));
      expect(response.headers?.Location).toBe(`${prefix}${json<Item>(response).id}`);
    }
  });

  test('gets an item by id', async () => {
    const alice = h.caller('alice');
    const created = await h.create(alice, { name: 'to get', tags: ['t'] });
    const response = await h.get(alice, created.id);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual(created);
  });

  test('updates the given fields, keeps the others, increments the version and sets updatedAt', async () => {
    const alice = h.caller('alice');
    let clock = new Date('2030-01-01T00:00:00.000Z');
    h.reset({ now: () => clock });
    const created = await h.create(alice, { name: 'before', description: 'kept', tags: ['old'] });
    clock = new Date('2030-01-02T00:00:00.000Z');
    const response = await h.update(alice, created.id, { version: 1, name: 'after', tags: ['new', 'newer'] });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      ...created,
      name: 'after',
      tags: ['new', 'newer'],
      version: 2,
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-02T00:00:00.000Z',
    });
    expect(json((await h.get(alice, created.id)))).toEqual(json(response));
  });

  test("an update with description '' and tags [] removes them", async () => {
    const alice = h.caller('alice');
    const created = await h.create(alice, { name: 'n', description: 'd', tags: ['t'] });
    const response = await h.update(alice, created.id, { version: 1, description: '', tags: [] });
    expect(response.statusCode).toBe(200);
    const updated = json<Item>(response);
    expect(updated).not.toHaveProperty('description');
    expect(updated).not.toHaveProperty('tags');
    expect(updated.version).toBe(2);
  });

  test('an update with only the version touches the item (version and updatedAt change)', async () => {
    const alice = h.caller('alice');
    const created = await h.create(alice, { name: 'n' });
    const response = await h.update(alice, created.id, { version: 1 });
    expect(response.statusCode).toBe(200);
    expect(json<Item>(response)).toMatchObject({ name: 'n', version: 2 });
  });

  test('deletes an item (204), after which it is not found', async () => {
    const alice = h.caller('alice');
    const created = await h.create(alice);
    const response = await h.delete(alice, created.id);
    expect(response.statusCode).toBe(204);
    expect((await h.get(alice, created.id)).statusCode).toBe(404);
  });

  test('delete is idempotent: deleting twice, or an id that never existed, answers 204', async () => {
    const alice = h.caller('alice');
    const created = await h.create(alice);
    expect((await h.delete(alice, created.id)).statusCode).toBe(204);
    expect((await h.delete(alice, created.id)).statusCode).toBe(204);
    expect((await h.delete(alice, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(204);
  });

  test('lists the caller items without table internals', async () => {
    const alice = h.caller('alice');
    const a = await h.create(alice, { name: 'a' });
    const b = await h.create(alice, { name: 'b', tags: ['x'] });
    const response = await h.list(alice);
    expect(response.statusCode).toBe(200);
    const body = json<{ items: Item[]; nextCursor?: string }>(response);
    expect(body).not.toHaveProperty('nextCursor');
    expect(body.items).toHaveLength(2);
    expect(body.items).toEqual(expect.arrayContaining([a, b]));
    expect(response.body).not.toMatch(/OWNER#|ITEM#|"pk"|"sk"/);
  });

  test('an empty listing is 200 with no items and no cursor', async () => {
    const response = await h.list(h.caller('nobody'));
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ items: [] });
  });

  test('a well-formed id that does not exist is 404 on GET and PUT', async () => {
    const alice = h.caller('alice');
    const id = '11111111-1111-4111-8111-111111111111';
    expect((await h.get(alice, id)).statusCode).toBe(404);
    expect((await h.update(alice, id, { version: 1, name: 'x' })).statusCode).toBe(404);
  });

  test.each([
    ['not-a-uuid'],
    ['11111111-1111-4111-8111-11111111111'],
    ['11111111-1111-1111-8111-111111111111'],
    ['AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA'],
    ['../items'],
    [''],
  ])('an {id} that is not a lowercase UUID v4 (%j) is 404 on GET, PUT and DELETE, without touching the table', async (id) => {
    const alice = h.caller('alice');
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await h.send(apiEvent(alice, { method, id, body: method === 'PUT' ? { version: 1 } : undefined }));
      expect(response.statusCode).toBe(404);
    }
    expect(h.counter.calls()).toBe(0);
  });
});

describe('owner isolation (BOLA)', () => {
  test("bob cannot GET, PUT or DELETE alice's item, and alice's item stays unchanged", async () => {
    const alice = h.caller('alice');
    const bob = h.caller('bob');
    const item = await h.create(alice, { name: "alice's", description: 'private' });

    const get = await h.get(bob, item.id);
    expect(get.statusCode).toBe(404);
    const put = await h.update(bob, item.id, { version: 1, name: 'pwned' });
    expect(put.statusCode).toBe(404);
    // Same answer as for an id that exists nowhere: existence does not leak.
    const nowhere = await h.get(bob, '22222222-2222-4222-8222-222222222222');
    expect(json(get)).toEqual(json(nowhere));
    expect(json(put)).toEqual(json(nowhere));

    // DELETE is idempotent, so it answers 204 as for any id the caller does not have, and removes nothing.
    expect((await h.delete(bob, item.id)).statusCode).toBe(204);

    const after = await h.get(alice, item.id);
    expect(after.statusCode).toBe(200);
    expect(json(after)).toEqual(item);
  });

  test("bob's listing never shows alice's items", async () => {
    const alice = h.caller('alice');
    const bob = h.caller('bob');
    const aliceIds = new Set((await Promise.all([1, 2, 3].map(() => h.create(alice)))).map((i) => i.id));
    const bobItem = await h.create(bob, { name: 'bob' });
    const pages = await h.listAll(bob, 1);
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(ids).toEqual([bobItem.id]);
    expect(ids.some((id) => aliceIds.has(id))).toBe(false);
  });

  test('identity hints in headers, path or query are ignored: only the authorizer context decides the owner', async () => {
    const alice = h.caller('alice');
    const bob = h.caller('bob');
    const item = await h.create(alice);
    const response = await h.send(apiEvent(bob, {
      method: 'GET',
      id: item.id,
      headers: { 'x-user-id': alice.sub, 'x-amzn-oidc-identity': alice.sub, sub: alice.sub },
    }));
    expect(response.statusCode).toBe(404);
  });

  test('the stored partition key is derived from the verified issuer, tenant, principal claim and principal only', async () => {
    const dave = h.caller('dave', 'acme');
    const item = await h.create(dave);
    const scan = await h.dynamo.client.send(new ScanCommand({ TableName: h.dynamo.tableName }));
    const stored = (scan.Items ?? []).find((record) => record.id?.S === item.id);
    expect(stored?.pk?.S).toBe(`OWNER#${encodeURIComponent(DEFAULT_ISSUER)}#acme#sub#${encodeURIComponent(dave.sub)}`);
    expect(stored?.sk?.S).toBe(`ITEM#${item.id}`);
  });

  test('the same subject in two tenants (or in none) is three different owners', async () => {
    const sub = h.caller('carol').sub;
    const inT1: Caller = { sub, tenant: 't1' };
    const inT2: Caller = { sub, tenant: 't2' };
    const noTenant: Caller = { sub };
    const item = await h.create(inT1, { name: 't1 item' });
    for (const other of [inT2, noTenant]) {
      expect((await h.get(other, item.id)).statusCode).toBe(404);
      expect((await h.update(other, item.id, { version: 1, name: 'x' })).statusCode).toBe(404);
      expect(json(await h.list(other))).toEqual({ items: [] });
    }
    expect((await h.delete(inT2, item.id)).statusCode).toBe(204);
    expect(json(await h.get(inT1, item.id))).toEqual(item);
  });

  test.each([
    ['tenant "a#b", subject "c"', { tenant: 'a#b', sub: 'c' }, { tenant: 'a', sub: 'b#c' }],
    ['subject "x#y" without tenant', { tenant: '', sub: 'x#y' }, { tenant: 'x', sub: 'y' }],
    ['subject "#"', { sub: '#' }, { sub: '%23' }],
    ['subject "OWNER#t#s"', { sub: 'OWNER#t#s' }, { tenant: 't', sub: 's' }],
    ['subject "s" in tenant "%"', { tenant: '%', sub: 's' }, { tenant: '%25', sub: 's' }],
    ['subject with a unicode separator', { sub: 'a\u2028b' }, { sub: 'a b' }],
    ['issuer "i#t" in tenant "u"', { iss: 'i#t', tenant: 'u', sub: 's' }, { iss: 'i', tenant: 't#u', sub: 's' }],
    ['tenant "t#sub"', { tenant: 't#sub', principalClaim: 'x', sub: 's' }, { tenant: 't', principalClaim: 'sub#x', sub: 's' }],
    ['principal claim "sub#p"', { principalClaim: 'sub#p', sub: 's' }, { principalClaim: 'sub', sub: 'p#s' }],
    ['issuer "%23"', { iss: '%23', sub: 's' }, { iss: '#', sub: 's' }],
  ])('owners whose parts contain separators cannot collide: %s', async (_name, first: Caller, second: Caller) => {
    const firstItem = await h.create(first);
    const secondItem = await h.create(second);
    const firstIds = (await h.listAll(first)).flatMap((p) => p.items.map((i) => i.id));
    const secondIds = (await h.listAll(second)).flatMap((p) => p.items.map((i) => i.id));
    expect(firstIds).toContain(firstItem.id);
    expect(firstIds).not.toContain(secondItem.id);
    expect(secondIds).toContain(secondItem.id);
    expect(secondIds).not.toContain(firstItem.id);
    expect((await h.get(second, firstItem.id)).statusCode).toBe(404);
    expect((await h.get(first, secondItem.id)).statusCode).toBe(404);
    // Clean up so that the next run of this row starts empty.
    await h.delete(first, firstItem.id);
    await h.delete(second, secondItem.id);
  });
});

describe('optimistic concurrency', () => {
  test('two concurrent updates with the same version: exactly one 200 and one 409', async () => {
    const alice = h.caller('alice');
    const item = await h.create(alice, { name: 'v1' });
    const responses = await Promise.all([
      h.update(alice, item.id, { version: 1, name: 'first writer' }),
      h.update(alice, item.id, { version: 1, name: 'second writer' }),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const winner = json<Item>(responses.find((r) => r.statusCode === 200)!);
    const current = json<Item>(await h.get(alice, item.id));
    expect(current).toEqual(winner);
    expect(current.version).toBe(2);
  });

  test('an update with a stale or future version is 409 and changes nothing', async () => {
    const alice = h.caller('alice');
    const item = await h.create(alice, { name: 'v1' });
    expect((await h.update(alice, item.id, { version: 1, name: 'v2' })).statusCode).toBe(200);
    const stale = await h.update(alice, item.id, { version: 1, name: 'stale' });
    expect(stale.statusCode).toBe(409);
    expect(json(stale)).toMatchObject({ type: 'urn:secure-api:problem:version-conflict', status: 409 });
    expect((await h.update(alice, item.id, { version: 7, name: 'future' })).statusCode).toBe(409);
    expect(json<Item>(await h.get(alice, item.id))).toMatchObject({ name: 'v2', version: 2 });
  });

  test('an update of a deleted item is 404, not 409', async () => {
    const alice = h.caller('alice');
    const item = await h.create(alice);
    await h.delete(alice, item.id);
    expect((await h.update(alice, item.id, { version: 1, name: 'x' })).statusCode).toBe(404);
  });
});

describe('pagination', () => {
  let alice: Caller;
  let bob: Caller;
  let aliceIds: string[];
  let bobIds: string[];

  beforeAll(async () => {
    alice = h.caller('alice');
    bob = h.caller('bob');
    aliceIds = [];
    for (let i = 0; i < 25; i++) aliceIds.push((await h.create(alice, { name: `alice ${i}` })).id);
    bobIds = [];
    for (let i = 0; i < 3; i++) bobIds.push((await h.create(bob, { name: `bob ${i}` })).id);
  });

  test('pages of 10 over 25 items are 10, 10 and 5, complete and without repeats; the last has no cursor', async () => {
    const pages = await h.listAll(alice, 10);
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.nextCursor === undefined)).toEqual([false, false, true]);
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(new Set(ids).size).toBe(25);
    expect([...ids].sort()).toEqual([...aliceIds].sort());
  });

  test('the default page size is 20', async () => {
    const pages = await h.listAll(alice);
    expect(pages.map((p) => p.items.length)).toEqual([20, 5]);
  });

  test('limit=100 returns everything at once; a page that ends exactly at the last item has no cursor', async () => {
    const all = await h.listAll(alice, 100);
    expect(all.map((p) => p.items.length)).toEqual([25]);
    const exact = await h.listAll(alice, 25);
    expect(exact.map((p) => p.items.length)).toEqual([25]);
    expect(exact[0].nextCursor).toBeUndefined();
  });

  test("bob's 3 items come in one page, none of them alice's", async () => {
    const pages = await h.listAll(bob, 10);
    expect(pages).toHaveLength(1);
    expect(pages[0].items.map((i) => i.id).sort()).toEqual([...bobIds].sort());
  });

  test("alice's cursor used by bob only positions within bob's own items", async () => {
    const first = json<{ items: Item[]; nextCursor: string }>(await h.list(alice, { limit: '10' }));
    expect(first.nextCursor).toEqual(expect.any(String));
    const response = await h.list(bob, { limit: '100', cursor: first.nextCursor });
    expect(response.statusCode).toBe(200);
    const ids = json<{ items: Item[] }>(response).items.map((i) => i.id);
    for (const id of ids) expect(bobIds).toContain(id);
    for (const id of aliceIds) expect(ids).not.toContain(id);
  });

  test('a page size cap of 100 is enforced', async () => {
    for (const limit of ['101', '1000', '999999']) {
      expect((await h.list(alice, { limit })).statusCode).toBe(400);
    }
  });

  test.each([['0'], ['-1'], ['abc'], ['1.5'], ['010'], [''], [' 5'], ['1e1'], ['0x10']])(
    'limit=%j is 400', async (limit) => {
      const response = await h.list(alice, { limit });
      expect(response.statusCode).toBe(400);
      expect(json(response).type).toBe('urn:secure-api:problem:invalid-limit');
    },
  );

  test.each([
    ['not base64url', 'not*base64!'],
    ['an empty cursor', ''],
    ['a sort key without a UUID', Buffer.from('ITEM#abc').toString('base64url')],
    ['a partition key', Buffer.from('OWNER##alice').toString('base64url')],
    ['a JSON key', Buffer.from(JSON.stringify({ pk: 'OWNER##alice', sk: 'ITEM#x' })).toString('base64url')],
    ['padded base64', `${Buffer.from('ITEM#11111111-1111-4111-8111-111111111111').toString('base64')}==`],
    ['a huge cursor', 'A'.repeat(5000)],
  ])('a malformed cursor (%s) is 400', async (_name, cursor) => {
    const response = await h.list(alice, { cursor });
    expect(response.statusCode).toBe(400);
  });

  test('the cursor decodes to nothing but an item sort key of the caller\'s listing', async () => {
    const first = json<{ items: Item[]; nextCursor: string }>(await h.list(alice, { limit: '3' }));
    expect(Buffer.from(first.nextCursor, 'base64url').toString()).toBe(`ITEM#${first.items[2].id}`);
  });
});
