/**
 * Errors of the WeChat message crypto (spec §3). Each failure has its own code so callers and tests
 * can tell them apart; `legacyCode` is the nearest code of the official WXBizMsgCrypt samples.
 * Messages describe what was wrong with the input, never the keys, token or plaintext.
 */

export type MessageCryptoErrorCode =
  | 'INVALID_AES_KEY'
  | 'BAD_SIGNATURE'
  | 'INVALID_BASE64'
  | 'BAD_BLOCK_LENGTH'
  | 'BAD_PADDING'
  | 'BAD_LENGTH_FIELD'
  | 'APPID_MISMATCH'
  | 'BAD_XML'
  | 'XML_TOO_LARGE'
  | 'MISSING_FIELD'
  | 'BAD_REPLY_FIELD';

/** The official samples' local error codes (spec §3.4). */
export type LegacyCryptoCode =
  | -40001 // signature mismatch
  | -40002 // XML parse
  | -40004 // illegal AES key
  | -40005 // appid mismatch
  | -40007 // AES decrypt
  | -40008 // illegal buffer
  | -40010 // base64 decode
  | -40011; // XML build

const LEGACY_CODES: Record<MessageCryptoErrorCode, LegacyCryptoCode> = {
  INVALID_AES_KEY: -40004,
  BAD_SIGNATURE: -40001,
  INVALID_BASE64: -40010,
  BAD_BLOCK_LENGTH: -40007,
  BAD_PADDING: -40007,
  BAD_LENGTH_FIELD: -40008,
  APPID_MISMATCH: -40005,
  BAD_XML: -40002,
  XML_TOO_LARGE: -40002,
  MISSING_FIELD: -40002,
  BAD_REPLY_FIELD: -40011,
};

export class MessageCryptoError extends Error {
  readonly legacyCode: LegacyCryptoCode;

  constructor(
    readonly code: MessageCryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MessageCryptoError';
    this.legacyCode = LEGACY_CODES[code];
  }
}

/** True when `err` is a MessageCryptoError, optionally with the given code. */
export function isMessageCryptoError(err: unknown, code?: MessageCryptoErrorCode): err is MessageCryptoError {
  return err instanceof MessageCryptoError && (code === undefined || err.code === code);
}
