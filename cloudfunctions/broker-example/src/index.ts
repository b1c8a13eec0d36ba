/**
 * An example of one of the provider's own cloud functions calling WeChat for a merchant through
 * the authorization function's broker (way in 1, `cloud.callFunction`). Its secret is one of the
 * authorization function's BROKER_FUNCTION_SECRETS, kept in this function's BROKER_SECRET, and
 * that entry's scope is all it can do: here, list the accounts and call `/cgi-bin/account/`.
 *
 * Not for deploying as it is: any mini-program user may call a cloud function, and this one
 * answers whoever calls it. A real caller decides for whom it acts before it asks the broker.
 *
 *   {}                 -> the first authorized accounts
 *   { appid: "wx…" }   -> that account's basic information, fetched live from WeChat
 */
import cloud = require('wx-server-sdk');
import { BrokerCloudClient, BrokerError, type CloudFunctionCaller } from '../../../clients/broker-client/src';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });

const broker = new BrokerCloudClient(cloud as unknown as CloudFunctionCaller, { secret: process.env.BROKER_SECRET ?? '' });

interface BasicInfo {
  principal_name?: string;
  nickname_info?: { nickname?: string };
}

export async function main(event: { appid?: unknown }): Promise<unknown> {
  try {
    if (typeof event.appid !== 'string') {
      const page = await broker.listAuthorizers({ limit: 10 });
      return { accounts: page.authorizers.map(({ appid, name, kind, status }) => ({ appid, name, kind, status })) };
    }
    const answer = await broker.call(event.appid, { method: 'GET', path: '/cgi-bin/account/getaccountbasicinfo' });
    if (answer.errcode !== 0) return { appid: event.appid, errcode: answer.errcode };
    const info = answer.json<BasicInfo>();
    return { appid: event.appid, errcode: 0, nickname: info.nickname_info?.nickname, principal: info.principal_name };
  } catch (error) {
    // The broker's refusal as it came: a code to branch on and what to do, never a token.
    if (error instanceof BrokerError) return { error: { code: error.code, message: error.message, scope: error.scope } };
    throw error;
  }
}
