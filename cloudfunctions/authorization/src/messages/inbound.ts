import { isRefusal, openSignedRequest, xmlText, type OpenedPush } from '../crypto';
import { answerReleaseTest, type ReleaseTestDeps } from '../release/cases';
import { releaseTestAccount } from '../release/testAccounts';
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

/** The message URL needs what WeChat's release test does: keys, store, configuration, log, clock. */
export type MessageDeps = ReleaseTestDeps;

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
  return forward(app, appid, type, opened);
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
