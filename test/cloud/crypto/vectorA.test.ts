import {
  decryptMessage,
  encryptMessage,
  messageSignature,
  openPush,
  parseFlatXml,
  sealReply,
  sha1Signature,
  verifySignature,
  verifyUrlSignature,
} from '../../../cloudfunctions/authorization/src/crypto';
import { VECTOR_A, VECTOR_A_KEYS, envelopeXml, rawDecrypt } from './vectors';

describe('Vector A (spec §3.5), byte-exact', () => {
  it('computes the 3-field URL signature', () => {
    expect(sha1Signature(VECTOR_A.token, VECTOR_A.timestamp, VECTOR_A.nonce)).toBe(VECTOR_A.signature);
    expect(verifyUrlSignature(VECTOR_A.token, VECTOR_A.signature, VECTOR_A.timestamp, VECTOR_A.nonce)).toBe(true);
  });

  it('computes the 4-field msg_signature over Encrypt', () => {
    const { token, timestamp, nonce, encrypt, msgSignature } = VECTOR_A;
    expect(messageSignature(token, timestamp, nonce, encrypt)).toBe(msgSignature);
    expect(sha1Signature(encrypt, nonce, token, timestamp)).toBe(msgSignature); // order of arguments is irrelevant
    expect(verifySignature(msgSignature, token, timestamp, nonce, encrypt)).toBe(true);
  });

  it('decrypts Encrypt to the exact plaintext', () => {
    const { message, keyUsed } = decryptMessage(VECTOR_A_KEYS, VECTOR_A.encrypt);
    expect(message).toBe(VECTOR_A.plaintext);
    expect(Buffer.byteLength(message, 'utf8')).toBe(VECTOR_A.msgLen);
    expect(keyUsed).toBe('current');
  });

  it('has the documented FullStr layout (checked with test-side raw AES)', () => {
    expect(Buffer.from(VECTOR_A.encrypt, 'base64')).toHaveLength(352);
    const padded = rawDecrypt(VECTOR_A.encodingAesKey, VECTOR_A.encrypt);
    const padLength = padded[padded.length - 1];
    const full = padded.subarray(0, padded.length - padLength);
    expect(full).toHaveLength(330);
    expect(full.subarray(0, 16).toString('latin1')).toBe(VECTOR_A.randomPrefix);
    expect(full.readUInt32BE(16)).toBe(VECTOR_A.msgLen);
    expect(full.subarray(20 + VECTOR_A.msgLen).toString('utf8')).toBe(VECTOR_A.componentAppId);
  });

  it('re-encrypts the plaintext with the same random prefix to the identical Encrypt', () => {
    const random = Buffer.from(VECTOR_A.randomPrefix, 'latin1');
    expect(encryptMessage(VECTOR_A_KEYS, VECTOR_A.plaintext, random)).toBe(VECTOR_A.encrypt);
  });

  it('opens the push as it arrives on the message URL', () => {
    const body = envelopeXml(VECTOR_A.encrypt, `<ToUserName><![CDATA[${VECTOR_A.toUserName}]]></ToUserName>`);
    const opened = openPush(VECTOR_A_KEYS, {
      timestamp: VECTOR_A.timestamp,
      nonce: VECTOR_A.nonce,
      msgSignature: VECTOR_A.msgSignature,
      body,
    });
    expect(opened.keyUsed).toBe('current');
    expect(opened.envelopeToUserName).toBe(VECTOR_A.toUserName);
    expect(opened.envelopeAppId).toBeUndefined();
    expect({ ...opened.payload }).toEqual({
      ToUserName: 'gh_97417a04a28d',
      FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      CreateTime: '1715943329',
      MsgType: 'event',
      Event: 'debug_demo',
      debug_str: 'hello world',
    });
  });

  describe('reply half', () => {
    const { reply } = VECTOR_A;
    const random = Buffer.from(reply.random, 'latin1');

    it('encrypts the 52-byte reply to exactly the documented Encrypt', () => {
      expect(Buffer.byteLength(reply.plaintext, 'utf8')).toBe(52);
      const encrypt = encryptMessage(VECTOR_A_KEYS, reply.plaintext, random);
      expect(encrypt).toBe(reply.encrypt);
      expect(Buffer.from(encrypt, 'base64')).toHaveLength(96);
      expect(decryptMessage(VECTOR_A_KEYS, encrypt).message).toBe(reply.plaintext);
    });

    it('seals the reply XML with the documented MsgSignature', () => {
      const xml = sealReply(VECTOR_A_KEYS, reply.plaintext, reply.timestamp, reply.nonce, random);
      expect(xml).toBe(
        [
          '<xml>',
          `<Encrypt><![CDATA[${reply.encrypt}]]></Encrypt>`,
          `<MsgSignature><![CDATA[${reply.msgSignature}]]></MsgSignature>`,
          `<TimeStamp>${reply.timestamp}</TimeStamp>`,
          `<Nonce><![CDATA[${reply.nonce}]]></Nonce>`,
          '</xml>',
        ].join('\n'),
      );
      expect({ ...parseFlatXml(xml) }).toEqual({
        Encrypt: reply.encrypt,
        MsgSignature: reply.msgSignature,
        TimeStamp: reply.timestamp,
        Nonce: reply.nonce,
      });
    });
  });

  it('verifies the GET-verification example', () => {
    const { timestamp, nonce, signature } = VECTOR_A.getVerification;
    expect(sha1Signature(VECTOR_A.token, timestamp, nonce)).toBe(signature);
    expect(verifyUrlSignature(VECTOR_A.token, signature, timestamp, nonce)).toBe(true);
    expect(verifyUrlSignature(VECTOR_A.token, signature, timestamp, '1514711493')).toBe(false);
  });
});
