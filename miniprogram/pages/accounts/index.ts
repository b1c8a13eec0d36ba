// "My accounts": every account this merchant has authorized, with what each still needs.
import type { AuthorizerSummary } from '../../../typings/api';
import { pageLoad } from '../../behaviors/pageLoad';
import { backend } from '../../services/index';
import { openPage } from '../../utils/navigation';
import { accountDetailUrl, reauthorizeUrl, ROUTES } from '../../utils/routes';
import { isAppid } from '../../shared/constants';
import { listHeading, SEARCH_FROM, searchAccounts } from './search';

/** Admin status never blocks the list: if it cannot be read, the entry simply stays hidden. */
async function readIsAdmin(): Promise<boolean> {
  try {
    return (await backend().call('getAppConfig', {})).isAdmin;
  } catch {
    return false;
  }
}

type SelectEvent = WechatMiniprogram.CustomEvent<{ appid?: string }>;
type ReauthorizeEvent = WechatMiniprogram.CustomEvent<{ appid?: string; kind?: AuthorizerSummary['kind'] }>;

Component({
  behaviors: [pageLoad],

  data: {
    accounts: [] as AuthorizerSummary[],
    /** The accounts the search keeps (all of them without a query). */
    shown: [] as AuthorizerSummary[],
    heading: '',
    query: '',
    searchable: false,
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
      if (listing) {
        const accounts = listing.authorizers;
        this.setData({
          state: 'ready',
          accounts,
          shown: searchAccounts(accounts, this.data.query),
          heading: listHeading(accounts),
          searchable: accounts.length >= SEARCH_FROM,
        });
      }
    },

    onSearchChange(event: { detail: unknown }) {
      const query = typeof event.detail === 'string' ? event.detail : '';
      this.setData({ query, shown: searchAccounts(this.data.accounts, query) });
    },

    onSearchClear() {
      this.setData({ query: '', shown: [...this.data.accounts] });
    },

    /** The card's one-tap 重新授权 / 补充权限: the authorize page set up for that account. */
    onReauthorizeAccount(event: ReauthorizeEvent) {
      const { appid, kind } = event.detail;
      const account = this.data.accounts.find((item) => item.appid === appid);
      if (account && isAppid(appid) && kind === account.kind) openPage(reauthorizeUrl(account));
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
