// Authorization entry: the merchant picks which kind of account to authorize, then taps once.
// Written with Component() (WeChat accepts it for pages) so tests can render it in simulate.
import type { PluginAuthType } from '../../../typings/plugin';

interface AccountTypeOption {
  value: PluginAuthType;
  label: string;
  hint: string;
}

/** The kinds a merchant is offered here; values are WeChat's auth_type (spec §6.2). */
const ACCOUNT_TYPES: readonly AccountTypeOption[] = [
  { value: 1, label: '公众号', hint: '服务号或订阅号' },
  { value: 2, label: '小程序', hint: '已发布或开发中的小程序' },
  { value: 5, label: '视频号', hint: '需先在视频号助手开启开放能力' },
  { value: 6, label: '全部类型', hint: '公众号、小程序和视频号' },
];

/** Accepts only a type this page offers; radio names and datasets may arrive as text. */
function toOfferedAuthType(raw: unknown): PluginAuthType | undefined {
  const wanted = typeof raw === 'string' ? Number(raw) : raw;
  return ACCOUNT_TYPES.find((option) => option.value === wanted)?.value;
}

type CellTapEvent = WechatMiniprogram.CustomEvent<
  WechatMiniprogram.IAnyObject,
  WechatMiniprogram.IAnyObject,
  { value?: unknown }
>;

Component({
  data: {
    accountTypes: ACCOUNT_TYPES,
    /** 0 until the merchant chooses; the button stays disabled meanwhile. */
    selected: 0 as PluginAuthType | 0,
  },

  methods: {
    /** The radio itself was tapped: van-radio-group reports the radio's name. */
    onTypeChange(event: { detail: unknown }) {
      this.choose(toOfferedAuthType(event.detail));
    },

    /** The whole row was tapped: the row carries its type in data-value. */
    onTypeTap(event: CellTapEvent) {
      this.choose(toOfferedAuthType(event.currentTarget.dataset.value));
    },

    choose(authType: PluginAuthType | undefined) {
      if (authType !== undefined && authType !== this.data.selected) {
        this.setData({ selected: authType });
      }
    },

    onAuthorizeTap() {
      if (!this.data.selected) return;
      // Placeholder until the full flow (backend session + plugin) lands on this page.
      wx.showToast({ title: '授权功能即将开放', icon: 'none' });
    },
  },
});
