import type { App } from '../app';
import { reconcileStep } from '../authorizers/reconcile';
import type { AuthCodeDoc } from '../model';
import { ensurePlatform, readPlatform } from '../platform/platformState';
import { COLLECTIONS } from '../store';
import { TimeBudget } from './budget';

/** Reconcile with WeChat's authorizer list this often (it costs one call per 500 accounts). */
const RECONCILE_EVERY_MS = 6 * 3600_000;

export type StepResult = { ok: true; detail: unknown } | { ok: false; error: string };

/** Of the run's budget, what the authorizer tokens may use; the rest is left for reconcile. */
const TOKEN_SHARE = 0.5;

/**
 * The timer trigger: keep used tokens ahead of expiry, finish authorizations whose push processing
 * died, expire stale sessions, and reconcile now and then. The run's budget (well inside the
 * function's timeout) bounds the long steps. One failing step never stops the others.
 */
export async function runMaintenance(app: App): Promise<Record<string, StepResult>> {
  const budget = new TimeBudget(app.config.timerBudgetMs);
  const steps: Record<string, () => Promise<unknown>> = {
    componentToken: () => app.componentTokens.refreshIfDue(),
    authorizerTokens: () => app.authorizerTokens.refreshDue(budget.share(TOKEN_SHARE)),
    stuckAuthorizations: () => resumeStuck(app),
    expiredSessions: () => app.sessions.expireStale(),
    reconcile: () => reconcileIfDue(app, budget),
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

/** Starts a pass every six hours and continues one in progress on every run. */
async function reconcileIfDue(app: App, budget: TimeBudget): Promise<unknown> {
  const { store, config, now } = app;
  await ensurePlatform(store, config.componentAppId);
  const platform = await readPlatform(store, config.componentAppId);
  if (!platform?.componentToken && !platform?.ticket) return 'no ticket yet';
  const due = now() - (platform?.lastReconciledAt ?? 0) >= RECONCILE_EVERY_MS;
  if (!due && !platform?.reconcileCheckpoint) return 'not due';
  return reconcileStep({ ...app, componentAppId: config.componentAppId }, budget, due);
}
