import { createHash } from 'node:crypto';
import { sha1Signature, verifySignature, verifyUrlSignature } from '../../../cloudfunctions/authorization/src/crypto';

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

describe('sha1Signature', () => {
  it('sorts, joins without separator and hashes to lowercase hex', () => {
    expect(sha1Signature('c', 'a', 'b')).toBe(sha1('abc'));
    expect(sha1Signature('b', 'a')).toMatch(/^[0-9a-f]{40}$/);
    expect(sha1Signature('1714036504', 'AAAAA', '1514711492')).toBe(sha1('1514711492' + '1714036504' + 'AAAAA'));
  });

  it('is independent of argument order', () => {
    expect(sha1Signature('token', '1', '2', 'enc')).toBe(sha1Signature('enc', '2', 'token', '1'));
  });

  it('sorts by UTF-8 bytes, as the official samples do', () => {
    // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in bytes, after it in UTF-16 units.
    expect(sha1Signature('\u{1F600}', '\uFF21')).toBe(sha1('\uFF21\u{1F600}'));
  });
});

describe('verifySignature', () => {
  const good = sha1Signature('t', '1', '2');

  it('accepts the exact signature', () => {
    expect(verifySignature(good, 't', '1', '2')).toBe(true);
    expect(verifyUrlSignature('t', good, '1', '2')).toBe(true);
  });

  it.each([
    ['a different signature', 'f'.repeat(40)],
    ['upper case', good.toUpperCase()],
    ['one character short', good.slice(1)],
    ['one character long', `${good}0`],
    ['empty', ''],
    ['multi-byte characters of the same length', 'é'.repeat(40)],
  ])('rejects %s', (_label, candidate) => {
    expect(verifySignature(candidate, 't', '1', '2')).toBe(false);
  });

  it.each([undefined, null, 42, ['a'], { length: 40 }])('returns false instead of throwing for %p', (junk) => {
    expect(verifySignature(junk as unknown as string, 't', '1', '2')).toBe(false);
    expect(verifySignature(good, 't', junk as unknown as string, '2')).toBe(false);
    expect(verifyUrlSignature('t', good, '1', junk as unknown as string)).toBe(false);
  });
});
