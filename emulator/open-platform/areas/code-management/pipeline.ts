/**
 * How every code-management API is served: settle the audits that came due on the emulated clock,
 * check the authorizer token like every merchant API (shared/tokens.ts: 41001, 40014, 42001,
 * 40001, 61015 for the component token, 61003, 61007 without set 18), then run the handler on the
 * app's slots; `serve()` records the call and applies next-call faults by path.
 */
import type { FastifyRequest } from 'fastify';
import { json, serve, type Answer, type TokenApiDeps } from '../../shared/http';
import { checkAuthorizerToken } from '../../shared/tokens';
import type { CodeManagement } from '../../state/code-management';
import type { MiniProgramCode } from '../../state/code-management/app-code';
import type { AuditScript } from '../../state/code-management/types';
import { WeChatApiError } from '../../state/errors';
import type { TestAccount } from '../../state/types';

/** 小程序开发与数据分析 (spec §0); `get_qrcode` also takes 86. */
export const CODE_SETS = [18] as const;
export const QRCODE_SETS = [18, 86] as const;

export interface CodeCall {
  appid: string;
  account: TestAccount;
  app: MiniProgramCode;
  script: AuditScript;
  /** Emulated ms. */
  now: number;
}

export interface CodeApiDeps extends TokenApiDeps {
  code: CodeManagement;
}

export type CodeHandler = (request: FastifyRequest, call: CodeCall) => Answer | object;

export interface CodeApiOptions {
  sets?: readonly number[];
  /** What a component token answers (default: the `componentTokenErrcode` setting; queryquota: 61014, spec §0). */
  componentTokenErrcode?: () => number;
  /** The body must be present, `{}` at least (release, getversioninfo: 44002, spec §0). */
  bodyRequired?: boolean;
}

const isAnswer = (value: object): value is Answer =>
  'type' in value && (value.type === 'json' || value.type === 'binary') && 'body' in value;

export function codeApi(deps: CodeApiDeps, handler: CodeHandler, options: CodeApiOptions = {}) {
  return (request: FastifyRequest, reply: Parameters<typeof serve>[1]) =>
    serve(request, reply, deps, () => {
      deps.code.settle();
      const appid = authorizer(deps, request, options);
      const account = deps.state.account(appid);
      if (!account || account.kind !== 'mini_program') throw new WeChatApiError(86000);
      const injected = deps.code.takeError(appid, request.url.split('?')[0]);
      if (injected !== undefined) throw new WeChatApiError(injected);
      if (options.bodyRequired && (typeof request.body !== 'string' || request.body.trim() === ''))
        throw new WeChatApiError(44002);
      const call = { appid, account, app: deps.code.app(appid), script: deps.code.script(appid), now: deps.state.clock.now() };
      const result = handler(request, call);
      return { appid, answer: isAnswer(result) ? result : json({ errcode: 0, errmsg: 'ok', ...result }) };
    });
}

function authorizer(deps: CodeApiDeps, request: FastifyRequest, options: CodeApiOptions): string {
  try {
    return checkAuthorizerToken(deps.state, request.query, options.sets ?? CODE_SETS);
  } catch (error) {
    if (!(error instanceof WeChatApiError) || error.errcode !== 61015) throw error;
    throw new WeChatApiError(options.componentTokenErrcode?.() ?? deps.code.settings.componentTokenErrcode);
  }
}

/** A body id that legacy clients send as a string (spec §9 #8). */
export function numberField(body: Record<string, unknown>, name: string, missing = 47001): number {
  const value = body[name];
  if (value === undefined) throw new WeChatApiError(missing);
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new WeChatApiError(47001);
  return id;
}
