/**
 * `POST /cgi-bin/message/custom/send?access_token=<authorizer token>` (spec §15.3): a
 * customer-service message on behalf of an authorizer; the release test's 返回Api文本消息 is judged
 * on what arrives here. WeChat's token rules are the shared ones (shared/tokens.ts): the sender
 * must hold 消息管理 (official accounts, set 1) or 客服消息管理 (mini-programs, set 19).
 */
import type { FastifyInstance } from 'fastify';
import type { AuthorizerApiFaults } from '../../shared/http';
import { checkAuthorizerToken } from '../../shared/tokens';
import { errorBody, WeChatApiError } from '../../state/errors';
import { MESSAGE_SET_OF } from '../../state/fixtures';
import type { PlatformState } from '../../state/platform-state';
import type { CustomMessageRecord } from '../../state/types';

export interface CustomSendDeps {
  state: PlatformState;
  /** Injected errcodes by path (`CUSTOM_SEND_PATH`), as for the other authorizer APIs. */
  faults: AuthorizerApiFaults;
  records: CustomMessageRecord[];
  log: (line: string) => void;
}

export const CUSTOM_SEND_PATH = '/cgi-bin/message/custom/send';

const MESSAGE_SETS = Object.values(MESSAGE_SET_OF);

function parseMessage(raw: unknown): { touser: string; msgtype: string; content?: string } {
  let body: unknown;
  try {
    body = JSON.parse(typeof raw === 'string' ? raw : '');
  } catch {
    throw new WeChatApiError(47001);
  }
  const message = body as { touser?: unknown; msgtype?: unknown; text?: { content?: unknown } } | null;
  if (!message || typeof message.touser !== 'string' || message.touser === '') throw new WeChatApiError(40003);
  if (typeof message.msgtype !== 'string') throw new WeChatApiError(47001);
  if (message.msgtype !== 'text') return { touser: message.touser, msgtype: message.msgtype };
  if (typeof message.text?.content !== 'string' || message.text.content === '') throw new WeChatApiError(47001);
  return { touser: message.touser, msgtype: 'text', content: message.text.content };
}

export function registerCustomSendRoute(app: FastifyInstance, deps: CustomSendDeps): void {
  app.post(CUSTOM_SEND_PATH, async (request, reply) => {
    let body: object;
    try {
      const authorizerAppid = checkAuthorizerToken(deps.state, request.query, MESSAGE_SETS);
      const message = parseMessage(request.body);
      const injected = deps.faults.take(CUSTOM_SEND_PATH);
      if (injected && 'errcode' in injected) throw new WeChatApiError(injected.errcode);
      deps.records.push({ at: Date.now(), authorizerAppid, ...message });
      deps.log(`custom send for ${authorizerAppid}: ${message.msgtype}`);
      body = { errcode: 0, errmsg: 'ok' };
    } catch (error) {
      if (!(error instanceof WeChatApiError)) throw error;
      body = errorBody(error.errcode);
    }
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
  });
}
