/**
 * The two tokens WeChat checks before an API runs. The component token (spec §0.1) rides in
 * `component_access_token` or `access_token`. The authorizer_access_token (spec §15.1):
 * the token rides in the `access_token` query parameter; 41001 when it is missing, 40014 unknown
 * or revoked, 42001 expired, 40001 superseded (after the grace period), 61015 when the platform's
 * own component token is used on a merchant API, 61007 when the merchant did not grant any of the
 * permission sets that contain the API. Shared by the product areas.
 */
import type { FastifyRequest } from 'fastify';
import { WeChatApiError } from '../state/errors';
import type { PlatformState } from '../state/platform-state';

export function firstString(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/**
 * The authorizer appid the request acts for; throws WeChatApiError when WeChat would refuse it.
 * `requiredSets` lists the permission sets any one of which grants the API (empty: no set needed).
 */
export function checkAuthorizerToken(state: PlatformState, query: unknown, requiredSets: readonly number[]): string {
  const token = firstString((query as Record<string, unknown> | null)?.access_token);
  if (!token) throw new WeChatApiError(41001);
  const check = state.authorizerTokens.check(token);
  if (check.errcode !== 0) {
    if (state.componentTokens.check(token).errcode === 0) throw new WeChatApiError(61015);
    throw new WeChatApiError(check.errcode);
  }
  const authorization = state.authorizations.active(check.key);
  if (!authorization) throw new WeChatApiError(61003);
  if (requiredSets.length > 0 && !requiredSets.some((id) => authorization.funcIds.includes(id))) throw new WeChatApiError(61007);
  return check.key;
}

/** Either query name is accepted, `component_access_token` first (spec §0.1). */
export function checkComponentToken(request: FastifyRequest, state: PlatformState): void {
  const query = request.query as Record<string, unknown>;
  const token = firstString(query.component_access_token) || firstString(query.access_token);
  if (!token) throw new WeChatApiError(41001);
  const check = state.componentTokens.check(token);
  if (check.errcode !== 0) throw new WeChatApiError(check.errcode);
}
