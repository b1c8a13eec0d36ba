/**
 * The claim primitive on the local database, directly (no function, no HTTP): one rule decides who
 * may act, a settled outcome stands as long as it was kept for, a dead holder is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Claims, FOREVER, waitWithBackoff } from '../../cloudfunctions/authorization/src/claims';
import { freshValue } from '../../cloudfunctions/authorization/src/lease';
import { COLLECTIONS, Store, type CloudDb } from '../../cloudfunctions/authorization/src/store';
import { Clock } from '../../emulator/clock';
import { Database } from '../../emulator/cloud/sdk/database';
import { DocumentStore } from '../../emulator/cloud/sdk/store';

let dataDir: string;
let documents: DocumentStore;
let clock: Clock;
let store: Store;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claims-'));
  documents = new DocumentStore({ dataDir, strictCollections: false });
  clock = new Clock();
  store = new Store(new Database({ store: documents, now: () => clock.now() }) as unknown as CloudDb);
});

afterEach(async () => {
  await documents.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const claimsOf = (holder: string) => new Claims({ store, collection: COLLECTIONS.pushLog, holder, now: () => clock.now() });
const read = (id: string) => store.get<Record<string, unknown>>(COLLECTIONS.pushLog, id);

test('the first claimant creates the record; others are refused while it holds it', async () => {
  const token = await claimsOf('a').acquire('k', 10_000, { note: 'first' });
  expect(token).toMatch(/^a:[0-9a-f]{12}$/);
  expect(await claimsOf('b').acquire('k', 10_000, { note: 'second' })).toBeNull();
  expect(await read('k')).toMatchObject({ note: 'first', leaseOwner: token, claimState: 'in_progress' });
});

test('a dead holder is taken over once its time has passed, and can no longer write', async () => {
  const [a, b] = [claimsOf('a'), claimsOf('b')];
  const first = await a.acquire('k', 10_000, {});
  clock.advance(9);
  expect(await b.acquire('k', 10_000)).toBeNull();
  clock.advance(2);
  const second = await b.acquire('k', 10_000);
  expect(second).toEqual(expect.any(String));
  expect(await a.settle('k', first!, 'done', { by: 'a' })).toBe(false);
  expect(await a.progress('k', first!, { by: 'a' })).toBe(false);
  expect(await b.settle('k', second!, 'done', { by: 'b' })).toBe(true);
  expect(await read('k')).toMatchObject({ by: 'b', claimState: 'done', leaseOwner: second });
});

test('fencing is per claim, not per instance: a run of the same instance that outlived its claim writes nothing', async () => {
  const instance = claimsOf('instance-1');
  const stale = await instance.acquire('k', 10_000, {});
  clock.advance(11);
  const fresh = await instance.acquire('k', 10_000);
  expect(fresh).not.toBe(stale);
  expect(await instance.progress('k', stale!, { by: 'stale' })).toBe(false);
  expect(await instance.settle('k', stale!, 'failed')).toBe(false);
  expect(await instance.settle('k', fresh!, 'done', { by: 'fresh' })).toBe(true);
  expect(await read('k')).toMatchObject({ by: 'fresh', claimState: 'done' });
});

test('a settled outcome stands for as long as it was kept; FOREVER means never claimable again', async () => {
  const a = claimsOf('a');
  const kept = await a.acquire('kept', 1000, {});
  await a.settle('kept', kept!, 'failed', { why: 'x' }, 60_000);
  const forever = await a.acquire('forever', 1000, {});
  await a.settle('forever', forever!, 'done');
  expect(await read('forever')).toMatchObject({ leaseUntil: FOREVER });

  clock.advance(59);
  expect(await claimsOf('b').acquire('kept', 1000)).toBeNull();
  clock.advance(2);
  expect(await claimsOf('b').acquire('kept', 1000)).toEqual(expect.any(String));
  clock.advance(10 * 365 * 24 * 3600);
  expect(await claimsOf('b').acquire('forever', 1000)).toBeNull();
});

test('a released claim is claimable at once, or after the pause the holder asked for', async () => {
  const a = claimsOf('a');
  const token = await a.acquire('k', 60_000, {});
  await a.release('k', 'not-the-token');
  expect(await claimsOf('c').acquire('k', 1000)).toBeNull();
  await a.release('k', token!);
  const again = await claimsOf('c').acquire('k', 1000);
  expect(again).toEqual(expect.any(String));
  await claimsOf('c').release('k', again!, 10_000);
  expect(await claimsOf('d').acquire('k', 1000)).toBeNull();
  clock.advance(11);
  expect(await claimsOf('d').acquire('k', 1000)).toEqual(expect.any(String));
});

test('of many simultaneous claimants exactly one wins', async () => {
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => claimsOf(`h${i}`).acquire('k', 10_000, { i })));
  expect(results.filter((token) => token !== null)).toHaveLength(1);
});

test('waitWithBackoff returns what the check finds, or what the timeout gives', async () => {
  let calls = 0;
  expect(
    await waitWithBackoff(
      async () => (++calls >= 3 ? 'seen' : undefined),
      2000,
      () => 'timeout',
    ),
  ).toBe('seen');
  expect(calls).toBe(3);
  expect(
    await waitWithBackoff(
      async () => undefined,
      60,
      () => 'timeout',
    ),
  ).toBe('timeout');
});

test('a lease on an existing document: one refresh however many callers arrive at once', async () => {
  await store.create(COLLECTIONS.platform, { _id: 'wx1', value: null, leaseOwner: '', leaseUntil: 0 });
  let refreshes = 0;
  const callers = Array.from({ length: 8 }, (_, i) =>
    freshValue({
      lease: { store, collection: COLLECTIONS.platform, id: 'wx1', owner: `i${i}`, now: () => clock.now() },
      read: async () => (await store.get<{ value: string | null }>(COLLECTIONS.platform, 'wx1'))?.value ?? null,
      refresh: async () => {
        refreshes += 1;
        await new Promise((r) => setTimeout(r, 30));
        await store.update(COLLECTIONS.platform, 'wx1', { value: 'fresh' });
        return 'fresh';
      },
      onGiveUp: () => new Error('gave up'),
    }),
  );
  expect(await Promise.all(callers)).toEqual(Array(8).fill('fresh'));
  expect(refreshes).toBe(1);
  expect(await store.get(COLLECTIONS.platform, 'wx1')).toMatchObject({ leaseUntil: 0 });
});
