/**
 * A few APIs called on behalf of an authorizer with its authorizer_access_token (spec §15.3),
 * enough for tests of a proxy (the component-level ones are in componentApis.ts). Every call is
 * recorded; `faults` makes the next calls of a path answer an errcode, or carry extra fields.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, WeChatApiError } from '../errors';
import type { PlatformState } from '../state/platform-state';
import { checkAuthorizerToken } from './authorizerAuth';
import { wxacodeJpeg, wxacodePng } from './images';

export interface AuthorizerApiCallRecord {
  path: string;
  method: string;
  /** The authorizer the token stood for (null: refused before that was known, or a component API). */
  appid: string | null;
  errcode: number;
  /** Emulated clock ms. */
  at: number;
}

/**
 * What the next calls of a path do instead: answer an errcode, or answer as usual with `extra`
 * fields added to the JSON (a leaky answer, e.g. a refresh token a proxy must not pass on).
 */
export type AuthorizerApiFault = { errcode: number } | { extra: Record<string, unknown> };

/** Next-call faults per path, for tests of how a caller reacts. */
export class AuthorizerApiFaults {
  private readonly queued = new Map<string, { fault: AuthorizerApiFault; times: number }>();

  inject(rule: { path: string; times?: number } & AuthorizerApiFault): void {
    const { path, times, ...fault } = rule;
    this.queued.set(path, { fault, times: times ?? 1 });
  }

  clear(): void {
    this.queued.clear();
  }

  take(path: string): AuthorizerApiFault | undefined {
    const rule = this.queued.get(path);
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.queued.delete(path);
    return rule.fault;
  }
}

export interface AuthorizerApiDeps {
  state: PlatformState;
  calls: AuthorizerApiCallRecord[];
  faults: AuthorizerApiFaults;
  log: (line: string) => void;
}

export type Answer = { type: 'json'; body: object } | { type: 'binary'; contentType: string; body: Buffer };
type Handler = (request: FastifyRequest, appid: string) => Answer;

/** Permission sets containing each API (spec §10, §15.3). */
const SETS = { wxacode: [17], basicInfo: [30], none: [] as number[] };

const API_DOMAIN_IPS = ['101.89.47.18', '101.91.34.103', '112.60.20.224', '182.254.11.203'];

export const json = (body: object): Answer => ({ type: 'json', body });

export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = typeof request.body === 'string' ? request.body : '';
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through: WeChat answers 47001 to a body it cannot read
  }
  throw new WeChatApiError(47001);
}

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

export function registerAuthorizerApiRoutes(app: FastifyInstance, deps: AuthorizerApiDeps): void {
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

/** Records the call and answers it: a fault's errcode, or the handler's answer (with a fault's extra fields). */
export async function serve(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: AuthorizerApiDeps,
  handle: () => { appid: string | null; answer: Answer },
): Promise<void> {
  const path = request.url.split('?')[0];
  let appid: string | null = null;
  let answer: Answer;
  try {
    const fault = deps.faults.take(path);
    if (fault && 'errcode' in fault) throw new WeChatApiError(fault.errcode);
    ({ appid, answer } = handle());
    if (fault && answer.type === 'json') answer = json({ ...answer.body, ...fault.extra });
  } catch (error) {
    const errcode = error instanceof WeChatApiError ? error.errcode : -1;
    if (!(error instanceof WeChatApiError)) deps.log(`${path}: internal error ${(error as Error).message}`);
    answer = json(errorBody(errcode));
  }
  const errcode = answer.type === 'json' ? Number((answer.body as { errcode?: number }).errcode ?? 0) : 0;
  deps.calls.push({ path, method: request.method, appid, errcode, at: deps.state.clock.now() });
  deps.log(`${request.method} ${path}: errcode ${errcode}`);
  if (answer.type === 'binary') {
    await reply.code(200).header('content-type', answer.contentType).send(answer.body);
    return;
  }
  await reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(answer.body));
}
