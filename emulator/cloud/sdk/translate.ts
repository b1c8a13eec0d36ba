import { types } from 'node:util';
import { LogicCommand, QueryCommand, ServerDate, UpdateCommand } from './commands';
import { DB_ERROR, DbFault } from './errors';

/**
 * Turns wx-server-sdk queries, updates and documents into the embedded store's (nedb, a MongoDB
 * dialect) documents, following the real sdk's serializer: plain nested objects become dot paths
 * (`{a: {b: 1}}` is `a.b == 1` in a query and "set a.b only" in an update), `undefined` is dropped,
 * empty nested objects vanish, `_.set(obj)` replaces the whole field.
 */

export type Doc = Record<string, unknown>;
export type StoreQuery = Record<string, unknown>;
export type StoreUpdate = Record<string, Record<string, unknown>>;

const invalid = (detail: string) => new DbFault(DB_ERROR.invalidParam, detail);

/** Realm-agnostic: the function bundle's objects come from another realm under jest. */
export function isPlainObject(value: unknown): value is Doc {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function isCommand(value: unknown): boolean {
  return value instanceof QueryCommand || value instanceof LogicCommand || value instanceof UpdateCommand;
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** Leaves of a nested plain object as [dot path, value]; operators may not appear as keys. */
function flattenPaths(source: Doc, prefix = ''): Array<[string, unknown]> {
  const leaves: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (key.startsWith('$')) throw invalid(`field name "${key}" cannot start with $`);
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) leaves.push(...flattenPaths(value, path));
    else leaves.push([path, value]);
  }
  return leaves;
}

/** A value as it is written to the store: plain data and Dates only, server dates resolved. */
export function toStorable(value: unknown, now: number): unknown {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
  if (value instanceof ServerDate) return new Date(now + value.offset);
  if (types.isDate(value)) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toStorable(item, now)));
  if (isCommand(value)) throw new DbFault(DB_ERROR.requestFailed, 'update operator complicit');
  if (isPlainObject(value)) {
    const stored: Doc = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (key.startsWith('$') || key.includes('.')) throw invalid(`field name "${key}" cannot start with $ or contain .`);
      stored[key] = toStorable(item, now);
    }
    return stored;
  }
  throw invalid(`cannot store a value of type ${describe(value)}`);
}

/** A document for add/set: a plain object, `_id` only where the caller allows it. */
export function toStorableDocument(data: unknown, now: number): Doc {
  if (!isPlainObject(data)) throw invalid('data must be an object');
  return toStorable(data, now) as Doc;
}

function queryValue(value: unknown, now: number): unknown {
  if (types.isRegExp(value)) return value;
  return toStorable(value, now);
}

function comparison(path: string, command: QueryCommand, now: number): StoreQuery {
  const operand = command.operand;
  switch (command.operator) {
    case 'eq':
      return { [path]: queryValue(operand, now) };
    case 'neq':
      return { [path]: { $ne: queryValue(operand, now) } };
    case 'in':
      return { [path]: { $in: (operand as unknown[]).map((item) => queryValue(item, now)) } };
    case 'nin':
      // On an array the server asks that no element is listed; nedb's $nin asks it of one element only.
      return { $not: { [path]: { $in: (operand as unknown[]).map((item) => queryValue(item, now)) } } };
    case 'exists':
      return { [path]: { $exists: operand } };
    default:
      return { [path]: { [`$${command.operator}`]: queryValue(operand, now) } };
  }
}

const BOUNDS = new Set(['gt', 'gte', 'lt', 'lte']);

/** `_.gte(a).and(_.lt(b))` on one field: one range object, as the server reads it (an index can use it). */
function rangeCondition(path: string, value: LogicCommand, now: number): StoreQuery | null {
  if (value.operator !== 'and') return null;
  const bounds = value.operands.map((operand) => (operand instanceof QueryCommand ? operand.operator : ''));
  if (!bounds.every((op) => BOUNDS.has(op)) || new Set(bounds).size !== bounds.length) return null;
  const operands = value.operands as QueryCommand[];
  return { [path]: Object.fromEntries(operands.map((operand) => [`$${operand.operator}`, queryValue(operand.operand, now)])) };
}

function fieldCondition(path: string, value: unknown, now: number): StoreQuery {
  if (value instanceof QueryCommand) return comparison(path, value, now);
  if (value instanceof LogicCommand) {
    const range = rangeCondition(path, value, now);
    if (range) return range;
    return { [`$${value.operator}`]: value.operands.map((operand) => fieldCondition(path, operand, now)) };
  }
  if (value instanceof UpdateCommand) throw invalid(`update command _.${value.operator}() cannot be used in a query`);
  return { [path]: queryValue(value, now) };
}

/**
 * All the conditions at once. Conditions on distinct fields become one object, so the store can
 * pick an index from its keys (it looks at top-level keys only, never inside `$and`); `_id` goes
 * last because the store uses the last indexed equality it finds, and `_id` is the most selective.
 */
function allOf(parts: StoreQuery[]): StoreQuery {
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0];
  const keys = parts.flatMap((part) => Object.keys(part));
  // One `$not` (a `nin`) may sit beside the fields; more, or other operators, go under `$and`.
  const distinctFields = new Set(keys).size === keys.length && keys.every((key) => !key.startsWith('$') || key === '$not');
  if (!distinctFields) return { $and: parts };
  const merged: StoreQuery = Object.assign({}, ...parts.filter((part) => !Object.hasOwn(part, '_id'))) as StoreQuery;
  const byId = parts.find((part) => Object.hasOwn(part, '_id'));
  return byId ? { ...merged, _id: byId._id } : merged;
}

/** The store query for a `where(...)` condition. */
export function toStoreQuery(condition: unknown, now: number): StoreQuery {
  if (condition instanceof LogicCommand) {
    const parts = condition.operands.map((operand) => {
      if (operand instanceof QueryCommand) {
        throw invalid(`_.${condition.operator}() at the top of a query takes query objects, not field commands`);
      }
      return toStoreQuery(operand, now);
    });
    return { [`$${condition.operator}`]: parts };
  }
  if (!isPlainObject(condition)) throw invalid('query condition must be an object');
  return allOf(flattenPaths(condition).map(([path, value]) => fieldCondition(path, value, now)));
}

function addPush(update: StoreUpdate, path: string, operand: unknown, now: number): void {
  const { each, position, sort, slice } = operand as { each?: unknown; position?: unknown; sort?: unknown; slice?: unknown };
  if (position !== undefined || sort !== undefined) throw invalid('_.push() position/sort are not supported by the emulator');
  if (!Array.isArray(each)) throw invalid('_.push() each must be an array');
  const modifier: Doc = { $each: toStorable(each, now) };
  if (slice !== undefined) modifier.$slice = slice;
  (update.$push ??= {})[path] = modifier;
}

function addUpdateCommand(update: StoreUpdate, path: string, command: UpdateCommand, now: number): void {
  switch (command.operator) {
    case 'set':
      (update.$set ??= {})[path] = toStorable(command.operand, now);
      return;
    case 'inc':
      if (typeof command.operand !== 'number' || !Number.isFinite(command.operand)) throw invalid('_.inc() takes a number');
      (update.$inc ??= {})[path] = command.operand;
      return;
    case 'remove':
      (update.$unset ??= {})[path] = true;
      return;
    case 'push':
      addPush(update, path, command.operand, now);
      return;
  }
}

/** The store update for `update({data})`: every leaf becomes a modifier on its dot path. */
export function toStoreUpdate(data: unknown, now: number): StoreUpdate {
  if (!isPlainObject(data)) throw invalid('data must be an object');
  if (Object.hasOwn(data, '_id')) throw invalid('不能更新_id的值');
  const update: StoreUpdate = {};
  for (const [path, value] of flattenPaths(data)) {
    if (value instanceof UpdateCommand) addUpdateCommand(update, path, value, now);
    else if (isCommand(value)) throw invalid(`query command cannot be used in an update (field ${path})`);
    else (update.$set ??= {})[path] = toStorable(value, now);
  }
  if (Object.keys(update).length === 0) throw invalid('update data must not be empty');
  return update;
}

/** `field({a: true, b: false})` as a store projection. */
export function toProjection(fields: unknown): Record<string, 0 | 1> {
  if (!isPlainObject(fields)) throw new TypeError('field() takes an object such as { name: true }');
  return Object.fromEntries(Object.entries(fields).map(([path, keep]) => [path, keep ? 1 : 0]));
}

/** A copy of a stored document for the caller, so nothing it does reaches the store's memory. */
export function copyOut<T>(value: T): T {
  if (types.isDate(value)) return new Date((value as Date).getTime()) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((item) => copyOut(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyOut(item)])) as T;
  }
  return value;
}
