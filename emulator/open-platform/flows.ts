/**
 * What happens on WeChat's side when the merchant confirms or revokes, and when a ticket is due:
 * state changes plus the matching push (spec §2.1, §5, §6.3, §12). Shared by the merchant pages,
 * the plugin stand-in (admin API) and the programmatic API.
 */
import { mayAuthorize } from './areas/release/switch';
import { eligibleAccounts } from './state/eligibility';
import type { PlatformState } from './state/platform-state';
import type { PlatformFlows, Pushes } from './state/ports';
import type { ConfirmInput, ConfirmResult, PushRecord } from './state/types';

export type ConfirmErrorCode =
  | 'invalid_pre_auth_code'
  | 'pre_auth_code_used'
  | 'pre_auth_code_expired'
  | 'unknown_account'
  | 'account_unavailable'
  | 'account_not_eligible'
  | 'invalid_auth_type'
  | 'unknown_biz_appid'
  | 'invalid_func_ids'
  | 'no_func_ids'
  | 'invalid_redirect_uri'
  | 'not_authorized'
  | 'not_in_test_list';

/** A confirmation WeChat would refuse; `message` is Chinese, fit for the page. */
export class ConfirmError extends Error {
  constructor(
    readonly code: ConfirmErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConfirmError';
  }
}

const PRE_AUTH_CODE_ERRORS = {
  unknown: ['invalid_pre_auth_code', '授权链接无效：pre_auth_code 不存在或不属于该第三方平台。'],
  used: ['pre_auth_code_used', '授权链接已失效：该 pre_auth_code 已被使用，请回到第三方平台重新发起授权。'],
  expired: ['pre_auth_code_expired', '授权链接已过期：pre_auth_code 已超过有效期，请回到第三方平台重新发起授权。'],
} as const;

/** Throws the page-level error for a pre_auth_code that cannot be confirmed. */
export function assertPreAuthCodeUsable(state: PlatformState, preAuthCode: string): void {
  const status = state.preAuthCodes.status(preAuthCode);
  if (status === 'valid') return;
  const [code, message] = PRE_AUTH_CODE_ERRORS[status];
  throw new ConfirmError(code, message);
}

/** `redirect_uri` must be an absolute http(s) URL. */
export function parseRedirectUri(raw: unknown): URL {
  if (typeof raw !== 'string' || raw === '') throw new ConfirmError('invalid_redirect_uri', '缺少 redirect_uri 参数。');
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // falls through to the error below
  }
  throw new ConfirmError(
    'invalid_redirect_uri',
    'redirect_uri 必须是以 http:// 或 https:// 开头的完整地址（请对其进行 URL 编码）。',
  );
}

/**
 * `redirect_uri` + `?`/`&` + `auth_code=…&expires_in=…`, leaving the merchant's own query as it was
 * (the code is `[A-Za-z0-9@_-]` only, so it needs no escaping, and real callbacks show it raw).
 */
export function callbackUrl(redirectUri: URL, authCode: string, expiresIn: number): string {
  const [base, fragment] = splitFragment(redirectUri.href);
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  return `${base}${separator}auth_code=${authCode}&expires_in=${expiresIn}${fragment}`;
}

function splitFragment(href: string): [string, string] {
  const hash = href.indexOf('#');
  return hash < 0 ? [href, ''] : [href.slice(0, hash), href.slice(hash)];
}

export class Flows implements PlatformFlows {
  constructor(
    private readonly state: PlatformState,
    private readonly sender: Pushes,
  ) {}

  /** Issues a fresh ticket now (so it is valid at once) and delivers it. */
  pushTicket(): { ticket: string; record: PushRecord; done: Promise<PushRecord> } {
    const ticket = this.state.tickets.issue();
    return { ticket, ...this.sender.send('component_verify_ticket', { ComponentVerifyTicket: ticket }) };
  }

  /**
   * The merchant's confirmation. `pushDone` settles when the push (if any) has been delivered
   * or given up; callers decide whether to wait for it.
   */
  confirm(input: ConfirmInput): ConfirmResult & { pushDone: Promise<PushRecord | undefined> } {
    assertPreAuthCodeUsable(this.state, input.preAuthCode);
    const funcIds = this.grantedSets(input);
    const redirectUri =
      input.channel !== 'plugin' && input.redirectUri !== undefined ? parseRedirectUri(input.redirectUri) : undefined;

    this.state.preAuthCodes.consume(input.preAuthCode);
    const { authCode, push, pushDone } = this.grant(input.authorizerAppid, funcIds, input.preAuthCode);
    const redirectUrl = redirectUri ? callbackUrl(redirectUri, authCode, this.state.authCodes.ttlSeconds) : undefined;
    return { authCode, push, redirectUrl, pushDone };
  }

  /** Records the grant, issues its code and pushes `authorized`/`updateauthorized` (none if unchanged). */
  grant(
    appid: string,
    funcIds: number[],
    preAuthCode: string,
  ): { authCode: string; push?: PushRecord; pushDone: Promise<PushRecord | undefined> } {
    const outcome = this.state.authorizations.grant(appid, funcIds);
    const { code: authCode } = this.state.authCodes.issue({ authorizerAppid: appid, preAuthCode });
    if (outcome === 'unchanged') return { authCode, pushDone: Promise.resolve(undefined) };
    const createTime = this.state.clock.nowSeconds();
    const { record, done } = this.sender.send(outcome, {
      CreateTime: createTime,
      AuthorizerAppid: appid,
      AuthorizationCode: authCode,
      // Real pushes carry this absolute time in CDATA, like the strings.
      AuthorizationCodeExpiredTime: String(createTime + this.state.authCodes.ttlSeconds),
      PreAuthCode: preAuthCode,
    });
    return { authCode, push: record, pushDone: done };
  }

  /** The merchant cancels the authorization in WeChat. */
  revoke(authorizerAppid: string): { record: PushRecord; done: Promise<PushRecord> } {
    if (!this.state.authorizations.revoke(authorizerAppid)) {
      throw new ConfirmError('not_authorized', `${authorizerAppid} 未授权给该第三方平台。`);
    }
    this.state.authorizerTokens.revokeKey(authorizerAppid);
    return this.sender.send('unauthorized', { AuthorizerAppid: authorizerAppid });
  }

  /** The sets this confirmation grants: checked against what the page could have offered. */
  private grantedSets(input: ConfirmInput): number[] {
    const account = this.state.account(input.authorizerAppid);
    if (!account) throw new ConfirmError('unknown_account', `账号 ${input.authorizerAppid} 不存在。`);
    if (account.accountStatus !== 1) throw new ConfirmError('account_unavailable', '该账号已注销、冻结或封禁，无法授权。');
    if (!mayAuthorize(this.state.component, account)) {
      throw new ConfirmError('not_in_test_list', '该第三方平台尚未全网发布，只有授权测试公众号/小程序列表中的账号可以授权。');
    }

    let offered = account.grantableFuncIds;
    if (input.authType !== undefined || input.bizAppid || input.categoryIdList) {
      const eligibility = eligibleAccounts(this.state.accounts, {
        authType: input.authType,
        bizAppid: input.bizAppid,
        categoryIdList: input.categoryIdList,
      });
      if (!eligibility.ok) {
        throw new ConfirmError(
          eligibility.error,
          eligibility.error === 'invalid_auth_type' ? 'auth_type 参数错误。' : '指定的 biz_appid 账号不存在或无法授权。',
        );
      }
      const entry = eligibility.accounts.find((candidate) => candidate.account.appid === account.appid);
      if (!entry) throw new ConfirmError('account_not_eligible', '该账号不在本次授权可选的账号范围内。');
      offered = entry.offeredFuncIds;
    }

    const chosen = [...new Set(input.funcIds ?? offered)];
    const outside = chosen.filter((id) => !offered.includes(id));
    if (outside.length > 0) throw new ConfirmError('invalid_func_ids', `权限集 ${outside.join('、')} 不在本次可授权的范围内。`);
    if (chosen.length === 0) throw new ConfirmError('no_func_ids', '请至少选择一个权限集。');
    return chosen;
  }
}
