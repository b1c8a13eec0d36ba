// One authorized account: who it is, what it granted, what is missing, its history, and how to
// re-authorize or revoke. Opened as /pages/account-detail/index?appid=wx…
import { backend, BackendError, errorMessage } from '../../services/index';
import { beginLoad, isShownAgain } from '../../utils/pageLoads';
import { detailView, isAppid, type DetailView } from './detailView';
import { testCallView, usageRows, type TestCallView, type UsageRow } from './usageView';

type ViewState = 'loading' | 'ready' | 'invalid' | 'notFound' | 'error';

const ACCOUNTS_URL = '/pages/accounts/index';
const DEFAULT_TITLE = '账号详情';

/** Per page instance: the appid asked for (kept out of `data`: nothing renders it). */
const appids = new WeakMap<object, string>();

Component({
  data: {
    state: 'loading' as ViewState,
    errorText: '',
    account: null as DetailView | null,
    /** Opened from the admin page (`admin=1`): the backend still checks the caller is an admin. */
    admin: false,
    usage: null as UsageRow[] | null,
    usageError: '',
    testing: false,
    testResult: null as TestCallView | null,
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
      void this.load({ quiet: false });
    },

    /** Back from re-authorizing: show the new grant without the skeleton. */
    onShow() {
      if (isShownAgain(this) && this.data.state === 'ready') void this.load({ quiet: true });
    },

    onRetry() {
      void this.load({ quiet: false });
    },

    async load({ quiet }: { quiet: boolean }) {
      const isLatest = beginLoad(this);
      if (!quiet) this.setData({ state: 'loading', errorText: '' });
      try {
        const { authorizer } = await backend().call('getAuthorizer', { appid: appids.get(this) ?? '' });
        if (!isLatest()) return;
        const account = detailView(authorizer);
        this.setData({ state: 'ready', account });
        wx.setNavigationBarTitle({ title: account.name });
        if (this.data.admin) void this.loadUsage();
      } catch (error) {
        if (!isLatest()) return;
        if (error instanceof BackendError && error.code === 'NOT_FOUND') {
          this.setData({ state: 'notFound', account: null });
        } else if (quiet) {
          wx.showToast({ title: errorMessage(error), icon: 'none' });
        } else {
          this.setData({ state: 'error', errorText: errorMessage(error) });
        }
        wx.setNavigationBarTitle({ title: DEFAULT_TITLE });
      }
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
      if (appid) wx.setClipboardData({ data: appid });
    },

    onReauthorizeTap() {
      const url = this.data.account?.action?.url;
      if (url) wx.navigateTo({ url });
    },

    /** Back to the list; when opened directly (no page below), go to it instead. */
    onBackToAccounts() {
      wx.navigateBack({
        fail: () => {
          wx.redirectTo({ url: ACCOUNTS_URL, fail: () => wx.switchTab({ url: ACCOUNTS_URL }) });
        },
      });
    },
  },
});
