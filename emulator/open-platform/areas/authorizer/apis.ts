/**
 * A few APIs called on behalf of an authorizer with its authorizer_access_token (spec §15.3),
 * enough for tests of a proxy (the component-level ones are in areas/templates). Every call is
 * recorded; `faults` makes the next calls of a path answer an errcode, or carry extra fields.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WeChatApiError } from '../../state/errors';
import type { PlatformState } from '../../state/platform-state';
import { json, jsonBody, serve, type Answer, type TokenApiDeps } from '../../shared/http';
import { checkAuthorizerToken } from '../../shared/tokens';
import { wxacodeJpeg, wxacodePng } from '../../shared/images';

type Handler = (request: FastifyRequest, appid: string) => Answer;

/** Permission sets containing each API (spec §10, §15.3). */
const SETS = { wxacode: [17], basicInfo: [30], none: [] as number[] };

const API_DOMAIN_IPS = ['101.89.47.18', '101.91.34.103', '112.60.20.224', '182.254.11.203'];

function wxacode(request: FastifyRequest, appid: string): Answer {
  const body = jsonBody(request);
  const scene = body.scene;
  if (typeof scene !== 'string' || scene.length === 0 || scene.length > 32) throw new WeChatApiError(47001);
  const seed = `${appid}|${scene}|${typeof body.page === 'string' ? body.page : ''}`;
  if (body.is_hyaline === true) return { type: 'binary', contentType: 'image/png', body: wxacodePng(seed) };
  return { type: 'binary', contentType: 'image/jpeg', body: wxacodeJpeg(seed) };
}

function basicInfo(state: PlatformState): Handler {
  return (_request, appid) => {
    const account = state.account(appid);
    if (!account) throw new WeChatApiError(-1);
    return json({
      errcode: 0,
      errmsg: 'ok',
      appid,
      account_type: account.kind === 'mini_program' ? 3 : account.serviceTypeId === 2 ? 2 : 1,
      principal_type: account.principalName === '个人' ? 0 : 1,
      principal_name: account.principalName,
      realname_status: 1,
      wx_verify_info: {
        qualification_verify: account.verifyTypeId === 0,
        naming_verify: account.verifyTypeId === 0,
        annual_review: false,
      },
      signature_info: { signature: account.signature, modify_used_count: 0, modify_quota: 5 },
      head_image_info: { head_image_url: account.headImg, modify_used_count: 0, modify_quota: 5 },
      nickname_info: { nickname: account.nickName, modify_used_count: 0, modify_quota: 2 },
    });
  };
}

export function registerAuthorizerApiRoutes(app: FastifyInstance, deps: TokenApiDeps): void {
  const authorizer = (sets: readonly number[], handler: Handler) => (request: FastifyRequest, reply: FastifyReply) =>
    serve(request, reply, deps, () => {
      const appid = checkAuthorizerToken(deps.state, request.query, sets);
      return { appid, answer: handler(request, appid) };
    });
  app.post('/wxa/getwxacodeunlimit', authorizer(SETS.wxacode, wxacode));
  app.get(
    '/cgi-bin/get_api_domain_ip',
    authorizer(SETS.none, () => json({ ip_list: API_DOMAIN_IPS })),
  );
  const info = authorizer(SETS.basicInfo, basicInfo(deps.state));
  app.get('/cgi-bin/account/getaccountbasicinfo', info);
  app.post('/cgi-bin/account/getaccountbasicinfo', info);
}
