import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../../../emulator/clock';
import { Database } from '../../../emulator/cloud/sdk/database';
import { DbService, DEFAULT_GET_LIMIT, LENIENT_MAX_GET_LIMIT, STRICT_MAX_GET_LIMIT } from '../../../emulator/cloud/sdk/service';
import { DocumentStore } from '../../../emulator/cloud/sdk/store';

let dataDir: string;
let store: DocumentStore;
let clock: Clock;
let db: Database;

/** Lenient collections unless asked: most tests here are about query semantics, not creation. */
function open(options: { strictCollections?: boolean; throwOnNotFound?: boolean; maxGetLimit?: number } = {}) {
  store = new DocumentStore({ dataDir, strictCollections: options.strictCollections ?? false });
  const service = new DbService({ maxGetLimit: options.maxGetLimit });
  db = new Database({ store, now: () => clock.now(), throwOnNotFound: options.throwOnNotFound, service });
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-db-'));
  clock = new Clock();
  open();
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('documents', () => {
  test('add generates a 32-hex _id and get returns the document', async () => {
    const added = await db.collection('todos').add({ data: { title: 'a', done: false } });
    expect(added).toEqual({ _id: expect.stringMatching(/^[0-9a-f]{32}$/), errMsg: 'collection.add:ok' });
    const got = await db
      .collection('todos')
      .doc(added._id as string)
      .get();
    expect(got).toEqual({ data: { _id: added._id, title: 'a', done: false }, errMsg: 'document.get:ok' });
  });

  test('add keeps a given _id and rejects a duplicate one like a duplicate key', async () => {
    await expect(db.collection('todos').add({ data: { _id: 'k1', v: 1 } })).resolves.toEqual({
      _id: 'k1',
      errMsg: 'collection.add:ok',
    });
    const duplicate = db.collection('todos').add({ data: { _id: 'k1', v: 2 } });
    await expect(duplicate).rejects.toMatchObject({
      errCode: -502001,
      errMsg: expect.stringMatching(/^collection\.add:fail -502001 database request fail\. E11000 duplicate key/),
    });
    expect((await db.collection('todos').doc('k1').get()).data).toEqual({ _id: 'k1', v: 1 });
  });

  test('add of several documents answers _ids', async () => {
    const added = await db.collection('todos').add({ data: [{ n: 1 }, { n: 2 }] });
    expect(added._ids).toHaveLength(2);
    expect((await db.collection('todos').count()).total).toBe(2);
  });

  test('add rejects a non-string _id and field names with $ or a dot', async () => {
    await expect(db.collection('todos').add({ data: { _id: 5 } })).rejects.toMatchObject({ errCode: -501007 });
    await expect(db.collection('todos').add({ data: { 'a.b': 1 } })).rejects.toMatchObject({ errCode: -501007 });
    await expect(db.collection('todos').add({ data: { $x: 1 } })).rejects.toMatchObject({ errCode: -501007 });
  });

  test('get of a missing document rejects like the real sdk, or gives null with throwOnNotFound false', async () => {
    await expect(db.collection('todos').doc('nope').get()).rejects.toMatchObject({
      errCode: -1,
      errMsg: 'document.get:fail document with _id nope does not exist',
      message: 'document.get:fail document with _id nope does not exist',
    });
    await store.close();
    open({ throwOnNotFound: false });
    await expect(db.collection('todos').doc('nope').get()).resolves.toEqual({ data: null, errMsg: 'document.get:ok' });
  });

  test('set creates, then replaces the whole document, and reports created/updated', async () => {
    const doc = db.collection('todos').doc('d1');
    await expect(doc.set({ data: { a: 1, b: { c: 2 } } })).resolves.toEqual({
      _id: 'd1',
      stats: { updated: 0, created: 1 },
      errMsg: 'document.set:ok',
    });
    await expect(doc.set({ data: { z: 9 } })).resolves.toEqual({
      _id: 'd1',
      stats: { updated: 1, created: 0 },
      errMsg: 'document.set:ok',
    });
    expect((await doc.get()).data).toEqual({ _id: 'd1', z: 9 });
    // Same content again: nothing changed.
    expect((await doc.set({ data: { z: 9 } })).stats).toEqual({ updated: 0, created: 0 });
  });

  test('set and update refuse _id in data and update operators in set', async () => {
    const doc = db.collection('todos').doc('d1');
    await expect(doc.set({ data: { _id: 'x', a: 1 } })).rejects.toMatchObject({
      errCode: -501007,
      errMsg: expect.stringContaining('不能更新_id的值'),
    });
    await expect(doc.update({ data: { _id: 'x' } })).rejects.toMatchObject({ errCode: -501007 });
    await expect(doc.set({ data: { n: db.command.inc(1) } })).rejects.toMatchObject({
      errCode: -502001,
      errMsg: 'document.set:fail -502001 database request fail. update operator complicit',
    });
  });

  test('update reports how many changed; a missing document is 0, not an error', async () => {
    await db
      .collection('todos')
      .doc('d1')
      .set({ data: { a: 1 } });
    await expect(
      db
        .collection('todos')
        .doc('d1')
        .update({ data: { a: 2 } }),
    ).resolves.toEqual({
      stats: { updated: 1 },
      errMsg: 'document.update:ok',
    });
    expect(
      (
        await db
          .collection('todos')
          .doc('d1')
          .update({ data: { a: 2 } })
      ).stats.updated,
    ).toBe(0);
    expect(
      (
        await db
          .collection('todos')
          .doc('missing')
          .update({ data: { a: 2 } })
      ).stats.updated,
    ).toBe(0);
  });

  test('remove reports how many were removed', async () => {
    await db
      .collection('todos')
      .doc('d1')
      .set({ data: { a: 1 } });
    await expect(db.collection('todos').doc('d1').remove()).resolves.toEqual({
      stats: { removed: 1 },
      errMsg: 'document.remove:ok',
    });
    expect((await db.collection('todos').doc('d1').remove()).stats.removed).toBe(0);
  });

  test('doc field() projects', async () => {
    await db
      .collection('todos')
      .doc('d1')
      .set({ data: { a: 1, b: 2 } });
    expect((await db.collection('todos').doc('d1').field({ a: true }).get()).data).toEqual({ _id: 'd1', a: 1 });
  });

  test('dates are stored and returned as Date; serverDate is the clock time at write', async () => {
    clock.advance(3600);
    const expected = clock.now();
    const at = new Date('2024-05-01T00:00:00Z');
    const { _id } = await db
      .collection('todos')
      .add({ data: { at, written: db.serverDate(), later: db.serverDate({ offset: 5000 }) } });
    const { data } = await db
      .collection('todos')
      .doc(_id as string)
      .get();
    expect(data!.at).toBeInstanceOf(Date);
    expect((data!.at as Date).getTime()).toBe(at.getTime());
    expect((data!.written as Date).getTime()).toBeGreaterThanOrEqual(expected);
    expect((data!.written as Date).getTime()).toBeLessThan(expected + 60_000);
    expect((data!.later as Date).getTime() - (data!.written as Date).getTime()).toBe(5000);
  });

  test('a returned document is a copy', async () => {
    await db
      .collection('todos')
      .doc('d1')
      .set({ data: { list: [1], at: new Date(0) } });
    const first = (await db.collection('todos').doc('d1').get()).data!;
    (first.list as number[]).push(2);
    (first.at as Date).setTime(99);
    expect((await db.collection('todos').doc('d1').get()).data).toEqual({ _id: 'd1', list: [1], at: new Date(0) });
  });
});

describe('queries', () => {
  beforeEach(async () => {
    const people = [
      { _id: 'p1', name: 'ann', age: 30, tags: ['a', 'b'], address: { city: 'sh', zip: '200000' } },
      { _id: 'p2', name: 'bob', age: 20, tags: ['b'], address: { city: 'bj', zip: '100000' } },
      { _id: 'p3', name: 'cid', age: 40, address: { city: 'sh', zip: '200001' } },
      { _id: 'p4', name: 'dan', age: 25, nick: null },
    ];
    await db.collection('people').add({ data: people });
  });

  const names = (data: Array<Record<string, unknown>>) => data.map((doc) => doc.name).sort();

  test('where get answers {data, errMsg}; a nested object means equality on dot paths', async () => {
    const result = await db
      .collection('people')
      .where({ address: { city: 'sh' } })
      .get();
    expect(result.errMsg).toBe('collection.get:ok');
    expect(names(result.data)).toEqual(['ann', 'cid']);
    expect(names((await db.collection('people').where({ 'address.zip': '100000' }).get()).data)).toEqual(['bob']);
    expect(names((await db.collection('people').where({ tags: 'b' }).get()).data)).toEqual(['ann', 'bob']);
  });

  test('comparison commands', async () => {
    const _ = db.command;
    const find = async (condition: Record<string, unknown>) => names((await db.collection('people').where(condition).get()).data);
    expect(await find({ age: _.eq(30) })).toEqual(['ann']);
    expect(await find({ age: _.neq(30) })).toEqual(['bob', 'cid', 'dan']);
    expect(await find({ age: _.gt(25) })).toEqual(['ann', 'cid']);
    expect(await find({ age: _.gte(25) })).toEqual(['ann', 'cid', 'dan']);
    expect(await find({ age: _.lt(25) })).toEqual(['bob']);
    expect(await find({ age: _.lte(25) })).toEqual(['bob', 'dan']);
    expect(await find({ name: _.in(['ann', 'dan', 'zed']) })).toEqual(['ann', 'dan']);
    expect(await find({ name: _.nin(['ann', 'dan']) })).toEqual(['bob', 'cid']);
    // On an array, as the server reads it: no element may be listed (not just one element unlisted).
    expect(await find({ tags: _.nin(['a']) })).toEqual(['bob', 'cid', 'dan']);
    expect(await find({ tags: _.exists(true) })).toEqual(['ann', 'bob']);
    expect(await find({ tags: _.exists(false) })).toEqual(['cid', 'dan']);
    expect(await find({ nick: _.exists(true) })).toEqual(['dan']);
    expect(await find({ address: { city: _.neq('sh') } })).toEqual(['bob', 'dan']);
  });

  test('logic commands, at the top and on a field', async () => {
    const _ = db.command;
    const find = async (condition: unknown) => names((await db.collection('people').where(condition).get()).data);
    expect(await find(_.or([{ name: 'ann' }, { age: _.lt(21) }]))).toEqual(['ann', 'bob']);
    expect(await find(_.or({ name: 'ann' }, { name: 'cid' }))).toEqual(['ann', 'cid']);
    expect(await find(_.and([{ age: _.gt(20) }, { age: _.lt(40) }]))).toEqual(['ann', 'dan']);
    expect(await find({ age: _.gt(20).and(_.lt(40)) })).toEqual(['ann', 'dan']);
    expect(await find({ age: _.lt(21).or(_.gt(35)) })).toEqual(['bob', 'cid']);
    expect(await find({ age: _.and(_.gte(25), _.lte(30)) })).toEqual(['ann', 'dan']);
    expect(await find({ age: _.or([_.eq(20), _.eq(40)]) })).toEqual(['bob', 'cid']);
  });

  test('a query with an update command or a malformed top-level logic rejects', async () => {
    const _ = db.command;
    await expect(
      db
        .collection('people')
        .where({ age: _.inc(1) })
        .get(),
    ).rejects.toMatchObject({ errCode: -501007 });
    await expect(
      db
        .collection('people')
        .where(_.or(_.gt(1)))
        .get(),
    ).rejects.toMatchObject({ errCode: -501007 });
  });

  test('orderBy, skip, limit and field', async () => {
    const people = db.collection('people');
    const byAge = await people.orderBy('age', 'desc').skip(1).limit(2).field({ name: true, age: true }).get();
    expect(byAge.data).toEqual([
      { _id: 'p1', name: 'ann', age: 30 },
      { _id: 'p4', name: 'dan', age: 25 },
    ]);
    const twoKeys = await people.orderBy('address.city', 'asc').orderBy('age', 'desc').field({ name: true, _id: false }).get();
    expect(twoKeys.data.map((doc) => doc.name)).toEqual(['dan', 'bob', 'cid', 'ann']);
    expect(() => people.orderBy('age', 'up' as 'asc')).toThrow(/not a valid order/);
    expect(() => people.limit(0)).toThrow(/positive integer/);
    expect(() => people.skip(-1)).toThrow(/non-negative integer/);
  });

  test('count answers {total, errMsg}', async () => {
    await expect(
      db
        .collection('people')
        .where({ age: db.command.gt(21) })
        .count(),
    ).resolves.toEqual({
      total: 3,
      errMsg: 'collection.count:ok',
    });
  });
});

describe('conditions on _id and other fields', () => {
  test('every condition holds, whichever field the store looks up first', async () => {
    const _ = db.command;
    await db.collection('leases').add({
      data: [
        { _id: 'a', until: 5, owner: 'x' },
        { _id: 'b', until: 50, owner: 'x' },
      ],
    });
    const ids = async (where: Record<string, unknown>) =>
      (await db.collection('leases').where(where).get()).data.map((d) => d._id).sort();
    expect(await ids({ _id: 'a', until: _.lt(10) })).toEqual(['a']);
    expect(await ids({ _id: 'b', until: _.lt(10) })).toEqual([]);
    expect(await ids({ owner: 'x', _id: _.gt('a') })).toEqual(['b']);
    expect(await ids({ _id: _.in(['a', 'b']), until: _.gte(50) })).toEqual(['b']);
    expect(await ids({ _id: 'a', owner: 'y' })).toEqual([]);
  });
});

describe('get limits', () => {
  test(`get returns ${DEFAULT_GET_LIMIT} by default and, strictly, at most ${STRICT_MAX_GET_LIMIT} whatever limit() asks`, async () => {
    await db.collection('many').add({ data: Array.from({ length: 250 }, (_, i) => ({ i })) });
    expect((await db.collection('many').get()).data).toHaveLength(DEFAULT_GET_LIMIT);
    expect((await db.collection('many').limit(250).get()).data).toHaveLength(STRICT_MAX_GET_LIMIT);
    expect((await db.collection('many').limit(7).get()).data).toHaveLength(7);
    expect((await db.collection('many').count()).total).toBe(250);
  });

  test(`the lenient reading: ${DEFAULT_GET_LIMIT} by default, at most ${LENIENT_MAX_GET_LIMIT} with limit()`, async () => {
    await store.close();
    open({ maxGetLimit: LENIENT_MAX_GET_LIMIT });
    await db.collection('many').add({ data: Array.from({ length: LENIENT_MAX_GET_LIMIT + 5 }, (_, i) => ({ i })) });
    expect((await db.collection('many').get()).data).toHaveLength(DEFAULT_GET_LIMIT);
    expect((await db.collection('many').limit(250).get()).data).toHaveLength(250);
    expect((await db.collection('many').limit(5000).get()).data).toHaveLength(LENIENT_MAX_GET_LIMIT);
  });

  test('a page cap outside 1–1000 is refused', () => {
    expect(() => new DbService({ maxGetLimit: 0 })).toThrow(/maxGetLimit/);
    expect(() => new DbService({ maxGetLimit: 1001 })).toThrow(/maxGetLimit/);
  });
});

describe('updates', () => {
  const doc = () => db.collection('things').doc('t1');
  const read = async () => (await doc().get()).data;

  beforeEach(async () => {
    await doc().set({ data: { a: { b: 1, c: 2 }, n: 1, list: [1], gone: 'x' } });
  });

  test('a nested object updates only the paths it names', async () => {
    await doc().update({ data: { a: { b: 10 } } });
    expect(await read()).toEqual({ _id: 't1', a: { b: 10, c: 2 }, n: 1, list: [1], gone: 'x' });
    await doc().update({ data: { 'a.d': 4, undefinedIsDropped: undefined } });
    expect((await read())!.a).toEqual({ b: 10, c: 2, d: 4 });
  });

  test('_.set replaces a whole field, _.inc adds, _.remove deletes, _.push appends', async () => {
    const _ = db.command;
    await doc().update({ data: { a: _.set({ b: 5 }), n: _.inc(2), gone: _.remove(), list: _.push(2) } });
    expect(await read()).toEqual({ _id: 't1', a: { b: 5 }, n: 3, list: [1, 2] });
    await doc().update({ data: { list: _.push([3, 4]), fresh: _.push('x'), count: _.inc(-1) } });
    expect(await read()).toEqual({ _id: 't1', a: { b: 5 }, n: 3, list: [1, 2, 3, 4], fresh: ['x'], count: -1 });
    await doc().update({ data: { list: _.push({ each: [5], slice: -2 }) } });
    expect((await read())!.list).toEqual([4, 5]);
  });

  test('an update that cannot apply rejects and changes nothing', async () => {
    const _ = db.command;
    await db
      .collection('things')
      .doc('t2')
      .set({ data: { n: 'text', m: 1 } });
    const result = db
      .collection('things')
      .where({})
      .update({ data: { n: _.inc(1) } });
    await expect(result).rejects.toMatchObject({ errCode: -1, errMsg: expect.stringMatching(/^collection\.update:fail /) });
    expect((await read())!.n).toBe(1);
    await expect(doc().update({ data: {} })).rejects.toMatchObject({ errCode: -501007 });
  });

  test('where().update() counts changed documents; multi:false updates one', async () => {
    await db.collection('things').add({
      data: [
        { kind: 'x', v: 1 },
        { kind: 'x', v: 1 },
        { kind: 'x', v: 2 },
      ],
    });
    const things = db.collection('things');
    await expect(things.where({ kind: 'x' }).update({ data: { v: 2 } })).resolves.toEqual({
      stats: { updated: 2 },
      errMsg: 'collection.update:ok',
    });
    expect((await things.where({ kind: 'x' }).update({ data: { v: 3 }, multi: false })).stats.updated).toBe(1);
    expect((await things.where({ v: 3 }).count()).total).toBe(1);
  });

  test('where().remove() answers {stats:{removed}}', async () => {
    await db.collection('things').add({ data: [{ kind: 'x' }, { kind: 'x' }] });
    await expect(db.collection('things').where({ kind: 'x' }).remove()).resolves.toEqual({
      stats: { removed: 2 },
      errMsg: 'collection.remove:ok',
    });
  });
});

describe('conditional update (leases)', () => {
  test('of many concurrent claims exactly one wins', async () => {
    const _ = db.command;
    await db
      .collection('platform')
      .doc('wx1')
      .set({ data: { leaseUntil: 0, leaseOwner: '' } });
    const claims = Array.from({ length: 25 }, (_unused, i) =>
      db
        .collection('platform')
        .where({ _id: 'wx1', leaseUntil: _.lt(1000) })
        .update({ data: { leaseOwner: `owner-${i}`, leaseUntil: 5000 } }),
    );
    const updated = (await Promise.all(claims)).map((result) => result.stats.updated);
    expect(updated.filter((n) => n === 1)).toHaveLength(1);
    expect(updated.filter((n) => n === 0)).toHaveLength(24);
    const winner = updated.indexOf(1);
    expect((await db.collection('platform').doc('wx1').get()).data!.leaseOwner).toBe(`owner-${winner}`);
  });
});

describe('transactions', () => {
  beforeEach(async () => {
    await db.collection('accounts').add({
      data: [
        { _id: 'a', balance: 100 },
        { _id: 'b', balance: 0 },
      ],
    });
  });

  const balance = async (id: string) => (await db.collection('accounts').doc(id).get()).data!.balance;

  test('commit keeps every write and returns the callback value', async () => {
    const result = await db.runTransaction(async (transaction) => {
      const a = (await transaction.collection('accounts').doc('a').get()).data!;
      await transaction
        .collection('accounts')
        .doc('a')
        .update({ data: { balance: (a.balance as number) - 30 } });
      await transaction
        .collection('accounts')
        .doc('b')
        .update({ data: { balance: db.command.inc(30) } });
      await transaction.collection('log').add({ data: { _id: 'l1', moved: 30 } });
      return 'moved';
    });
    expect(result).toBe('moved');
    expect([await balance('a'), await balance('b')]).toEqual([70, 30]);
    expect((await db.collection('log').doc('l1').get()).data).toEqual({ _id: 'l1', moved: 30 });
  });

  test('a throwing callback rolls back updates, sets, removals and adds', async () => {
    const failure = db.runTransaction(async (transaction) => {
      await transaction
        .collection('accounts')
        .doc('a')
        .update({ data: { balance: 0 } });
      await transaction.collection('accounts').doc('b').remove();
      await transaction
        .collection('accounts')
        .doc('c')
        .set({ data: { balance: 5 } });
      await transaction.collection('log').add({ data: { _id: 'l2' } });
      throw new Error('insufficient funds');
    });
    await expect(failure).rejects.toThrow('insufficient funds');
    expect([await balance('a'), await balance('b')]).toEqual([100, 0]);
    await expect(db.collection('accounts').doc('c').get()).rejects.toMatchObject({ errCode: -1 });
    expect((await db.collection('log').count()).total).toBe(0);
  });

  test('transaction.rollback(reason) undoes the writes and rejects with the reason', async () => {
    const outcome = db.runTransaction(async (transaction) => {
      await transaction
        .collection('accounts')
        .doc('a')
        .update({ data: { balance: 1 } });
      await transaction.rollback({ reason: 'changed my mind' });
    });
    await expect(outcome).rejects.toEqual({ reason: 'changed my mind' });
    expect(await balance('a')).toBe(100);
  });

  test('transactions run one at a time', async () => {
    const transfer = () =>
      db.runTransaction(async (transaction) => {
        const a = (await transaction.collection('accounts').doc('a').get()).data!;
        await new Promise((resolve) => setTimeout(resolve, 5));
        await transaction
          .collection('accounts')
          .doc('a')
          .update({ data: { balance: (a.balance as number) - 10 } });
      });
    await Promise.all(Array.from({ length: 5 }, transfer));
    expect(await balance('a')).toBe(50);
  });
});

describe('storage', () => {
  test('data survives closing and reopening the store', async () => {
    await db.collection('kept').add({ data: { _id: 'k', at: new Date(1234), nested: { x: [1, 2] } } });
    await db
      .collection('kept')
      .doc('k')
      .update({ data: { nested: { y: true } } });
    await store.close();
    expect(fs.existsSync(path.join(dataDir, 'kept.db'))).toBe(true);
    open();
    const { data } = await db.collection('kept').doc('k').get();
    expect(data).toEqual({ _id: 'k', at: new Date(1234), nested: { x: [1, 2], y: true } });
    expect(data!.at).toBeInstanceOf(Date);
  });

  test('by default collections must be created first, like WeChat (-502005)', async () => {
    await store.close();
    store = new DocumentStore({ dataDir });
    db = new Database({ store, now: () => clock.now() });
    await expect(db.collection('later').where({ a: 1 }).get()).rejects.toMatchObject({ errCode: -502005 });
    await expect(
      db
        .collection('later')
        .doc('x')
        .update({ data: { a: 2 } }),
    ).rejects.toMatchObject({ errCode: -502005 });
    await expect(db.collection('later').add({ data: { a: 1 } })).rejects.toMatchObject({
      errCode: -502005,
      errMsg: expect.stringMatching(/^collection\.add:fail -502005 database collection not exists\./),
    });
    await expect(db.createCollection('later')).resolves.toEqual({ errMsg: 'createCollection:ok' });
    await expect(db.createCollection('later')).rejects.toMatchObject({ errCode: -502001 });
    await expect(db.collection('later').add({ data: { a: 1 } })).resolves.toMatchObject({ errMsg: 'collection.add:ok' });
  });

  test('a unique index makes a duplicate value fail like a duplicate key', async () => {
    await store.ensureIndex('sessions', 'code', { unique: true });
    await db.collection('sessions').add({ data: { code: 'c1' } });
    await expect(db.collection('sessions').add({ data: { code: 'c1' } })).rejects.toMatchObject({
      errMsg: expect.stringContaining('E11000 duplicate key'),
    });
  });

  test('invalid collection names are refused', async () => {
    await expect(db.collection('../etc').get()).rejects.toMatchObject({ errCode: -501007 });
  });
});
