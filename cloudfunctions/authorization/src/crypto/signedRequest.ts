import { MessageCryptoError } from './errors';
import type { CryptoKeys } from './messageCrypto';
import { openPush, type OpenedPush } from './push';

/** Why a request to one of WeChat's push URLs was refused: an HTTP status, a short body, the reason. */
export interface Refusal {
  status: number;
  body: string;
  reason: string;
}

/**
 * Verifies and decrypts what WeChat POSTs to either push URL (the authorization-event URL and the
 * message URL): signature parameters present, msg_signature right, ciphertext and appid trailer
 * good. Anything forged or malformed is refused here, before anything is stored.
 */
export function openSignedRequest(
  keys: CryptoKeys,
  request: { query: Record<string, string | undefined>; body: string },
): OpenedPush | Refusal {
  const { timestamp, nonce, msg_signature: msgSignature } = request.query;
  if (!timestamp || !nonce || !msgSignature)
    return { status: 400, body: 'missing signature parameters', reason: 'MISSING_PARAMETERS' };
  try {
    return openPush(keys, { timestamp, nonce, msgSignature, body: request.body });
  } catch (error) {
    if (!(error instanceof MessageCryptoError)) throw error;
    const status = error.code === 'BAD_SIGNATURE' || error.code === 'APPID_MISMATCH' ? 403 : 400;
    return { status, body: `rejected: ${error.code}`, reason: error.code };
  }
}

export const isRefusal = (opened: OpenedPush | Refusal): opened is Refusal => 'status' in opened;
