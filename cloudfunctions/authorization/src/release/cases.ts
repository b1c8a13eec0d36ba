import type { App } from '../app';
import type { KeyUsed } from '../crypto';
import { EMPTY_REPLY, NO_REPLY, sealedReply, textReplyXml, type MessageReply } from '../messages/replies';
import { kickJob, recordJob, type JobDeps } from './jobs';
import type { ReleaseTestAccount } from './testAccounts';

/** The two message cases of WeChat's release test (spec §11), exactly as documented. */
export const TEST_TEXT = 'TESTCOMPONENT_MSG_TYPE_TEXT';
export const TEST_TEXT_REPLY = `${TEST_TEXT}_callback`;
export const QUERY_AUTH_CODE_PREFIX = 'QUERY_AUTH_CODE:';
const CODE = /^[A-Za-z0-9@_\-=+/.]{1,512}$/;

/** A test account's messages are answered sealed with the platform's keys, or become a job. */
export type ReleaseTestDeps = JobDeps & Pick<App, 'keys'>;

export interface TestMessage {
  account: ReleaseTestAccount;
  msgType: string;
  content: string;
  fromUser: string;
  keyUsed: KeyUsed;
}

export async function answerReleaseTest(app: ReleaseTestDeps, message: TestMessage): Promise<MessageReply> {
  if (message.msgType !== 'text') return NO_REPLY;
  const nowSeconds = Math.floor(app.now() / 1000);
  if (message.content === TEST_TEXT) {
    const xml = textReplyXml({
      toUser: message.fromUser,
      fromAccount: message.account.userName,
      content: TEST_TEXT_REPLY,
      nowSeconds,
    });
    return sealedReply(app.keys, xml, message.keyUsed, nowSeconds);
  }
  if (!message.content.startsWith(QUERY_AUTH_CODE_PREFIX)) return NO_REPLY;
  const code = message.content.slice(QUERY_AUTH_CODE_PREFIX.length);
  if (!CODE.test(code)) return NO_REPLY;
  const id = await recordJob(app, { appid: message.account.appid, touser: message.fromUser, code });
  await kickJob(app.config.publicBaseUrl, id);
  return EMPTY_REPLY;
}
