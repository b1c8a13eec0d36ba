import * as wecom from '@wecom/crypto';
import fc from 'fast-check';
import {
  decryptMessage,
  encryptMessage,
  messageSignature,
  sha1Signature,
  type CryptoKeys,
} from '../../../cloudfunctions/authorization/src/crypto';
import { KEY_ONE, VECTOR_A, VECTOR_A_KEYS } from './vectors';

// @wecom/crypto implements the same WXBizMsgCrypt scheme (WeCom's variant, same byte layout).
const keys: CryptoKeys = { appId: 'wx134c8103faa5a59e', token: 'interop-token', encodingAesKey: KEY_ONE };

describe('cross-implementation with @wecom/crypto', () => {
  it('decrypts Vector A to the same message and receiveId', () => {
    const theirs = wecom.decrypt(VECTOR_A.encodingAesKey, VECTOR_A.encrypt);
    expect(theirs.message).toBe(VECTOR_A.plaintext);
    expect(theirs.id).toBe(VECTOR_A.componentAppId);
    expect(decryptMessage(VECTOR_A_KEYS, VECTOR_A.encrypt).message).toBe(theirs.message);
  });

  it('produces the same ciphertext as ours for the same random prefix', () => {
    const random = Buffer.from(VECTOR_A.reply.random, 'latin1');
    expect(wecom.encrypt(VECTOR_A.encodingAesKey, VECTOR_A.reply.plaintext, VECTOR_A.componentAppId, random)).toBe(
      encryptMessage(VECTOR_A_KEYS, VECTOR_A.reply.plaintext, random),
    );
  });

  it('ours → theirs: they decrypt what we encrypt', () => {
    const message = '<xml><Content><![CDATA[我是中文abcd123 🎉]]></Content></xml>';
    const theirs = wecom.decrypt(KEY_ONE, encryptMessage(keys, message));
    expect(theirs).toMatchObject({ message, id: keys.appId });
  });

  it('theirs → ours: we decrypt what they encrypt', () => {
    const message = '<xml><InfoType>component_verify_ticket</InfoType></xml>';
    expect(decryptMessage(keys, wecom.encrypt(KEY_ONE, message, keys.appId))).toEqual({ message, keyUsed: 'current' });
  });

  it('agrees on signatures, including Vector A', () => {
    const { token, timestamp, nonce, encrypt, msgSignature } = VECTOR_A;
    expect(wecom.getSignature(token, timestamp, nonce, encrypt)).toBe(msgSignature);
    expect(wecom.getSignature(token, Number(timestamp), Number(nonce), encrypt)).toBe(
      messageSignature(token, timestamp, nonce, encrypt),
    );
  });

  it('round-trips both ways for arbitrary messages and ASCII appids', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.stringMatching(/^wx[0-9a-f]{16}$/),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (message, appId, random) => {
          const k = { ...keys, appId };
          const ours = encryptMessage(k, message, Buffer.from(random));
          expect(wecom.encrypt(KEY_ONE, message, appId, Buffer.from(random))).toBe(ours);
          expect(wecom.decrypt(KEY_ONE, ours)).toMatchObject({ message, id: appId });
          expect(decryptMessage(k, wecom.encrypt(KEY_ONE, message, appId)).message).toBe(message);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agrees on signatures for arbitrary printable ASCII fields', () => {
    const field = fc.string({ unit: fc.constantFrom(...'0123456789abcdefXYZ+/=_-'.split('')), maxLength: 30 });
    fc.assert(
      fc.property(field, field, field, field, (token, timestamp, nonce, encrypt) => {
        expect(sha1Signature(token, timestamp, nonce, encrypt)).toBe(wecom.getSignature(token, timestamp, nonce, encrypt));
      }),
      { numRuns: 200 },
    );
  });
});
