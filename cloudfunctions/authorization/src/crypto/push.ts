import { MessageCryptoError } from './errors';
import { decryptMessage, encryptMessage, type KeyUsed, type CryptoKeys } from './messageCrypto';
import { buildEncryptedReplyXml } from './replyXml';
import { messageSignature, verifySignature } from './signature';
import { parseEnvelope, parseFlatXml, type XmlLimits, type XmlRecord } from './xml';

/** What an encrypted push delivers: query parameters and the raw body (spec §2.1, §3.3). */
export interface PushRequest {
  timestamp: string;
  nonce: string;
  /** The `msg_signature` query parameter. */
  msgSignature: string;
  body: string;
}

export interface OpenedPush {
  /** The decrypted `<xml>` document's children, all values as strings. */
  payload: XmlRecord;
  /** The decrypted XML as WeChat wrote it (the message URL forwards it unchanged). */
  plaintext: string;
  /** Which EncodingAESKey worked; encrypt any reply with the same one. */
  keyUsed: KeyUsed;
  /** Envelope fields; informational only, the signature does not cover them. */
  envelopeAppId?: string;
  envelopeToUserName?: string;
}

/**
 * Opens an incoming encrypted push: envelope → msg_signature over (token, timestamp, nonce, Encrypt)
 * → decrypt → payload. The signature is checked before any decryption, so without the token nobody
 * can probe the padding/length checks (no padding oracle).
 */
export function openPush(keys: CryptoKeys, request: PushRequest, limits: XmlLimits = {}): OpenedPush {
  const envelope = parseEnvelope(request.body, limits);
  if (!verifySignature(request.msgSignature, keys.token, request.timestamp, request.nonce, envelope.encrypt)) {
    throw new MessageCryptoError('BAD_SIGNATURE', 'msg_signature does not match');
  }
  const { message, keyUsed } = decryptMessage(keys, envelope.encrypt);
  const opened: OpenedPush = { payload: parseFlatXml(message, limits), plaintext: message, keyUsed };
  if (envelope.appId !== undefined) opened.envelopeAppId = envelope.appId;
  if (envelope.toUserName !== undefined) opened.envelopeToUserName = envelope.toUserName;
  return opened;
}

/**
 * Encrypts a reply and wraps it with its MsgSignature (spec §3.4), for the events that want an
 * encrypted answer. Pass the push's `keyUsed` so the reply uses the key WeChat used.
 */
export function sealReply(
  keys: CryptoKeys,
  message: string,
  timestamp: string,
  nonce: string,
  random?: Buffer,
  keyUsed: KeyUsed = 'current',
): string {
  const encrypt = encryptMessage(keys, message, random, keyUsed);
  const msgSignature = messageSignature(keys.token, timestamp, nonce, encrypt);
  return buildEncryptedReplyXml({ encrypt, msgSignature, timeStamp: timestamp, nonce });
}
