import { isAuthorizationError, isCodeError, unlessRevoked } from '../openapi/errors';
import type { Upstream } from '../upstream';
import type { AccountQuestion, CodeInput, Question } from './stages';

/**
 * Asks WeChat what the machine asks and turns the answer (or the refusal) into the machine's next
 * input. Transient failures are thrown: the runner gives its claim back and the next input retries.
 */
export function askWeChat(upstream: Upstream, question: Question): Promise<CodeInput> {
  return question.ask === 'query_auth' ? queryAuth(upstream, question.code) : account(upstream, question);
}

async function queryAuth(upstream: Upstream, code: string): Promise<CodeInput> {
  try {
    const { authorization_info: auth } = await upstream.component.queryAuth(code);
    const exchange = {
      authorizerAppid: auth.authorizer_appid,
      grantedSets: (auth.func_info ?? []).map((f) => f.funcscope_category.id),
    };
    const tokens = auth.authorizer_refresh_token
      ? {
          accessToken: auth.authorizer_access_token ?? null,
          expiresIn: auth.expires_in ?? 0,
          refreshToken: auth.authorizer_refresh_token,
        }
      : null;
    return { kind: 'query_auth_answered', exchange, tokens };
  } catch (error) {
    if (isAuthorizationError(error)) return { kind: 'query_auth_refused', refusal: 'revoked', retried: false };
    if (!isCodeError(error)) throw error;
    return { kind: 'query_auth_refused', refusal: error.errcode === 61010 ? 'expired' : 'invalid', retried: error.attempts > 1 };
  }
}

async function account(upstream: Upstream, question: AccountQuestion): Promise<CodeInput> {
  const { appid, purpose } = question;
  const info = await unlessRevoked(upstream.component.getAuthorizerInfo(appid));
  if (!info) return { kind: 'account_answered', purpose, account: null };
  const auth = info.authorization_info;
  return {
    kind: 'account_answered',
    purpose,
    account: {
      profile: info.authorizer_info,
      grantedSets: auth?.func_info ? auth.func_info.map((f) => f.funcscope_category.id) : null,
      refreshToken: auth?.authorizer_refresh_token ?? null,
    },
  };
}

/** Whether WeChat holds the account as authorized now (false: 61003): settles events that tie. */
export async function isAuthorizedNow(upstream: Upstream, appid: string): Promise<boolean> {
  const answer = await account(upstream, { ask: 'authorizer_info', appid, purpose: 'record' });
  return answer.kind === 'account_answered' && answer.account !== null;
}
