import { isCanonicalBase64 } from './base64';
import { MessageCryptoError } from './errors';

export interface EncryptedReplyFields {
  encrypt: string;
  msgSignature: string;
  timeStamp: string;
  nonce: string;
}

// Nonce and timestamp come from the request's query string, so they are checked before being
// written into XML: no CDATA terminator, no markup, no control characters.
const NONCE = /^[\x21-\x7e]{1,128}$/;
const TIMESTAMP = /^[0-9]{1,20}$/;
const SHA1_HEX = /^[0-9a-f]{40}$/;

function badField(name: string): MessageCryptoError {
  return new MessageCryptoError('BAD_REPLY_FIELD', `${name} cannot be written into the reply`);
}

function assertReplyFields(fields: EncryptedReplyFields): void {
  if (typeof fields.encrypt !== 'string' || fields.encrypt === '' || !isCanonicalBase64(fields.encrypt))
    throw badField('Encrypt');
  if (typeof fields.msgSignature !== 'string' || !SHA1_HEX.test(fields.msgSignature)) throw badField('MsgSignature');
  if (typeof fields.timeStamp !== 'string' || !TIMESTAMP.test(fields.timeStamp)) throw badField('TimeStamp');
  if (typeof fields.nonce !== 'string' || !NONCE.test(fields.nonce) || /[<>&]/.test(fields.nonce)) throw badField('Nonce');
}

/** The encrypted reply body of spec §3.4, in WeChat's layout (TimeStamp bare, the rest CDATA). */
export function buildEncryptedReplyXml(fields: EncryptedReplyFields): string {
  assertReplyFields(fields);
  return [
    '<xml>',
    `<Encrypt><![CDATA[${fields.encrypt}]]></Encrypt>`,
    `<MsgSignature><![CDATA[${fields.msgSignature}]]></MsgSignature>`,
    `<TimeStamp>${fields.timeStamp}</TimeStamp>`,
    `<Nonce><![CDATA[${fields.nonce}]]></Nonce>`,
    '</xml>',
  ].join('\n');
}
