import { isRefusal, openSignedRequest, xmlText, type OpenedPush, type XmlRecord } from '../crypto';
import { answerReleaseTest, type ReleaseTestDeps } from '../release/cases';
import { releaseTestAccount } from '../release/testAccounts';
import type { Shipping } from '../shipping/shipping';
import type { AuditEvent } from '../shipping/stages';
import { forwardMessage } from './forward';
import { NO_REPLY, sealedReply, type MessageReply } from './replies';
import { countForwardFailure, countMessage, messageTypeOf } from './stats';

/**
 * The message-and-event URL (spec §16): `…/message/<APPID>` receives every authorizer's messages,
 * encrypted with the platform's keys. A message is accepted only if it is signed by WeChat, decrypts
 * with our key and appid trailer, and is addressed to an account we serve under that appid: an
 * active authorizer, or one of WeChat's release-test accounts. Anything else is refused before
 * anything is stored.
 */
const APPID = /^wx[0-9a-zA-Z]{16}$/;

/** The message URL needs what WeChat's release test does (keys, store, configuration, log, clock) and shipping. */
export type MessageDeps = ReleaseTestDeps & { shipping: Pick<Shipping, 'onAuditEvent'> };

interface Addressee {
  userName: string;
  testAccount: ReturnType<typeof releaseTestAccount>;
}

export async function handleMessage(
  app: MessageDeps,
  appid: string,
  query: Record<string, string | undefined>,
  body: string,
): Promise<MessageReply> {
  if (!APPID.test(appid)) return { status: 404, body: 'not found' };
  const opened = openSignedRequest(app.keys, { query, body });
  if (isRefusal(opened)) {
    app.log.warn('message rejected', { reason: opened.reason });
    return { status: opened.status, body: opened.body };
  }
  const addressee = await addresseeOf(app, appid);
  if (!addressee) return refuse(app, 'unknown appid');
  const payload = opened.payload;
  const toUser = xmlText(payload, 'ToUserName') ?? '';
  const envelopeTo = opened.envelopeToUserName;
  // The envelope is unsigned, the payload is: both must name the account this URL is for.
  if (toUser !== addressee.userName || (envelopeTo !== undefined && envelopeTo !== toUser))
    return refuse(app, 'addressed to another account');
  const msgType = xmlText(payload, 'MsgType') ?? '';
  const fromUser = xmlText(payload, 'FromUserName') ?? '';
  if (!msgType || !fromUser) return { status: 400, body: 'rejected: incomplete message' };

  const type = messageTypeOf(msgType, xmlText(payload, 'Event') ?? '');
  await countMessage(app.repositories.messageStats, appid, type, app.now());
  if (addressee.testAccount) {
    return answerReleaseTest(app, {
      account: addressee.testAccount,
      msgType,
      content: xmlText(payload, 'Content') ?? '',
      fromUser,
      keyUsed: opened.keyUsed,
    });
  }
  await applyAuditEvent(app, appid, payload);
  return forward(app, appid, type, opened);
}

const AUDIT_EVENTS = new Set<string>(['weapp_audit_success', 'weapp_audit_fail', 'weapp_audit_delay']);

/**
 * An audit result (spec §6.2) moves the app's open ship item, if any; the message is forwarded
 * as any other. A failure here never fails the reply: the timer's poll of silent audits catches up.
 */
async function applyAuditEvent(app: MessageDeps, appid: string, payload: XmlRecord): Promise<void> {
  const event = xmlText(payload, 'Event') ?? '';
  if (xmlText(payload, 'MsgType') !== 'event' || !AUDIT_EVENTS.has(event)) return;
  const audit: AuditEvent = {
    event: event as AuditEvent['event'],
    createdAt: Number(xmlText(payload, 'CreateTime') ?? 0) * 1000,
    reason: xmlText(payload, 'Reason') || null,
    screenshot: xmlText(payload, 'ScreenShot') || xmlText(payload, 'Screenshot') || null,
  };
  try {
    const moved = await app.shipping.onAuditEvent(appid, audit);
    app.log.info('audit event', { appid, event, moved: moved.length });
  } catch (error) {
    app.log.warn('audit event not applied', { appid, event, error: error instanceof Error ? error.message : String(error) });
  }
}

async function addresseeOf(app: MessageDeps, appid: string): Promise<Addressee | null> {
  const testAccount = releaseTestAccount(appid);
  if (testAccount) return { userName: testAccount.userName, testAccount };
  const doc = await app.repositories.authorizers.get(appid);
  if (!doc || doc.status !== 'active' || !doc.userName) return null;
  return { userName: doc.userName, testAccount: undefined };
}

function refuse(app: MessageDeps, reason: string): MessageReply {
  app.log.warn('message rejected', { reason });
  return { status: 403, body: `rejected: ${reason}` };
}

/** To the provider's service if there is one; WeChat gets `success` whatever happens there. */
async function forward(app: MessageDeps, appid: string, type: string, opened: OpenedPush): Promise<MessageReply> {
  const { messageForwardUrl: url, messageForwardTimeoutMs: timeoutMs, messageToken: token } = app.config;
  if (!url) return NO_REPLY;
  const nowSeconds = Math.floor(app.now() / 1000);
  const outcome = await forwardMessage({ url, timeoutMs, token }, appid, opened.plaintext, nowSeconds);
  if (outcome.kind === 'reply') return sealedReply(app.keys, outcome.xml, opened.keyUsed, nowSeconds);
  if (outcome.kind === 'failed') {
    app.log.warn('message forward failed', { appid, type, reason: outcome.reason });
    await countForwardFailure(app.repositories.messageStats, appid, type);
  }
  return NO_REPLY;
}
