/** The admin page's view of the broker: its callers with their usage, usage per authorizer, a live test call. */
import type { ApiUsage, BrokerCallerView, TestCallReport } from '../../../../typings/api';
import type { BrokerDeps } from './deps';
import type { BrokerCredential } from '../config';
import { BrokerRefusal } from './refusal';
import { errcodeOf } from './proxy';
import { brokerOf } from './services';

export const TEST_CALL_PATH = '/cgi-bin/account/getaccountbasicinfo';

export async function authorizerUsage(app: BrokerDeps, appid: string): Promise<{ usage: ApiUsage[] }> {
  const docs = await brokerOf(app).usage.ofAppid(appid);
  return { usage: docs.map(({ api, calls, errors, lastErrcode, lastAt }) => ({ api, calls, errors, lastErrcode, lastAt })) };
}

/** Every configured caller (never its secret) with what it may do and what it did. */
export async function brokerCallers(app: BrokerDeps): Promise<{ callers: BrokerCallerView[] }> {
  const { brokerClientKeys, brokerFunctionSecrets } = app.config;
  const all = [
    ...brokerClientKeys.map((c) => ({ way: 'http' as const, c })),
    ...brokerFunctionSecrets.map((c) => ({ way: 'function' as const, c })),
  ];
  return { callers: await Promise.all(all.map(({ way, c }) => callerView(app, way, c))) };
}

async function callerView(app: BrokerDeps, way: 'http' | 'function', credential: BrokerCredential): Promise<BrokerCallerView> {
  const rows = await brokerOf(app).usage.ofCaller({ way, id: credential.id });
  const usage = rows.map(({ api, calls, errors, refused, lastOutcome, lastMissing, lastAt }) => ({
    api,
    calls,
    errors,
    refused,
    lastOutcome,
    lastMissing: lastMissing ?? null,
    lastAt,
  }));
  const sum = (field: 'calls' | 'errors' | 'refused') => usage.reduce((total, row) => total + row[field], 0);
  return {
    way,
    id: credential.id,
    revoked: credential.revoked,
    legacyScope: credential.legacyScope,
    scope: { ops: [...credential.scope.ops], apis: [...credential.scope.apis], appids: credential.scope.appids },
    totals: { calls: sum('calls'), errors: sum('errors'), refused: sum('refused'), lastAt: usage[0]?.lastAt ?? null },
    usage,
  };
}

/** Fetches the account's basic information through the broker, as a provider's service would. */
export async function testAuthorizerCall(app: BrokerDeps, appid: string): Promise<TestCallReport> {
  try {
    const answer = await brokerOf(app).proxy.forAuthorizer(appid, { method: 'GET', path: TEST_CALL_PATH, query: {} });
    const errcode = errcodeOf(answer);
    if (errcode !== 0) return { ok: false, errcode, message: `微信返回错误码 ${errcode}，请稍后重试或查看微信文档` };
    const info = JSON.parse(answer.body.toString('utf8')) as { nickname_info?: { nickname?: string }; principal_name?: string };
    return {
      ok: true,
      errcode: 0,
      message: '调用成功：已从微信取回账号基本信息',
      nickname: info.nickname_info?.nickname ?? '',
      principalName: info.principal_name ?? '',
    };
  } catch (error) {
    if (!(error instanceof BrokerRefusal)) throw error;
    return { ok: false, errcode: error.body.errcode ?? -1, message: refusalText(error) };
  }
}

function refusalText({ body }: BrokerRefusal): string {
  switch (body.code) {
    case 'UNKNOWN_AUTHORIZER':
      return '该账号没有授权本平台';
    case 'AUTHORIZER_UNAVAILABLE':
      return body.state === 'revoked' ? '商家已取消授权，需要商家重新授权' : '授权已失效，需要商家重新授权（更新授权）';
    case 'SET_NOT_GRANTED':
      return `商家未授予「${body.permissionSet?.name ?? '该接口所属'}」权限集，请商家更新授权时勾选`;
    case 'NOT_READY':
      return '令牌正在刷新，请稍后重试';
    default:
      return '微信暂时不可用，请稍后重试';
  }
}
