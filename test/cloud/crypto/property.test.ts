import fc from 'fast-check';
import {
  MessageCryptoError,
  decryptMessage,
  encryptMessage,
  messageSignature,
  openPush,
  parseFlatXml,
  sha1Signature,
  verifySignature,
  type CryptoKeys,
} from '../../../cloudfunctions/authorization/src/crypto';
import { KEY_ONE, KEY_TWO, envelopeXml } from './vectors';

const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
const encodingAesKey = fc.string({ unit: fc.constantFrom(...alnum), minLength: 43, maxLength: 43 });
const appId = fc.oneof(
  fc.stringMatching(/^wx[0-9a-f]{16}$/),
  fc.string({ unit: 'binary', maxLength: 40 }), // any UTF-8 trailer must round-trip too
);
const message = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('a', '中', 'é', '🎉', '👩‍👩‍👧', '\u0000', '\n'), maxLength: 80 }),
);

function keysFor(appIdValue: string, key = KEY_ONE): CryptoKeys {
  return { appId: appIdValue, token: 'prop-token', encodingAesKey: key };
}

describe('round-trip properties', () => {
  it('decrypt(encrypt(m)) === m for random messages, appids and keys', () => {
    fc.assert(
      fc.property(message, appId, encodingAesKey, (text, id, key) => {
        const keys = keysFor(id, key);
        expect(decryptMessage(keys, encryptMessage(keys, text))).toEqual({ message: text, keyUsed: 'current' });
      }),
      { numRuns: 500 },
    );
  });

  it('pads every FullStr length near multiples of 32 with 1..32 bytes', () => {
    // FullStr = 16 + 4 + msg + appid; drive its length to 32k-1, 32k, 32k+1 and 0..100 bytes of message.
    const id = 'wx0123456789abcdef';
    const overhead = 20 + id.length;
    const boundaryLengths = [];
    for (let k = 2; k <= 12; k++) for (const d of [-1, 0, 1]) boundaryLengths.push(32 * k + d - overhead);
    const messageBytes = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(...boundaryLengths.filter((n) => n >= 0)));
    fc.assert(
      fc.property(messageBytes, fc.constantFrom('x', 'é'), (bytes, unit) => {
        // é is 2 bytes: fill with it and top up with one ASCII byte when odd
        const text = unit === 'x' ? 'x'.repeat(bytes) : 'é'.repeat(Math.floor(bytes / 2)) + 'x'.repeat(bytes % 2);
        expect(Buffer.byteLength(text, 'utf8')).toBe(bytes);
        const keys = keysFor(id);
        const encrypt = encryptMessage(keys, text);
        const fullLength = overhead + bytes;
        const cipherLength = Buffer.from(encrypt, 'base64').length;
        expect(cipherLength % 32).toBe(0);
        expect(cipherLength - fullLength).toBeGreaterThanOrEqual(1);
        expect(cipherLength - fullLength).toBeLessThanOrEqual(32);
        expect(decryptMessage(keys, encrypt).message).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('a message under another key is never accepted as ours', () => {
    fc.assert(
      fc.property(message, (text) => {
        const encrypt = encryptMessage(keysFor('wx_a', KEY_TWO), text);
        expect(() => decryptMessage(keysFor('wx_a', KEY_ONE), encrypt)).toThrow(MessageCryptoError);
      }),
      { numRuns: 200 },
    );
  });

  it('a full push (envelope, signature, decrypt, payload) round-trips CDATA text values', () => {
    // XML 1.0 characters, no CDATA terminator
    const xmlChar = fc
      .string({ unit: 'binary', maxLength: 60 })
      .map((s) => s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/\r/g, ''))
      .filter((s) => !s.includes(']]>'));
    fc.assert(
      fc.property(xmlChar, fc.stringMatching(/^[0-9]{1,10}$/), fc.stringMatching(/^[0-9]{1,12}$/), (value, timestamp, nonce) => {
        const keys = keysFor('wx0123456789abcdef');
        const encrypt = encryptMessage(keys, `<xml><Value><![CDATA[${value}]]></Value><N>0012</N></xml>`);
        const msgSignature = messageSignature(keys.token, timestamp, nonce, encrypt);
        const opened = openPush(keys, { timestamp, nonce, msgSignature, body: envelopeXml(encrypt) });
        expect(opened.payload.Value).toBe(value);
        expect(opened.payload.N).toBe('0012');
      }),
      { numRuns: 300 },
    );
  });

  it('escaped text values decode back to the original', () => {
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '<', '>', '&', '"', "'", '中', '🎉', ';', '#'), maxLength: 40 });
    fc.assert(
      fc.property(text, (value) => {
        expect(parseFlatXml(`<xml><V>${escape(value)}</V></xml>`).V).toBe(value);
      }),
    );
  });
});

describe('robustness on arbitrary input', () => {
  const keys = { ...keysFor('wx0123456789abcdef'), previousEncodingAesKey: KEY_TWO };

  it('decryptMessage only ever throws MessageCryptoError', () => {
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    );
    fc.assert(
      fc.property(input, (text) => {
        try {
          decryptMessage(keys, text);
        } catch (error) {
          expect(error).toBeInstanceOf(MessageCryptoError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('openPush only ever throws MessageCryptoError, even for bodies that pass the signature', () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({
        unit: fc.constantFrom('<', '>', '/', 'x', 'm', 'l', '!', '[', ']', '&', ';', '"', '=', ' ', 'E'),
        maxLength: 80,
      }),
      fc.string({ maxLength: 60 }).map((s) => `<xml>${s}</xml>`),
    );
    fc.assert(
      fc.property(body, (text) => {
        try {
          // sign whatever Encrypt we can find, so the decrypt and payload paths are reached too
          const encrypt = /<Encrypt>([^<]*)<\/Encrypt>/.exec(text)?.[1] ?? '';
          openPush(keys, {
            timestamp: '1',
            nonce: '2',
            msgSignature: messageSignature(keys.token, '1', '2', encrypt),
            body: text,
          });
        } catch (error) {
          expect(error).toBeInstanceOf(MessageCryptoError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('verifySignature never throws and only accepts the exact signature', () => {
    fc.assert(
      fc.property(fc.anything(), fc.string(), (junk, part) => {
        const good = messageSignature('t', '1', '2', part);
        expect(verifySignature(junk as string, 't', '1', '2', part)).toBe(junk === good);
        expect(verifySignature(good, 't', junk as string)).toBe(typeof junk === 'string' && sha1Signature('t', junk) === good);
      }),
      { numRuns: 500 },
    );
  });
});
