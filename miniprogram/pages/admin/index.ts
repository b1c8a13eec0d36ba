// Platform administration (provider staff only): health of tickets, tokens and pushes, every
// authorizer with filters and paging (its counts read with it), a manual reconcile whose result stays on the page, and the
// 全网发布 summary (details on a tap). Merchants get "没有权限" and the page makes no admin call for them.
import type { AuthorizerKind, AuthorizerStatus, AuthorizerSummary, ReconcileReport, StatusCounts } from '../../../typings/api';
import { pageLoad } from '../../behaviors/pageLoad';
import { backend, errorMessage } from '../../services/index';
import { openPage } from '../../utils/navigation';
import { accountDetailUrl } from '../../utils/routes';
import { countCells, KIND_OPTIONS, listQuery, pickKind, pickStatus, STATUS_OPTIONS, type CountCell } from './filters';
import { healthView, reconcileResult, type HealthView, type ReconcileResult } from './healthView';
import { releaseView, type ReleaseView } from './releaseView';
import { callerRows, type CallerRow } from './brokerView';
import { shipCard } from './shipView';

type PageState = 'checking' | 'forbidden' | 'error' | 'ready';
type PartState = 'loading' | 'ready' | 'error';
/** Cards loaded on demand (the callers): 'idle' until asked. */
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
    /** Per status under the kind filter, from the same answer as the list. */
    counts: [] as CountCell[],
    loadingMore: false,

    reconciling: false,
    reconcileResult: null as ReconcileResult | null,
    restartingTicket: false,

    releaseState: 'loading' as PartState,
    releaseError: '',
    release: null as ReleaseView | null,
    releaseDetails: false,

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

    /**
     * pageLoad's retry and its quiet refresh on coming back: health and 全网发布 (fixed on the platform
     * meanwhile, perhaps); the list and its counts stay as they were left, read together.
     */
    async reload(quiet: boolean) {
      if (quiet && this.data.state === 'ready') await Promise.all([this.loadHealth(), this.loadRelease()]);
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
      await Promise.all([this.loadHealth(), this.loadFirstPage(), this.loadRelease()]);
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
        this.setData({
          listState: 'ready',
          authorizers: page.authorizers,
          total: page.total,
          counts: this.countsOf(page.counts),
        });
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
        this.setData({
          authorizers: [...this.data.authorizers, ...page.authorizers],
          total: page.total,
          counts: this.countsOf(page.counts),
          loadingMore: false,
        });
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
      this.filterStatus(pickStatus(event.detail));
    },

    /** A count is a filter: tapping it lists those accounts. */
    onCountTap(event: WechatMiniprogram.BaseEvent) {
      this.filterStatus(pickStatus((event.currentTarget.dataset as { status?: unknown }).status));
    },

    filterStatus(status: AuthorizerStatus | '') {
      if (status === this.data.status) return;
      this.setData({ status });
      void this.loadFirstPage();
    },

    /** The counts card's cells for this answer (an older backend sends none). */
    countsOf(counts: StatusCounts | undefined): CountCell[] {
      return counts ? countCells(counts, this.data.status) : [];
    },

    onRetryList() {
      void this.loadFirstPage();
    },

    async onReconcileTap() {
      if (this.data.reconciling) return;
      this.setData({ reconciling: true });
      // The result stays on the page (with its time) until the next reconcile: a toast is gone in 3 seconds.
      let report: ReconcileReport;
      try {
        report = await backend().call('reconcile', {});
      } catch (error) {
        this.setData({ reconciling: false, reconcileResult: reconcileResult({ error: errorMessage(error) }, Date.now()) });
        return;
      }
      this.setData({ reconciling: false, reconcileResult: reconcileResult({ report }, Date.now()) });
      await this.refreshAll();
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

    /** 全网发布 status, read with the rest: its summary shows at once, the details on a tap. */
    async loadRelease() {
      if (this.data.releaseState !== 'ready') this.setData({ releaseState: 'loading', releaseError: '' });
      try {
        const status = await backend().call('releaseStatus', {});
        this.setData({ releaseState: 'ready', release: releaseView(status) });
      } catch (error) {
        this.setData({ releaseState: 'error', releaseError: errorMessage(error) });
      }
    },

    onRetryRelease() {
      void this.loadRelease();
    },

    /** The switch and test list, which sets trigger which items, what the test did. */
    onToggleReleaseDetails() {
      this.setData({ releaseDetails: !this.data.releaseDetails });
    },

    /** "在列表中查看全部": more accounts need re-authorization than the attention card shows. */
    onShowAttentionInList() {
      this.filterStatus('needs_reauth');
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
