import type { PlatformDoc, UpstreamErrorNote } from '../model';
import { isConfigurationError, isTicketError } from '../openapi/errors';
import { COLLECTIONS, type Store } from '../store';

/** The one document per platform: ticket, component token, refresh lease, last upstream error. */

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

export async function readPlatform(store: Store, appId: string): Promise<PlatformDoc | null> {
  return store.get<PlatformDoc>(COLLECTIONS.platform, appId);
}

/** Creates the document if it is missing (racing creators are fine: one wins, all see it). */
export async function ensurePlatform(store: Store, appId: string): Promise<void> {
  if (await readPlatform(store, appId)) return;
  await store.create(COLLECTIONS.platform, { ...emptyPlatformDoc(appId) });
}

/** Keeps the newest ticket: a delayed or retried older push never replaces a newer one. */
export async function saveTicket(
  store: Store,
  appId: string,
  ticket: string,
  createdAt: number,
  receivedAt: number,
): Promise<boolean> {
  await ensurePlatform(store, appId);
  const updated = await store.updateWhere(
    COLLECTIONS.platform,
    { _id: appId, ticketCreatedAt: store.command.lt(createdAt) },
    { ticket, ticketCreatedAt: createdAt, ticketReceivedAt: receivedAt },
  );
  return updated === 1;
}

/** Keeps the last configuration or ticket error (61004 with its IP, 61005 …) for the health page. */
export async function recordUpstreamError(store: Store, appId: string, error: unknown, at: number): Promise<void> {
  if (!(isConfigurationError(error) || isTicketError(error))) return;
  const note: UpstreamErrorNote = {
    at,
    api: error.api,
    errcode: error.errcode,
    meaning: error.meaning,
    ...(error.requestIp ? { requestIp: error.requestIp } : {}),
  };
  // Best effort: failing to note an error must not hide the error itself.
  await store.update(COLLECTIONS.platform, appId, { lastUpstreamError: store.command.set(note) }).catch(() => undefined);
}

/** The timer's heartbeat, shown on the health page. */
export async function recordTimerRun(store: Store, appId: string, at: number): Promise<void> {
  await ensurePlatform(store, appId);
  await store.update(COLLECTIONS.platform, appId, { lastTimerRunAt: at });
}
