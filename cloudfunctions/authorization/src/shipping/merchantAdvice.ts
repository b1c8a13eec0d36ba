import type { VersionAdvice } from '../../../../typings/api';
import type { ShipReason } from './stages';

/**
 * What a merchant is told when WeChat refused their mini-program's audit, or the provider's
 * shipment stopped for it: who has to act and, when it is the merchant, where in 小程序后台.
 * Only the merchant can change their categories, privacy guide and name; everything else (the
 * template's code, our setup, WeChat's load) the provider handles. WeChat's rejection reason is
 * free text, so it is recognised by its words; a refusal of ours by its errcode. Pure.
 */

const RESUBMIT = '改好后服务商会重新提交审核，无需再联系服务商。';
const PROVIDER_HANDLES = '服务商会处理并重新提交审核，你无需操作。';

interface MerchantFix {
  /** Words of a reviewer's rejection reason that name this fix. */
  words: RegExp;
  /** Refusals of a shipment (spec §7) that mean this fix. */
  errcodes: number[];
  action: string;
}

/** In the order a reason is tried: a reason naming a category and a name is a category problem first. */
const MERCHANT_FIXES: MerchantFix[] = [
  {
    words: /类目|资质|经营范围/,
    errcodes: [85008, 85077],
    action: `请登录小程序后台（mp.weixin.qq.com）→ 设置 → 基本设置 → 服务类目，补充或更换与小程序内容相符的类目，需要时上传资质。${RESUBMIT}`,
  },
  {
    words: /隐私|个人信息|用户信息/,
    errcodes: [85312],
    action: `请登录小程序后台 → 设置 → 服务内容声明 → 用户隐私保护指引，补全并提交；用到的隐私接口在 开发 → 开发管理 → 接口设置 中申请。${RESUBMIT}`,
  },
  {
    words: /名称|名字|头像|简介/,
    errcodes: [86002],
    action: `请登录小程序后台 → 设置 → 基本设置，修改小程序的名称、头像或简介，使其与提供的服务相符。${RESUBMIT}`,
  },
];

/** Refusals only the merchant can lift that are not about the app's settings. */
const MERCHANT_ONLY: Readonly<Record<number, string>> = {
  61003: '你已在微信中取消了对服务商的授权。如需继续使用，请重新授权。',
  61007: '服务商需要“开发管理”权限才能发布新版本。请重新授权，并勾选开发管理权限。',
  86007: '微信禁止了这个小程序提交审核。请登录小程序后台查看通知，按要求处理或联系微信客服。',
};

/** WeChat's reviewer text, `<br>` as separators, tags and spare space dropped. */
export function plainReason(text: string | null): string | null {
  if (!text) return null;
  const plain = text
    .replace(/<br\s*\/?>/gi, '；')
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .replace(/(；\s*)+/g, '；')
    .replace(/^；|；$/g, '')
    .trim();
  return plain || null;
}

/** A rejected audit: WeChat's reason, and whether the merchant (and where) or the provider fixes it. */
export function rejectionAdvice(reason: string | null): VersionAdvice {
  const plain = plainReason(reason);
  const message = plain ? `审核未通过：${plain}` : '审核未通过，微信没有给出原因';
  const fix = plain ? MERCHANT_FIXES.find((f) => f.words.test(plain)) : undefined;
  return fix ? { fixer: 'merchant', message, action: fix.action } : { fixer: 'provider', message, action: PROVIDER_HANDLES };
}

/** A shipment that stopped for this app (skipped or failed): its errcode says who fixes it. */
export function shipmentAdvice(reason: ShipReason): VersionAdvice {
  const errcode = reason.errcode;
  const only = errcode === null ? undefined : MERCHANT_ONLY[errcode];
  if (only) return { fixer: 'merchant', message: `新版本没能发布：${reason.message}`, action: only };
  const fix = errcode === null ? undefined : MERCHANT_FIXES.find((f) => f.errcodes.includes(errcode));
  if (fix) return { fixer: 'merchant', message: `新版本没能发布：${reason.message}`, action: fix.action };
  return { fixer: 'provider', message: `新版本暂未发布：${reason.message}`, action: '服务商会处理后重新发布，你无需操作。' };
}
