// One authorized account: who it is, what it granted, what is missing, its history, and how to
// re-authorize or revoke. Opened as /pages/account-detail/index?appid=wx…
import { pageLoad } from '../../behaviors/pageLoad';
import { backend, BackendError, errorMessage } from '../../services/index';
import { isAppid } from '../../shared/constants';
import { goBack, openPage } from '../../utils/navigation';
import { ROUTES } from '../../utils/routes';
import { detailView, type DetailView } from './detailView';
import { testCallView, usageRows, type TestCallView, type UsageRow } from './usageView';
import { versionsView, type VersionsView } from './versionsView';

const DEFAULT_TITLE = '账号详情';

/** Per page instance: the appid asked for (kept out of `data`: nothing renders it). */
const appids = new WeakMap<object, string>();

/** Besides pageLoad's states: 'invalid' (no usable appid) and 'notFound'. */
Component({
  behaviors: [pageLoad],

  data: {
    account: null as DetailView | null,
    /** Opened from the admin page (`admin=1`): the backend still checks the caller is an admin. */
    admin: false,
    usage: null as UsageRow[] | null,
    usageError: '',
    testing: false,
    testResult: null as TestCallView | null,
    /** A mini-program's versions (issue 19): 'idle' for other accounts, which have none. */
    versionsState: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    versions: null as VersionsView | null,
    versionsError: '',
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      const appid = (query.appid ?? '').trim();
      if (!isAppid(appid)) {
        this.setData({ state: 'invalid' });
        return;
      }
      appids.set(this, appid);
      this.setData({ admin: query.admin === '1' });
      void this.reload(false);
    },

    /** Back from re-authorizing, pageLoad's onShow calls this quietly: the new grant, no skeleton. */
    async reload(quiet: boolean) {
      const notFound = (error: unknown): boolean => {
        if (!(error instanceof BackendError && error.code === 'NOT_FOUND')) return false;
        this.setData({ state: 'notFound', account: null });
        return true;
      };
      const found = await this.runLoad(quiet, () => backend().call('getAuthorizer', { appid: appids.get(this) ?? '' }), notFound);
      const account = found ? detailView(found.authorizer) : null;
      if (account) this.setData({ state: 'ready', account });
      if (account && this.data.admin) void this.loadUsage();
      // A lapsed or revoked account has nothing to read with: its notice already says to re-authorize.
      if (account?.kind === 'mini_program' && (account.state === 'ok' || account.state === 'needs_permissions'))
        void this.loadVersions();
      // A quiet failure keeps the account shown, and its title.
      if (account || this.data.state !== 'ready') void wx.setNavigationBarTitle({ title: account?.name ?? DEFAULT_TITLE });
    },

    /**
     * The mini-program's versions from WeChat. The backend answers from a one-minute cache, so
     * refreshing costs no WeChat call; a failure stays inside the card with a retry.
     */
    async loadVersions() {
      if (this.data.versionsState === 'loading') return;
      const isLatest = this.beginLatest('versions');
      this.setData({ versionsState: 'loading', versionsError: '' });
      try {
        const answer = await backend().call('getMiniProgramVersions', { appid: appids.get(this) ?? '' });
        if (isLatest()) this.setData({ versionsState: 'ready', versions: versionsView(answer, this.data.admin) });
      } catch (error) {
        if (isLatest()) this.setData({ versionsState: 'error', versionsError: errorMessage(error) });
      }
    },

    onRefreshVersions() {
      void this.loadVersions();
    },

    /** Admin: the broker's calls for this account. */
    async loadUsage() {
      try {
        const { usage } = await backend().call('authorizerUsage', { appid: appids.get(this) ?? '' });
        this.setData({ usage: usageRows(usage), usageError: '' });
      } catch (error) {
        this.setData({ usageError: errorMessage(error) });
      }
    },

    /** Admin: fetch the account's basic info live through the broker. */
    async onTestCall() {
      if (this.data.testing) return;
      this.setData({ testing: true, testResult: null });
      try {
        const report = await backend().call('testAuthorizerCall', { appid: appids.get(this) ?? '' });
        this.setData({ testResult: testCallView(report) });
      } catch (error) {
        this.setData({ testResult: { ok: false, text: errorMessage(error) } });
      }
      this.setData({ testing: false });
      void this.loadUsage();
    },

    onCopyAppid() {
      const appid = this.data.account?.appid;
      if (appid) void wx.setClipboardData({ data: appid });
    },

    onReauthorizeTap() {
      const url = this.data.account?.action?.url;
      if (url) openPage(url);
    },

    /** Back to the list; when opened directly (no page below), go to it instead. */
    onBackToAccounts() {
      goBack(ROUTES.accounts);
    },
  },
});
