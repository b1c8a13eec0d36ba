import type { App } from '../app';
import { reconcile } from '../authorizers/reconcile';
import type { AuthCodeDoc } from '../model';
import { ensurePlatform, readPlatform } from '../platform/platformState';
import { finishPendingJobs } from '../release/jobs';
import { COLLECTIONS } from '../store';

/** Reconcile with WeChat's authorizer list this often (it costs one call per 500 accounts). */
const RECONCILE_EVERY_MS = 6 * 3600_000;

export type StepResult = { ok: true; detail: unknown } | { ok: false; error: string };

/**
 * The timer trigger: keep tokens ahead of expiry, finish authorizations whose push processing
 * died, expire stale sessions, and reconcile now and then. One failing step never stops the others.
 */
export async function runMaintenance(app: App): Promise<Record<string, StepResult>> {
  const steps: Record<string, () => Promise<unknown>> = {
    componentToken: () => app.componentTokens.refreshIfDue(),
    authorizerTokens: () => app.authorizerTokens.refreshDue(),
    stuckAuthorizations: () => resumeStuck(app),
    expiredSessions: () => app.sessions.expireStale(),
    reconcile: () => reconcileIfDue(app),
    releaseJobs: () => finishPendingJobs(app),
  };
  const report: Record<string, StepResult> = {};
  for (const [name, step] of Object.entries(steps)) {
    try {
      report[name] = { ok: true, detail: await step() };
    } catch (error) {
      report[name] = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
  app.log.info('maintenance', { report });
  return report;
}

async function resumeStuck(app: App): Promise<number> {
  const _ = app.store.command;
  const now = app.now();
  const stuck = await app.store.find<AuthCodeDoc>(
    COLLECTIONS.authCodes,
    { state: 'claimed', leaseUntil: _.lt(now), expiresAt: _.gt(now) },
    { limit: 20 },
  );
  let finished = 0;
  for (const doc of stuck) {
    if ((await app.completer.resume(doc)).state === 'done') finished += 1;
  }
  return finished;
}

async function reconcileIfDue(app: App): Promise<unknown> {
  const { store, config, now } = app;
  await ensurePlatform(store, config.componentAppId);
  const platform = await readPlatform(store, config.componentAppId);
  if (!platform?.componentToken && !platform?.ticket) return 'no ticket yet';
  const previous = platform?.lastReconciledAt ?? 0;
  if (now() - previous < RECONCILE_EVERY_MS) return 'not due';
  // Timers of several instances fire together: only the one that moves the mark reconciles, so
  // each change is recorded once.
  const startedAt = now();
  const id = config.componentAppId;
  const claimed = await store.updateWhere(COLLECTIONS.platform, { _id: id, lastReconciledAt: previous }, { lastReconciledAt: startedAt });
  if (claimed !== 1) return 'running elsewhere';
  try {
    return await reconcile(app);
  } catch (error) {
    // Give the mark back, so the next run retries instead of waiting six hours.
    await store.updateWhere(COLLECTIONS.platform, { _id: id, lastReconciledAt: startedAt }, { lastReconciledAt: previous });
    throw error;
  }
}
