import { randomBytes } from 'node:crypto';
import { aesCbcDecrypt, aesCbcEncrypt, assertWholeBlocks, deriveAesKey, pkcs7Pad, pkcs7Unpad } from './aes';
import { decodeCanonicalBase64 } from './base64';
import { MessageCryptoError } from './errors';

/** What the platform is configured with (spec §3.1). */
export interface CryptoKeys {
  /** The component appid: the receiveId trailer of every message, both ways. */
  appId: string;
  /** 消息校验Token. */
  token: string;
  encodingAesKey: string;
  /** The key before the last rotation; an empty string counts as not configured. */
  previousEncodingAesKey?: string;
}

export type KeyUsed = 'current' | 'previous';

export interface DecryptedMessage {
  message: string;
  keyUsed: KeyUsed;
}

const RANDOM_BYTES = 16;
const HEADER_BYTES = RANDOM_BYTES + 4;

function hasPreviousKey(keys: CryptoKeys): keys is CryptoKeys & { previousEncodingAesKey: string } {
  return typeof keys.previousEncodingAesKey === 'string' && keys.previousEncodingAesKey !== '';
}

function encodingKeyFor(keys: CryptoKeys, which: KeyUsed): string {
  if (which === 'current') return keys.encodingAesKey;
  if (!hasPreviousKey(keys)) {
    throw new MessageCryptoError('INVALID_AES_KEY', 'no previous EncodingAESKey is configured');
  }
  return keys.previousEncodingAesKey;
}

/** Throws INVALID_AES_KEY if the current or the configured previous key is malformed; for startup checks. */
export function assertValidKeys(keys: CryptoKeys): void {
  deriveAesKey(keys.encodingAesKey);
  if (hasPreviousKey(keys)) deriveAesKey(keys.previousEncodingAesKey);
}

/** FullStr = random(16) || msg_len (uint32 BE, bytes) || msg || receiveId (spec §3.2). */
function packFullStr(random: Buffer, message: string, receiveId: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  return Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]);
}

/** Reverses packFullStr and checks the receiveId; every failure here may mean "wrong key". */
function unpackFullStr(padded: Buffer, expectedReceiveId: string): string {
  const fullStr = pkcs7Unpad(padded);
  if (fullStr.length < HEADER_BYTES) {
    throw new MessageCryptoError('BAD_LENGTH_FIELD', 'plaintext is shorter than its 20-byte header');
  }
  const messageEnd = HEADER_BYTES + fullStr.readUInt32BE(RANDOM_BYTES);
  if (messageEnd > fullStr.length) {
    throw new MessageCryptoError('BAD_LENGTH_FIELD', 'msg_len runs past the end of the plaintext');
  }
  if (!fullStr.subarray(messageEnd).equals(Buffer.from(expectedReceiveId, 'utf8'))) {
    throw new MessageCryptoError('APPID_MISMATCH', 'the appid trailer is not the configured appid');
  }
  return fullStr.subarray(HEADER_BYTES, messageEnd).toString('utf8');
}

/**
 * Encrypts `message` for WeChat and returns the base64 Encrypt value. `random` (16 bytes) is for
 * known-answer tests; `which` picks the key, so a reply can use the key its push came with.
 */
export function encryptMessage(
  keys: CryptoKeys,
  message: string,
  random: Buffer = randomBytes(RANDOM_BYTES),
  which: KeyUsed = 'current',
): string {
  if (random.length !== RANDOM_BYTES) throw new RangeError('random prefix must be 16 bytes');
  const key = deriveAesKey(encodingKeyFor(keys, which));
  return aesCbcEncrypt(key, pkcs7Pad(packFullStr(random, message, keys.appId))).toString('base64');
}

function decryptWith(encodingAesKey: string, ciphertext: Buffer, appId: string): string {
  return unpackFullStr(aesCbcDecrypt(deriveAesKey(encodingAesKey), ciphertext), appId);
}

/**
 * Decrypts an Encrypt value with the current key, falling back to the previous one when any check
 * on the plaintext fails (a wrong key yields noise, not an error from AES). If both fail, the
 * current key's error is the one reported.
 */
export function decryptMessage(keys: CryptoKeys, encryptBase64: string): DecryptedMessage {
  deriveAesKey(keys.encodingAesKey); // a misconfigured current key is reported before any input error
  const ciphertext = decodeCanonicalBase64(encryptBase64);
  assertWholeBlocks(ciphertext); // key-independent, so no point trying the previous key
  try {
    return { message: decryptWith(keys.encodingAesKey, ciphertext, keys.appId), keyUsed: 'current' };
  } catch (currentError) {
    if (!(currentError instanceof MessageCryptoError) || !hasPreviousKey(keys)) throw currentError;
    try {
      return { message: decryptWith(keys.previousEncodingAesKey, ciphertext, keys.appId), keyUsed: 'previous' };
    } catch {
      throw currentError;
    }
  }
}
