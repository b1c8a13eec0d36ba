/** WeChat message crypto (WXBizMsgCrypt scheme, spec §3): the public surface for the backend. */
export { MessageCryptoError, isMessageCryptoError } from './errors';
export type { LegacyCryptoCode, MessageCryptoErrorCode } from './errors';
export { messageSignature, sha1Signature, verifySignature, verifyUrlSignature } from './signature';
export { assertValidKeys, decryptMessage, encryptMessage } from './messageCrypto';
export type { DecryptedMessage, KeyUsed, CryptoKeys } from './messageCrypto';
export { deriveAesKey } from './aes';
export { DEFAULT_MAX_XML_BYTES, parseEnvelope, parseFlatXml, xmlText } from './xml';
export type { Envelope, XmlLimits, XmlNode, XmlRecord } from './xml';
export { buildEncryptedReplyXml } from './replyXml';
export type { EncryptedReplyFields } from './replyXml';
export { openPush, sealReply } from './push';
export type { OpenedPush, PushRequest } from './push';
export { isRefusal, openSignedRequest } from './signedRequest';
export type { Refusal } from './signedRequest';
