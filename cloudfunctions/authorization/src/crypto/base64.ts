import { MessageCryptoError } from './errors';

// Standard alphabet, length a multiple of 4, '=' only as the final one or two characters.
const CANONICAL_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes base64 strictly. Node's decoder silently skips bad characters and stops at odd lengths,
 * so a damaged Encrypt would turn into a shorter ciphertext; here it is an error instead.
 * Re-encoding catches the last forms of non-canonical input (non-zero bits under the padding).
 */
export function decodeCanonicalBase64(text: string): Buffer {
  if (typeof text !== 'string' || !CANONICAL_SHAPE.test(text)) {
    throw new MessageCryptoError('INVALID_BASE64', 'Encrypt is not canonical base64');
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) {
    throw new MessageCryptoError('INVALID_BASE64', 'Encrypt is not canonical base64');
  }
  return bytes;
}

export function isCanonicalBase64(text: string): boolean {
  try {
    decodeCanonicalBase64(text);
    return true;
  } catch {
    return false;
  }
}
