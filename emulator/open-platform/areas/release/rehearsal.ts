/**
 * WeChat's 全网发布 test (spec §11), replayed against the platform's two URLs: per test account,
 * a ticket push, a pre_auth_code, an authorization, the message cases its permission set calls
 * for, and the un-authorization. Each item is judged as the result page judges it.
 */
import { MESSAGE_SET_OF } from '../../state/fixtures';
import type { PlatformState } from '../../state/platform-state';
import type { PlatformFlows } from '../../state/ports';
import type { ApiCallRecord, CustomMessageRecord, PushRecord } from '../../state/types';
import { KIND_NAMES, RELEASE_GROUPS, RELEASE_TEST_ACCOUNTS, type ReleaseKind, type ReleaseTestAccount } from './accounts';
import { sendMessage, type MessageDelivery } from '../../shared/message-channel';
import { openReply } from './reply';

/** The result page's items, in its order. */
export const ITEM_NAMES = [
  'component_verify_ticket',
  '预授权码',
  '授权',
  '取消授权',
  '返回Api文本消息',
  '返回普通文本消息',
] as const;
export type ItemName = (typeof ITEM_NAMES)[number];

export const TEST_TEXT = 'TESTCOMPONENT_MSG_TYPE_TEXT';
export const QUERY_AUTH_CODE_PREFIX = 'QUERY_AUTH_CODE:';

export interface RehearsalOptions {
  /** Default: all five. */
  groups?: number[];
  /** The permission sets ticked on the platform (1: OA messages, 19: mini-program messages). Default [1, 19]. */
  selectedFuncIds?: number[];
  /** WeChat's limit for an answer on the message URL. Default 5000. */
  replyDeadlineMs?: number;
  /** How long after QUERY_AUTH_CODE the customer-service message may take. Default 10000. */
  apiMessageDeadlineMs?: number;
  /**
   * Makes the platform obtain a pre_auth_code (a merchant starts an authorization). Called once
   * per rehearsal, not per test account: see preAuthCodeItem.
   */
  requestPreAuthCode?: () => Promise<void>;
}

export interface RehearsalItem {
  name: ItemName;
  ok: boolean;
  skipped: boolean;
  detail: string;
  ms?: number;
}

export interface RehearsalTest {
  group: number;
  kind: ReleaseKind;
  appid: string;
  userName: string;
  ok: boolean;
  items: RehearsalItem[];
}

export interface RehearsalReport {
  ok: boolean;
  selectedFuncIds: number[];
  tests: RehearsalTest[];
}

export interface RehearsalDeps {
  state: PlatformState;
  flows: PlatformFlows;
  calls: ApiCallRecord[];
  customMessages: CustomMessageRecord[];
}

const pass = (name: ItemName, detail: string, ms?: number): RehearsalItem => ({ name, ok: true, skipped: false, detail, ms });
const fail = (name: ItemName, detail: string, ms?: number): RehearsalItem => ({ name, ok: false, skipped: false, detail, ms });
const skip = (name: ItemName, detail: string): RehearsalItem => ({ name, ok: true, skipped: true, detail });

export async function rehearse(deps: RehearsalDeps, options: RehearsalOptions = {}): Promise<RehearsalReport> {
  const selected = options.selectedFuncIds ?? [MESSAGE_SET_OF.official_account, MESSAGE_SET_OF.mini_program];
  const groups = options.groups ?? [...RELEASE_GROUPS];
  const preAuth = preAuthCodeCheck(deps, options);
  const tests: RehearsalTest[] = [];
  for (const group of groups) {
    for (const account of accountsToTest(group, selected)) tests.push(await runTest(deps, account, selected, options, preAuth));
  }
  return { ok: tests.length > 0 && tests.every((test) => test.ok), selectedFuncIds: selected, tests };
}

/** The accounts whose message set is ticked; with neither, the official account (no message cases). */
function accountsToTest(group: number, selected: number[]): ReleaseTestAccount[] {
  const inGroup = RELEASE_TEST_ACCOUNTS.filter((account) => account.group === group);
  const withMessages = inGroup.filter((account) => selected.includes(MESSAGE_SET_OF[account.kind]));
  return withMessages.length > 0 ? withMessages : inGroup.filter((account) => account.kind === 'official_account');
}

async function runTest(
  deps: RehearsalDeps,
  account: ReleaseTestAccount,
  selected: number[],
  options: RehearsalOptions,
  preAuth: () => Promise<RehearsalItem>,
): Promise<RehearsalTest> {
  const messagesSelected = selected.includes(MESSAGE_SET_OF[account.kind]);
  const skipped = `平台未勾选权限集 ${MESSAGE_SET_OF[account.kind]}（${KIND_NAMES[account.kind]}消息管理），跳过`;
  startClean(deps.state, account.appid);
  const byName = new Map<ItemName, RehearsalItem>();
  byName.set('component_verify_ticket', pushItem('component_verify_ticket', await deps.flows.pushTicket().done));
  byName.set('预授权码', await preAuth());
  byName.set('授权', await authorizeItem(deps, account, selected));
  byName.set(
    '返回普通文本消息',
    messagesSelected ? await plainTextItem(deps, account, options) : skip('返回普通文本消息', skipped),
  );
  byName.set('返回Api文本消息', messagesSelected ? await apiTextItem(deps, account, options) : skip('返回Api文本消息', skipped));
  byName.set('取消授权', pushItem('取消授权', await deps.flows.revoke(account.appid).done));
  const items = ITEM_NAMES.map((name) => byName.get(name)!);
  return {
    group: account.group,
    kind: account.kind,
    appid: account.appid,
    userName: account.userName,
    ok: items.every((item) => item.ok),
    items,
  };
}

/** A rerun starts from an unauthorized test account, as WeChat's accounts do. */
function startClean(state: PlatformState, appid: string): void {
  if (state.authorizations.revoke(appid)) state.authorizerTokens.revokeKey(appid);
}

function pushItem(name: ItemName, record: PushRecord): RehearsalItem {
  const last = record.attempts[record.attempts.length - 1];
  if (record.delivered) return pass(name, '推送已回复 success', last?.ms);
  const why = last
    ? (last.error ?? `HTTP ${last.status}，回复「${(last.body ?? '').slice(0, 60)}」而不是 success`)
    : (record.reason ?? '未送达');
  return fail(name, `推送失败：${why}`, last?.ms);
}

/**
 * The 预授权码 item: the platform obtained a pre_auth_code during the test. A person (or the local
 * stack, as one merchant) starts one authorization for the whole rehearsal and every test account's
 * item is judged on it. Asking once per account would be one merchant tapping ten times within a
 * minute, which the product's own per-merchant limit (SESSIONS_PER_MINUTE) rightly refuses; the
 * limit stays as it is, with no exemption anyone could borrow.
 */
function preAuthCodeCheck(deps: RehearsalDeps, options: RehearsalOptions): () => Promise<RehearsalItem> {
  const since = deps.state.clock.now();
  let requested: Promise<string | undefined> | undefined;
  return async () => {
    if (options.requestPreAuthCode) {
      requested ??= options.requestPreAuthCode().then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const failure = await requested;
      if (failure !== undefined) return fail('预授权码', `发起授权失败：${failure}`);
    }
    const from = options.requestPreAuthCode ? since : 0;
    const got = deps.calls.some((call) => call.api === 'api_create_preauthcode' && call.errcode === 0 && call.at >= from);
    return got
      ? pass('预授权码', '平台成功获取了 pre_auth_code')
      : fail('预授权码', '平台没有成功调用 api_create_preauthcode（请在检测期间发起一次授权）');
  };
}

async function authorizeItem(deps: RehearsalDeps, account: ReleaseTestAccount, selected: number[]): Promise<RehearsalItem> {
  const { code: preAuthCode } = deps.state.preAuthCodes.issue({});
  deps.state.preAuthCodes.consume(preAuthCode);
  const funcIds = selected.length > 0 ? selected : [MESSAGE_SET_OF[account.kind]];
  const { push, pushDone } = deps.flows.grant(account.appid, funcIds, preAuthCode);
  const record = (await pushDone) ?? push;
  return record ? pushItem('授权', record) : fail('授权', '没有产生 authorized 推送');
}

async function plainTextItem(
  deps: RehearsalDeps,
  account: ReleaseTestAccount,
  options: RehearsalOptions,
): Promise<RehearsalItem> {
  const name = '返回普通文本消息';
  const delivery = await send(deps, account, TEST_TEXT, options);
  const late = lateOrBroken(delivery, options);
  if (late) return fail(name, late, delivery.ms);
  const reply = openReply(deps.state.component, delivery.body ?? '');
  if (!reply.ok) return fail(name, reply.reason, delivery.ms);
  const { MsgType, Content, ToUserName, FromUserName } = reply.fields;
  const expected = `${TEST_TEXT}_callback`;
  if (MsgType !== 'text' || Content !== expected)
    return fail(name, `回复内容应为文本「${expected}」，实际为 ${MsgType ?? '?'}「${Content ?? ''}」`, delivery.ms);
  if (ToUserName !== account.testerOpenid || FromUserName !== account.userName)
    return fail(name, '回复的 ToUserName/FromUserName 不对（应回给发送者）', delivery.ms);
  return pass(name, `${delivery.ms} ms 内收到加密回复「${expected}」`, delivery.ms);
}

async function apiTextItem(deps: RehearsalDeps, account: ReleaseTestAccount, options: RehearsalOptions): Promise<RehearsalItem> {
  const name = '返回Api文本消息';
  const { code } = deps.state.authCodes.issue({ authorizerAppid: account.appid, preAuthCode: '' });
  const sentAt = Date.now();
  const delivery = await send(deps, account, `${QUERY_AUTH_CODE_PREFIX}${code}`, options);
  const late = lateOrBroken(delivery, options);
  if (late) return fail(name, late, delivery.ms);
  const answer = (delivery.body ?? '').trim();
  if (answer !== '' && answer !== 'success') return fail(name, `应先回复空串，实际回复了「${answer.slice(0, 60)}」`, delivery.ms);
  const expected = `${code}_from_api`;
  const deadline = sentAt + (options.apiMessageDeadlineMs ?? 10_000);
  const found = await waitFor(() => customMessageTo(deps, account, sentAt), deadline);
  if (!found) return fail(name, `${options.apiMessageDeadlineMs ?? 10_000} ms 内没有收到客服消息`);
  const ms = found.at - sentAt;
  if (found.msgtype !== 'text' || found.content !== expected)
    return fail(name, '客服消息内容应为「$query_auth_code$_from_api」', ms);
  if (deps.state.authCodes.status(code) !== 'used') return fail(name, 'query_auth_code 没有用 api_query_auth 换取', ms);
  return pass(name, `回复空串，消息发出后 ${ms} ms 收到客服消息「…_from_api」`, ms);
}

function send(
  deps: RehearsalDeps,
  account: ReleaseTestAccount,
  content: string,
  options: RehearsalOptions,
): Promise<MessageDelivery> {
  const nowSeconds = deps.state.clock.nowSeconds();
  const fields = { MsgType: 'text', Content: content, MsgId: Number(`${nowSeconds}${Math.floor(Math.random() * 1e6)}`) };
  const target = { appid: account.appid, userName: account.userName, openid: account.testerOpenid };
  return sendMessage(deps.state.component, target, fields, options.replyDeadlineMs ?? 5000, nowSeconds);
}

function lateOrBroken(delivery: MessageDelivery, options: RehearsalOptions): string | undefined {
  const deadline = options.replyDeadlineMs ?? 5000;
  if (delivery.error) return delivery.url ? `${deadline} ms 内没有收到回复（${delivery.error}）` : delivery.error;
  if (delivery.status !== 200) return `消息与事件接收URL 回复了 HTTP ${delivery.status}`;
  return undefined;
}

function customMessageTo(deps: RehearsalDeps, account: ReleaseTestAccount, since: number): CustomMessageRecord | undefined {
  return deps.customMessages.find(
    (m) => m.authorizerAppid === account.appid && m.touser === account.testerOpenid && m.at >= since,
  );
}

async function waitFor<T>(probe: () => T | undefined, deadline: number): Promise<T | undefined> {
  for (;;) {
    const found = probe();
    if (found || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
