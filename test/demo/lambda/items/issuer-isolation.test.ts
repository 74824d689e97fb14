/**
 * Owner isolation across trusted issuers and principal claims (OWASP API1, BOLA), against a real DynamoDB API
 * (dynalite): two identity providers may issue the same `sub`, and one issuer's `sub` and `client_id` values may
 * coincide (a Cognito client-credentials token carries `sub` = `client_id`). Each is a different owner.
 */
import type { Item } from '../../../../demo/lambda/items/item';
import { Caller, json } from './events';
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

const ISSUER_A = 'https://login.idp-a.example.com/';
const ISSUER_B = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';

/** Every id of a caller's listing, following cursors, pages of `limit`. */
async function listedIds(caller: Caller, limit?: number): Promise<string[]> {
  return (await h.listAll(caller, limit)).flatMap((page) => page.items.map((item) => item.id));
}

/**
 * Asserts that `intruder` can neither read, list, change nor delete `victim`'s items, and that both listings are
 * disjoint; `victim`'s items are unchanged afterwards.
 */
async function expectIsolated(victim: Caller, intruder: Caller): Promise<void> {
  const victimItems: Item[] = [];
  for (const name of ['one', 'two', 'three']) victimItems.push(await h.create(victim, { name: `victim ${name}` }));
  const intruderItem = await h.create(intruder, { name: 'intruder' });

  for (const item of victimItems) {
    expect((await h.get(intruder, item.id)).statusCode).toBe(404);
    expect((await h.update(intruder, item.id, { version: 1, name: 'overwritten' })).statusCode).toBe(404);
    // DELETE is idempotent: 204 as for any id the caller does not have, and it removes nothing.
    expect((await h.delete(intruder, item.id)).statusCode).toBe(204);
  }

  const victimIds = await listedIds(victim, 2);
  const intruderIds = await listedIds(intruder, 2);
  expect(new Set(victimIds)).toEqual(new Set(victimItems.map((item) => item.id)));
  expect(intruderIds).toEqual([intruderItem.id]);

  for (const item of victimItems) {
    const after = await h.get(victim, item.id);
    expect(after.statusCode).toBe(200);
    expect(json(after)).toEqual(item);
  }
  // And the other way round: the victim cannot reach the intruder's item either.
  expect((await h.get(victim, intruderItem.id)).statusCode).toBe(404);
}

describe('two trusted issuers', () => {
  test('the same sub from another issuer is another owner: no read, list, update or delete across them', async () => {
    const sub = h.caller('shared').sub;
    await expectIsolated({ sub, iss: ISSUER_A }, { sub, iss: ISSUER_B });
  });

  test('the same sub and tenant from another issuer is another owner', async () => {
    const sub = h.caller('shared').sub;
    await expectIsolated({ sub, tenant: 'acme', iss: ISSUER_B }, { sub, tenant: 'acme', iss: ISSUER_A });
  });

  test('issuers that differ only in a trailing slash are different owners', async () => {
    const sub = h.caller('shared').sub;
    await expectIsolated({ sub, iss: ISSUER_A }, { sub, iss: ISSUER_A.replace(/\/$/, '') });
  });

  test('each issuer keeps its own items for the same sub: both see exactly what they created', async () => {
    const sub = h.caller('shared').sub;
    const fromA: Caller = { sub, iss: ISSUER_A };
    const fromB: Caller = { sub, iss: ISSUER_B };
    const itemA = await h.create(fromA, { name: 'from A' });
    const itemB = await h.create(fromB, { name: 'from B' });
    expect(await listedIds(fromA)).toEqual([itemA.id]);
    expect(await listedIds(fromB)).toEqual([itemB.id]);
    expect(json(await h.get(fromA, itemA.id))).toMatchObject({ name: 'from A' });
    expect(json(await h.get(fromB, itemB.id))).toMatchObject({ name: 'from B' });
  });
});

describe('principal claims of one issuer', () => {
  test('the same value as a sub and as a client_id is two owners', async () => {
    const value = h.caller('svc').sub;
    // A client-credentials token of Cognito carries sub = client_id; its principal is read from client_id.
    const user: Caller = { sub: value, iss: ISSUER_B, principalClaim: 'sub', principal: value };
    const client: Caller = { sub: value, iss: ISSUER_B, principalClaim: 'client_id', principal: value, clientId: value };
    await expectIsolated(user, client);
  });

  test('a client_id principal without a sub is an owner of its own', async () => {
    const value = h.caller('svc').sub;
    const client: Caller = { sub: '', iss: ISSUER_A, principalClaim: 'client_id', principal: value, clientId: value };
    const user: Caller = { sub: value, iss: ISSUER_A };
    await expectIsolated(client, user);
  });

  test('the principal, not the sub, decides the owner', async () => {
    const principal = h.caller('p').sub;
    const first: Caller = { sub: h.caller('s1').sub, principal };
    const second: Caller = { sub: h.caller('s2').sub, principal };
    const item = await h.create(first);
    expect(json(await h.get(second, item.id))).toEqual(item);
    expect(await listedIds(second)).toEqual([item.id]);
  });
});
