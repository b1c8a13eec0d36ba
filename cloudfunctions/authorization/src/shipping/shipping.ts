import type { Logger } from '../logger';
import type { Repositories } from '../repositories';
import type { StoredShipItem } from '../repositories/shipItemsRepository';
import type { ShipApi } from './api';
import { moveShipItem, type ShipRunnerDeps } from './runner';
import type { AuditEvent, ShipInput } from './stages';

export interface ShippingDeps {
  repositories: Pick<Repositories, 'authorizers' | 'shipItems' | 'shipJobs' | 'merchantShipValues'>;
  api: ShipApi;
  log: Logger;
  now: () => number;
}

/**
 * Shipping as the function uses it (issue 19): the runner's deps wired to the repositories and
 * WeChat, and the entry points that move items (the timer's job runner, audit events).
 */
export class Shipping {
  readonly runner: ShipRunnerDeps;

  constructor(readonly deps: ShippingDeps) {
    const { repositories, api, log, now } = deps;
    const { shipJobs } = repositories;
    this.runner = {
      items: repositories.shipItems,
      api,
      grantedSets: (appid) => this.grantedSets(appid),
      takeSubmitSlot: (jobId) => shipJobs.takeSubmitSlot(jobId),
      pauseJob: (jobId, reason) => shipJobs.pause(jobId, reason),
      log,
      now,
    };
  }

  /** Claims the item and runs it from `first`; null when another run holds it or it is settled. */
  move(id: string, first?: ShipInput): Promise<StoredShipItem | null> {
    return moveShipItem(this.runner, id, first);
  }

  /**
   * An audit result pushed to the message URL: it speaks of the app's open audit. An item held by
   * another run is not waited for: the timer's poll of silent audits catches up. The ids moved.
   */
  async onAuditEvent(appid: string, event: AuditEvent): Promise<string[]> {
    const moved: string[] = [];
    for (const id of await this.deps.repositories.shipItems.findOpenAudit(appid)) {
      if (await this.move(id, { kind: 'audit_event', event })) moved.push(id);
    }
    return moved;
  }

  /** Our record's sets: only an active authorization counts (null: we may not act for the merchant). */
  private async grantedSets(appid: string): Promise<number[] | null> {
    const doc = await this.deps.repositories.authorizers.get(appid);
    return doc?.status === 'active' ? doc.grantedSets : null;
  }
}
