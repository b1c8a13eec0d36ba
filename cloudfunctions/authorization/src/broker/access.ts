/**
 * A fresh authorizer token for the broker, or a refusal that names why there is none: unknown
 * appid, revoked, or needs re-authorization (with what the merchant must do). The authorizer record
 * is read only when the token path fails, so a warm call costs one read.
 */
import type { IssuedToken } from '../../../../clients/broker-client/src/wire';
import type { BrokerDeps } from './deps';
import { AuthorizationPaused } from '../authorizers/tokens';
import { AppError } from '../errors';
import { isOpenApiError } from '../openapi/errors';
import { refuse, type BrokerRefusal } from './refusal';

const REAUTH_HINT = "the merchant must authorize again (更新授权) from the provider's mini-program or authorization link";

export async function issuedToken(app: BrokerDeps, appid: string): Promise<IssuedToken> {
  try {
    return await app.authorizerTokens.issued(appid);
  } catch (error) {
    throw await explainFailure(app, appid, error);
  }
}

export async function explainFailure(app: BrokerDeps, appid: string, error: unknown): Promise<unknown> {
  const doc = await app.authorizers.get(appid);
  if (!doc) return refuse('UNKNOWN_AUTHORIZER', `${appid} has not authorized this platform`);
  if (doc.status === 'revoked') return unavailable('revoked', 'the merchant revoked the authorization; ' + REAUTH_HINT);
  if (doc.status === 'needs_reauth' || error instanceof AuthorizationPaused)
    return unavailable('needs_reauth', 'WeChat no longer accepts this authorization; ' + REAUTH_HINT);
  if (error instanceof AppError && error.code === 'NOT_READY')
    return refuse('NOT_READY', 'the token is being refreshed or is not available yet; retry shortly');
  if (isOpenApiError(error)) {
    return refuse('UPSTREAM', `WeChat refused the token refresh (${error.meaning})`, { errcode: error.errcode });
  }
  return error;
}

/** WeChat answered 61003/61023 on a call: the authorization is broken until the merchant renews it. */
export async function markBroken(app: BrokerDeps, appid: string, failedToken: string, errcode: number): Promise<BrokerRefusal> {
  await app.authorizers.markNeedsReauth(appid, app.now());
  await app.authorizerTokens.rejectAuthorization(appid, failedToken);
  return unavailable('needs_reauth', `WeChat answered ${errcode}: the authorization is no longer valid; ${REAUTH_HINT}`, errcode);
}

function unavailable(state: 'revoked' | 'needs_reauth', message: string, errcode?: number): BrokerRefusal {
  return refuse('AUTHORIZER_UNAVAILABLE', message, { state, ...(errcode !== undefined ? { errcode } : {}) });
}
