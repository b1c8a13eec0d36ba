// "My accounts": every account this merchant has authorized, with what each still needs.
import type { AuthorizerSummary } from '../../../typings/api';
import { backend, errorMessage } from '../../services/index';
import { beginLoad, isShownAgain } from '../../utils/pageLoads';

type ViewState = 'loading' | 'ready' | 'error';

const AUTHORIZE_URL = '/pages/authorize/index';
const ADMIN_URL = '/pages/admin/index';

/** The authorize page may be a tab (switchTab) or a plain page; try the tab first. */
function openAuthorizePage(): void {
  wx.switchTab({
    url: AUTHORIZE_URL,
    fail: () => {
      wx.navigateTo({ url: AUTHORIZE_URL, fail: () => wx.reLaunch({ url: AUTHORIZE_URL }) });
    },
  });
}

/** Admin status never blocks the list: if it cannot be read, the entry simply stays hidden. */
async function readIsAdmin(): Promise<boolean> {
  try {
    return (await backend().call('getAppConfig', {})).isAdmin;
  } catch {
    return false;
  }
}

type SelectEvent = WechatMiniprogram.CustomEvent<{ appid?: string }>;

Component({
  data: {
    state: 'loading' as ViewState,
    accounts: [] as AuthorizerSummary[],
    errorText: '',
    isAdmin: false,
  },

  methods: {
    onLoad() {
      void this.load({ quiet: false });
    },

    /** Coming back (e.g. after authorizing) refreshes without the skeleton. */
    onShow() {
      if (isShownAgain(this) && this.data.state !== 'loading') void this.load({ quiet: true });
    },

    async onPullDownRefresh() {
      try {
        await this.load({ quiet: true });
      } finally {
        wx.stopPullDownRefresh();
      }
    },

    onRetry() {
      void this.load({ quiet: false });
    },

    /**
     * Quiet loads keep what is on screen and only replace it on success; a failed quiet load
     * with accounts already shown reports by toast instead of hiding the list.
     */
    async load({ quiet }: { quiet: boolean }) {
      const isLatest = beginLoad(this);
      if (!quiet) this.setData({ state: 'loading', errorText: '' });
      const [listing, isAdmin] = await Promise.all([
        backend()
          .call('listMyAuthorizers', {})
          .then((output) => ({ ok: true as const, accounts: output.authorizers }))
          .catch((error: unknown) => ({ ok: false as const, message: errorMessage(error) })),
        readIsAdmin(),
      ]);
      if (!isLatest()) return; // a newer load has started; its answer wins
      if (listing.ok) {
        this.setData({ state: 'ready', accounts: listing.accounts, isAdmin });
      } else if (quiet && this.data.state === 'ready') {
        this.setData({ isAdmin });
        wx.showToast({ title: listing.message, icon: 'none' });
      } else {
        this.setData({ state: 'error', errorText: listing.message, isAdmin });
      }
    },

    onSelectAccount(event: SelectEvent) {
      const appid = event.detail.appid;
      if (appid) wx.navigateTo({ url: `/pages/account-detail/index?appid=${encodeURIComponent(appid)}` });
    },

    onAuthorizeTap() {
      openAuthorizePage();
    },

    onAdminTap() {
      wx.navigateTo({ url: ADMIN_URL });
    },
  },
});
