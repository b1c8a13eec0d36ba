/**
 * Fault injection for tests: a function instance that dies at a chosen point, as a cloud
 * function's container can at any moment. The database operation it dies before never runs, and
 * nothing of that instance touches the database again (its calls never settle); the invocation
 * in progress ends with an error, as WeChat's cloud reports a crashed run.
 */
export interface DbOperation {
  collection: string;
  /** e.g. `collection.update`, `document.set`, `collection.add`, `collection.get`. */
  method: string;
  /** The write's `data`, if any (update commands as the function passed them). */
  data?: unknown;
}

export class InstanceCrashed extends Error {
  constructor(readonly before: DbOperation) {
    super(`instance crashed before ${before.method} on ${before.collection}`);
    this.name = 'InstanceCrashed';
  }
}

const NEVER = new Promise<never>(() => undefined);

export class CrashSwitch {
  private plan: ((operation: DbOperation) => boolean) | undefined;
  private dead: InstanceCrashed | undefined;
  private readonly listeners: Array<(crash: InstanceCrashed) => void> = [];

  /** The instance dies before the first operation for which `when` is true. */
  planCrash(when: (operation: DbOperation) => boolean): void {
    this.plan = when;
  }

  get isDead(): boolean {
    return this.dead !== undefined;
  }

  /** Called when the instance dies (the runtime ends the invocation and forgets the instance). */
  onCrash(listener: (crash: InstanceCrashed) => void): void {
    this.listeners.push(listener);
  }

  /** Runs `operation` unless the instance is dead or dies now. */
  guard<T>(operation: DbOperation, run: () => Promise<T>): Promise<T> {
    if (this.dead) return NEVER;
    if (this.plan?.(operation)) {
      this.dead = new InstanceCrashed(operation);
      this.plan = undefined;
      for (const listener of this.listeners) listener(this.dead);
      return NEVER;
    }
    return run();
  }
}
