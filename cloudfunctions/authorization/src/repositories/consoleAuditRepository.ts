import type { ConsoleAuditDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `consoleAudit` collection: one entry per admin change, written before it runs, finished after. */
export class ConsoleAuditRepository {
  constructor(private readonly store: Store) {}

  async start(doc: ConsoleAuditDoc): Promise<void> {
    if (!(await this.store.create(COLLECTIONS.consoleAudit, { ...doc }))) throw new Error('audit id collision');
  }

  async finish(id: string, outcome: 'ok' | 'failed', detail: string | null): Promise<void> {
    await this.store.update(COLLECTIONS.consoleAudit, id, { outcome, detail });
  }

  /** Newest first. */
  async page(offset: number, limit: number): Promise<{ total: number; entries: ConsoleAuditDoc[] }> {
    const [total, entries] = await Promise.all([
      this.store.count(COLLECTIONS.consoleAudit, {}),
      this.store.find<ConsoleAuditDoc>(COLLECTIONS.consoleAudit, {}, { orderBy: ['at', 'desc'], skip: offset, limit }),
    ]);
    return { total, entries };
  }
}
