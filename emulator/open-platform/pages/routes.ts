/**
 * The merchant's authorization pages (spec §6): the PC page `componentloginpage` and the H5 page
 * `bindcomponent` (current and legacy path), plus the form they post to. Invalid links get an
 * error page like WeChat's; the PC page enforces the initiation-domain Referer check.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertPreAuthCodeUsable, ConfirmError, parseRedirectUri, type Flows } from '../flows';
import { eligibleAccounts, parseAuthType, parseCategoryIdList } from '../state/eligibility';
import type { PlatformState } from '../state/platform-state';
import { authorizePage, CONFIRM_PATH, errorPage } from './html';

export interface PageDeps {
  state: PlatformState;
  flows: Flows;
  log: (line: string) => void;
}

type Channel = 'pc' | 'h5';

class PageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface LinkParams {
  preAuthCode: string;
  redirectUri: URL;
  rawRedirectUri: string;
  authType: number | undefined;
  bizAppid?: string;
  categoryIdList?: number[];
  rawCategoryIdList: string;
}

const DOMAIN_MISMATCH =
  '请确认授权入口页所在域名，与授权后回调页所在域名相同，并且，此两者都必须与申请第三方平台时填写的授权发起页域名相同。';

function text(source: Record<string, unknown>, name: string): string {
  const value = source[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** `host[:port]` as configured; without a port any port matches. */
function onDomain(url: URL, domain: string): boolean {
  const wanted = domain.trim().toLowerCase();
  return wanted.includes(':') ? url.host.toLowerCase() === wanted : url.hostname.toLowerCase() === wanted;
}

function refererUrl(referer: string | undefined): URL | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer);
  } catch {
    return undefined;
  }
}

/** Validates a link's parameters in the order a merchant would hit the problems. */
function readLinkParams(source: Record<string, unknown>, state: PlatformState): LinkParams {
  if (text(source, 'component_appid') !== state.component.appId) {
    throw new PageError('invalid_component_appid', 'component_appid 无效：该第三方平台不存在或尚未通过审核。');
  }
  const preAuthCode = text(source, 'pre_auth_code');
  if (!preAuthCode) throw new PageError('invalid_pre_auth_code', '缺少 pre_auth_code 参数。');
  assertPreAuthCodeUsable(state, preAuthCode);
  const rawRedirectUri = text(source, 'redirect_uri');
  const redirectUri = parseRedirectUri(rawRedirectUri);
  const bizAppid = text(source, 'biz_appid') || undefined;
  const authType = parseAuthType(source.auth_type === undefined ? undefined : text(source, 'auth_type'));
  if (authType === undefined && !bizAppid)
    throw new PageError('invalid_auth_type', 'auth_type 参数错误：只支持 1、2、3、4、5、6、8。');
  const rawCategoryIdList = text(source, 'category_id_list');
  return {
    preAuthCode,
    redirectUri,
    rawRedirectUri,
    authType,
    bizAppid,
    categoryIdList: parseCategoryIdList(rawCategoryIdList),
    rawCategoryIdList,
  };
}

/** The redirect_uri (both channels) and, on PC, the Referer must be on the initiation domain. */
function checkInitiationDomain(state: PlatformState, params: LinkParams, referer: URL | undefined | 'skip'): void {
  const domain = state.component.initiationDomain;
  if (!domain) return;
  if (referer !== 'skip' && (!referer || !onDomain(referer, domain))) {
    throw new PageError('initiation_domain', `${DOMAIN_MISMATCH}授权入口页所在域名：${referer ? referer.host : '空'}`);
  }
  if (!onDomain(params.redirectUri, domain)) {
    throw new PageError('initiation_domain', `${DOMAIN_MISMATCH}授权回调页所在域名：${params.redirectUri.host}`);
  }
}

function sendError(reply: FastifyReply, error: unknown, log: (line: string) => void): FastifyReply {
  if (error instanceof PageError || error instanceof ConfirmError) {
    return reply.type('text/html; charset=utf-8').send(errorPage(error.code, error.message));
  }
  log(`page: internal error ${(error as Error).message}`);
  return reply.code(500).type('text/html; charset=utf-8').send(errorPage('internal_error', '模拟器内部错误。'));
}

export function registerPageRoutes(app: FastifyInstance, deps: PageDeps): void {
  // The pages carry one-time codes and change once a code is spent: never kept by the browser, so
  // Back re-asks and a spent pre_auth_code shows its explanation instead of a stale form.
  const show = (channel: Channel) => (request: FastifyRequest, reply: FastifyReply) =>
    showAuthorizePage(channel, request, reply.header('cache-control', 'no-store'), deps);
  app.get('/cgi-bin/componentloginpage', show('pc'));
  app.get('/wxaopen/safe/bindcomponent', show('h5'));
  app.get('/safe/bindcomponent', show('h5'));
  app.post(CONFIRM_PATH, (request, reply) => confirmFromPage(request, reply.header('cache-control', 'no-store'), deps));
}

function showAuthorizePage(channel: Channel, request: FastifyRequest, reply: FastifyReply, deps: PageDeps): FastifyReply {
  const { state } = deps;
  const query = request.query as Record<string, unknown>;
  try {
    if (channel === 'h5' && text(query, 'action') !== 'bindcomponent')
      throw new PageError('invalid_action', '链接参数错误：action 必须为 bindcomponent。');
    const params = readLinkParams(query, state);
    checkInitiationDomain(state, params, channel === 'pc' ? refererUrl(request.headers.referer) : 'skip');
    const eligibility = eligibleAccounts(state.accounts, {
      authType: params.authType,
      bizAppid: params.bizAppid,
      categoryIdList: params.categoryIdList,
    });
    if (!eligibility.ok) throw new PageError(eligibility.error, '指定的 biz_appid 账号不存在或当前无法授权。');
    const html = authorizePage({
      channel,
      platformName: state.component.name ?? state.component.appId,
      accounts: eligibility.accounts,
      authorizedAppids: new Set(state.authorizations.list().map((entry) => entry.appid)),
      hidden: {
        channel,
        component_appid: state.component.appId,
        pre_auth_code: params.preAuthCode,
        redirect_uri: params.rawRedirectUri,
        auth_type: params.authType === undefined ? '' : String(params.authType),
        biz_appid: params.bizAppid ?? '',
        category_id_list: params.rawCategoryIdList,
      },
    });
    return reply.type('text/html; charset=utf-8').send(html);
  } catch (error) {
    return sendError(reply, error, deps.log);
  }
}

function confirmFromPage(request: FastifyRequest, reply: FastifyReply, deps: PageDeps): FastifyReply {
  const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
  const fields = Object.fromEntries(form.entries());
  try {
    const channel = fields.channel === 'h5' ? 'h5' : 'pc';
    const params = readLinkParams(fields, deps.state);
    checkInitiationDomain(deps.state, params, 'skip');
    const funcIds = form.getAll('func_id').map(Number);
    const result = deps.flows.confirm({
      channel,
      preAuthCode: params.preAuthCode,
      authorizerAppid: fields.authorizer_appid ?? '',
      funcIds,
      redirectUri: params.rawRedirectUri,
      authType: params.authType,
      bizAppid: params.bizAppid,
      categoryIdList: params.categoryIdList,
    });
    // Like WeChat, the browser moves on at once; the push is delivered in the background.
    return reply.redirect(result.redirectUrl!, 302);
  } catch (error) {
    return sendError(reply, error, deps.log);
  }
}
