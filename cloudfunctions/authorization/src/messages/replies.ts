import { randomInt } from 'node:crypto';
import { sealReply, type CryptoKeys, type KeyUsed } from '../crypto';

/** What the message URL answers WeChat. */
export interface MessageReply {
  status: number;
  body: string;
  xml?: boolean;
}

/** "No reply" (spec §16): WeChat accepts `success` or an empty body. */
export const NO_REPLY: MessageReply = { status: 200, body: 'success' };
export const EMPTY_REPLY: MessageReply = { status: 200, body: '' };

const cdata = (value: string) => `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** A passive text reply: back to the sender, from the account the message was for. */
export function textReplyXml(input: { toUser: string; fromAccount: string; content: string; nowSeconds: number }): string {
  return (
    `<xml><ToUserName>${cdata(input.toUser)}</ToUserName>` +
    `<FromUserName>${cdata(input.fromAccount)}</FromUserName>` +
    `<CreateTime>${input.nowSeconds}</CreateTime>` +
    `<MsgType><![CDATA[text]]></MsgType>` +
    `<Content>${cdata(input.content)}</Content></xml>`
  );
}

/** Encrypts a passive reply with the key the message came with, under a fresh timestamp and nonce. */
export function sealedReply(keys: CryptoKeys, plaintext: string, keyUsed: KeyUsed, nowSeconds: number): MessageReply {
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  return { status: 200, body: sealReply(keys, plaintext, String(nowSeconds), nonce, undefined, keyUsed), xml: true };
}
