import type { PlatformDoc, UpstreamErrorNote } from '../model';
import { isConfigurationError, isTicketError } from '../openapi/errors';
import type { PlatformRepository } from '../repositories/platformRepository';

/** The one document per platform: ticket, component token, refresh lease, last upstream error. */

export async function readPlatform(platform: PlatformRepository, appId: string): Promise<PlatformDoc | null> {
  return platform.get(appId);
}

/** Creates the document if it is missing (racing creators are fine: one wins, all see it). */
export async function ensurePlatform(platform: PlatformRepository, appId: string): Promise<void> {
  await platform.ensure(appId);
}

/** Keeps the newest ticket: a delayed or retried older push never replaces a newer one. */
export async function saveTicket(
  platform: PlatformRepository,
  appId: string,
  ticket: string,
  createdAt: number,
  receivedAt: number,
): Promise<boolean> {
  await platform.ensure(appId);
  return platform.saveTicketIfNewer(appId, ticket, createdAt, receivedAt);
}

/** Keeps the last configuration or ticket error (61004 with its IP, 61005 …) for the health page. */
export async function recordUpstreamError(
  platform: PlatformRepository,
  appId: string,
  error: unknown,
  at: number,
): Promise<void> {
  if (!(isConfigurationError(error) || isTicketError(error))) return;
  const note: UpstreamErrorNote = {
    at,
    api: error.api,
    errcode: error.errcode,
    meaning: error.meaning,
    ...(error.requestIp ? { requestIp: error.requestIp } : {}),
  };
  // Best effort: failing to note an error must not hide the error itself.
  await platform.noteUpstreamError(appId, note).catch(() => undefined);
}

/** A call to WeChat that started at `startedAt` succeeded: the recorded error is fixed (best effort). */
export async function clearUpstreamError(platform: PlatformRepository, appId: string, startedAt: number): Promise<void> {
  await platform.clearUpstreamErrorBefore(appId, startedAt).catch(() => undefined);
}

/** The timer's heartbeat, shown on the health page. */
export async function recordTimerRun(platform: PlatformRepository, appId: string, at: number): Promise<void> {
  await platform.ensure(appId);
  await platform.noteTimerRun(appId, at);
}
