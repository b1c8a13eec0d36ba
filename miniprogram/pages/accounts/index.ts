// "My accounts": every account this merchant has authorized, with what each still needs.
import type { AppConfigView, AuthorizerSummary } from '../../../typings/api';
import { pageLoad } from '../../behaviors/pageLoad';
import { backend, errorMessage } from '../../services/index';
import { openPage } from '../../utils/navigation';
import { accountDetailUrl, reauthorizeUrl, ROUTES } from '../../utils/routes';
import { isAppid } from '../../shared/constants';
import { listHeading, SEARCH_FROM, searchAccounts } from './search';

/** What the list adds from the configuration; never blocks it: unreadable means nothing extra shown. */
async function readExtras(): Promise<{ isAdmin: boolean; lapseNotice: AppConfigView['lapseNotice'] }> {
  try {
    const config = await backend().call('getAppConfig', {});
    return { isAdmin: config.isAdmin, lapseNotice: config.lapseNotice ?? null };
  } catch {
    return { isAdmin: false, lapseNotice: null };
  }
}

type SubscribeAnswer = 'accept' | 'reject' | 'ban' | 'filter';

/** wx.requestSubscribeMessage for one template: its answer, or 'reject' when the dialog failed. */
function askConsent(templateId: string): Promise<SubscribeAnswer> {
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: [templateId],
      success: (result) => {
        const answer = (result as unknown as Record<string, unknown>)[templateId];
        resolve(answer === 'accept' || answer === 'ban' || answer === 'filter' ? answer : 'reject');
      },
      fail: () => resolve('reject'),
    });
  });
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
    /** The lapse notice when the provider set it up: its template and the notices still allowed. */
    lapseNotice: null as AppConfigView['lapseNotice'],
    subscribing: false,
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
        readExtras().then((extras) => this.setData(extras)),
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

    /**
     * 授权失效时提醒我: WeChat asks the merchant (only from a tap), and each `accept` allows one
     * notice; the function counts them and sends one per lapse through cloud.openapi.
     */
    async onSubscribeTap() {
      const notice = this.data.lapseNotice;
      if (!notice || this.data.subscribing) return;
      this.setData({ subscribing: true });
      const result = await askConsent(notice.templateId);
      try {
        const { credits } = await backend().call('subscribeLapseNotice', { result });
        this.setData({ lapseNotice: { ...notice, credits } });
        if (result === 'accept') void wx.showToast({ title: '已开启提醒', icon: 'success' });
        else void wx.showToast({ title: result === 'reject' ? '未开启提醒' : '提醒已被关闭，可在设置中打开', icon: 'none' });
      } catch (error) {
        void wx.showToast({ title: errorMessage(error), icon: 'none' });
      }
      this.setData({ subscribing: false });
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
