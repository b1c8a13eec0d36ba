import { decrypt } from '@wecom/crypto';
import { newTicket } from '../emulator/open-platform/state/codes';
import { payloadXml, sealPush } from '../emulator/open-platform/shared/payload';
import type { ComponentConfig } from '../emulator/open-platform';
import type { LoadRequest } from './http-load';

/**
 * `component_verify_ticket` pushes as WeChat sends them: each with its own ticket, encrypted and
 * signed by @wecom/crypto (through the emulator's sealing, an implementation independent of the
 * function's), POSTed to the authorization-event URL with the signatures in the query.
 */
export interface SealedTicketPush extends LoadRequest {
  /** The envelope's Encrypt field, for the bare-decrypt baseline. */
  encrypt: string;
  ticket: string;
}

/**
 * Each push is newer than the one before (CreateTime one second apart, the last one now), as
 * WeChat's are, so the function really replaces the stored ticket every time.
 */
export function sealTicketPushes(
  component: ComponentConfig,
  pushUrl: URL,
  count: number,
  nowSeconds: number,
): SealedTicketPush[] {
  return Array.from({ length: count }, (_, i) => {
    // Real tickets' length, so the crypto works on real sizes.
    const ticket = newTicket();
    const createTime = nowSeconds - count + 1 + i;
    const plaintext = payloadXml({
      AppId: component.appId,
      CreateTime: createTime,
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: ticket,
    });
    const sealed = sealPush(plaintext, component, createTime);
    const url = new URL(pushUrl);
    for (const [name, value] of Object.entries(sealed.query)) url.searchParams.set(name, value);
    return { path: `${url.pathname}${url.search}`, body: sealed.body, encrypt: envelopeEncrypt(sealed.body), ticket };
  });
}

function envelopeEncrypt(body: string): string {
  const match = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(body);
  if (!match) throw new Error('sealed push has no Encrypt field');
  return match[1];
}

/**
 * The floor under any push pipeline: @wecom/crypto decrypting the same pushes, back to back, in
 * this thread. Repeats the set until at least `minMs` have passed, for a steady rate.
 */
export function bareDecryptRate(
  pushes: SealedTicketPush[],
  encodingAesKey: string,
  minMs = 1000,
): { opsPerSecond: number; checked: number } {
  // Every decrypted message must carry its ticket: a baseline that decrypts garbage measures nothing.
  for (const push of pushes) {
    if (!decrypt(encodingAesKey, push.encrypt).message.includes(push.ticket)) throw new Error('bare decrypt lost a ticket');
  }
  let ops = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    for (const push of pushes) decrypt(encodingAesKey, push.encrypt);
    ops += pushes.length;
  }
  return { opsPerSecond: ops / ((performance.now() - started) / 1000), checked: pushes.length };
}
