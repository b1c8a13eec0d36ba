import type { PermissionSet } from '../../../typings/api';

/** Permission-set names by funcscope_category id (spec §10), shown to merchants in Chinese. */
const NAMES: Readonly<Record<number, string>> = {
  1: '消息管理',
  2: '用户管理',
  3: '账号服务',
  4: '网页服务',
  5: '微信小店',
  6: '微信多客服',
  7: '群发与通知',
  8: '微信卡券',
  9: '微信扫一扫',
  10: '微信连WIFI',
  11: '素材管理',
  12: '微信摇周边',
  13: '微信门店',
  15: '菜单管理',
  17: '获取小程序码',
  18: '小程序开发与数据分析',
  19: '小程序客服管理',
  22: '城市服务',
  23: '广告管理',
  24: '开放平台账号管理',
  25: '开放平台账号管理',
  26: '微信电子发票',
  27: '快速注册小程序',
  30: '小程序基本信息管理',
  31: '小程序认证名称检测',
  33: '小程序关联管理',
  34: '微信商品库管理',
  37: '附近的小程序管理',
  40: '小程序插件管理',
  41: '好物圈管理',
  44: '好物圈',
  45: '微信物流服务',
  46: '微信一物一码',
  47: '微信财政电子票据',
  48: '微信财政电子票据管理',
  49: '小程序云开发管理',
  51: '小程序即时配送',
  52: '小程序直播管理',
  54: '服务号对话管理',
  65: '小程序广告管理',
  66: '微信服务市场管理',
  67: '微信服务市场管理',
  70: '标准版交易组件商品管理',
  71: '标准版交易组件订单物流与售后管理',
  73: '标准版交易组件接入',
  76: '小程序违规与交易投诉管理',
  81: '试用小程序快速认证',
  84: '标准版交易组件优惠券管理',
  85: '自定义版交易组件管理',
  89: '服务号订阅通知',
  113: '就医助手',
  143: '视频号留资组件管理',
  160: '视频号留资服务的直播数据',
  175: '微信小店罗盘数据',
  176: '达人数据',
  177: '视频号商品橱窗管理',
};

export function permissionName(id: number): string {
  return NAMES[id] ?? `权限集 ${id}`;
}

export function toPermissionSets(ids: readonly number[]): PermissionSet[] {
  return [...new Set(ids)].sort((a, b) => a - b).map((id) => ({ id, name: permissionName(id) }));
}

/** The sets with the provider's reason for each (PERMISSION_REASONS), where it gave one. */
export function withReasons(sets: PermissionSet[], reasons: Readonly<Record<number, string>>): PermissionSet[] {
  return sets.map((set) => (reasons[set.id] ? { ...set, reason: reasons[set.id] } : set));
}

/** What changed between two grants, for the authorizer's history. */
export function diffSets(before: readonly number[], after: readonly number[]): { added: number[]; removed: number[] } {
  const was = new Set(before);
  const now = new Set(after);
  return {
    added: [...now].filter((id) => !was.has(id)).sort((a, b) => a - b),
    removed: [...was].filter((id) => !now.has(id)).sort((a, b) => a - b),
  };
}

export function missingSets(required: readonly number[], granted: readonly number[]): number[] {
  const have = new Set(granted);
  return required.filter((id) => !have.has(id));
}
