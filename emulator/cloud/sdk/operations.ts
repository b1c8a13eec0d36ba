import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type Nedb from '@seald-io/nedb';
import { matchesQuery, storedDocument } from './ordered-index';
import { byPrimaryKey, describeScan, planQuery, type IndexPlan, type PlanReport } from './query-plan';
import { copyOut, type Doc, type StoreQuery, type StoreUpdate } from './translate';
import type { DocumentStore } from './store';

/**
 * The store-level operations behind the sdk calls. Every write runs under the collection lock and
 * reports what the real database reports: `updated` counts documents whose content changed.
 */

export interface FindSpec {
  query: StoreQuery;
  sort: Array<[string, 1 | -1]>;
  skip: number;
  limit: number;
  projection?: Record<string, 0 | 1>;
}

/** WeChat's ids are 32 hex characters. */
export function newDocumentId(): string {
  return randomBytes(16).toString('hex');
}

/** Told how each read was served (service.ts counts reads that were not indexed). */
export type PlanListener = (report: PlanReport) => void;

export async function findDocuments(
  store: DocumentStore,
  collection: string,
  spec: FindSpec,
  onPlan?: PlanListener,
): Promise<Doc[]> {
  const datastore = await store.collection(collection);
  // Unsorted too: the cloud serves any read its indexes fit from them (in their order).
  const plan = planQuery(store.orderedIndexesOf(collection), spec.query, spec.sort);
  if (plan && !byPrimaryKey(spec.query)) {
    onPlan?.({ indexed: true, detail: plan.index.name });
    return store.readIndexed(collection, (locked) => walkIndex(locked, plan, spec));
  }
  onPlan?.(scanReport(store, collection, spec.query, spec.sort));
  const query = byPrimaryKey(spec.query) ? { _id: { $in: idsOf(await byId(datastore, spec.query)) } } : spec.query;
  let cursor = datastore.findAsync(query, spec.projection ?? {});
  if (spec.sort.length > 0) cursor = cursor.sort(Object.fromEntries(withTieBreak(spec.sort)));
  const found = (await cursor.skip(spec.skip).limit(spec.limit)) as unknown as Doc[];
  return found.map((doc) => copyOut(doc));
}

/** Ties are ordered by `_id` in the direction of the last sort field, as an index walk orders them. */
function withTieBreak(sort: Array<[string, 1 | -1]>): Array<[string, 1 | -1]> {
  if (sort.some(([field]) => field === '_id')) return sort;
  return [...sort, ['_id', sort[sort.length - 1][1]]];
}

function scanReport(store: DocumentStore, collection: string, query: StoreQuery, sort: FindSpec['sort']): PlanReport {
  if (byPrimaryKey(query)) return { indexed: true, detail: '_id' };
  const plan = planQuery(store.orderedIndexesOf(collection), query, sort);
  return plan ? { indexed: true, detail: plan.index.name } : { indexed: false, detail: describeScan(query, sort) };
}

/** A sorted page from an index: walk it from the range's start, keep what matches, stop at the limit. */
async function walkIndex(datastore: Nedb, plan: IndexPlan, spec: FindSpec): Promise<Doc[]> {
  const ids: string[] = [];
  let skipped = 0;
  for (const id of plan.index.walk(plan.range, plan.descending)) {
    const doc = storedDocument(datastore, id);
    if (!doc || !matchesQuery(doc, spec.query)) continue;
    if (skipped < spec.skip) skipped += 1;
    else ids.push(id);
    if (ids.length >= spec.limit) break;
  }
  if (ids.length === 0) return [];
  // nedb projects the page; the index gave its order.
  const page = (await datastore.findAsync({ _id: { $in: ids } }, spec.projection ?? {})) as unknown as Doc[];
  const byId = new Map(page.map((doc) => [doc._id, doc]));
  return ids.flatMap((id) => (byId.has(id) ? [copyOut(byId.get(id) as Doc)] : []));
}

export async function findById(store: DocumentStore, collection: string, id: string): Promise<Doc | null> {
  const [found] = await findDocuments(store, collection, { query: { _id: id }, sort: [], skip: 0, limit: 1 });
  return found ?? null;
}

export async function countDocuments(
  store: DocumentStore,
  collection: string,
  query: StoreQuery,
  onPlan?: PlanListener,
): Promise<number> {
  const datastore = await store.collection(collection);
  const plan = planQuery(store.orderedIndexesOf(collection), query, []);
  if (plan?.covered) {
    onPlan?.({ indexed: true, detail: plan.index.name });
    return store.readIndexed(collection, async () => plan.index.size(plan.range));
  }
  if (plan && !byPrimaryKey(query)) {
    onPlan?.({ indexed: true, detail: plan.index.name });
    return store.readIndexed(collection, async (locked) => walkMatching(locked, plan, query).length);
  }
  // Counting a whole collection reads its metadata, not its documents.
  if (Object.keys(query).length === 0) {
    onPlan?.({ indexed: true, detail: 'collection size' });
    const [index] = store.orderedIndexesOf(collection);
    if (index) return store.readIndexed(collection, async () => index.documentCount);
    return datastore.countAsync(query);
  }
  onPlan?.(scanReport(store, collection, query, []));
  if (byPrimaryKey(query)) return (await byId(datastore, query)).length;
  return datastore.countAsync(query);
}

export async function insertDocuments(store: DocumentStore, collection: string, docs: Doc[]): Promise<string[]> {
  const withIds = docs.map((doc) => ({ ...doc, _id: doc._id ?? newDocumentId() }));
  await store.write(collection, async (datastore) => {
    await datastore.insertAsync(withIds);
    store.reindex(collection, datastore, idsOf(withIds));
  });
  return withIds.map((doc) => doc._id as string);
}

/** Applies `update` to the documents matching `query` (the first one only unless `multi`). */
export async function updateDocuments(
  store: DocumentStore,
  collection: string,
  query: StoreQuery,
  update: StoreUpdate,
  multi: boolean,
): Promise<{ matched: number; updated: number }> {
  return store.write(collection, async (datastore) => {
    const before = await matching(store, collection, datastore, query, multi ? undefined : 1);
    if (before.length === 0) return { matched: 0, updated: 0 };
    const ids = idsOf(before);
    const { affectedDocuments } = await datastore.updateAsync({ _id: { $in: ids } }, update, {
      multi: true,
      returnUpdatedDocs: true,
    });
    const after = new Map(((affectedDocuments ?? []) as Doc[]).map((doc) => [doc._id, doc]));
    store.reindex(collection, datastore, ids);
    const updated = before.filter((doc) => !isDeepStrictEqual(doc, after.get(doc._id))).length;
    return { matched: before.length, updated };
  });
}

/** Replaces the document with `_id` (keeping the id), or creates it. */
export async function replaceDocument(
  store: DocumentStore,
  collection: string,
  id: string,
  data: Doc,
): Promise<{ updated: number; created: number }> {
  return store.write(collection, async (datastore) => {
    const replacement = { ...data, _id: id };
    const existing = (await datastore.findOneAsync({ _id: id })) as unknown as Doc | null;
    if (!existing) {
      await datastore.insertAsync(replacement);
      store.reindex(collection, datastore, [id]);
      return { updated: 0, created: 1 };
    }
    await datastore.updateAsync({ _id: id }, replacement, {});
    store.reindex(collection, datastore, [id]);
    return { updated: isDeepStrictEqual(existing, replacement) ? 0 : 1, created: 0 };
  });
}

export async function removeDocuments(
  store: DocumentStore,
  collection: string,
  query: StoreQuery,
  multi: boolean,
): Promise<number> {
  return store.write(collection, async (datastore) => {
    if (!store.keepsOrderedIndexes(collection)) return datastore.removeAsync(query, { multi });
    // The removed ids, for the indexes.
    const removed = idsOf(await matching(store, collection, datastore, query, multi ? undefined : 1));
    const count = await datastore.removeAsync({ _id: { $in: removed } }, { multi: true });
    store.reindex(collection, datastore, removed);
    return count;
  });
}

const idsOf = (docs: Doc[]): string[] => docs.map((doc) => doc._id as string);

/**
 * The documents `query` matches (at most `limit`), for a write under the collection's lock, found
 * as the cloud's planner finds them: by `_id` when the query names it, else through a declared
 * index that fits, else by testing every document.
 */
async function matching(
  store: DocumentStore,
  collection: string,
  datastore: Nedb,
  query: StoreQuery,
  limit?: number,
): Promise<Doc[]> {
  if (byPrimaryKey(query)) {
    const found = await byId(datastore, query);
    return limit === undefined ? found : found.slice(0, limit);
  }
  const plan = planQuery(store.orderedIndexesOf(collection), query, []);
  if (plan) {
    const ids = walkMatching(datastore, plan, query, limit);
    return ids.length === 0 ? [] : await datastore.findAsync({ _id: { $in: ids } });
  }
  const cursor = datastore.findAsync(query);
  return await (limit === undefined ? cursor : cursor.limit(limit));
}

/** The documents a query naming `_id` matches: those ids, then the rest of the query on each. */
async function byId(datastore: Nedb, query: StoreQuery): Promise<Doc[]> {
  const docs = (await datastore.findAsync({ _id: query._id })) as unknown as Doc[];
  return docs.filter((doc) => matchesQuery(doc, query));
}

/** The ids an index walk over the plan's range finds matching (at most `limit`), in index order. */
function walkMatching(datastore: Nedb, plan: IndexPlan, query: StoreQuery, limit?: number): string[] {
  const ids: string[] = [];
  for (const id of plan.index.walk(plan.range, plan.descending)) {
    const doc = storedDocument(datastore, id);
    if (doc && matchesQuery(doc, query)) ids.push(id);
    if (limit !== undefined && ids.length >= limit) break;
  }
  return ids;
}
