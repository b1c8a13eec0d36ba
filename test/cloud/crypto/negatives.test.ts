import {
  MessageCryptoError,
  buildEncryptedReplyXml,
  decryptMessage,
  encryptMessage,
  messageSignature,
  openPush,
  parseEnvelope,
  sealReply,
  type CryptoKeys,
} from '../../../cloudfunctions/authorization/src/crypto';
import { codeOf, errorOf } from './codeOf';
import { KEY_ONE, VECTOR_A, VECTOR_A_KEYS, envelopeXml, fullStr, pad32, rawEncrypt } from './vectors';

const APPID = 'wx_component_0001';
const keys: CryptoKeys = { appId: APPID, token: 'tok-en_1', encodingAesKey: KEY_ONE };

/** A push whose Encrypt is `encrypt`, correctly signed with `keys.token`. */
function signedPush(encrypt: string, body = envelopeXml(encrypt)) {
  const timestamp = '1700000000';
  const nonce = '123456';
  return { timestamp, nonce, msgSignature: messageSignature(keys.token, timestamp, nonce, encrypt), body };
}

/** Encrypts an arbitrary (already aligned) plaintext under KEY_ONE. */
const encryptRaw = (aligned: Buffer) => rawEncrypt(KEY_ONE, aligned);

describe('signature', () => {
  const encrypt = encryptMessage(keys, '<xml><A>1</A></xml>');

  it('accepts a correctly signed push (control)', () => {
    expect(openPush(keys, signedPush(encrypt)).payload.A).toBe('1');
  });

  it.each([
    ['a wrong msg_signature', { msgSignature: 'f'.repeat(40) }],
    ['the signature in upper case', { msgSignature: signedPush(encrypt).msgSignature.toUpperCase() }],
    ['a different nonce', { nonce: '654321' }],
    ['a different timestamp', { timestamp: '1700000001' }],
    ['an empty msg_signature', { msgSignature: '' }],
    ['a truncated msg_signature', { msgSignature: signedPush(encrypt).msgSignature.slice(0, 39) }],
  ])('rejects %s with BAD_SIGNATURE', (_label, change) => {
    expect(codeOf(() => openPush(keys, { ...signedPush(encrypt), ...change }))).toBe('BAD_SIGNATURE');
  });

  it('rejects a tampered Encrypt (signature no longer covers it) with BAD_SIGNATURE', () => {
    const push = signedPush(encrypt);
    const tampered = encryptMessage(keys, '<xml><A>2</A></xml>');
    expect(codeOf(() => openPush(keys, { ...push, body: envelopeXml(tampered) }))).toBe('BAD_SIGNATURE');
  });

  it('rejects a push signed with another token', () => {
    const push = signedPush(encrypt);
    expect(codeOf(() => openPush({ ...keys, token: 'other' }, push))).toBe('BAD_SIGNATURE');
  });

  it('rejects missing query parameters (undefined at runtime) without a TypeError', () => {
    const junk = { ...signedPush(encrypt), msgSignature: undefined as unknown as string };
    expect(codeOf(() => openPush(keys, junk))).toBe('BAD_SIGNATURE');
  });
});

describe('base64', () => {
  it.each([
    ['characters outside the alphabet', 'ab!d'],
    ['the URL-safe alphabet', 'ab-_'],
    ['a length that is not a multiple of 4', 'abcde'],
    ['one character too few (truncated)', VECTOR_A.encrypt.slice(0, -1)],
    ['padding in the middle', 'ab=cabcd'],
    ['three padding characters', 'a==='],
    ['padding on a full quantum', 'abcd===='],
    ['embedded whitespace', 'abcd\nabcd'],
    ['a leading space', ' abcd'],
    ['non-zero bits under the padding', 'QR=='],
    ['non-ASCII characters', 'abc\u00e9'],
  ])('rejects %s with INVALID_BASE64', (_label, text) => {
    expect(codeOf(() => decryptMessage(keys, text))).toBe('INVALID_BASE64');
  });

  it('rejects a truncated Encrypt inside a signed push with INVALID_BASE64', () => {
    const truncated = encryptMessage(keys, '<xml/>').slice(0, -2);
    expect(codeOf(() => openPush(keys, signedPush(truncated)))).toBe('INVALID_BASE64');
  });
});

describe('ciphertext length', () => {
  it.each([
    ['empty', ''],
    ['8 bytes', Buffer.alloc(8).toString('base64')],
    ['31 bytes', Buffer.alloc(31).toString('base64')],
    ['33 bytes', Buffer.alloc(33).toString('base64')],
    ['the vector truncated by one base64 quantum (261 bytes)', VECTOR_A.encrypt.slice(0, -4)],
  ])('rejects %s with BAD_BLOCK_LENGTH', (_label, text) => {
    expect(codeOf(() => decryptMessage(keys, text))).toBe('BAD_BLOCK_LENGTH');
  });
});

describe('padding', () => {
  const body = fullStr('<xml/>', APPID); // 16 + 4 + 6 + 17 = 43 bytes

  it('control: correct padding decrypts', () => {
    expect(decryptMessage(keys, encryptRaw(pad32(body))).message).toBe('<xml/>');
  });

  it('accepts a 16-aligned plaintext with valid padding, as lenient peers produce (documented choice)', () => {
    const padded = Buffer.concat([body, Buffer.alloc(5, 5)]); // 48 bytes
    expect(decryptMessage(keys, encryptRaw(padded)).message).toBe('<xml/>');
  });

  it.each([
    ['a pad byte of 0', 0],
    ['a pad byte of 33', 33],
    ['a pad byte of 255', 255],
  ])('rejects %s with BAD_PADDING', (_label, value) => {
    // Fill with `value` so that the last `value` bytes really are all equal: only the range check can object.
    let fill = Math.max(value, 1);
    while ((body.length + fill) % 32 !== 0) fill++;
    const padded = Buffer.concat([body, Buffer.alloc(fill, value)]);
    expect(codeOf(() => decryptMessage(keys, encryptRaw(padded)))).toBe('BAD_PADDING');
  });

  it('rejects unequal padding bytes with BAD_PADDING', () => {
    const padded = pad32(body); // 21 bytes of 0x15
    padded[padded.length - 2] = 0x14;
    expect(codeOf(() => decryptMessage(keys, encryptRaw(padded)))).toBe('BAD_PADDING');
  });

  it('rejects a pad length larger than the whole plaintext with BAD_PADDING', () => {
    const padded = Buffer.alloc(16, 0x20); // pad byte 32 in a 16-byte plaintext
    expect(codeOf(() => decryptMessage(keys, encryptRaw(padded)))).toBe('BAD_PADDING');
  });
});

describe('msg_len', () => {
  it.each([
    ['one byte past the end', Buffer.byteLength('<xml/>') + APPID.length + 1],
    ['0xFFFFFFFF', 0xffffffff],
  ])('rejects msg_len %s with BAD_LENGTH_FIELD', (_label, lengthField) => {
    const padded = pad32(fullStr('<xml/>', APPID, lengthField));
    expect(codeOf(() => decryptMessage(keys, encryptRaw(padded)))).toBe('BAD_LENGTH_FIELD');
  });

  it('rejects a plaintext shorter than the 20-byte header with BAD_LENGTH_FIELD', () => {
    const padded = pad32(Buffer.alloc(19, 0x61));
    expect(codeOf(() => decryptMessage(keys, encryptRaw(padded)))).toBe('BAD_LENGTH_FIELD');
  });

  it('accepts msg_len exactly at the end when the appid is empty (boundary control)', () => {
    const noAppid = { ...keys, appId: '' };
    expect(decryptMessage(noAppid, encryptRaw(pad32(fullStr('abc', '')))).message).toBe('abc');
  });
});

describe('appid trailer', () => {
  it.each([
    ['another appid', fullStr('<xml/>', 'wx_someone_else_01')],
    ['no trailer', fullStr('<xml/>', '')],
    ['our appid with a suffix', fullStr('<xml/>', `${APPID}x`)],
    ['msg_len one short, so a message byte lands in the trailer', fullStr('<xml/>', APPID, 5)],
  ])('rejects %s with APPID_MISMATCH', (_label, plain) => {
    expect(codeOf(() => decryptMessage(keys, encryptRaw(pad32(plain))))).toBe('APPID_MISMATCH');
  });

  it('rejects a correctly signed push for another platform with APPID_MISMATCH', () => {
    const foreign = encryptMessage({ ...keys, appId: 'wx_other_platform' }, '<xml/>');
    expect(codeOf(() => openPush(keys, signedPush(foreign)))).toBe('APPID_MISMATCH');
  });
});

describe('EncodingAESKey', () => {
  it.each([
    ['42 characters', KEY_ONE.slice(0, 42)],
    ['44 characters', `${KEY_ONE}A`],
    ['empty', ''],
    ['a "+"', `${KEY_ONE.slice(0, 42)}+`],
    ['a "/"', `/${KEY_ONE.slice(1)}`],
    ['a "="', `${KEY_ONE.slice(0, 42)}=`],
    ['a "-"', `-${KEY_ONE.slice(1)}`],
    ['a non-ASCII letter', `\u00e9${KEY_ONE.slice(1)}`],
    ['a space', ` ${KEY_ONE.slice(1)}`],
  ])('rejects a key with %s as INVALID_AES_KEY, in encrypt, decrypt and openPush', (_label, badKey) => {
    const bad = { ...keys, encodingAesKey: badKey };
    const encrypt = encryptMessage(keys, '<xml/>');
    expect(codeOf(() => encryptMessage(bad, 'x'))).toBe('INVALID_AES_KEY');
    expect(codeOf(() => decryptMessage(bad, encrypt))).toBe('INVALID_AES_KEY');
    // the key problem is reported before any problem with the input
    expect(codeOf(() => decryptMessage(bad, '!!!'))).toBe('INVALID_AES_KEY');
    const push = signedPush(encrypt);
    expect(codeOf(() => openPush(bad, push))).toBe('INVALID_AES_KEY');
  });

  it('rejects encrypting with the previous key when none is configured', () => {
    expect(codeOf(() => encryptMessage(keys, 'x', undefined, 'previous'))).toBe('INVALID_AES_KEY');
  });

  it('rejects a random prefix that is not 16 bytes', () => {
    expect(() => encryptMessage(keys, 'x', Buffer.alloc(15))).toThrow(RangeError);
  });
});

describe('XML', () => {
  const billionLaughs = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE lolz [',
    ' <!ENTITY lol "lol">',
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
    ']>',
    '<xml><Encrypt>&lol3;</Encrypt></xml>',
  ].join('\n');

  it.each([
    ['an XML bomb (DOCTYPE with nested entities)', billionLaughs],
    ['an external entity', '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>'],
    ['a lower-case doctype', '<!doctype xml><xml><Encrypt>abcd</Encrypt></xml>'],
    ['a stray ENTITY declaration', '<xml><!ENTITY x "y"><Encrypt>abcd</Encrypt></xml>'],
    ['unclosed tags', '<xml><Encrypt>abcd</xml>'],
    ['mismatched tags', '<xml><Encrypt>abcd</Encrypt2></xml>'],
    ['a root other than <xml>', '<root><Encrypt>abcd</Encrypt></root>'],
    ['two roots', '<xml><Encrypt>abcd</Encrypt></xml><xml/>'],
    ['text outside the root', '<xml><Encrypt>abcd</Encrypt></xml>trailing'],
    ['a __proto__ element', '<xml><__proto__><Encrypt>abcd</Encrypt></__proto__><Encrypt>abcd</Encrypt></xml>'],
    ['an undeclared entity', '<xml><Encrypt>abcd&nbsp;</Encrypt></xml>'],
    ['a character reference to NUL', '<xml><Encrypt>abcd&#0;</Encrypt></xml>'],
    ['a duplicated Encrypt', '<xml><Encrypt>abcd</Encrypt><Encrypt>efgh</Encrypt></xml>'],
    ['a nested Encrypt', '<xml><Encrypt><x>abcd</x></Encrypt></xml>'],
    ['mixed text and elements', '<xml>hello<Encrypt>abcd</Encrypt></xml>'],
    ['not XML at all', 'encrypt=abcd'],
    ['an empty body', ''],
  ])('rejects %s with BAD_XML', (_label, xml) => {
    expect(codeOf(() => parseEnvelope(xml))).toBe('BAD_XML');
  });

  it('rejects a non-string body with BAD_XML', () => {
    expect(codeOf(() => parseEnvelope(undefined as unknown as string))).toBe('BAD_XML');
    expect(codeOf(() => parseEnvelope(Buffer.from('<xml/>') as unknown as string))).toBe('BAD_XML');
  });

  it('rejects an XML bomb inside a correctly signed, correctly encrypted payload', () => {
    const encrypt = encryptMessage(keys, billionLaughs);
    expect(codeOf(() => openPush(keys, signedPush(encrypt)))).toBe('BAD_XML');
  });

  it('rejects a body over 64 KiB with XML_TOO_LARGE, before anything else', () => {
    const big = envelopeXml('A'.repeat(64 * 1024));
    expect(codeOf(() => parseEnvelope(big))).toBe('XML_TOO_LARGE');
    expect(codeOf(() => openPush(keys, { timestamp: '1', nonce: '1', msgSignature: 'x', body: big }))).toBe('XML_TOO_LARGE');
  });

  it('counts UTF-8 bytes, not characters, and honours a custom limit', () => {
    const chinese = `<xml><Encrypt>abcd</Encrypt><N>${'中'.repeat(100)}</N></xml>`; // 300 bytes of 中
    expect(chinese.length).toBeLessThan(200);
    expect(codeOf(() => parseEnvelope(chinese, { maxBytes: 200 }))).toBe('XML_TOO_LARGE');
    expect(parseEnvelope(chinese, { maxBytes: 400 }).encrypt).toBe('abcd');
    const push = signedPush('abcd', chinese);
    expect(codeOf(() => openPush(keys, push, { maxBytes: 200 }))).toBe('XML_TOO_LARGE');
  });

  it.each([
    ['no Encrypt', '<xml><AppId>wx1</AppId></xml>'],
    ['an empty Encrypt', '<xml><Encrypt></Encrypt></xml>'],
    ['an empty CDATA Encrypt', '<xml><Encrypt><![CDATA[]]></Encrypt></xml>'],
    ['a self-closing Encrypt', '<xml><Encrypt/></xml>'],
    ['an empty document element', '<xml></xml>'],
  ])('rejects %s with MISSING_FIELD', (_label, xml) => {
    expect(codeOf(() => parseEnvelope(xml))).toBe('MISSING_FIELD');
  });
});

describe('reply fields', () => {
  const good = { encrypt: 'abcd', msgSignature: 'a'.repeat(40), timeStamp: '1713424427', nonce: '415670741' };

  it('control: good fields build', () => {
    expect(buildEncryptedReplyXml(good)).toContain('<Nonce><![CDATA[415670741]]></Nonce>');
  });

  it.each([
    ['a nonce that closes the CDATA', { nonce: 'x]]><Evil>1</Evil><![CDATA[' }],
    ['a nonce with markup', { nonce: '<a>' }],
    ['a nonce with a newline', { nonce: '1\n2' }],
    ['an empty nonce', { nonce: '' }],
    ['a timestamp that is not digits', { timeStamp: '1713424427</TimeStamp>' }],
    ['an upper-case signature', { msgSignature: 'A'.repeat(40) }],
    ['an Encrypt that is not base64', { encrypt: 'ab]]>' }],
    ['an empty Encrypt', { encrypt: '' }],
  ])('rejects %s with BAD_REPLY_FIELD', (_label, change) => {
    expect(codeOf(() => buildEncryptedReplyXml({ ...good, ...change }))).toBe('BAD_REPLY_FIELD');
  });

  it('sealReply refuses an unsafe nonce too', () => {
    expect(codeOf(() => sealReply(keys, '<xml/>', '1', 'a]]>b'))).toBe('BAD_REPLY_FIELD');
  });
});

describe('error objects', () => {
  it.each([
    ['BAD_SIGNATURE', -40001],
    ['BAD_XML', -40002],
    ['XML_TOO_LARGE', -40002],
    ['MISSING_FIELD', -40002],
    ['INVALID_AES_KEY', -40004],
    ['APPID_MISMATCH', -40005],
    ['BAD_BLOCK_LENGTH', -40007],
    ['BAD_PADDING', -40007],
    ['BAD_LENGTH_FIELD', -40008],
    ['INVALID_BASE64', -40010],
    ['BAD_REPLY_FIELD', -40011],
  ] as const)('%s carries the official legacy code %d', (code, legacy) => {
    const error = new MessageCryptoError(code, 'x');
    expect(error.legacyCode).toBe(legacy);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MessageCryptoError');
  });

  it('never puts the token, key or plaintext into a message', () => {
    const secretKeys: CryptoKeys = { appId: APPID, token: 'SECRET_TOKEN_VALUE', encodingAesKey: KEY_ONE };
    const secretText = '<xml><Ticket>ticket@@@SECRET</Ticket></xml>';
    const wrongApp = encryptMessage({ ...secretKeys, appId: 'wx_other' }, secretText);
    const errors = [
      errorOf(() => decryptMessage(secretKeys, wrongApp)),
      errorOf(() => decryptMessage({ ...secretKeys, encodingAesKey: `${KEY_ONE}X` }, wrongApp)),
      errorOf(() => openPush(secretKeys, { timestamp: '1', nonce: '2', msgSignature: 'bad', body: envelopeXml(wrongApp) })),
      errorOf(() => decryptMessage(VECTOR_A_KEYS, wrongApp)),
    ];
    for (const error of errors) {
      for (const secret of ['SECRET_TOKEN_VALUE', KEY_ONE, 'ticket@@@SECRET', wrongApp]) {
        expect(error.message).not.toContain(secret);
        expect(String(error.stack)).not.toContain(secret);
      }
    }
  });
});
