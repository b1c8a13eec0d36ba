// What the provider's staff read about WeChat's errors and pushes: plain Chinese and what to do,
// with the errcode only as a secondary detail. The admin page maps the codes the backend sends;
// the function's health action uses the same words (its bundle imports this file). Plain values only.

/** One WeChat errcode in staff's words: what happened, and how to fix it. */
export interface ErrcodeAdvice {
  title: string;
  fix: string;
}

const WHITELIST: ErrcodeAdvice = {
  title: '服务器的 IP 不在第三方平台的白名单中',
  fix:
    '登录微信开放平台 → 第三方平台 → 开发配置，把下面的 IP 加入「白名单 IP 地址列表」，保存后几分钟内生效。' +
    '云函数需要固定的出口 IP，否则出口变化后会再次出现。',
};

const REAUTHORIZE = '请商家在授权页重新授权一次。';

export const ERRCODE_ADVICE: Readonly<Record<number, ErrcodeAdvice>> = {
  [-1]: { title: '微信系统繁忙', fix: '稍后会自动重试；若持续出现，请查看微信开放平台的公告。' },
  40013: { title: '第三方平台 AppID 无效', fix: '检查云函数配置 COMPONENT_APPID 是否为第三方平台的 AppID。' },
  40125: { title: '第三方平台 AppSecret 无效', fix: '检查云函数配置 COMPONENT_APPSECRET；在开放平台重置后需同步更新。' },
  40164: WHITELIST,
  41004: { title: '缺少第三方平台 AppSecret', fix: '在云函数配置中填写 COMPONENT_APPSECRET。' },
  45009: { title: '今天的接口调用次数已用完', fix: '等到明天自动恢复，或在开放平台清零调用次数（每月有次数限制）。' },
  61003: { title: '这个账号没有授权给服务商（或已取消授权）', fix: REAUTHORIZE },
  61004: WHITELIST,
  61005: {
    title: '验证票据（component_verify_ticket）已过期',
    fix: '检查「授权事件接收 URL」能否收到微信的推送，然后点「请微信重新推送验证票据」（api_start_push_ticket）。',
  },
  61006: {
    title: '验证票据（component_verify_ticket）无效',
    fix: '检查消息校验 Token 与消息加解密 Key（EncodingAESKey）是否与开放平台一致。',
  },
  61009: { title: '授权码无效（已用过或不属于本平台）', fix: REAUTHORIZE },
  61010: { title: '授权码已过期，没能完成授权', fix: `授权码只在 10 分钟内有效。${REAUTHORIZE}` },
  61011: { title: '配置的 AppID 不是第三方平台', fix: '检查云函数配置 COMPONENT_APPID。' },
  61023: { title: '账号的刷新令牌已失效', fix: REAUTHORIZE },
};

const UNKNOWN: ErrcodeAdvice = { title: '微信接口返回了错误', fix: '请在云函数日志中查看这次调用的详细信息。' };

export function errcodeAdvice(errcode: number): ErrcodeAdvice {
  return ERRCODE_ADVICE[errcode] ?? UNKNOWN;
}

/** The errcode as a secondary detail: "（错误码 61010）". */
export function errcodeNote(errcode: number): string {
  return `（错误码 ${errcode}）`;
}

/** The codes that mean "add this IP to the whitelist" (61004 carries the IP WeChat saw). */
export function isWhitelistError(errcode: number): boolean {
  return errcode === 61004 || errcode === 40164;
}

/** WeChat's pushes (InfoType) in staff's words. */
export const PUSH_LABEL: Readonly<Record<string, string>> = {
  component_verify_ticket: '验证票据推送',
  authorized: '授权成功通知',
  updateauthorized: '授权变更通知',
  unauthorized: '取消授权通知',
};

export function pushLabel(infoType: string): string {
  return PUSH_LABEL[infoType] ?? '微信的其他推送';
}

/** Text already written for people (it has Chinese in it), as opposed to an internal error name. */
export function isPlainWords(text: string): boolean {
  return /[\u4e00-\u9fff]/.test(text);
}
