import type Nedb from '@seald-io/nedb';
import type { Doc, StoreQuery } from './translate';

/**
 * Ordered (compound) indexes for the embedded store, as WeChat's database keeps them: a sorted,
 * filtered page walks the index from where its conditions start instead of reading and sorting
 * every document. nedb has single-field hash-like indexes only, so these are kept here, next to
 * it, and refreshed after every write (transactions and their rollbacks write through the same
 * operations). Entries with equal keys are ordered by `_id`, so ties come out in a stable order
 * (the cloud orders them by its record id; a sort may end with `_id` to make that explicit).
 */

// nedb's own comparison and matching, so an index walk and a scan agree exactly.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const model = require('@seald-io/nedb/lib/model.js') as {
  compareThings(a: unknown, b: unknown, compareStrings?: (a: string, b: string) => number): number;
  getDotValue(doc: unknown, field: string): unknown;
  match(doc: unknown, query: unknown): boolean;
};

export const compareValues = (a: unknown, b: unknown): number => model.compareThings(a, b);
export const matchesQuery = (doc: Doc, query: StoreQuery): boolean => model.match(doc, query);
export const fieldValue = (doc: Doc, field: string): unknown => model.getDotValue(doc, field);

/** Up to this many entries are moved one by one; more are merged in one pass. */
const FEW = 16;

interface Entry {
  key: unknown[];
  id: string;
}

function compareEntries(a: Entry, b: Entry): number {
  for (let i = 0; i < a.key.length; i++) {
    const order = compareValues(a.key[i], b.key[i]);
    if (order !== 0) return order;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Compares an entry's key with a bound on its first `bound.length` fields (no `_id`). */
function compareToBound(entry: Entry, bound: unknown[]): number {
  for (let i = 0; i < bound.length; i++) {
    const order = compareValues(entry.key[i], bound[i]);
    if (order !== 0) return order;
  }
  return 0;
}

/** The first position whose entry is not before `probe` (`below(entry)` is true for entries before it). */
function lowerBound(entries: Entry[], below: (entry: Entry) => boolean): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(entries[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A range of one index: the equality prefix, then bounds on the next field. */
export interface IndexRange {
  equal: unknown[];
  lower?: { value: unknown; inclusive: boolean };
  upper?: { value: unknown; inclusive: boolean };
}

export class OrderedIndex {
  private entries: Entry[] = [];
  /** Each document's entries (several when a field holds an array: one per element). */
  private readonly keysOf = new Map<string, Entry[]>();
  /** Fields found holding an array: such a field may be matched for equality, never sorted on. */
  readonly arrayFields = new Set<string>();

  constructor(readonly fields: readonly string[]) {}

  get name(): string {
    return this.fields.join('_');
  }

  private entriesFor(doc: Doc): Entry[] {
    let keys: unknown[][] = [[]];
    for (const field of this.fields) {
      const value = fieldValue(doc, field);
      if (Array.isArray(value) && value.length > 0) {
        this.arrayFields.add(field);
        const items = value as unknown[];
        const elements = [...new Map(items.map((item) => [JSON.stringify(item), item])).values()];
        keys = keys.flatMap((key) => elements.map((element) => [...key, element]));
      } else {
        keys = keys.map((key) => [...key, value]);
      }
    }
    const id = doc._id as string;
    return keys.map((key) => ({ key, id }));
  }

  /** Builds the index from every document (when declared on a loaded collection). */
  rebuild(docs: Doc[]): void {
    this.entries = [];
    this.keysOf.clear();
    const byId = new Map(docs.map((doc) => [doc._id as string, doc]));
    this.refresh(byId.keys(), (id) => byId.get(id) ?? null);
  }

  /**
   * Brings the entries of these documents up to date: `current(id)` is the stored document now
   * (null once removed). Many at once are merged in one pass rather than inserted one by one.
   */
  refresh(ids: Iterable<string>, current: (id: string) => Doc | null): void {
    const stale: Entry[] = [];
    const fresh: Entry[] = [];
    for (const id of ids) {
      stale.push(...(this.keysOf.get(id) ?? []));
      const doc = current(id);
      if (doc) {
        const entries = this.entriesFor(doc);
        this.keysOf.set(id, entries);
        fresh.push(...entries);
      } else this.keysOf.delete(id);
    }
    if (stale.length + fresh.length === 0) return;
    // A few entries (one document written): found and moved by binary search, no full pass.
    if (stale.length + fresh.length <= FEW && stale.every((entry) => this.removeOne(entry))) {
      for (const entry of fresh) this.entries.splice(this.positionOf(entry), 0, entry);
      return;
    }
    const staleIds = new Set(stale.map((entry) => entry.id));
    const kept = staleIds.size > 0 ? this.entries.filter((entry) => !staleIds.has(entry.id)) : this.entries;
    this.entries = mergeSorted(kept, fresh.sort(compareEntries));
  }

  private positionOf(entry: Entry): number {
    return lowerBound(this.entries, (other) => compareEntries(other, entry) < 0);
  }

  /** Removes this very entry; false if it is not where its key says (then a full pass does it). */
  private removeOne(entry: Entry): boolean {
    const at = this.positionOf(entry);
    if (this.entries[at] !== entry) return false;
    this.entries.splice(at, 1);
    return true;
  }

  /** Document ids in the range, in index order (or reversed), without repeats. */
  *walk(range: IndexRange, descending: boolean): Generator<string> {
    const [start, end] = this.bounds(range);
    const seen = this.arrayFields.size > 0 ? new Set<string>() : null;
    for (let i = 0; i < end - start; i++) {
      const entry = this.entries[descending ? end - 1 - i : start + i];
      if (seen) {
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
      }
      yield entry.id;
    }
  }

  /** How many documents the index holds (each has at least one entry): the collection's size. */
  get documentCount(): number {
    return this.keysOf.size;
  }

  /** How many entries the range holds (documents, when no array field is involved). */
  size(range: IndexRange): number {
    const [start, end] = this.bounds(range);
    return end - start;
  }

  private bounds(range: IndexRange): [number, number] {
    const { equal, lower, upper } = range;
    const n = equal.length;
    const start = lowerBound(this.entries, (entry) => {
      const order = compareToBound(entry, equal);
      if (order !== 0 || !lower) return order < 0;
      const next = compareValues(entry.key[n], lower.value);
      return lower.inclusive ? next < 0 : next <= 0;
    });
    const end = lowerBound(this.entries, (entry) => {
      const order = compareToBound(entry, equal);
      if (order !== 0 || !upper) return order <= 0;
      const next = compareValues(entry.key[n], upper.value);
      return upper.inclusive ? next <= 0 : next < 0;
    });
    return [start, Math.max(start, end)];
  }
}

function mergeSorted(a: Entry[], b: Entry[]): Entry[] {
  if (b.length === 0) return a === b ? a : a.slice();
  const merged: Entry[] = new Array<Entry>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = compareEntries(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) merged[k++] = a[i++];
  while (j < b.length) merged[k++] = b[j++];
  return merged;
}

/** The stored document with this `_id`, straight from nedb's `_id` index (no copy: read only). */
export function storedDocument(datastore: Nedb, id: string): Doc | null {
  const index = (datastore as unknown as { indexes: { _id: { getMatching(value: string): Doc[] } } }).indexes._id;
  return index.getMatching(id)[0] ?? null;
}
