// "Authorize on another device": a PC link (opened in a desktop browser, the admin scans a QR
// code) or an H5 link (opened inside WeChat), bound to this merchant like the plugin session,
// so the account shows up in "My accounts" whichever way the merchant finishes.
import type { AuthChannel, AuthType, CreateAuthSessionOutput } from '../../../typings/api';
import { backend, errorMessage } from '../../services/index';
import { AUTH_TYPE_OPTIONS, DEFAULT_AUTH_TYPE, formatTime } from '../../utils/labels';
import { openPage } from '../../utils/navigation';
import { PAGE_NAME, ROUTES } from '../../utils/routes';
import { toAccountCard, type AccountCard } from '../authorize/accountCard';
import {
  bundleRows,
  bundleToRequest,
  CHANNELS_GUIDE,
  needsChannelsGuide,
  toOfferedAuthType,
  type BundleRow,
} from '../authorize/choices';
import { checkSession, type SessionOutcome } from '../authorize/sessionWatch';
import { qrImage } from '../../utils/qr';

type LinkChannel = Exclude<AuthChannel, 'plugin'>;

interface ChannelOption {
  value: LinkChannel;
  label: string;
  hint: string;
}

const CHANNELS: readonly ChannelOption[] = [
  { value: 'pc', label: '电脑扫码', hint: '在电脑浏览器中打开，用管理员微信扫码' },
  { value: 'h5', label: '手机微信', hint: '在微信中打开，由管理员确认' },
];

/** What to do with each kind of link, step by step. */
const STEPS: Record<LinkChannel, string[]> = {
  pc: ['复制链接，在电脑浏览器中打开', '点击「前往微信授权」，用账号管理员的微信扫码', '在手机上确认授权后，回到这里查看结果'],
  h5: ['账号管理员用微信扫描上方二维码，或把二维码发给管理员长按识别', '管理员在微信中确认授权', '确认后回到这里查看结果'],
};

/** Where the QR picture is written before WeChat's share menu sends it to a chat. */
const SHARE_FILE = 'authorize-link.gif';

interface ShownLink {
  sessionId: string;
  channel: LinkChannel;
  url: string;
  /** H5: the link as a QR code (a GIF data URL) for the admin's WeChat to scan; '' for PC. */
  qr: string;
  /** What the page prints of the link: a desktop browser needs the PC one typed or pasted; the H5 one is never shown whole. */
  shownUrl: string;
  expiresText: string;
  steps: string[];
}

/** none: not checked yet · checking · then how the session stands. */
type ResultState = 'none' | 'checking' | 'pending' | 'authorized' | 'failed' | 'expired';

type DatasetEvent = WechatMiniprogram.CustomEvent<
  WechatMiniprogram.IAnyObject,
  WechatMiniprogram.IAnyObject,
  { value?: unknown; id?: unknown }
>;

/** The merchant closing WeChat's share menu is not a failure. */
function isCancel(error: { errMsg?: string }): boolean {
  return /cancel/.test(error.errMsg ?? '');
}

function toLinkChannel(raw: unknown): LinkChannel | undefined {
  return CHANNELS.find((option) => option.value === raw)?.value;
}

function linkOf(created: CreateAuthSessionOutput, channel: LinkChannel): ShownLink | undefined {
  const url = channel === 'pc' ? created.pcEntryUrl : created.h5Url;
  if (!url) return undefined;
  const h5 = channel === 'h5';
  return {
    sessionId: created.sessionId,
    channel,
    url,
    qr: h5 ? qrImage(url).dataUrl : '',
    shownUrl: h5 ? `${/^https?:\/\/([^/?#]+)/.exec(url)?.[1] ?? ''}/…` : url, // WeChat has no URL class
    expiresText: formatTime(created.expiresAt),
    steps: STEPS[channel],
  };
}

Component({
  data: {
    authTypes: AUTH_TYPE_OPTIONS,
    names: PAGE_NAME,
    selected: DEFAULT_AUTH_TYPE as AuthType | 0,
    selectedLabel: '',
    channelsGuide: CHANNELS_GUIDE,
    showChannelsGuide: false,
    channels: CHANNELS,
    channel: 'pc' as LinkChannel,
    channelLabel: CHANNELS[0].label,
    bundles: [] as BundleRow[],
    bundleId: '',
    phase: 'idle' as 'idle' | 'creating' | 'ready',
    link: null as ShownLink | null,
    result: 'none' as ResultState,
    resultReason: '',
    account: null as AccountCard | null,
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.choose(toOfferedAuthType(query.authType) ?? DEFAULT_AUTH_TYPE);
      return this.loadBundles();
    },

    /** Back from the browser or WeChat chat: look once, quietly, whether it is done. */
    onShow() {
      const { link, result } = this.data;
      if (link && (result === 'none' || result === 'pending')) void this.check(true);
    },

    /** Bundles only; a failure here is not worth a message (the link then asks for all sets). */
    async loadBundles() {
      try {
        const config = await backend().call('getAppConfig', {});
        this.setData({ bundles: bundleRows(config.bundles), bundleId: config.bundles[0]?.id ?? '' });
      } catch {
        this.setData({ bundles: [], bundleId: '' });
      }
    },

    /** The radio itself was tapped: van-radio-group reports the radio's name. */
    onTypeChange(event: { detail: unknown }) {
      this.choose(toOfferedAuthType(event.detail) ?? this.data.selected);
    },

    onTypeTap(event: DatasetEvent) {
      this.choose(toOfferedAuthType(event.currentTarget.dataset.value) ?? this.data.selected);
    },

    choose(authType: AuthType | 0) {
      const label = AUTH_TYPE_OPTIONS.find((option) => option.value === authType)?.label ?? '';
      this.setData({ selected: authType, selectedLabel: label, showChannelsGuide: needsChannelsGuide(authType) });
    },

    onChannelTap(event: DatasetEvent) {
      const channel = toLinkChannel(event.currentTarget.dataset.value);
      if (channel) this.setData({ channel, channelLabel: CHANNELS.find((c) => c.value === channel)?.label ?? '' });
    },

    onBundleChange(event: { detail: unknown }) {
      this.chooseBundle(event.detail);
    },

    onBundleTap(event: DatasetEvent) {
      this.chooseBundle(event.currentTarget.dataset.id);
    },

    chooseBundle(raw: unknown) {
      const id = String(raw);
      if (this.data.bundles.some((b) => b.id === id)) this.setData({ bundleId: id });
    },

    async onCreateTap() {
      const { phase, selected, channel } = this.data;
      if (phase === 'creating' || !selected) return;
      this.setData({ phase: 'creating' });
      const bundleId = bundleToRequest(this.data.bundles, this.data.bundleId);
      let link: ShownLink | undefined;
      try {
        const created = await backend().call('createAuthSession', {
          authType: selected,
          channel,
          ...(bundleId ? { bundleId } : {}),
        });
        link = linkOf(created, channel);
      } catch (error) {
        this.setData({ phase: this.data.link ? 'ready' : 'idle' });
        void wx.showModal({ title: '未能生成链接', content: errorMessage(error), showCancel: false, confirmText: '知道了' });
        return;
      }
      if (!link) {
        this.setData({ phase: 'idle' });
        void wx.showModal({
          title: '未能生成链接',
          content: '服务返回的链接不完整，请稍后重试',
          showCancel: false,
          confirmText: '知道了',
        });
        return;
      }
      this.setData({ phase: 'ready', link, result: 'none', resultReason: '', account: null });
    },

    /** Back to the choices; the old link stays valid until it expires but is no longer shown. */
    onEditTap() {
      if (this.data.phase !== 'creating') this.setData({ phase: 'idle', link: null, result: 'none', account: null });
    },

    onCopyTap() {
      const link = this.data.link;
      if (!link) return;
      wx.setClipboardData({
        data: link.url,
        success: () => void wx.showToast({ title: '链接已复制', icon: 'success' }),
        fail: () => void wx.showToast({ title: '复制失败，请长按链接手动复制', icon: 'none' }),
      });
    },

    /** H5: the QR picture to a chat through WeChat's own share menu (the admin long-presses it there). */
    onShareQrTap() {
      const qr = this.data.link?.qr;
      if (!qr) return;
      const filePath = `${wx.env.USER_DATA_PATH}/${SHARE_FILE}`;
      const failed = () => void wx.showToast({ title: '无法打开分享，请截屏发给管理员', icon: 'none' });
      wx.getFileSystemManager().writeFile({
        filePath,
        data: qr.slice(qr.indexOf(',') + 1),
        encoding: 'base64',
        success: () => wx.showShareImageMenu({ path: filePath, fail: (error) => void (isCancel(error) || failed()) }),
        fail: failed,
      });
    },

    onCheckTap() {
      return this.check(false);
    },

    /** Asks the backend once; `quiet` (on show) skips the spinner and the error toast. */
    async check(quiet: boolean) {
      const link = this.data.link;
      if (!link || this.data.result === 'checking') return;
      const before = this.data.result;
      if (!quiet) this.setData({ result: 'checking' });
      const outcome = await checkSession(link.sessionId);
      if (this.data.link?.sessionId !== link.sessionId) return; // a newer link replaced it meanwhile
      if (quiet && outcome.kind === 'pending') {
        this.setData({ result: before });
        return;
      }
      this.present(outcome);
    },

    present(outcome: SessionOutcome) {
      switch (outcome.kind) {
        case 'authorized': {
          const authorizer = outcome.view.authorizer;
          this.setData({ result: 'authorized', resultReason: '', account: authorizer ? toAccountCard(authorizer) : null });
          break;
        }
        case 'pending':
          this.setData({ result: 'pending', resultReason: outcome.reason });
          break;
        case 'failed':
          this.setData({ result: 'failed', resultReason: outcome.reason });
          break;
        case 'expired':
        case 'lost':
          this.setData({ result: 'expired', resultReason: '' });
          break;
      }
    },

    onAccountsTap() {
      openPage(ROUTES.accounts);
    },
  },
});
