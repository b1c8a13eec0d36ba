/**
 * `db.command` (usually `_`): query commands, logic commands and update commands. They are inert
 * descriptions; `translate.ts` turns them into the embedded store's query and update documents.
 */

export type QueryOperator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin' | 'exists';
export type LogicOperator = 'and' | 'or';
export type UpdateOperator = 'set' | 'inc' | 'remove' | 'push';

/** `_.and(a, b)` and `_.and([a, b])` mean the same, as in the real sdk. */
function operandList(args: unknown[]): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as unknown[])] : args;
}

abstract class Combinable {
  and(...conditions: unknown[]): LogicCommand {
    return new LogicCommand('and', [this, ...operandList(conditions)]);
  }

  or(...conditions: unknown[]): LogicCommand {
    return new LogicCommand('or', [this, ...operandList(conditions)]);
  }
}

/** A comparison on the field it is placed under: `{ age: _.gt(18) }`. */
export class QueryCommand extends Combinable {
  constructor(
    readonly operator: QueryOperator,
    readonly operand: unknown,
  ) {
    super();
  }
}

/**
 * `_.and` / `_.or`: at the top of a `where` its operands are whole query objects; under a field
 * its operands are commands (or values) on that field.
 */
export class LogicCommand extends Combinable {
  constructor(
    readonly operator: LogicOperator,
    readonly operands: unknown[],
  ) {
    super();
  }
}

export class UpdateCommand {
  constructor(
    readonly operator: UpdateOperator,
    readonly operand: unknown,
  ) {}
}

/** `db.serverDate()`: replaced by the runtime clock's time when the write happens. */
export class ServerDate {
  constructor(readonly offset: number) {}
}

export interface PushOptions {
  each?: unknown[];
  position?: number;
  sort?: unknown;
  slice?: number;
}

function isPushOptions(value: unknown): value is PushOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'each');
}

function listOperand(name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`_.${name}() takes an array`);
  return [...(value as unknown[])];
}

export function createCommand() {
  return {
    eq: (value: unknown) => new QueryCommand('eq', value),
    neq: (value: unknown) => new QueryCommand('neq', value),
    gt: (value: unknown) => new QueryCommand('gt', value),
    gte: (value: unknown) => new QueryCommand('gte', value),
    lt: (value: unknown) => new QueryCommand('lt', value),
    lte: (value: unknown) => new QueryCommand('lte', value),
    in: (values: unknown[]) => new QueryCommand('in', listOperand('in', values)),
    nin: (values: unknown[]) => new QueryCommand('nin', listOperand('nin', values)),
    exists: (value: boolean) => new QueryCommand('exists', Boolean(value)),
    and: (...conditions: unknown[]) => new LogicCommand('and', operandList(conditions)),
    or: (...conditions: unknown[]) => new LogicCommand('or', operandList(conditions)),
    set: (value: unknown) => new UpdateCommand('set', value),
    inc: (value: number) => new UpdateCommand('inc', value),
    remove: () => new UpdateCommand('remove', undefined),
    push: (...args: unknown[]) => {
      if (isPushOptions(args[0])) return new UpdateCommand('push', { ...args[0] });
      return new UpdateCommand('push', { each: Array.isArray(args[0]) ? [...(args[0] as unknown[])] : args });
    },
  };
}

export type Command = ReturnType<typeof createCommand>;
