import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { CryptoKeys } from '../../../cloudfunctions/authorization/src/crypto';

/** Vector A of spec §3.5 (official third-party-platform worked example). */
export const VECTOR_A = {
  token: 'AAAAA',
  encodingAesKey: 'A'.repeat(43),
  componentAppId: 'wx134c8103faa5a59e',
  timestamp: '1715943329',
  nonce: '1590219412',
  signature: 'cc0c594499c1634947d5b502f158ee518947db27',
  msgSignature: '6c12a4205838198b8fa631b3220723bb07f1015c',
  toUserName: 'gh_97417a04a28d',
  randomPrefix: '1205899eaf019bbd',
  msgLen: 292,
  encrypt:
    'D7yzvUNAL930rd28wf21s4hvXhz0L6Uit/p2Di6C5DHyYGpEgdBRnKjBec34JwoQXicwaZC7fOVihW80F4VtsdvE//1vr7oAbqjDv8KenVp+ajKYpJnyQ4zMRhIC+a31fCVOMC03FfzV/QuC94kBP55a+Za3sJgvAn+ZbsNqZI5DkyuzkhQN8OBqCzFhizGmy0xpM0MEA4agpvE+RuNO1rhHTtuJB5yltw1FiYzecSXJ+y/D2r81VkRn2eYjh2ltsoyfbDR7Is6ookXIFxTfyeNyeHxMeT4KN5WpCDmSbTcUYrbBUlkGLJ9n/rU8YOywma6G7aTb7KZKOqCxgfoUlYEZPk4FUL/TK7ShriFDMVCLyjQJ15Ob++agDWtcxhfUfe6HIoIpRW8mKNBQiY/Jd1svvuskA1wLef1RTtzKfMpagSCX/laZINmdnX4zrF6kIaR9P4xQrWXbsTFHTYe0Mg==',
  plaintext: [
    '<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>',
    '<FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName>',
    '<CreateTime>1715943329</CreateTime>',
    '<MsgType><![CDATA[event]]></MsgType>',
    '<Event><![CDATA[debug_demo]]></Event>',
    '<debug_str><![CDATA[hello world]]></debug_str>',
    '</xml>',
  ].join('\n'),
  reply: {
    plaintext: '<xml><demo_resp>[CDATA[good luck]]</demo_resp></xml>',
    random: '999951349e8ee746',
    encrypt:
      'hE8R6mGXHkJJjU72KxzKUd1GEkKJaEZq7vRL8XgK3o+00k8JGq6+pZJUIlTSyhsX+bxIBQ72g3GyvDdIZcr6+3HAZbSvPT9t/o11MI7d6WELwqrGd7jMnV0zv3Zc9Nq7',
    timestamp: '1713424427',
    nonce: '415670741',
    msgSignature: '03e0812039325c2712ef5f0f980fd14c70d6e307',
  },
  getVerification: {
    timestamp: '1714036504',
    nonce: '1514711492',
    signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
  },
} as const;

export const VECTOR_A_KEYS: CryptoKeys = {
  appId: VECTOR_A.componentAppId,
  token: VECTOR_A.token,
  encodingAesKey: VECTOR_A.encodingAesKey,
};

/** Two further well-formed keys for rotation tests. */
export const KEY_ONE = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const KEY_TWO = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';

export function envelopeXml(encrypt: string, extra = ''): string {
  return `<xml>${extra}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
}

// ---- test-side raw crypto, independent of the code under test, to craft bad plaintexts ----

export function rawAesKey(encodingAesKey: string): Buffer {
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** AES-256-CBC of an already block-aligned buffer, IV = key[0:16], no padding added. */
export function rawEncrypt(encodingAesKey: string, alignedPlaintext: Buffer): string {
  const key = rawAesKey(encodingAesKey);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(alignedPlaintext), cipher.final()]).toString('base64');
}

export function rawDecrypt(encodingAesKey: string, encrypt: string): Buffer {
  const key = rawAesKey(encodingAesKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
}

/** random(16) || uint32 BE || msg || receiveId, with an explicit length field. */
export function fullStr(message: string, receiveId: string, lengthField?: number): Buffer {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(lengthField ?? body.length, 0);
  return Buffer.concat([Buffer.alloc(16, 0x61), length, body, Buffer.from(receiveId, 'utf8')]);
}

/** Correct PKCS#7 to 32 bytes. */
export function pad32(data: Buffer): Buffer {
  const n = 32 - (data.length % 32);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}
