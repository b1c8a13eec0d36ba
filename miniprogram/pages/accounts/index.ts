// "My accounts": every account this merchant has authorized, with what each still needs.
import type { AuthorizerSummary } from '../../../typings/api';
import { pageLoad } from '../../behaviors/pageLoad';
import { backend } from '../../services/index';
import { openPage } from '../../utils/navigation';
import { accountDetailUrl, ROUTES } from '../../utils/routes';

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
  behaviors: [pageLoad],

  data: {
    accounts: [] as AuthorizerSummary[],
    isAdmin: false,
  },

  methods: {
    onLoad() {
      void this.reload(false);
    },

    async onPullDownRefresh() {
      try {
        await this.reload(true);
      } finally {
        void wx.stopPullDownRefresh();
      }
    },

    /** Coming back (e.g. after authorizing) refreshes quietly, through pageLoad's onShow. */
    async reload(quiet: boolean) {
      const [listing] = await Promise.all([
        this.runLoad(quiet, () => backend().call('listMyAuthorizers', {})),
        readIsAdmin().then((isAdmin) => this.setData({ isAdmin })),
      ]);
      if (listing) this.setData({ state: 'ready', accounts: listing.authorizers });
    },

    onSelectAccount(event: SelectEvent) {
      const appid = event.detail.appid;
      if (appid) openPage(accountDetailUrl(appid));
    },

    onAuthorizeTap() {
      openPage(ROUTES.authorize);
    },

    onAdminTap() {
      openPage(ROUTES.admin);
    },
  },
});
