import type { ShipJobDoc } from '../model';
import type { ShipReason, ShipStage } from '../shipping/stages';
import { COLLECTIONS, type Store } from '../store';

/**
 * The shipJobs collection: one document per job (plan, targets, waves, thresholds, state, the
 * submission budget). The conditional writes are the guards: only a running job pauses, only a
 * paused one resumes, and a submission slot is taken only while the budget is above zero.
 */
export class ShipJobsRepository {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** False when a job with this id exists. */
  create(doc: ShipJobDoc): Promise<boolean> {
    return this.store.create(COLLECTIONS.shipJobs, { ...doc });
  }

  get(id: string): Promise<ShipJobDoc | null> {
    return this.store.get<ShipJobDoc>(COLLECTIONS.shipJobs, id);
  }

  /** Pauses a running job with WeChat's reason (the first pause wins); its budget is dropped. */
  async pause(id: string, reason: ShipReason): Promise<boolean> {
    const at = this.now();
    const data = { state: 'paused', pause: this.store.command.set(reason), pausedAt: at, submitBudget: 0, updatedAt: at };
    return (await this.store.updateWhere(COLLECTIONS.shipJobs, { _id: id, state: 'running' }, data)) === 1;
  }

  /** Resumes a paused job; the budget comes back with the next `queryquota`. */
  async resume(id: string): Promise<boolean> {
    const data = { state: 'running', pause: null, pausedAt: null, updatedAt: this.now() };
    return (await this.store.updateWhere(COLLECTIONS.shipJobs, { _id: id, state: 'paused' }, data)) === 1;
  }

  /** Opens a wave with the submissions `queryquota` allows (left minus the reserve, at most the wave). */
  async openWave(id: string, wave: number, budget: number): Promise<boolean> {
    const data = { openWave: wave, submitBudget: Math.max(budget, 0), updatedAt: this.now() };
    const query = { _id: id, state: 'running', openWave: this.store.command.lt(wave) };
    return (await this.store.updateWhere(COLLECTIONS.shipJobs, query, data)) === 1;
  }

  /** Gives a running job whose budget ran out the submissions a new `queryquota` allows. */
  async refillBudget(id: string, budget: number): Promise<boolean> {
    if (budget <= 0) return false;
    const query = { _id: id, state: 'running', submitBudget: 0 };
    return (await this.store.updateWhere(COLLECTIONS.shipJobs, query, { submitBudget: budget, updatedAt: this.now() })) === 1;
  }

  /** Takes one submission slot of a running job's budget; false when none is left. */
  async takeSubmitSlot(id: string): Promise<boolean> {
    const _ = this.store.command;
    const query = { _id: id, state: 'running', submitBudget: _.gt(0) };
    return (await this.store.updateWhere(COLLECTIONS.shipJobs, query, { submitBudget: _.inc(-1) })) === 1;
  }

  async saveCounts(id: string, counts: Partial<Record<ShipStage, number>>): Promise<void> {
    await this.store.update(COLLECTIONS.shipJobs, id, { counts: this.store.command.set(counts), updatedAt: this.now() });
  }

  /** A finished job runs again (the retry command re-queued some of its merchants). */
  async reopen(id: string): Promise<boolean> {
    const data = { state: 'running', updatedAt: this.now() };
    return (await this.store.updateWhere(COLLECTIONS.shipJobs, { _id: id, state: 'done' }, data)) === 1;
  }

  /** The newest jobs first, a page at a time. */
  async newest(limit: number, skip = 0): Promise<ShipJobDoc[]> {
    return this.store.find<ShipJobDoc>(COLLECTIONS.shipJobs, {}, { orderBy: ['createdAt', 'desc'], limit, skip });
  }

  async finish(id: string): Promise<void> {
    await this.store.update(COLLECTIONS.shipJobs, id, { state: 'done', submitBudget: 0, updatedAt: this.now() });
  }

  /** Ids of the jobs in a state (the timer moves the running ones' items, and resumes paused ones). */
  async idsInState(state: ShipJobDoc['state'], limit: number): Promise<string[]> {
    const docs = await this.store.find<ShipJobDoc>(COLLECTIONS.shipJobs, { state }, { orderBy: ['updatedAt', 'asc'], limit });
    return docs.map((doc) => doc._id);
  }
}
