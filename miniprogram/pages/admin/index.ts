// Platform administration (provider staff only): health of tickets, tokens and pushes, every
// authorizer with filters and paging, a manual reconcile, and the 全网发布 status on demand. Merchants get "没有权限" and the
// page makes no admin call for them.
import type { AuthorizerKind, AuthorizerStatus, AuthorizerSummary } from '../../../typings/api';
import { pageLoad } from '../../behaviors/pageLoad';
import { backend, errorMessage } from '../../services/index';
import { openPage } from '../../utils/navigation';
import { accountDetailUrl } from '../../utils/routes';
import { KIND_OPTIONS, listQuery, pickKind, pickStatus, STATUS_OPTIONS } from './filters';
import { healthView, type HealthView } from './healthView';
import { releaseView, type ReleaseView } from './releaseView';
import { callerRows, type CallerRow } from './brokerView';
import { shipCard } from './shipView';

type PageState = 'checking' | 'forbidden' | 'error' | 'ready';
type PartState = 'loading' | 'ready' | 'error';
/** The release card loads on demand: it matters at go-live, not on every visit. */
type ReleasePartState = 'idle' | PartState;

type SelectEvent = WechatMiniprogram.CustomEvent<{ appid?: string }>;
/** van-dropdown-item reports the chosen option's value as the detail. */
type ValueEvent = { detail: unknown };

Component({
  behaviors: [pageLoad, shipCard],

  data: {
    state: 'checking' as PageState,

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

    releaseState: 'idle' as ReleasePartState,
    releaseError: '',
    release: null as ReleaseView | null,

    callersState: 'idle' as ReleasePartState,
    callersError: '',
    callers: [] as CallerRow[],
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
        void wx.stopPullDownRefresh();
      }
    },

    /** pageLoad's retry and its quiet refresh on coming back: only the health panel, so the list stays as it was left. */
    async reload(quiet: boolean) {
      if (quiet && this.data.state === 'ready') await this.loadHealth();
      else await this.checkAccess();
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
      const isLatest = this.beginLatest('list');
      this.setData({ listState: 'loading', listError: '', loadingMore: false });
      try {
        const page = await backend().call('listAuthorizers', listQuery(this.data.kind, this.data.status, 0));
        if (!isLatest()) return;
        this.setData({ listState: 'ready', authorizers: page.authorizers, total: page.total });
      } catch (error) {
        if (!isLatest()) return;
        this.setData({ listState: 'error', listError: errorMessage(error) });
      }
    },

    async onLoadMore() {
      if (this.data.loadingMore || this.data.authorizers.length >= this.data.total) return;
      const isLatest = this.beginLatest('list');
      this.setData({ loadingMore: true });
      try {
        const offset = this.data.authorizers.length;
        const page = await backend().call('listAuthorizers', listQuery(this.data.kind, this.data.status, offset));
        if (!isLatest()) return;
        this.setData({ authorizers: [...this.data.authorizers, ...page.authorizers], total: page.total, loadingMore: false });
      } catch (error) {
        if (!isLatest()) return;
        this.setData({ loadingMore: false });
        void wx.showToast({ title: errorMessage(error), icon: 'none' });
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
        void wx.showToast({
          title: `${state}：微信列出 ${report.listed} 个账号，恢复 ${report.restored} 个，标记取消 ${report.markedRevoked} 个`,
          icon: 'none',
          duration: 3000,
        });
        this.setData({ reconciling: false });
        await this.refreshAll();
      } catch (error) {
        this.setData({ reconciling: false });
        void wx.showToast({ title: errorMessage(error), icon: 'none' });
      }
    },

    /** api_start_push_ticket through the backend; the new ticket shows on the next refresh. */
    async onRestartTicketTap() {
      if (this.data.restartingTicket) return;
      this.setData({ restartingTicket: true });
      try {
        const { message } = await backend().call('startPushTicket', {});
        void wx.showToast({ title: message, icon: 'none', duration: 3000 });
      } catch (error) {
        void wx.showToast({ title: errorMessage(error), icon: 'none' });
      }
      this.setData({ restartingTicket: false });
    },

    /** 全网发布 status: the switch and test list, which sets trigger which items, what the test did. */
    async onLoadReleaseTap() {
      if (this.data.releaseState === 'loading') return;
      this.setData({ releaseState: 'loading', releaseError: '' });
      try {
        const status = await backend().call('releaseStatus', {});
        this.setData({ releaseState: 'ready', release: releaseView(status) });
      } catch (error) {
        this.setData({ releaseState: 'error', releaseError: errorMessage(error) });
      }
    },

    /** The broker's callers: each key's scope and what it did (on demand, like the release card). */
    async onLoadCallersTap() {
      if (this.data.callersState === 'loading') return;
      this.setData({ callersState: 'loading', callersError: '' });
      try {
        const { callers } = await backend().call('brokerCallers', {});
        this.setData({ callersState: 'ready', callers: callerRows(callers) });
      } catch (error) {
        this.setData({ callersState: 'error', callersError: errorMessage(error) });
      }
    },

    onSelectAccount(event: SelectEvent) {
      const appid = event.detail.appid;
      if (appid) openPage(accountDetailUrl(appid, { admin: true }));
    },

    onCopyIp() {
      const ip = this.data.health?.upstream?.requestIp;
      if (ip) void wx.setClipboardData({ data: ip });
    },
  },
});
