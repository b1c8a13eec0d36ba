import type { App } from '../app';
import { reconcileStep } from '../authorizers/reconcile';
import { recordTimerRun } from '../platform/platformState';
import { PUSH_RETENTION_MS } from '../push/pushHandler';
import { finishPendingJobs } from '../release/jobs';
import { runShipJobs } from '../shipping/jobs';
import { TimeBudget } from './budget';

/** Reconcile with WeChat's authorizer list this often (it costs one call per 500 accounts). */
const RECONCILE_EVERY_MS = 6 * 3600_000;

export type StepResult = { ok: true; detail: unknown } | { ok: false; error: string };

/** Of the run's budget, what the authorizer tokens may use; the rest is left for reconcile. */
const TOKEN_SHARE = 0.5;

/**
 * The timer trigger: keep used tokens ahead of expiry, finish authorizations whose push processing
 * died, expire stale sessions, reconcile now and then, and move the shipping jobs on. The run's budget (well inside the
 * function's timeout) bounds the long steps. One failing step never stops the others.
 */
export async function runMaintenance(app: App): Promise<Record<string, StepResult>> {
  const budget = new TimeBudget(app.config.timerBudgetMs);
  const steps: Record<string, () => Promise<unknown>> = {
    componentToken: () => app.componentTokens.refreshIfDue(),
    authorizerTokens: () => app.authorizerTokens.refreshDue(budget.share(TOKEN_SHARE)),
    stuckAuthorizations: () => app.machine.resumeStuck(20, 5000),
    unnamedCodes: () => app.machine.abandonUnnamed(20),
    expiredSessions: () => app.sessions.expireStale(),
    retention: () => forgetOldRecords(app),
    reconcile: () => reconcileIfDue(app, budget),
    releaseJobs: () => finishPendingJobs(app),
    lapseNotices: () => app.lapseNotices.sendDue(budget),
    // Last: the shipping jobs take what is left of the run's budget.
    shipping: () => runShipJobs(app.shipping, budget),
  };
  const report: Record<string, StepResult> = {};
  for (const [name, step] of Object.entries(steps)) {
    try {
      report[name] = { ok: true, detail: await step() };
    } catch (error) {
      report[name] = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
  // A heartbeat for the health page: a deployment whose timer never fires is visible there.
  await recordTimerRun(app.repositories.platform, app.config.componentAppId, app.now());
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
    lapseNotices: await app.lapseNotices.forgetBefore(CODE_RETENTION_MS * 5),
    // The console's sign-in tickets and sessions, once past their end (the audit log is kept).
    consoleTickets: await app.repositories.consoleTickets.removeExpiredBefore(app.now()),
    consoleSessions: await app.repositories.consoleSessions.removeExpiredBefore(app.now()),
  };
}

/** Starts a pass every six hours and continues one in progress on every run. */
async function reconcileIfDue(app: App, budget: TimeBudget): Promise<unknown> {
  const { repositories, config, now } = app;
  await repositories.platform.ensure(config.componentAppId);
  const platform = await repositories.platform.get(config.componentAppId);
  if (!platform?.componentToken && !platform?.ticket) return 'no ticket yet';
  const due = now() - (platform?.lastReconciledAt ?? 0) >= RECONCILE_EVERY_MS;
  if (!due && !platform?.reconcileCheckpoint) return 'not due';
  return reconcileStep({ ...app, componentAppId: config.componentAppId, holder: app.instanceId }, budget, due);
}
