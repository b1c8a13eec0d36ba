// One authorized account: who it is, what it granted, what is missing, its history, and how to
// re-authorize or revoke. Opened as /pages/account-detail/index?appid=wx…
import { backend, BackendError, errorMessage } from '../../services/index';
import { detailView, isAppid, type DetailView } from './detailView';

type ViewState = 'loading' | 'ready' | 'invalid' | 'notFound' | 'error';

const ACCOUNTS_URL = '/pages/accounts/index';
const DEFAULT_TITLE = '账号详情';

/** Per page instance: the appid asked for, the latest load, and whether the first onShow passed. */
interface Tracking {
  appid: string;
  latestLoad: number;
  shownOnce: boolean;
}
const tracking = new WeakMap<object, Tracking>();
function trackingOf(page: object): Tracking {
  let state = tracking.get(page);
  if (!state) {
    state = { appid: '', latestLoad: 0, shownOnce: false };
    tracking.set(page, state);
  }
  return state;
}

Component({
  data: {
    state: 'loading' as ViewState,
    errorText: '',
    account: null as DetailView | null,
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      const appid = (query.appid ?? '').trim();
      if (!isAppid(appid)) {
        this.setData({ state: 'invalid' });
        return;
      }
      trackingOf(this).appid = appid;
      void this.load({ quiet: false });
    },

    /** Back from re-authorizing: show the new grant without the skeleton. */
    onShow() {
      const own = trackingOf(this);
      if (!own.shownOnce) {
        own.shownOnce = true;
        return;
      }
      if (this.data.state === 'ready') void this.load({ quiet: true });
    },

    onRetry() {
      void this.load({ quiet: false });
    },

    async load({ quiet }: { quiet: boolean }) {
      const own = trackingOf(this);
      const loadId = ++own.latestLoad;
      if (!quiet) this.setData({ state: 'loading', errorText: '' });
      try {
        const { authorizer } = await backend().call('getAuthorizer', { appid: own.appid });
        if (loadId !== own.latestLoad) return;
        const account = detailView(authorizer);
        this.setData({ state: 'ready', account });
        wx.setNavigationBarTitle({ title: account.name });
      } catch (error) {
        if (loadId !== own.latestLoad) return;
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
