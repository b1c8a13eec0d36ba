/**
 * WeChat's side of the 消息与事件接收URL (spec §16): a message for an account is encrypted with the
 * platform's keys (trailer = component appid), wrapped in a `ToUserName` envelope and POSTed to the
 * URL with `$APPID$` replaced by the account's appid. Shared by the 全网发布 rehearsal (areas/release)
 * and the audit events (areas/code-management).
 */
import type { ComponentConfig, MessageDelivery } from '../state/types';
import { postWithDeadline } from './http-post';
import { payloadXml, sealPush, type PayloadFields } from './payload';

export type { MessageDelivery } from '../state/types';

export function messageUrlFor(component: ComponentConfig, appid: string): string | undefined {
  return component.messageUrl?.split('$APPID$').join(appid);
}

export interface SealedMessage {
  /** The URL with `$APPID$` replaced, without the signature query. */
  url: string;
  /** The same with the signature query and `openid`. */
  request: URL;
  body: string;
}

type Target = { appid: string; userName: string; openid: string };

/** Seals a message once, so copies of it (a duplicated event) are the same bytes; undefined without a URL. */
export function sealMessage(
  component: ComponentConfig,
  target: Target,
  fields: PayloadFields,
  nowSeconds: number,
): SealedMessage | undefined {
  const url = messageUrlFor(component, target.appid);
  if (!url) return undefined;
  const payload = { ToUserName: target.userName, FromUserName: target.openid, CreateTime: nowSeconds, ...fields };
  const sealed = sealPush(payloadXml(payload), component, nowSeconds, { ToUserName: target.userName });
  const request = new URL(url);
  for (const [name, value] of Object.entries({ ...sealed.query, openid: target.openid })) request.searchParams.set(name, value);
  return { url, request, body: sealed.body };
}

/** One POST of a sealed message, no retry. */
export async function postMessage(message: SealedMessage, timeoutMs: number): Promise<MessageDelivery> {
  const started = Date.now();
  try {
    const answer = await postWithDeadline(message.request, message.body, timeoutMs);
    return { url: message.url, ms: Date.now() - started, status: answer.status, body: answer.body };
  } catch (error) {
    return { url: message.url, ms: Date.now() - started, error: (error as Error).message };
  }
}

/** Sends one message, once (the rehearsal judges the first answer, as the result page does). */
export async function sendMessage(
  component: ComponentConfig,
  target: Target,
  fields: PayloadFields,
  timeoutMs: number,
  nowSeconds: number,
): Promise<MessageDelivery> {
  const sealed = sealMessage(component, target, fields, nowSeconds);
  if (!sealed) return { url: '', ms: 0, error: 'no 消息与事件接收URL configured' };
  return postMessage(sealed, timeoutMs);
}
