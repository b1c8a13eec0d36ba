// Home: the merchant picks what to authorize and taps once; WeChat's plugin does the rest.
// The plugin reports nothing back, so the page remembers the session and asks the backend
// (when it shows again) how it ended. Written with Component() so tests can render it.
import type { AuthType, CreateAuthSessionOutput } from '../../../typings/api';
import { authorizeLauncher, PluginUnavailableError } from '../../services/authorizePlugin';
import { backend, errorMessage } from '../../services/index';
import { AUTH_OUTCOME, UNCHANGED_TEXT } from '../../shared/status';
import { AUTH_TYPE_OPTIONS, DEFAULT_AUTH_TYPE } from '../../utils/labels';
import { openPage } from '../../utils/navigation';
import { PAGE_NAME, ROUTES } from '../../utils/routes';
import { toAccountCard, type AccountCard } from './accountCard';
import {
  bizAppidProblem,
  bundleRows,
  bundleToRequest,
  CHANNELS_GUIDE,
  needsChannelsGuide,
  toOfferedAuthType,
  type BundleRow,
} from './choices';
import { forgetPendingSession, recallPendingSession, rememberPendingSession, type PendingSession } from './pendingSession';
import { ownedAccount, watchSession, type SessionOutcome } from './sessionWatch';

/**
 * idle: choosing · creating: asking for a session · waiting: plugin open or polling · then how
 * the last session ended: success, unchanged (the account named by bizAppid stays authorized as
 * it was), unknown (no news from WeChat, or the checks failed), failed (with WeChat's reason), expired.
 */
type Phase = 'idle' | 'creating' | 'waiting' | 'success' | 'unchanged' | 'unknown' | 'failed' | 'expired';

/** Per page instance, outside `data` because nothing here is rendered. */
interface Watcher {
  /** Bumped to cancel the poll in flight (hide, unload, a new session). */
  run: number;
}
const watchers = new WeakMap<object, Watcher>();
function watcherOf(page: object): Watcher {
  let watcher = watchers.get(page);
  if (!watcher) {
    watcher = { run: 0 };
    watchers.set(page, watcher);
  }
  return watcher;
}

type DatasetEvent = WechatMiniprogram.CustomEvent<
  WechatMiniprogram.IAnyObject,
  WechatMiniprogram.IAnyObject,
  { value?: unknown; id?: unknown }
>;

Component({
  data: {
    authTypes: AUTH_TYPE_OPTIONS,
    /** Preselected; 0 only when a link asked for one account without a type (the button then says why it waits). */
    selected: DEFAULT_AUTH_TYPE as AuthType | 0,
    channelsGuide: CHANNELS_GUIDE,
    showChannelsGuide: needsChannelsGuide(DEFAULT_AUTH_TYPE),
    names: PAGE_NAME,
    outcomes: AUTH_OUTCOME,
    unchangedText: UNCHANGED_TEXT,
    provider: { name: '', logoUrl: '' },
    bizAppid: '',
    bizAppidError: '',
    configState: 'loading' as 'loading' | 'ready' | 'error',
    configError: '',
    bundles: [] as BundleRow[],
    bundleId: '',
    isAdmin: false,
    phase: 'idle' as Phase,
    session: null as PendingSession | null,
    account: null as AccountCard | null,
    failureReason: '',
    /** Why the result could not be read (the checks failed), shown in the unknown phase. */
    checkError: '',
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      const requested = toOfferedAuthType(query.authType);
      if (query.bizAppid || requested) {
        // Arrived to (re)authorize a given account: that request wins over an old pending one.
        this.choose(requested ?? 0);
        this.setData({ bizAppid: (query.bizAppid ?? '').trim() });
      } else {
        const pending = recallPendingSession();
        if (pending) {
          this.choose(pending.authType);
          this.setData({ session: pending, phase: 'waiting', bizAppid: pending.bizAppid ?? '' });
        }
      }
      return this.loadConfig();
    },

    onShow() {
      if (this.data.phase === 'waiting' && this.data.session) void this.watch();
    },

    onHide() {
      watcherOf(this).run += 1;
    },

    onUnload() {
      watcherOf(this).run += 1;
    },

    async loadConfig() {
      this.setData({ configState: 'loading', configError: '' });
      try {
        const config = await backend().call('getAppConfig', {});
        const keep = config.bundles.some((b) => b.id === this.data.bundleId);
        this.setData({
          configState: 'ready',
          bundles: bundleRows(config.bundles),
          // A function deployed before the mini-program may not send it yet.
          provider: config.provider ?? { name: '', logoUrl: '' },
          bundleId: keep ? this.data.bundleId : (config.bundles[0]?.id ?? ''),
          isAdmin: config.isAdmin,
        });
      } catch (error) {
        this.setData({ configState: 'error', configError: errorMessage(error) });
      }
    },

    onReloadConfigTap() {
      if (this.data.configState !== 'loading') void this.loadConfig();
    },

    /** The radio itself was tapped: van-radio-group reports the radio's name. */
    onTypeChange(event: { detail: unknown }) {
      this.choose(toOfferedAuthType(event.detail) ?? this.data.selected);
    },

    /** The whole row was tapped: the row carries its type in data-value. */
    onTypeTap(event: DatasetEvent) {
      this.choose(toOfferedAuthType(event.currentTarget.dataset.value) ?? this.data.selected);
    },

    choose(authType: AuthType | 0) {
      if (authType === this.data.selected) return;
      this.setData({ selected: authType, showChannelsGuide: needsChannelsGuide(authType) });
    },

    onBundleChange(event: { detail: unknown }) {
      this.chooseBundle(event.detail);
    },

    onBundleTap(event: DatasetEvent) {
      this.chooseBundle(event.currentTarget.dataset.id);
    },

    chooseBundle(raw: unknown) {
      const id = String(raw);
      if (id !== this.data.bundleId && this.data.bundles.some((b) => b.id === id)) this.setData({ bundleId: id });
    },

    onBizAppidChange(event: { detail: unknown }) {
      const value = typeof event.detail === 'string' ? event.detail : '';
      this.setData({ bizAppid: value, bizAppidError: '' });
    },

    async onAuthorizeTap() {
      const { phase, selected } = this.data;
      if (phase === 'creating' || phase === 'waiting' || !selected) return;
      const bizAppid = this.data.bizAppid.trim();
      const problem = bizAppidProblem(bizAppid);
      if (problem) {
        this.setData({ bizAppidError: problem, phase: 'idle' });
        return;
      }
      watcherOf(this).run += 1;
      this.setData({ phase: 'creating', bizAppidError: '', account: null, failureReason: '', checkError: '' });

      const bundleId = bundleToRequest(this.data.bundles, this.data.bundleId);
      let created: CreateAuthSessionOutput;
      try {
        created = await backend().call('createAuthSession', {
          authType: selected,
          channel: 'plugin',
          ...(bizAppid ? { bizAppid } : {}),
          ...(bundleId ? { bundleId } : {}),
        });
      } catch (error) {
        this.setData({ phase: 'idle' });
        void wx.showModal({ title: '未能发起授权', content: errorMessage(error), showCancel: false, confirmText: '知道了' });
        return;
      }
      if (!created.plugin) {
        this.setData({ phase: 'idle' });
        void wx.showModal({
          title: '未能发起授权',
          content: '服务返回的授权信息不完整，请稍后重试',
          showCancel: false,
          confirmText: '知道了',
        });
        return;
      }

      const session: PendingSession = {
        sessionId: created.sessionId,
        expiresAt: created.expiresAt,
        authType: selected,
        ...(bizAppid ? { bizAppid } : {}),
      };
      rememberPendingSession(session);
      this.setData({ session, phase: 'waiting' });

      try {
        await authorizeLauncher()(created.plugin);
      } catch (error) {
        // The plugin never opened: the session can never complete, so drop it.
        forgetPendingSession();
        this.setData({ session: null, phase: 'idle' });
        const content = error instanceof PluginUnavailableError ? error.message : errorMessage(error);
        void wx.showModal({ title: '无法打开微信授权', content, showCancel: false, confirmText: '知道了' });
        return;
      }
      // The real plugin page hides this one (the poll stops, onShow restarts it); the local
      // stand-in does not, so start at once either way.
      void this.watch();
    },

    /** Polls the pending session; a newer run (or hide/unload) cancels this one. */
    async watch() {
      const session = this.data.session;
      if (!session) return;
      const watcher = watcherOf(this);
      const run = (watcher.run += 1);
      if (this.data.phase !== 'waiting') this.setData({ phase: 'waiting', failureReason: '', checkError: '' });
      const cancelled = () => watcher.run !== run;
      const outcome = await watchSession(session.sessionId, cancelled);
      if (!outcome || cancelled()) return;
      // No news about one named account: WeChat is silent when nothing changed, so say so.
      const unchanged =
        outcome.kind === 'pending' && !outcome.reason && session.bizAppid ? await ownedAccount(session.bizAppid) : null;
      if (!cancelled()) this.settle(outcome, unchanged ? toAccountCard(unchanged) : null);
    },

    settle(outcome: SessionOutcome, unchanged: AccountCard | null = null) {
      forgetPendingSession();
      switch (outcome.kind) {
        case 'authorized': {
          const authorizer = outcome.view.authorizer;
          this.setData({ phase: 'success', account: authorizer ? toAccountCard(authorizer) : null });
          break;
        }
        case 'failed':
          this.setData({ phase: 'failed', failureReason: outcome.reason || '微信没有完成这次授权' });
          break;
        case 'pending':
          if (unchanged) this.setData({ phase: 'unchanged', account: unchanged });
          else this.setData({ phase: 'unknown', checkError: outcome.reason });
          break;
        case 'expired':
          this.setData({ phase: 'expired', failureReason: '' });
          break;
        case 'lost':
          this.setData({ phase: 'idle', session: null });
          void wx.showToast({ title: '没有找到这次授权，请重新发起', icon: 'none' });
          break;
      }
    },

    /** Schedule ran out but the merchant may have just finished: look again. */
    onRecheckTap() {
      if (this.data.phase !== 'waiting' && this.data.session) void this.watch();
    },

    /** A fresh pre_auth_code with the same choices (a used or expired one never works again). */
    onRetryTap() {
      return this.onAuthorizeTap();
    },

    onCancelWaitingTap() {
      watcherOf(this).run += 1;
      forgetPendingSession();
      this.setData({ phase: 'idle', session: null });
    },

    /** Back to the choices, for another account. */
    onContinueTap() {
      this.setData({
        phase: 'idle',
        session: null,
        account: null,
        failureReason: '',
        checkError: '',
        bizAppid: '',
        bizAppidError: '',
      });
    },

    /** Back to the choices, keeping them, to change something before retrying. */
    onEditTap() {
      this.setData({ phase: 'idle', session: null, failureReason: '', checkError: '' });
    },

    onAccountsTap() {
      openPage(ROUTES.accounts);
    },

    onLinkTap() {
      const { selected } = this.data;
      openPage(selected ? `${ROUTES.link}?authType=${selected}` : ROUTES.link);
    },

    onAdminTap() {
      openPage(ROUTES.admin);
    },
  },
});
