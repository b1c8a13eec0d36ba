import { MessageCryptoError } from '../../../cloudfunctions/authorization/src/crypto';

/** Runs `fn` and returns the code of the MessageCryptoError it throws; fails on anything else. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MessageCryptoError) return error.code;
    throw error;
  }
  throw new Error('expected a MessageCryptoError, but nothing was thrown');
}

/** Same, but returns the error itself. */
export function errorOf(fn: () => unknown): MessageCryptoError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MessageCryptoError) return error;
    throw error;
  }
  throw new Error('expected a MessageCryptoError, but nothing was thrown');
}
