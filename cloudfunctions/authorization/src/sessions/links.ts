import type { AuthType } from '../../../../typings/api';
import type { Config } from '../config';

/** Building the URLs of the three ways to authorize (spec §6). */

export interface LinkParams {
  preAuthCode: string;
  redirectUri: string;
  authType: AuthType;
  bizAppid: string | null;
  categoryIds: number[];
}

function query(config: Config, p: LinkParams): string {
  const parts = [
    ['component_appid', config.componentAppId],
    ['pre_auth_code', p.preAuthCode],
    ['redirect_uri', p.redirectUri],
    ['auth_type', String(p.authType)],
    ...(p.bizAppid ? [['biz_appid', p.bizAppid]] : []),
  ].map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  // The documented form joins ids with a literal vertical bar (whether %7C works is unconfirmed).
  if (p.categoryIds.length > 0) parts.push(`category_id_list=${p.categoryIds.join('|')}`);
  return parts.join('&');
}

/** The PC page: only accepted when reached by navigation from the initiation domain. */
export function pcAuthorizeUrl(config: Config, p: LinkParams): string {
  return `${config.mpBaseUrl}/cgi-bin/componentloginpage?${query(config, p)}`;
}

/** The H5 page, opened inside WeChat; `#wechat_redirect` must stay the literal end. */
export function h5AuthorizeUrl(config: Config, p: LinkParams): string {
  return `${config.openBaseUrl}/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&${query(config, p)}#wechat_redirect`;
}

/** Our page that links to WeChat's PC page, served on the initiation domain. */
export function pcEntryUrl(config: Config, sessionId: string): string {
  return `${config.publicBaseUrl}/entry?sid=${sessionId}`;
}

/** Where WeChat sends the browser back with `auth_code`; the session rides in one parameter. */
export function callbackUrl(config: Config, sessionId: string): string {
  return `${config.publicBaseUrl}/callback?sid=${sessionId}`;
}
