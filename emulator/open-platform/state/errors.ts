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
  // code management (spec code-management §7)
  40097: 'invalid args',
  43001: 'require GET method',
  43002: 'require POST method',
  44002: 'empty post data',
  61014: 'must use component token for component api',
  61039: 'privacy check is not finished, please retry later',
  61040: 'code uses privacy api without permission or declaration',
  85006: 'tag is in invalid format',
  85007: 'page path is in invalid format',
  85008: 'category is not approved or not set on the app',
  85009: 'already submit a version under auditing',
  85010: 'item_list has invalid or missing fields',
  85011: 'title is in invalid format',
  85012: 'invalid audit id',
  85013: 'invalid ext_json',
  85014: 'template id not exist',
  85019: 'no version is under auditing or approved',
  85020: 'status not allowed to release',
  85021: 'status not allowed',
  85022: 'invalid action',
  85023: 'item_list count should be 1 to 5',
  85044: 'code package exceeds limit',
  85045: 'path in ext_json does not exist',
  85047: 'pages in ext_json is empty',
  85052: 'app is already released',
  85079: 'no online version, cannot gray release',
  85080: 'audit not approved, cannot gray release',
  85081: 'invalid gray release percentage',
  85082: 'gray percentage must be higher than the current one',
  85085: 'submit audit reach limit, please try later',
  85086: 'must commit code before submit audit',
  86000: 'should be called only from third party',
  86001: 'no code committed',
  86002: 'mini program has not finished name, avatar or introduction',
  86007: 'mini program is forbidden to submit',
  86008: 'component is forbidden to submit audit',
  86009: 'component is forbidden to submit new mini programs',
  86010: 'component is forbidden to submit updates',
  87006: 'mini game can not be submitted',
  87011: 'current version is in gray release, cannot revert',
  87012: 'forbid revert this version release',
  87013: 'no quota to undo code',
  89401: 'system unstable, please try later',
  89402: 'audit is not in the queue',
  89403: 'this audit can not be sped up',
  89404: 'this audit has been sped up already',
  89405: 'speed up quota has been used up',
  9402202: 'the previous operation is not finished, please wait',
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
