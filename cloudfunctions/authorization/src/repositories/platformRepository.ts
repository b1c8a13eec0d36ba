import { Claims } from '../claims';
import type { LeaseSpec } from '../lease';
import type { PlatformDoc, ReconcileCheckpoint, UpstreamErrorNote } from '../model';
import { COLLECTIONS, type Store } from '../store';

export function emptyPlatformDoc(appId: string): PlatformDoc {
  return {
    _id: appId,
    ticket: null,
    ticketCreatedAt: 0,
    ticketReceivedAt: null,
    componentToken: null,
    componentTokenExpiresAt: 0,
    leaseOwner: '',
    leaseUntil: 0,
    lastUpstreamError: null,
    lastReconciledAt: 0,
  };
}

/** The `platform` collection: one document per platform, and reconcile's claim record beside it. */
export class PlatformRepository {
  constructor(private readonly store: Store) {}

  get(appId: string): Promise<PlatformDoc | null> {
    return this.store.get<PlatformDoc>(COLLECTIONS.platform, appId);
  }

  /** Creates the document if it is missing (racing creators are fine: one wins, all see it). */
  async ensure(appId: string): Promise<void> {
    if (await this.get(appId)) return;
    await this.store.create(COLLECTIONS.platform, { ...emptyPlatformDoc(appId) });
  }

  /** Keeps a ticket only if it was created after the stored one; false when it was not newer. */
  async saveTicketIfNewer(appId: string, ticket: string, createdAt: number, receivedAt: number): Promise<boolean> {
    const updated = await this.store.updateWhere(
      COLLECTIONS.platform,
      { _id: appId, ticketCreatedAt: this.store.command.lt(createdAt) },
      { ticket, ticketCreatedAt: createdAt, ticketReceivedAt: receivedAt },
    );
    return updated === 1;
  }

  /** Keeps a component token fetched from WeChat, valid until `expiresAt`. */
  async saveComponentToken(appId: string, token: string, expiresAt: number): Promise<void> {
    await this.store.update(COLLECTIONS.platform, appId, { componentToken: token, componentTokenExpiresAt: expiresAt });
  }

  /** Drops `token` only if it is still the stored one (a token another instance just refreshed stays). */
  async dropComponentTokenIfCurrent(appId: string, token: string): Promise<void> {
    await this.store.updateWhere(
      COLLECTIONS.platform,
      { _id: appId, componentToken: token },
      { componentToken: null, componentTokenExpiresAt: 0 },
    );
  }

  /** The component token's refresh lease on the document: one refresher at a time across instances. */
  componentTokenLease(appId: string, owner: string, now: () => number): LeaseSpec {
    return { store: this.store, collection: COLLECTIONS.platform, id: appId, owner, now };
  }

  async noteUpstreamError(appId: string, note: UpstreamErrorNote): Promise<void> {
    await this.store.update(COLLECTIONS.platform, appId, { lastUpstreamError: this.store.command.set(note) });
  }

  /**
   * A call that started at `startedAt` succeeded: the error recorded before it no longer holds
   * (the IP was whitelisted, the secret fixed). One recorded after it started stays.
   */
  async clearUpstreamErrorBefore(appId: string, startedAt: number): Promise<void> {
    const _ = this.store.command;
    await this.store.updateWhere(
      COLLECTIONS.platform,
      { _id: appId, lastUpstreamError: { at: _.lt(startedAt) } },
      { lastUpstreamError: null },
    );
  }

  async noteTimerRun(appId: string, at: number): Promise<void> {
    await this.store.update(COLLECTIONS.platform, appId, { lastTimerRunAt: at });
  }

  async saveReconcileCheckpoint(appId: string, checkpoint: ReconcileCheckpoint): Promise<void> {
    await this.store.update(COLLECTIONS.platform, appId, { reconcileCheckpoint: this.store.command.set({ ...checkpoint }) });
  }

  async completeReconcile(appId: string, at: number): Promise<void> {
    await this.store.update(COLLECTIONS.platform, appId, { lastReconciledAt: at, reconcileCheckpoint: null });
  }

  /** Claims on records of this collection (reconcile's pass, keyed beside the platform document). */
  reconcileClaims(holder: string, now: () => number): Claims {
    return new Claims({ store: this.store, collection: COLLECTIONS.platform, holder, now });
  }
}
