/**
 * What the cloud database service imposes on every call, whoever makes it: the server-side page
 * cap, the cost of a network round trip, and a count of the calls (for benchmarks).
 */

/** `get()` without `limit()` returns this many documents (wx-server-sdk, server side). */
export const DEFAULT_GET_LIMIT = 100;
/**
 * The most one `get()` returns even with a larger `limit()`. The docs say 100 in one place and
 * 1000 in another (spec cloud-runtime.md §3): the stricter one is the default.
 */
export const STRICT_MAX_GET_LIMIT = 100;
export const LENIENT_MAX_GET_LIMIT = 1000;

export type CallKind = 'read' | 'write';

export interface DbServiceOptions {
  /** 100 (default) or up to 1000. */
  maxGetLimit?: number;
  /** Added to every database call, in real milliseconds (default 0): what a round trip costs in the cloud. */
  latencyMs?: number;
}

export interface DbCallCounts {
  reads: number;
  writes: number;
  /** The same, per collection. */
  byCollection: Record<string, { reads: number; writes: number }>;
  /** Reads (`get`, `count`) that no index served: they scanned, and a sorted one sorted in memory. */
  unindexedReads: number;
  /** The latest of those (at most 50): collection and what was scanned. */
  unindexed: string[];
}

const UNINDEXED_KEPT = 50;

export class DbService {
  readonly maxGetLimit: number;
  readonly latencyMs: number;
  private readonly counts: DbCallCounts = { reads: 0, writes: 0, byCollection: {}, unindexedReads: 0, unindexed: [] };

  constructor(options: DbServiceOptions = {}) {
    const max = options.maxGetLimit ?? STRICT_MAX_GET_LIMIT;
    if (!Number.isInteger(max) || max < 1 || max > LENIENT_MAX_GET_LIMIT) {
      throw new Error(`maxGetLimit must be an integer from 1 to ${LENIENT_MAX_GET_LIMIT}`);
    }
    const latency = options.latencyMs ?? 0;
    if (!(latency >= 0)) throw new Error('latencyMs must be 0 or more');
    this.maxGetLimit = max;
    this.latencyMs = latency;
  }

  /** One call reaching the service: counted, and as slow as a round trip is. */
  async roundTrip(kind: CallKind, collection: string): Promise<void> {
    const perCollection = (this.counts.byCollection[collection] ??= { reads: 0, writes: 0 });
    if (kind === 'read') {
      this.counts.reads += 1;
      perCollection.reads += 1;
    } else {
      this.counts.writes += 1;
      perCollection.writes += 1;
    }
    if (this.latencyMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, this.latencyMs));
  }

  /** How a read was served (operations.ts): one that no index served is counted and described. */
  notePlan(collection: string, report: { indexed: boolean; detail: string }): void {
    if (report.indexed) return;
    this.counts.unindexedReads += 1;
    this.counts.unindexed.push(`${collection}: ${report.detail}`);
    if (this.counts.unindexed.length > UNINDEXED_KEPT) this.counts.unindexed.shift();
  }

  /** The calls so far (a copy). */
  calls(): DbCallCounts {
    return structuredClone(this.counts);
  }
}
