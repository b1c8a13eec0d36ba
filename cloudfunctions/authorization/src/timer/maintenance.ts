import type { App } from '../app';
import { reconcile } from '../authorizers/reconcile';
import { ensurePlatform, readPlatform } from '../platform/platformState';
import { PUSH_RETENTION_MS } from '../push/pushHandler';
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
    stuckAuthorizations: () => app.machine.resumeStuck(20, 5000),
    expiredSessions: () => app.sessions.expireStale(),
    retention: () => forgetOldRecords(app),
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

/** How long finished records are kept: long enough to answer a late push or a support question. */
const SESSION_RETENTION_MS = 30 * 24 * 3600_000;
const CODE_RETENTION_MS = 7 * 24 * 3600_000;

async function forgetOldRecords(app: App): Promise<Record<string, number>> {
  return {
    sessions: await app.sessions.removeEndedBefore(SESSION_RETENTION_MS),
    codes: await app.codes.removeSettledBefore(CODE_RETENTION_MS),
    pushes: await app.pushes.forgetBefore(PUSH_RETENTION_MS),
    rateLimits: await app.limits.removeExpired(),
  };
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
