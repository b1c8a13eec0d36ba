/**
 * What the code-management tests share: an emulator without the audit tick (the tests settle the
 * clock themselves), a stand-in 消息与事件接收URL that checks signatures and decrypts with
 * @wecom/crypto, authorizer tokens, and one helper per WeChat API call over real HTTP.
 */
import { startOpenPlatform, type OpenPlatformEmulator, type OpenPlatformOptions } from '../../../emulator/open-platform';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver';
import { authorize, callApi, componentToken, MINI_PROGRAM, type Json } from './support';

export interface CodeTestBed {
  emu: OpenPlatformEmulator;
  /** The latest component token (each `tokenFor` fetches a new one). */
  ct: string;
  /** The message URL's stand-in; `$APPID$` arrives as the `appid` query parameter. */
  receiver: PushReceiver;
  /** Authorizes the account with these sets (default: all it can grant) and returns a fresh authorizer token. */
  tokenFor(appid: string, funcIds?: number[]): Promise<string>;
  /** Calls a WeChat API; `json` is set when the answer is JSON. */
  wx(method: 'GET' | 'POST', path: string, token: string, body?: unknown, query?: Record<string, string>): Promise<WxAnswer>;
  close(): Promise<void>;
}

export interface WxAnswer {
  type: string;
  bytes: Buffer;
  json: Json;
}

/** `auditTickMs` is 0 unless given: the tests decide when the clock is looked at. */
export async function startCodeTestBed(options: OpenPlatformOptions = {}): Promise<CodeTestBed> {
  const emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, auditTickMs: 0, ...options });
  const receiver = await startPushReceiver(emu.component);
  emu.setMessageUrl(`${receiver.url}?appid=$APPID$`);

  /** A fresh ticket and component token each time: tests move the clock by days. */
  async function tokenFor(appid: string, funcIds?: number[]): Promise<string> {
    await emu.pushTicket();
    const fresh = await componentToken(emu);
    bed.ct = fresh;
    const code = await authorize(emu, fresh, appid, funcIds);
    const answer = await callApi(
      emu,
      'api_query_auth',
      { component_appid: emu.component.appId, authorization_code: code },
      { component_access_token: fresh },
    );
    return answer.authorization_info.authorizer_access_token as string;
  }

  async function wx(method: 'GET' | 'POST', path: string, token: string, body?: unknown, query: Record<string, string> = {}) {
    const url = new URL(path, emu.url);
    if (token) url.searchParams.set('access_token', token);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const type = response.headers.get('content-type') ?? '';
    const bytes = Buffer.from(await response.arrayBuffer());
    const json = type.startsWith('application/json') ? (JSON.parse(bytes.toString('utf8')) as Json) : {};
    return { type, bytes, json };
  }

  const bed: CodeTestBed = {
    emu,
    ct: await componentToken(emu),
    receiver,
    tokenFor,
    wx,
    close: async () => {
      await emu.close();
      await receiver.close();
    },
  };
  return bed;
}

export const EXT_JSON = JSON.stringify({ extEnable: true, extAppid: MINI_PROGRAM, ext: { shopId: 'shop-001', theme: 'rose' } });

/** A commit with defaults for the fields the test does not care about. */
export function commitBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { template_id: 1, ext_json: EXT_JSON, user_version: 'v1.0.0', user_desc: 'first release', ...overrides };
}

/** Commit, wait out the privacy scan, and return an item_list built from get_category and get_page. */
export async function commitAndScan(bed: CodeTestBed, token: string, overrides: Record<string, unknown> = {}): Promise<Json[]> {
  const committed = await bed.wx('POST', '/wxa/commit', token, commitBody(overrides));
  expect(committed.json).toMatchObject({ errcode: 0 });
  bed.emu.clock.advance(60);
  const [category] = (await bed.wx('GET', '/wxa/get_category', token)).json.category_list as Json[];
  const [page] = (await bed.wx('GET', '/wxa/get_page', token)).json.page_list as string[];
  return [{ ...category, address: page, title: '首页', tag: '鲜花 预订' }];
}

/** Commit, scan, submit: returns the auditid. */
export async function submitted(bed: CodeTestBed, token: string, overrides: Record<string, unknown> = {}): Promise<number> {
  const items = await commitAndScan(bed, token, overrides);
  const answer = await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items });
  expect(answer.json).toMatchObject({ errcode: 0, auditid: expect.any(Number) });
  return answer.json.auditid as number;
}
