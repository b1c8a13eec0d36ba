import { createCipheriv, createDecipheriv } from 'node:crypto';
import { MessageCryptoError } from './errors';

/** AES's own block size: every CBC ciphertext is a multiple of it. */
export const AES_BLOCK_BYTES = 16;
/** WeChat pads with PKCS#7 to 32 bytes, not to AES's 16 (spec §3.1). */
export const PKCS7_BLOCK_BYTES = 32;

const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;

/**
 * AESKey = base64(EncodingAESKey + "=") → 32 bytes. The 43rd character carries 2 bits that the
 * decoding drops; WeChat's own samples accept that, so we do too.
 */
export function deriveAesKey(encodingAesKey: string): Buffer {
  if (typeof encodingAesKey !== 'string' || !ENCODING_AES_KEY.test(encodingAesKey)) {
    throw new MessageCryptoError('INVALID_AES_KEY', 'EncodingAESKey must be 43 characters from [A-Za-z0-9]');
  }
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** The IV is the first 16 bytes of the key (official samples). */
function ivOf(key: Buffer): Buffer {
  return key.subarray(0, 16);
}

/** AES-256-CBC without built-in padding; `plaintext` must already be block-aligned. */
export function aesCbcEncrypt(key: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, ivOf(key));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** A CBC ciphertext is a non-zero number of 16-byte blocks; anything else was damaged in transit. */
export function assertWholeBlocks(ciphertext: Buffer): void {
  if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK_BYTES !== 0) {
    throw new MessageCryptoError('BAD_BLOCK_LENGTH', 'ciphertext length is not a non-zero multiple of 16');
  }
}

/**
 * AES-256-CBC decryption without padding removal. With a wrong key this still "succeeds" and
 * returns noise; only the checks on the plaintext (padding, length, appid) can tell.
 */
export function aesCbcDecrypt(key: Buffer, ciphertext: Buffer): Buffer {
  assertWholeBlocks(ciphertext);
  const decipher = createDecipheriv('aes-256-cbc', key, ivOf(key));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** PKCS#7 to 32: always 1..32 bytes, a full block when already aligned. */
export function pkcs7Pad(data: Buffer): Buffer {
  const padLength = PKCS7_BLOCK_BYTES - (data.length % PKCS7_BLOCK_BYTES);
  return Buffer.concat([data, Buffer.alloc(padLength, padLength)]);
}

/** Strict removal: the official samples ignore a bad pad byte; we reject it. */
export function pkcs7Unpad(data: Buffer): Buffer {
  const padLength = data.length > 0 ? data[data.length - 1] : 0;
  if (padLength < 1 || padLength > PKCS7_BLOCK_BYTES || padLength > data.length) {
    throw new MessageCryptoError('BAD_PADDING', 'padding length is outside 1..32');
  }
  for (let i = data.length - padLength; i < data.length; i++) {
    if (data[i] !== padLength) {
      throw new MessageCryptoError('BAD_PADDING', 'padding bytes are not all equal');
    }
  }
  return data.subarray(0, data.length - padLength);
}
