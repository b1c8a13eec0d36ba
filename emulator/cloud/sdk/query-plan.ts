import { types } from 'node:util';
import type { IndexRange, OrderedIndex } from './ordered-index';
import type { StoreQuery } from './translate';

/**
 * Which index serves a query, chosen as the cloud's planner would for the shapes this project
 * uses: equality on the index's leading fields, then an optional range on the next field, then a
 * sort on the fields after the equalities (all one direction, optionally ending with `_id`).
 * Anything else in the query is checked on each document the walk reaches.
 */

export interface IndexPlan {
  index: OrderedIndex;
  range: IndexRange;
  descending: boolean;
  /** True when the query holds nothing but the range: a count needs no document. */
  covered: boolean;
}

/** What a read reports about itself (service.ts counts them). */
export interface PlanReport {
  indexed: boolean;
  /** The index used (`_id` or the fields joined by `_`), or what was scanned and sorted. */
  detail: string;
}

type Sort = Array<[string, 1 | -1]>;

const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);

function isKeyValue(value: unknown): boolean {
  return ['string', 'number', 'boolean'].includes(typeof value) || types.isDate(value);
}

function isPlainCondition(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !types.isDate(value) && !types.isRegExp(value) && !Array.isArray(value);
}

function rangeOf(condition: unknown): Pick<IndexRange, 'lower' | 'upper'> | null {
  if (!isPlainCondition(condition)) return null;
  const entries = Object.entries(condition);
  if (entries.length === 0 || !entries.every(([op, value]) => RANGE_OPERATORS.has(op) && isKeyValue(value))) return null;
  const range: Pick<IndexRange, 'lower' | 'upper'> = {};
  for (const [op, value] of entries) {
    const side = op === '$gt' || op === '$gte' ? 'lower' : 'upper';
    // Two bounds on one side: left to each document's match.
    if (range[side]) return null;
    range[side] = { value, inclusive: op === '$gte' || op === '$lte' };
  }
  return range;
}

/** Whether walking `index` after `p` equalities gives `sort`'s order, and in which direction. */
function walkOrder(index: OrderedIndex, p: number, sort: Sort): { descending: boolean } | null {
  const fields = index.fields;
  const fixed = new Set(fields.slice(0, p));
  let order = sort.filter(([field]) => !fixed.has(field));
  const directions = new Set(order.map(([, direction]) => direction));
  if (directions.size > 1) return null;
  const endsWithId = order.length > 0 && order[order.length - 1][0] === '_id';
  if (endsWithId) order = order.slice(0, -1);
  if (order.some(([field], i) => fields[p + i] !== field || index.arrayFields.has(field))) return null;
  if (endsWithId && p + order.length !== fields.length) return null;
  return { descending: directions.has(-1) };
}

/** The index that serves `query` sorted by `sort`, or null (a scan). */
function planWith(index: OrderedIndex, query: StoreQuery, sort: Sort): (IndexPlan & { score: number }) | null {
  const fields = index.fields;
  const equal: unknown[] = [];
  while (equal.length < fields.length && isKeyValue(query[fields[equal.length]])) equal.push(query[fields[equal.length]]);
  const p = equal.length;
  const order = walkOrder(index, p, sort);
  if (!order) return null;
  const range = p < fields.length && !index.arrayFields.has(fields[p]) ? rangeOf(query[fields[p]]) : null;
  if (p === 0 && !range && sort.length === 0) return null;
  const used = new Set([...fields.slice(0, p), ...(range ? [fields[p]] : [])]);
  const covered = Object.keys(query).every((key) => used.has(key)) && fields.every((field) => !index.arrayFields.has(field));
  return { index, range: { equal, ...range }, ...order, covered, score: p * 2 + (range ? 1 : 0) };
}

export function planQuery(indexes: readonly OrderedIndex[], query: StoreQuery, sort: Sort): IndexPlan | null {
  let best: (IndexPlan & { score: number }) | null = null;
  for (const index of indexes) {
    const plan = planWith(index, query, sort);
    if (plan && (!best || plan.score > best.score)) best = plan;
  }
  return best;
}

/** Reads by `_id` (one, or `in` a list) use the primary index whatever else they ask. */
export function byPrimaryKey(query: StoreQuery): boolean {
  const id = query._id;
  return isKeyValue(id) || (isPlainCondition(id) && Array.isArray(id.$in));
}

export function describeScan(query: StoreQuery, sort: Sort): string {
  const order = sort.map(([field, direction]) => `${field} ${direction === 1 ? 'asc' : 'desc'}`).join(', ');
  return `scan where {${Object.keys(query).join(', ')}}${order ? ` sorted by ${order}` : ''}`;
}
