import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
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

export async function findDocuments(store: DocumentStore, collection: string, spec: FindSpec): Promise<Doc[]> {
  const datastore = await store.collection(collection);
  let cursor = datastore.findAsync(spec.query, spec.projection ?? {});
  if (spec.sort.length > 0) cursor = cursor.sort(Object.fromEntries(spec.sort));
  const found = (await cursor.skip(spec.skip).limit(spec.limit)) as unknown as Doc[];
  return found.map((doc) => copyOut(doc));
}

export async function findById(store: DocumentStore, collection: string, id: string): Promise<Doc | null> {
  const [found] = await findDocuments(store, collection, { query: { _id: id }, sort: [], skip: 0, limit: 1 });
  return found ?? null;
}

export async function countDocuments(store: DocumentStore, collection: string, query: StoreQuery): Promise<number> {
  const datastore = await store.collection(collection);
  return datastore.countAsync(query);
}

export async function insertDocuments(store: DocumentStore, collection: string, docs: Doc[]): Promise<string[]> {
  const withIds = docs.map((doc) => ({ ...doc, _id: doc._id ?? newDocumentId() }));
  await store.write(collection, (datastore) => datastore.insertAsync(withIds));
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
    let cursor = datastore.findAsync(query);
    if (!multi) cursor = cursor.limit(1);
    const before = (await cursor) as unknown as Doc[];
    if (before.length === 0) return { matched: 0, updated: 0 };
    const ids = before.map((doc) => doc._id);
    const { affectedDocuments } = await datastore.updateAsync({ _id: { $in: ids } }, update, {
      multi: true,
      returnUpdatedDocs: true,
    });
    const after = new Map(((affectedDocuments ?? []) as Doc[]).map((doc) => [doc._id, doc]));
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
      return { updated: 0, created: 1 };
    }
    await datastore.updateAsync({ _id: id }, replacement, {});
    return { updated: isDeepStrictEqual(existing, replacement) ? 0 : 1, created: 0 };
  });
}

export async function removeDocuments(
  store: DocumentStore,
  collection: string,
  query: StoreQuery,
  multi: boolean,
): Promise<number> {
  return store.write(collection, (datastore) => datastore.removeAsync(query, { multi }));
}
