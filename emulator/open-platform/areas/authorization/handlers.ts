/**
 * The seven component APIs (spec §2.2, §4.1–4.6). Each handler gets the parsed JSON body, returns
 * the success body, or throws WeChatApiError. Token and transport concerns live in the pipeline.
 */
import { WeChatApiError } from '../../state/errors';
import type { PlatformState } from '../../state/platform-state';
import type { PlatformFlows } from '../../state/ports';
import type { ApiName } from '../../state/types';
import { authorizerInfo, funcInfo } from './authorizer-info';

export type JsonBody = Record<string, unknown>;

export interface ApiHandler {
  /** Needs `component_access_token` (or `access_token`) in the query. */
  needsToken: boolean;
  handle(body: JsonBody): object;
}

export const MAX_LIST_COUNT = 500;

function requireString(body: JsonBody, field: string, missingErrcode: number): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw new WeChatApiError(missingErrcode);
  if (typeof value !== 'string') throw new WeChatApiError(47001);
  return value;
}

function requireCount(body: JsonBody, field: string): number {
  const raw = body[field];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new WeChatApiError(47001);
  return value;
}

// eslint-disable-next-line max-lines-per-function -- a table: one short handler per emulated API
export function createHandlers(state: PlatformState, flows: Pick<PlatformFlows, 'pushTicket'>): Record<ApiName, ApiHandler> {
  const component = state.component;

  const checkComponentAppid = (body: JsonBody): void => {
    if (requireString(body, 'component_appid', 41018) !== component.appId) throw new WeChatApiError(40013);
  };
  const checkSecret = (body: JsonBody, field: string): void => {
    if (requireString(body, field, 41004) !== component.appSecret) throw new WeChatApiError(40125);
  };
  const requireAuthorized = (body: JsonBody): string => {
    const appid = requireString(body, 'authorizer_appid', 41002);
    if (!state.authorizations.active(appid)) throw new WeChatApiError(61003);
    return appid;
  };

  return {
    api_component_token: {
      needsToken: false,
      handle(body) {
        checkComponentAppid(body);
        checkSecret(body, 'component_appsecret');
        const ticketStatus = state.tickets.check(requireString(body, 'component_verify_ticket', 47001));
        if (ticketStatus !== 0) throw new WeChatApiError(ticketStatus);
        const { token, expiresIn } = state.componentTokens.issue(component.appId);
        return { component_access_token: token, expires_in: expiresIn };
      },
    },

    api_start_push_ticket: {
      needsToken: false,
      handle(body) {
        checkComponentAppid(body);
        checkSecret(body, 'component_secret');
        flows.pushTicket();
        return { errcode: 0, errmsg: 'ok' };
      },
    },

    api_create_preauthcode: {
      needsToken: true,
      handle(body) {
        checkComponentAppid(body);
        const { code } = state.preAuthCodes.issue({});
        return { pre_auth_code: code, expires_in: state.preAuthCodes.ttlSeconds };
      },
    },

    api_query_auth: {
      needsToken: true,
      handle(body) {
        checkComponentAppid(body);
        const redeemed = state.authCodes.consume(requireString(body, 'authorization_code', 47001));
        if (!redeemed.ok) throw new WeChatApiError(redeemed.status === 'expired' ? 61010 : 61009);
        const appid = redeemed.payload.authorizerAppid;
        const authorization = state.authorizations.active(appid);
        if (!authorization) throw new WeChatApiError(61003);
        const { token, expiresIn } = state.authorizerTokens.issue(appid);
        return {
          authorization_info: {
            authorizer_appid: appid,
            authorizer_access_token: token,
            expires_in: expiresIn,
            authorizer_refresh_token: authorization.refreshToken,
            func_info: funcInfo(authorization.funcIds),
          },
        };
      },
    },

    api_authorizer_token: {
      needsToken: true,
      handle(body) {
        checkComponentAppid(body);
        const appid = requireString(body, 'authorizer_appid', 41002);
        const check = state.authorizations.checkRefreshToken(appid, body.authorizer_refresh_token);
        if (check !== 0) throw new WeChatApiError(check);
        const refreshToken = state.settings.rotateRefreshToken
          ? state.authorizations.rotateRefreshToken(appid)
          : state.authorizations.active(appid)!.refreshToken;
        const { token, expiresIn } = state.authorizerTokens.issue(appid);
        return { authorizer_access_token: token, expires_in: expiresIn, authorizer_refresh_token: refreshToken };
      },
    },

    api_get_authorizer_info: {
      needsToken: true,
      handle(body) {
        checkComponentAppid(body);
        const appid = requireAuthorized(body);
        const authorization = state.authorizations.active(appid)!;
        const account = state.account(appid);
        if (!account) throw new WeChatApiError(61003);
        return {
          authorizer_info: authorizerInfo(account),
          authorization_info: {
            authorizer_appid: appid,
            authorizer_refresh_token: authorization.refreshToken,
            func_info: funcInfo(authorization.funcIds),
          },
        };
      },
    },

    api_get_authorizer_list: {
      needsToken: true,
      handle(body) {
        checkComponentAppid(body);
        const offset = requireCount(body, 'offset');
        const count = requireCount(body, 'count');
        if (count > MAX_LIST_COUNT) throw new WeChatApiError(40170);
        const all = state.authorizations.list();
        return {
          total_count: all.length,
          list: all.slice(offset, offset + count).map((entry) => ({
            authorizer_appid: entry.appid,
            refresh_token: entry.refreshToken,
            auth_time: entry.authTime,
          })),
        };
      },
    },
  };
}
