import { randomBytes } from 'node:crypto';
import {
  assertValidKeys,
  decryptMessage,
  encryptMessage,
  messageSignature,
  openPush,
  parseFlatXml,
  sealReply,
  type CryptoKeys,
} from '../../../cloudfunctions/authorization/src/crypto';
import { codeOf } from './codeOf';
import { KEY_ONE, KEY_TWO, envelopeXml, fullStr, pad32, rawEncrypt } from './vectors';

const APPID = 'wx_rotating_platform';
// KEY_TWO is the key in force now; KEY_ONE is the one it replaced.
const rotated: CryptoKeys = { appId: APPID, token: 'token', encodingAesKey: KEY_TWO, previousEncodingAesKey: KEY_ONE };
const oldOnly: CryptoKeys = { appId: APPID, token: 'token', encodingAesKey: KEY_ONE };
const newOnly: CryptoKeys = { appId: APPID, token: 'token', encodingAesKey: KEY_TWO };

describe('previous-key fallback', () => {
  it('decrypts a message under the current key with keyUsed "current"', () => {
    const encrypt = encryptMessage(newOnly, '<xml><A>new</A></xml>');
    expect(decryptMessage(rotated, encrypt)).toEqual({ message: '<xml><A>new</A></xml>', keyUsed: 'current' });
  });

  it('decrypts a message under the old key with keyUsed "previous"', () => {
    const encrypt = encryptMessage(oldOnly, '<xml><A>old</A></xml>');
    expect(decryptMessage(rotated, encrypt)).toEqual({ message: '<xml><A>old</A></xml>', keyUsed: 'previous' });
  });

  it('without a previous key, the old-key message fails (control)', () => {
    const encrypt = encryptMessage(oldOnly, '<xml/>');
    expect(['BAD_PADDING', 'BAD_LENGTH_FIELD', 'APPID_MISMATCH']).toContain(codeOf(() => decryptMessage(newOnly, encrypt)));
  });

  it("reports the current key's error when both keys fail (deterministic case)", () => {
    // Valid under the current key except for the appid; under the old key it is noise.
    const encrypt = rawEncrypt(KEY_TWO, pad32(fullStr('<xml/>', 'wx_someone_else')));
    expect(codeOf(() => decryptMessage(rotated, encrypt))).toBe('APPID_MISMATCH');
    // And the other way round: bad padding under the current key stays BAD_PADDING.
    const body = fullStr('<xml/>', APPID);
    const badPad = rawEncrypt(KEY_TWO, Buffer.concat([body, Buffer.alloc(32 - (body.length % 32), 0)]));
    expect(codeOf(() => decryptMessage(rotated, badPad))).toBe('BAD_PADDING');
  });

  it('reports exactly the error the current key alone gives, for random garbage', () => {
    for (let i = 0; i < 50; i++) {
      const garbage = randomBytes(32 * (1 + (i % 4))).toString('base64');
      expect(codeOf(() => decryptMessage(rotated, garbage))).toBe(codeOf(() => decryptMessage(newOnly, garbage)));
    }
  });

  it('does not fall back for key-independent input errors', () => {
    expect(codeOf(() => decryptMessage(rotated, 'not base64!'))).toBe('INVALID_BASE64');
    expect(codeOf(() => decryptMessage(rotated, Buffer.alloc(20).toString('base64')))).toBe('BAD_BLOCK_LENGTH');
  });

  it('treats an empty previous key as not configured', () => {
    const encrypt = encryptMessage(oldOnly, '<xml/>');
    const emptyPrevious = { ...newOnly, previousEncodingAesKey: '' };
    expect(codeOf(() => decryptMessage(emptyPrevious, encrypt))).toBe(codeOf(() => decryptMessage(newOnly, encrypt)));
    expect(() => assertValidKeys(emptyPrevious)).not.toThrow();
  });

  it("a malformed previous key never masks the current key's error; assertValidKeys reports it", () => {
    const encrypt = rawEncrypt(KEY_TWO, pad32(fullStr('<xml/>', 'wx_someone_else')));
    const brokenPrevious = { ...newOnly, previousEncodingAesKey: 'short' };
    expect(codeOf(() => decryptMessage(brokenPrevious, encrypt))).toBe('APPID_MISMATCH');
    expect(codeOf(() => assertValidKeys(brokenPrevious))).toBe('INVALID_AES_KEY');
    expect(codeOf(() => assertValidKeys({ ...newOnly, encodingAesKey: 'short' }))).toBe('INVALID_AES_KEY');
    expect(() => assertValidKeys(rotated)).not.toThrow();
  });

  it('opens an old-key push and seals the reply with the same key', () => {
    const encrypt = encryptMessage(oldOnly, '<xml><InfoType>component_verify_ticket</InfoType></xml>');
    const timestamp = '1700000000';
    const nonce = '42';
    const opened = openPush(rotated, {
      timestamp,
      nonce,
      msgSignature: messageSignature('token', timestamp, nonce, encrypt),
      body: envelopeXml(encrypt, `<AppId>${APPID}</AppId>`),
    });
    expect(opened.keyUsed).toBe('previous');
    expect(opened.envelopeAppId).toBe(APPID);
    expect(opened.payload.InfoType).toBe('component_verify_ticket');

    const reply = parseFlatXml(sealReply(rotated, '<xml>ok</xml>', timestamp, nonce, undefined, opened.keyUsed));
    const replyEncrypt = reply.Encrypt as string;
    expect(reply.MsgSignature).toBe(messageSignature('token', timestamp, nonce, replyEncrypt));
    expect(decryptMessage(oldOnly, replyEncrypt).message).toBe('<xml>ok</xml>');
    expect(decryptMessage(rotated, replyEncrypt).keyUsed).toBe('previous');
  });
});
