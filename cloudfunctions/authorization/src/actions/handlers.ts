import type { Actions, ActionName, AuthSessionView, AuthorizerStatus } from '../../../../typings/api';
import type { App } from '../app';
import { reconcileStep } from '../authorizers/reconcile';
import { toDetail, toSummary } from '../authorizers/views';
import { authorizerUsage, brokerCallers, testAuthorizerCall } from '../broker/adminActions';
import { MIN_PLUGIN_VERSION } from '../config';
import { invalidInput, notFound, notReady } from '../errors';
import type { SessionDoc } from '../model';
import { toPermissionSets, withReasons } from '../permissions';
import { confirmTicket, previewTicket } from '../console/signin';
import { platformHealth } from '../platform/health';
import { releaseStatus } from '../release/status';
import { setupDatabase } from '../setup/collections';
import { jobOutlook } from '../shipping/jobOutlook';
import { merchantVersions } from '../shipping/merchantVersions';
import { jobStatus, listJobs, pauseJob, releaseJob, resumeJob, retryJob, rollbackJob } from '../shipping/jobActions';
import { h5AuthorizeUrl, callbackUrl, pcEntryUrl } from '../sessions/links';
import { TimeBudget } from '../timer/budget';

export interface Caller {
  openid: string;
  isAdmin: boolean;
}

type Handler<A extends ActionName> = (app: App, caller: Caller, input: Actions[A]['input']) => Promise<Actions[A]['output']>;

export const handlers: { [A in ActionName]: Handler<A> } = {
  async getAppConfig(app, caller) {
    const { config } = app;
    return {
      componentAppId: config.componentAppId,
      isAdmin: caller.isAdmin,
      bundles: config.bundles,
      provider: config.provider,
      lapseNotice:
        config.lapseNotice && app.lapseNotices.enabled
          ? { templateId: config.lapseNotice.templateId, credits: await app.lapseNotices.credits(caller.openid) }
          : null,
      requiredSets: withReasons(toPermissionSets(config.requiredCategoryIds), config.permissionReasons),
      minPluginVersion: MIN_PLUGIN_VERSION,
    };
  },

  async createAuthSession(app, caller, input) {
    const { config } = app;
    let categoryIds = input.categoryIds ?? [];
    if (input.bundleId) {
      const bundle = config.bundles.find((b) => b.id === input.bundleId);
      if (!bundle) throw invalidInput('没有这个权限包');
      categoryIds = bundle.categoryIds;
    }
    const session = await app.sessions.create({
      openid: caller.openid,
      channel: input.channel,
      authType: input.authType,
      bizAppid: input.bizAppid ?? null,
      categoryIds,
    });
    const base = { sessionId: session._id, channel: session.channel, expiresAt: session.expiresAt };
    switch (input.channel) {
      case 'plugin':
        return {
          ...base,
          plugin: {
            platformAppID: config.componentAppId,
            preAuthCode: session.preAuthCode,
            authType: session.authType,
            ...(session.bizAppid ? { bizAppid: session.bizAppid } : {}),
          },
        };
      case 'pc':
        return { ...base, pcEntryUrl: pcEntryUrl(config, session._id) };
      case 'h5':
        return {
          ...base,
          h5Url: h5AuthorizeUrl(config, { ...session, redirectUri: callbackUrl(config, session._id) }),
        };
    }
  },

  async getAuthSession(app, caller, { sessionId }) {
    const session = await app.sessions.get(sessionId);
    // Another merchant's session is reported as missing, not as forbidden: nothing to learn from it.
    if (!session || session.openid !== caller.openid) throw notFound('没有找到这次授权');
    return sessionView(app, await finishIfStuck(app, session));
  },

  async listMyAuthorizers(app, caller) {
    const docs = await app.authorizers.listOwnedBy(caller.openid);
    return { authorizers: docs.map((d) => toSummary(d, app.config.requiredCategoryIds, app.config.permissionReasons)) };
  },

  async getAuthorizer(app, caller, { appid }) {
    const doc = await app.authorizers.get(appid);
    if (!doc || !(doc.owners.includes(caller.openid) || caller.isAdmin)) throw notFound('没有找到这个账号');
    return { authorizer: toDetail(doc, app.config.requiredCategoryIds, app.config.permissionReasons) };
  },

  async listAuthorizers(app, _caller, filter) {
    // The counts per status come with the page, under its kind filter: the admin page shows both.
    const count = (status: AuthorizerStatus) => app.authorizers.countWithStatus(status, filter.kind);
    const [{ docs }, active, needsReauth, revoked] = await Promise.all([
      app.authorizers.page({ ...filter, offset: filter.offset ?? 0, limit: filter.limit ?? 20 }),
      count('active'),
      count('needs_reauth'),
      count('revoked'),
    ]);
    const byStatus: Record<AuthorizerStatus, number> = { active, needs_reauth: needsReauth, revoked };
    return {
      // The same numbers as the counts, so "全部账号（N）" never disagrees with them.
      total: filter.status ? byStatus[filter.status] : active + needsReauth + revoked,
      authorizers: docs.map((d) => toSummary(d, app.config.requiredCategoryIds)),
      counts: { active, needsReauth, revoked },
    };
  },

  async platformHealth(app) {
    return platformHealth({
      repositories: app.repositories,
      componentAppId: app.config.componentAppId,
      requiredIds: app.config.requiredCategoryIds,
      brokerCallers: { http: app.config.brokerClientKeys, function: app.config.brokerFunctionSecrets },
      now: app.now,
    });
  },

  async reconcile(app) {
    // Starts a pass (or continues the one the timer is on) within one run's budget.
    await app.repositories.platform.ensure(app.config.componentAppId);
    const deps = { ...app, componentAppId: app.config.componentAppId, holder: app.instanceId };
    const step = await reconcileStep(deps, new TimeBudget(app.config.timerBudgetMs), true);
    if (typeof step === 'string') throw notReady('对账正在进行中，请稍后再试');
    return step;
  },

  async startPushTicket(app) {
    // No component token needed: this is how a platform without a ticket gets one again.
    const { errmsg } = await app.upstream.component.startPushTicket();
    return {
      message: errmsg === 'ok' ? '已请求微信重新推送 ticket，通常几分钟内送达' : '微信的 ticket 推送本来就在正常运行',
    };
  },

  async releaseStatus(app) {
    return releaseStatus(app);
  },
  authorizerUsage: (app, _caller, input) => authorizerUsage(app, input.appid),

  testAuthorizerCall: (app, _caller, input) => testAuthorizerCall(app, input.appid),
  brokerCallers: (app) => brokerCallers(app),

  async shipJobs(app, _caller, input) {
    return { jobs: await listJobs(app.shipping, input.offset, input.limit) };
  },
  async shipJobStatus(app, _caller, input) {
    const status = await jobStatus(app.shipping, input.jobId, input.offset);
    return { ...status, outlook: await jobOutlook(app.shipping, input.jobId) };
  },
  shipJobCommand: (app, _caller, input) => {
    switch (input.action) {
      case 'pause':
        return pauseJob(app.shipping, input.jobId, input.reason);
      case 'resume':
        return resumeJob(app.shipping, input.jobId);
      case 'release':
        return releaseJob(app.shipping, input.jobId, input.appid, input.percentage ?? null);
      case 'rollback':
        return rollbackJob(app.shipping, input.jobId, input.appid);
      case 'retry':
        return retryJob(app.shipping, input.jobId, input.appid);
    }
  },

  async setupDatabase(app) {
    return setupDatabase(app.store.db);
  },

  /** Consent for the lapse notice (the merchant's own OPENID, from the trusted context). */
  async subscribeLapseNotice(app, caller, input) {
    if (!app.lapseNotices.enabled) throw notReady('服务商尚未开通授权失效提醒');
    return { credits: await app.lapseNotices.consent(caller.openid, input.result === 'accept') };
  },

  /** The owner's (or an admin's) mini-program versions; another merchant's appid is not found, as in getAuthorizer. */
  async getMiniProgramVersions(app, caller, { appid }) {
    const doc = await app.authorizers.get(appid);
    if (!doc || !(doc.owners.includes(caller.openid) || caller.isAdmin)) throw notFound('没有找到这个账号');
    const { repositories, shipping, log, now } = app;
    return merchantVersions({ repositories, api: shipping.deps.api, log, now }, doc);
  },
  /** The admin page's scan of a console sign-in QR (issue 20): first see who asks, then answer. */
  consoleSignInPreview: (app, caller, input) => previewTicket(app, caller.openid, input.ticket),
  consoleSignInConfirm: (app, caller, input) => confirmTicket(app, caller.openid, input.ticket, input.approve),
};

/** The poll is an input of the state machine too: what WeChat signed for this session and nobody finishes, it finishes. */
async function finishIfStuck(app: App, session: SessionDoc): Promise<SessionDoc> {
  if (session.status !== 'pending') return session;
  await app.machine.finishForSession(session._id, POLL_BUDGET_MS);
  return (await app.sessions.get(session._id)) ?? session;
}

/** The page polls every few seconds: answer it promptly. */
const POLL_BUDGET_MS = 2500;

async function sessionView(app: App, session: SessionDoc): Promise<AuthSessionView> {
  const view: AuthSessionView = {
    sessionId: session._id,
    channel: session.channel,
    status: app.sessions.effectiveStatus(session),
    expiresAt: session.expiresAt,
  };
  if (session.failure) view.failure = session.failure;
  if (session.status === 'authorized' && session.authorizerAppid) {
    const doc = await app.authorizers.get(session.authorizerAppid);
    if (doc) view.authorizer = toSummary(doc, app.config.requiredCategoryIds, app.config.permissionReasons);
  }
  return view;
}
