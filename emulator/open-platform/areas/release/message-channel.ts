/**
 * WeChat's side of the 消息与事件接收URL (spec §16): a message for an account is encrypted with the
 * platform's keys (trailer = component appid), wrapped in a `ToUserName` envelope and POSTed to the
 * URL with `$APPID$` replaced by the account's appid. Replies are opened with @wecom/crypto.
 */
import { decrypt, getSignature } from '@wecom/crypto';
import { postWithDeadline } from '../../shared/http-post';
import { payloadXml, sealPush, type PayloadFields } from '../../shared/payload';
import type { ComponentConfig } from '../../state/types';

export interface MessageDelivery {
  url: string;
  /** Real ms until the answer (or the deadline). */
  ms: number;
  status?: number;
  body?: string;
  error?: string;
}

export interface SentMessage {
  at: number;
  appid: string;
  fields: PayloadFields;
  delivery: MessageDelivery;
}

export function messageUrlFor(component: ComponentConfig, appid: string): string | undefined {
  return component.messageUrl?.split('$APPID$').join(appid);
}

/** Sends one message, once (the rehearsal judges the first answer, as the result page does). */
export async function sendMessage(
  component: ComponentConfig,
  target: { appid: string; userName: string; openid: string },
  fields: PayloadFields,
  timeoutMs: number,
  nowSeconds: number,
): Promise<MessageDelivery> {
  const url = messageUrlFor(component, target.appid);
  if (!url) return { url: '', ms: 0, error: 'no 消息与事件接收URL configured' };
  const payload = { ToUserName: target.userName, FromUserName: target.openid, CreateTime: nowSeconds, ...fields };
  const sealed = sealPush(payloadXml(payload), component, nowSeconds, { ToUserName: target.userName });
  const request = new URL(url);
  for (const [name, value] of Object.entries({ ...sealed.query, openid: target.openid })) request.searchParams.set(name, value);
  const started = Date.now();
  try {
    const answer = await postWithDeadline(request, sealed.body, timeoutMs);
    return { url, ms: Date.now() - started, status: answer.status, body: answer.body };
  } catch (error) {
    return { url, ms: Date.now() - started, error: (error as Error).message };
  }
}

export type OpenedReply = { ok: true; fields: Record<string, string> } | { ok: false; reason: string };

const tag = (xml: string, name: string): string | undefined => {
  const match = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  return match ? (match[1] ?? match[2]) : undefined;
};

/** Checks an encrypted passive reply as WeChat would: signature, key, appid trailer, then reads it. */
export function openReply(component: ComponentConfig, body: string): OpenedReply {
  const encrypt = tag(body, 'Encrypt');
  const signature = tag(body, 'MsgSignature');
  const timestamp = tag(body, 'TimeStamp');
  const nonce = tag(body, 'Nonce');
  if (!encrypt || !signature || !timestamp || !nonce)
    return { ok: false, reason: '回复不是加密消息（缺少 Encrypt/MsgSignature/TimeStamp/Nonce）' };
  if (getSignature(component.token, timestamp, nonce, encrypt) !== signature)
    return { ok: false, reason: '回复的 MsgSignature 不正确' };
  let opened: { message: string; id: string };
  try {
    opened = decrypt(component.encodingAesKey, encrypt);
  } catch {
    return { ok: false, reason: '回复无法用平台的 EncodingAESKey 解密' };
  }
  if (opened.id !== component.appId) return { ok: false, reason: '回复密文的 appid 不是第三方平台的 appid' };
  const fields: Record<string, string> = {};
  for (const name of ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Content']) {
    const value = tag(opened.message, name);
    if (value !== undefined) fields[name] = value;
  }
  return { ok: true, fields };
}
