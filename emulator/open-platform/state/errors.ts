/**
 * WeChat's business errors: HTTP 200 with `{errcode, errmsg}`, errmsg carrying a ` rid: …` suffix
 * (spec §0, §8). Messages never include the offending token or code.
 */
import { newRid } from './codes';

export const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40125: 'invalid appsecret',
  40170: 'args count exceed count limit',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41018: 'missing component_appid',
  42001: 'access_token expired',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit',
  47001: 'data format error',
  48001: 'api unauthorized',
  61003: 'component is not authorized by this account',
  61004: 'access clientip is not registered',
  61005: 'component ticket is expired',
  61006: 'component ticket is invalid',
  61009: 'code is invalid',
  61010: 'code is expired',
  61011: 'invalid component',
  61007: 'api is unauthorized to component',
  61015: 'must use biz account token for not component api',
  61023: 'refresh_token is invalid',
};

/** Thrown by API handlers; the route layer turns it into WeChat's error body. */
export class WeChatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
  ) {
    super(ERRMSG[errcode] ?? 'system error');
  }
}

export interface ErrorBody {
  errcode: number;
  errmsg: string;
}

export function errorBody(errcode: number, detail?: string): ErrorBody {
  const base = ERRMSG[errcode] ?? 'system error';
  const middle = detail ? ` ${detail}` : '';
  return { errcode, errmsg: `${base}${middle} rid: ${newRid()}` };
}
