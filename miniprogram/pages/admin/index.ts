// Platform administration (provider staff only): health of tickets, tokens and pushes, every
// authorizer with filters and paging, and a manual reconcile. Merchants get "没有权限" and the
// page makes no admin call for them.
import type { AuthorizerKind, AuthorizerStatus, AuthorizerSummary } from '../../../typings/api';
import { backend, errorMessage } from '../../services/index';
import { KIND_OPTIONS, listQuery, pickKind, pickStatus, STATUS_OPTIONS } from './filters';
import { healthView, type HealthView } from './healthView';

type PageState = 'checking' | 'forbidden' | 'error' | 'ready';
type PartState = 'loading' | 'ready' | 'error';

/** Per page instance: the latest list request, so an old filter's answer never lands. */
interface Tracking {
  latestList: number;
}
const tracking = new WeakMap<object, Tracking>();
function trackingOf(page: object): Tracking {
  let state = tracking.get(page);
  if (!state) {
    state = { latestList: 0 };
    tracking.set(page, state);
  }
  return state;
}

type SelectEvent = WechatMiniprogram.CustomEvent<{ appid?: string }>;
/** van-dropdown-item reports the chosen option's value as the detail. */
type ValueEvent = { detail: unknown };

Component({
  data: {
    state: 'checking' as PageState,
    errorText: '',

    healthState: 'loading' as PartState,
    healthError: '',
    health: null as HealthView | null,

    kindOptions: KIND_OPTIONS,
    statusOptions: STATUS_OPTIONS,
    kind: '' as AuthorizerKind | '',
    status: '' as AuthorizerStatus | '',
    listState: 'loading' as PartState,
    listError: '',
    authorizers: [] as AuthorizerSummary[],
    total: 0,
    loadingMore: false,

    reconciling: false,
    restartingTicket: false,
  },

  methods: {
    onLoad() {
      void this.checkAccess();
    },

    async onPullDownRefresh() {
      try {
        if (this.data.state === 'ready') await this.refreshAll();
        else await this.checkAccess();
      } finally {
        wx.stopPullDownRefresh();
      }
    },

    onRetry() {
      void this.checkAccess();
    },

    /** Only admins get further: for anyone else no admin action is ever sent. */
    async checkAccess() {
      this.setData({ state: 'checking', errorText: '' });
      try {
        const config = await backend().call('getAppConfig', {});
        if (!config.isAdmin) {
          this.setData({ state: 'forbidden' });
          return;
        }
      } catch (error) {
        this.setData({ state: 'error', errorText: errorMessage(error) });
        return;
      }
      this.setData({ state: 'ready' });
      await this.refreshAll();
    },

    async refreshAll() {
      await Promise.all([this.loadHealth(), this.loadFirstPage()]);
    },

    async loadHealth() {
      if (this.data.healthState !== 'ready') this.setData({ healthState: 'loading', healthError: '' });
      try {
        const health = await backend().call('platformHealth', {});
        this.setData({ healthState: 'ready', health: healthView(health, Date.now()) });
      } catch (error) {
        this.setData({ healthState: 'error', healthError: errorMessage(error) });
      }
    },

    onRetryHealth() {
      void this.loadHealth();
    },

    /** A new filter or a refresh: start over from the first page. */
    async loadFirstPage() {
      const own = trackingOf(this);
      const requestId = ++own.latestList;
      this.setData({ listState: 'loading', listError: '', loadingMore: false });
      try {
        const page = await backend().call('listAuthorizers', listQuery(this.data.kind, this.data.status, 0));
        if (requestId !== own.latestList) return;
        this.setData({ listState: 'ready', authorizers: page.authorizers, total: page.total });
      } catch (error) {
        if (requestId !== own.latestList) return;
        this.setData({ listState: 'error', listError: errorMessage(error) });
      }
    },

    async onLoadMore() {
      if (this.data.loadingMore || this.data.authorizers.length >= this.data.total) return;
      const own = trackingOf(this);
      const requestId = ++own.latestList;
      this.setData({ loadingMore: true });
      try {
        const offset = this.data.authorizers.length;
        const page = await backend().call('listAuthorizers', listQuery(this.data.kind, this.data.status, offset));
        if (requestId !== own.latestList) return;
        this.setData({ authorizers: [...this.data.authorizers, ...page.authorizers], total: page.total, loadingMore: false });
      } catch (error) {
        if (requestId !== own.latestList) return;
        this.setData({ loadingMore: false });
        wx.showToast({ title: errorMessage(error), icon: 'none' });
      }
    },

    onKindChange(event: ValueEvent) {
      const kind = pickKind(event.detail);
      if (kind === this.data.kind) return;
      this.setData({ kind });
      void this.loadFirstPage();
    },

    onStatusChange(event: ValueEvent) {
      const status = pickStatus(event.detail);
      if (status === this.data.status) return;
      this.setData({ status });
      void this.loadFirstPage();
    },

    onRetryList() {
      void this.loadFirstPage();
    },

    async onReconcileTap() {
      if (this.data.reconciling) return;
      this.setData({ reconciling: true });
      try {
        const report = await backend().call('reconcile', {});
        // A large platform's pass spans several runs; the timer carries it on.
        const state = report.inProgress ? '对账进行中（定时任务会继续）' : '对账完成';
        wx.showToast({
          title: `${state}：微信列出 ${report.listed} 个账号，恢复 ${report.restored} 个，标记取消 ${report.markedRevoked} 个`,
          icon: 'none',
          duration: 3000,
        });
        this.setData({ reconciling: false });
        await this.refreshAll();
      } catch (error) {
        this.setData({ reconciling: false });
        wx.showToast({ title: errorMessage(error), icon: 'none' });
      }
    },

    /** api_start_push_ticket through the backend; the new ticket shows on the next refresh. */
    async onRestartTicketTap() {
      if (this.data.restartingTicket) return;
      this.setData({ restartingTicket: true });
      try {
        const { message } = await backend().call('startPushTicket', {});
        wx.showToast({ title: message, icon: 'none', duration: 3000 });
      } catch (error) {
        wx.showToast({ title: errorMessage(error), icon: 'none' });
      }
      this.setData({ restartingTicket: false });
    },

    onSelectAccount(event: SelectEvent) {
      const appid = event.detail.appid;
      if (appid) wx.navigateTo({ url: `/pages/account-detail/index?appid=${encodeURIComponent(appid)}` });
    },

    onCopyIp() {
      const ip = this.data.health?.upstream?.requestIp;
      if (ip) wx.setClipboardData({ data: ip });
    },
  },
});
