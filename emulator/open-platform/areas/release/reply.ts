/**
 * Opens the platform's encrypted passive replies as WeChat would (signature, key, appid trailer),
 * for the 全网发布 rehearsal; sending to the 消息与事件接收URL is shared/message-channel.ts.
 */
import { decrypt, getSignature } from '@wecom/crypto';
import type { ComponentConfig } from '../../state/types';

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
