import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../../../emulator/clock';
import { Database } from '../../../emulator/cloud/sdk/database';
import { DbService } from '../../../emulator/cloud/sdk/service';
import { DocumentStore } from '../../../emulator/cloud/sdk/store';

/**
 * The same writes go to two stores, one with ordered indexes declared and one without; every
 * sorted, filtered read must answer the same documents in the same order, and the indexed store
 * must say it used an index where the other says it scanned.
 */

const INDEXES = [['status', 'rank'], ['kind', 'status', 'rank'], ['rank'], ['owners', 'rank'], ['name']];

interface Side {
  store: DocumentStore;
  db: Database;
  service: DbService;
}

let dirs: string[] = [];
let indexed: Side;
let plain: Side;

async function openSide(withIndexes: boolean): Promise<Side> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordered-index-'));
  dirs.push(dataDir);
  const store = new DocumentStore({ dataDir, strictCollections: false });
  const service = new DbService({ maxGetLimit: 1000 });
  const clock = new Clock();
  const db = new Database({ store, now: () => clock.now(), service, throwOnNotFound: false });
  await store.createCollection('items');
  if (withIndexes) for (const fields of INDEXES) await store.ensureOrderedIndex('items', fields);
  return { store, db, service };
}

beforeEach(async () => {
  dirs = [];
  indexed = await openSide(true);
  plain = await openSide(false);
});

afterEach(async () => {
  await Promise.all([indexed.store.close(), plain.store.close()]);
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const KINDS = ['mini', 'official'];
const STATUSES = ['active', 'needs_reauth', 'revoked'];

function makeDoc(i: number, next: () => number) {
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  return {
    _id: `id-${String(i).padStart(4, '0')}`,
    kind: pick(KINDS),
    status: pick(STATUSES),
    // Few distinct ranks: many ties, ordered by _id.
    rank: Math.floor(next() * 12),
    owners: [`o${Math.floor(next() * 5)}`, `o${Math.floor(next() * 5)}`],
    name: `店铺${Math.floor(next() * 30)}`,
  };
}

async function both<T>(work: (db: Database) => Promise<T>): Promise<[T, T]> {
  return [await work(indexed.db), await work(plain.db)];
}

async function writeHistory(seed: number): Promise<void> {
  const next = random(seed);
  const docs = Array.from({ length: 150 }, (_, i) => makeDoc(i, next));
  await both((db) => db.collection('items').add({ data: docs.slice(0, 100) }));
  for (const doc of docs.slice(100)) await both((db) => db.collection('items').add({ data: doc }));
  const _ = indexed.db.command;
  for (let step = 0; step < 60; step++) {
    const id = `id-${String(Math.floor(next() * 150)).padStart(4, '0')}`;
    const rank = Math.floor(next() * 12);
    const status = STATUSES[Math.floor(next() * 3)];
    switch (step % 6) {
      case 0: // the sort key moves
        await both((db) => db.collection('items').doc(id).update({ data: { rank } }));
        break;
      case 1:
        await both((db) => db.collection('items').doc(id).remove());
        break;
      case 2: // a conditional update of many, moving the equality prefix
        await both((db) =>
          db
            .collection('items')
            .where({ rank: _.gte(rank), status })
            .update({ data: { status: 'revoked' } }),
        );
        break;
      case 3: // a transaction that commits: set replaces the whole document
        await both((db) =>
          db.runTransaction(async (t) => {
            await t
              .collection('items')
              .doc(id)
              .set({ data: { kind: 'mini', status, rank, owners: ['o9'], name: '新店' } });
          }),
        );
        break;
      case 4: // a transaction that rolls back: nothing it wrote may stay in an index
        await both((db) =>
          db
            .runTransaction(async (t) => {
              await t
                .collection('items')
                .doc(id)
                .update({ data: { rank: 99, status: 'active' } });
              await t.collection('items').add({ data: { _id: `tx-${step}`, kind: 'mini', status: 'active', rank: 99 } });
              await t.rollback('no');
            })
            .catch(() => undefined),
        );
        break;
      default:
        await both((db) =>
          db
            .collection('items')
            .where({ owners: `o${step % 5}`, rank: _.lt(3) })
            .remove(),
        );
    }
  }
}

type Read = (db: Database) => Promise<unknown>;

function reads(db: Database): Record<string, Read> {
  const _ = db.command;
  return {
    byRankDesc: (d) => d.collection('items').orderBy('rank', 'desc').limit(1000).get(),
    byRankAscSkip: (d) => d.collection('items').orderBy('rank', 'asc').skip(20).limit(25).get(),
    statusByRank: (d) => d.collection('items').where({ status: 'active' }).orderBy('rank', 'desc').limit(1000).get(),
    kindStatusRange: (d) =>
      d
        .collection('items')
        .where({ kind: 'mini', status: 'revoked', rank: _.lt(7) })
        .orderBy('rank', 'desc')
        .orderBy('_id', 'desc')
        .limit(10)
        .get(),
    residualFilter: (d) =>
      d
        .collection('items')
        .where({ status: 'active', name: _.neq('店铺3') })
        .orderBy('rank', 'asc')
        .limit(30)
        .get(),
    ownerByRank: (d) => d.collection('items').where({ owners: 'o2' }).orderBy('rank', 'desc').limit(1000).get(),
    tiesAfterCursor: (d) =>
      d
        .collection('items')
        .where({ rank: 5, _id: _.lt('id-0080') })
        .orderBy('rank', 'desc')
        .orderBy('_id', 'desc')
        .limit(1000)
        .get(),
    namePrefix: (d) =>
      d
        .collection('items')
        .where({ name: _.gte('店铺1').and(_.lt('店铺1\uffff')) })
        .orderBy('name', 'asc')
        .limit(1000)
        .get(),
    projected: (d) => d.collection('items').where({ status: 'needs_reauth' }).orderBy('rank', 'asc').field({ rank: true }).get(),
    countPrefix: (d) => d.collection('items').where({ kind: 'official', status: 'active' }).count(),
    countAll: (d) => d.collection('items').count(),
    countRange: (d) =>
      d
        .collection('items')
        .where({ status: 'active', rank: _.gte(4) })
        .count(),
  };
}

test('every sorted, filtered read answers as the scan does, after updates, deletes and transactions', async () => {
  for (const seed of [1, 7, 42]) {
    await writeHistory(seed);
    for (const [name, read] of Object.entries(reads(indexed.db))) {
      const [fromIndex, fromScan] = await both(read);
      expect({ name, seed, result: fromIndex }).toEqual({ name, seed, result: fromScan });
    }
    await both((db) =>
      db
        .collection('items')
        .where({ rank: db.command.gte(-1) })
        .remove(),
    );
    await both((db) =>
      db
        .collection('items')
        .where({ rank: db.command.exists(false) })
        .remove(),
    );
  }
  const sorted = (await indexed.db.collection('items').limit(1).get()).data;
  expect(sorted).toEqual([]);
});

test('ties come out in _id order, following the sort direction, on both paths', async () => {
  await both((db) =>
    db.collection('items').add({
      data: ['c', 'a', 'b'].map((id) => ({ _id: id, status: 'active', rank: 1 })),
    }),
  );
  const [up, upScan] = await both((db) => db.collection('items').where({ status: 'active' }).orderBy('rank', 'asc').get());
  const [down, downScan] = await both((db) => db.collection('items').where({ status: 'active' }).orderBy('rank', 'desc').get());
  expect(up.data.map((doc) => doc._id)).toEqual(['a', 'b', 'c']);
  expect(upScan.data.map((doc) => doc._id)).toEqual(['a', 'b', 'c']);
  expect(down.data.map((doc) => doc._id)).toEqual(['c', 'b', 'a']);
  expect(downScan.data.map((doc) => doc._id)).toEqual(['c', 'b', 'a']);
});

test('the indexed store reports its reads as indexed; a read no index fits is reported with what it scanned', async () => {
  await writeHistory(3);
  for (const read of Object.values(reads(indexed.db))) await read(indexed.db);
  expect(indexed.service.calls().unindexedReads).toBe(0);
  await indexed.db.collection('items').where({ kind: 'mini' }).orderBy('label', 'desc').get();
  const calls = indexed.service.calls();
  expect(calls.unindexedReads).toBe(1);
  expect(calls.unindexed).toEqual(['items: scan where {kind} sorted by label desc']);
  for (const read of Object.values(reads(plain.db))) await read(plain.db);
  // All but the count of the whole collection, which is its size, not a scan.
  expect(plain.service.calls().unindexedReads).toBe(Object.keys(reads(plain.db)).length - 1);
});

test('an index declared on a collection that already holds documents is built from them', async () => {
  await plain.db.collection('items').add({ data: [3, 1, 2].map((rank) => ({ _id: `r${rank}`, status: 'active', rank })) });
  await plain.store.ensureOrderedIndex('items', ['status', 'rank']);
  const page = await plain.db.collection('items').where({ status: 'active' }).orderBy('rank', 'desc').get();
  expect(page.data.map((doc) => doc._id)).toEqual(['r3', 'r2', 'r1']);
  expect(plain.service.calls().unindexedReads).toBe(0);
});

test('unsorted reads and writes an index fits, or that name _id, answer as the scan does (order aside)', async () => {
  await writeHistory(11);
  const _ = indexed.db.command;
  const ids = (result: { data: Array<{ _id?: unknown }> }) => result.data.map((doc) => String(doc._id)).sort();
  const unsorted: Record<string, Read> = {
    equality: (d) => d.collection('items').where({ kind: 'mini', status: 'active' }).limit(1000).get(),
    rangeAndResidual: (d) =>
      d
        .collection('items')
        .where({ status: 'revoked', rank: _.lt(6), name: _.neq('店铺2') })
        .limit(1000)
        .get(),
    idsWithCondition: (d) =>
      d
        .collection('items')
        .where({ _id: _.in(['id-0001', 'id-0002', 'id-0003', 'id-0040']), status: 'active' })
        .get(),
  };
  for (const [name, read] of Object.entries(unsorted)) {
    const [fromIndex, fromScan] = (await both(read)) as Array<{ data: Array<{ _id?: unknown }> }>;
    expect({ name, ids: ids(fromIndex) }).toEqual({ name, ids: ids(fromScan) });
  }
  const [counted, countedScan] = await both((d) =>
    d
      .collection('items')
      .where({ status: 'active', name: _.neq('店铺1') })
      .count(),
  );
  expect(counted).toEqual(countedScan);
  // A claim-like write: `_id` with conditions that hold, then with one that does not.
  const held = await both((d) =>
    d
      .collection('items')
      .where({ _id: 'id-0010', rank: _.gte(0) })
      .update({ data: { rank: 50 } }),
  );
  const missed = await both((d) =>
    d
      .collection('items')
      .where({ _id: 'id-0011', rank: -1 })
      .update({ data: { rank: 51 } }),
  );
  expect(held[0].stats).toEqual(held[1].stats);
  expect(missed[0].stats).toEqual({ updated: 0 });
  const [moved, movedScan] = await both((d) =>
    d
      .collection('items')
      .where({ status: 'needs_reauth', rank: _.lt(4) })
      .update({ data: { status: 'active' } }),
  );
  expect(moved.stats).toEqual(movedScan.stats);
  const [after, afterScan] = await both((d) => d.collection('items').orderBy('rank', 'desc').limit(1000).get());
  expect(after.data).toEqual(afterScan.data);
  expect(indexed.service.calls().unindexedReads).toBe(0);
});
