import { AsyncLocalStorage } from 'node:async_hooks';

/** What `cloud.getWXContext()` returns inside an invocation. */
export interface WxContext {
  OPENID: string;
  APPID: string;
  UNIONID: string;
  ENV: string;
  /** wx_client (callFunction), wx_http (HTTP access), wx_trigger (timer), as WeChat reports it. */
  SOURCE: string;
}

/** The runner enters this store around every `exports.main` call; the sdk reads it. */
export const invocationContext = new AsyncLocalStorage<WxContext>();

export function currentWxContext(envId: string): WxContext {
  const inside = invocationContext.getStore();
  if (inside) return { ...inside };
  // Outside an invocation WeChat has no caller to report.
  return { OPENID: '', APPID: '', UNIONID: '', ENV: envId, SOURCE: '' };
}
