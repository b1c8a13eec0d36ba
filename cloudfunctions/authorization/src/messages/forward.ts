import { randomInt } from 'node:crypto';
import { parseFlatXml, sha1Signature, xmlText } from '../crypto';
import { sendRequest } from '../httpClient';

/**
 * Hands a merchant's message to the provider's own message service, decrypted, signed the way
 * WeChat signs plain-mode messages (`signature` over COMPONENT_TOKEN, timestamp, nonce) so that
 * service can tell us from anyone else. Its answer: `success`/empty = no reply, or a plaintext
 * passive reply `<xml>…</xml>` that we encrypt for WeChat.
 */
export interface ForwardTarget {
  url: string;
  timeoutMs: number;
  token: string;
}

export type ForwardOutcome = { kind: 'no_reply' } | { kind: 'reply'; xml: string } | { kind: 'failed'; reason: string };

const MAX_REPLY_BYTES = 16 * 1024;

export async function forwardMessage(
  target: ForwardTarget,
  appid: string,
  plaintext: string,
  nowSeconds: number,
): Promise<ForwardOutcome> {
  const url = new URL(target.url);
  const timestamp = String(nowSeconds);
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  url.searchParams.set('appid', appid);
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('signature', sha1Signature(target.token, timestamp, nonce));
  // Capped at the largest reply we pass on: a bigger answer is the service's bug, counted as a failure.
  const outcome = await sendRequest({
    method: 'POST',
    url,
    accept: 'text/xml, text/plain',
    body: { bytes: Buffer.from(plaintext, 'utf8'), contentType: 'text/xml; charset=utf-8' },
    timeoutMs: target.timeoutMs,
    maxBytes: MAX_REPLY_BYTES,
  });
  if (outcome.kind !== 'response') return { kind: 'failed', reason: outcome.kind };
  if (outcome.status < 200 || outcome.status >= 300) return { kind: 'failed', reason: `HTTP ${outcome.status}` };
  const body = outcome.body.toString('utf8').trim();
  if (body === '' || body === 'success') return { kind: 'no_reply' };
  return passiveReply(body);
}

/** Only a well-formed reply with a MsgType goes back to WeChat; anything else is the service's bug. */
function passiveReply(body: string): ForwardOutcome {
  try {
    const reply = parseFlatXml(body, { maxBytes: MAX_REPLY_BYTES });
    if (!xmlText(reply, 'MsgType')) return { kind: 'failed', reason: 'reply without MsgType' };
    return { kind: 'reply', xml: body };
  } catch {
    return { kind: 'failed', reason: 'reply is not XML' };
  }
}
