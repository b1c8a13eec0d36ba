/**
 * The emulator's 全网发布 side: the release switch and test list, the customer-service message API
 * with its token rule, and the message channel's sealing (checked with our own crypto).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfirmError,
  RELEASE_TEST_ACCOUNTS,
  sendMessage,
  startOpenPlatform,
  type OpenPlatformEmulator,
} from '../../../emulator/open-platform';
import { openPush } from '../../../cloudfunctions/authorization/src/crypto';
import { adminJson, authorize, callApi, componentToken, preAuthCode, request, SERVICE_OA, SUBSCRIPTION_OA } from './support';

let emu: OpenPlatformEmulator;
let token: string;
beforeEach(async () => {
  emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0 });
  token = await componentToken(emu);
});
afterEach(() => emu.close());

const userNameOf = (appid: string) => emu.accounts.find((a) => a.appid === appid)!.userName;

describe('release switch', () => {
  it('before 全网发布 only accounts on the test list can authorize; after it, anyone', async () => {
    const { status } = await adminJson(emu, 'POST', '/__emulator/release', {
      released: false,
      testList: [userNameOf(SERVICE_OA)],
    });
    expect(status).toBe(200);
    await expect(authorize(emu, token, SERVICE_OA)).resolves.toMatch(/^queryauthcode@@@/);
    const refused = emu.confirmAuthorization({
      preAuthCode: await preAuthCode(emu, token),
      authorizerAppid: SUBSCRIPTION_OA,
      channel: 'plugin',
    });
    await expect(refused).rejects.toMatchObject({ code: 'not_in_test_list' });
    await expect(refused).rejects.toBeInstanceOf(ConfirmError);

    await adminJson(emu, 'POST', '/__emulator/release', { released: true });
    await expect(authorize(emu, token, SUBSCRIPTION_OA)).resolves.toMatch(/^queryauthcode@@@/);
    expect((await adminJson(emu, 'GET', '/__emulator/release')).json).toMatchObject({
      released: true,
      testList: [userNameOf(SERVICE_OA)],
    });
  });

  it("the plugin stand-in shows WeChat's refusal; a bad test list is refused", async () => {
    await adminJson(emu, 'POST', '/__emulator/release', { released: false, testList: [] });
    const answer = await adminJson(emu, 'POST', '/__emulator/plugin/confirm', {
      preAuthCode: await preAuthCode(emu, token),
      authorizerAppid: SERVICE_OA,
    });
    expect(answer.json).toMatchObject({ ok: false, error: 'not_in_test_list', message: expect.stringContaining('尚未全网发布') });
    const tooMany = Array.from({ length: 11 }, (_, i) => `gh_${String(i).padStart(12, '0')}`);
    expect((await adminJson(emu, 'POST', '/__emulator/release', { testList: tooMany })).status).toBe(400);
    expect((await adminJson(emu, 'POST', '/__emulator/release', { testList: ['wx8c41f2a9e6d07b13'] })).status).toBe(400);
  });
});

describe('/cgi-bin/message/custom/send', () => {
  const send = (query: string, body: unknown) =>
    request('POST', `${emu.url}/cgi-bin/message/custom/send${query}`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((answer) => JSON.parse(answer.body) as { errcode: number });
  const message = { touser: 'o-user', msgtype: 'text', text: { content: '你好' } };

  it('takes an authorizer token and records the message', async () => {
    const code = await authorize(emu, token, SERVICE_OA);
    const auth = await callApi(
      emu,
      'api_query_auth',
      { component_appid: emu.component.appId, authorization_code: code },
      { component_access_token: token },
    );
    const accessToken = auth.authorization_info.authorizer_access_token as string;
    expect(await send(`?access_token=${encodeURIComponent(accessToken)}`, message)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(emu.customMessages).toEqual([
      expect.objectContaining({ authorizerAppid: SERVICE_OA, touser: 'o-user', msgtype: 'text', content: '你好' }),
    ]);
    expect((await send(`?access_token=${encodeURIComponent(accessToken)}`, { ...message, touser: '' })).errcode).toBe(40003);
    expect((await send(`?access_token=${encodeURIComponent(accessToken)}`, { ...message, text: {} })).errcode).toBe(47001);
  });

  it('refuses a missing token, a component token and an unknown one', async () => {
    expect((await send('', message)).errcode).toBe(41001);
    expect((await send(`?access_token=${encodeURIComponent(token)}`, message)).errcode).toBe(61015);
    expect((await send('?access_token=85_nope', message)).errcode).toBe(40014);
    expect(emu.customMessages).toEqual([]);
  });
});

describe('message channel', () => {
  it('seals a ToUserName envelope with the platform keys to the URL with $APPID$ replaced', async () => {
    const received: { url: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.end('success');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      emu.setMessageUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/wx/message/$APPID$`);
      const account = RELEASE_TEST_ACCOUNTS[0];
      const target = { appid: account.appid, userName: account.userName, openid: account.testerOpenid };
      const delivery = await sendMessage(
        emu.component,
        target,
        { MsgType: 'text', Content: 'TESTCOMPONENT_MSG_TYPE_TEXT' },
        2000,
        1700000000,
      );
      expect(delivery).toMatchObject({ status: 200, body: 'success' });
      const url = new URL(received[0].url, 'http://x');
      expect(url.pathname).toBe(`/wx/message/${account.appid}`);
      const query = Object.fromEntries(url.searchParams);
      expect(query).toMatchObject({ openid: account.testerOpenid, encrypt_type: 'aes', timestamp: '1700000000' });
      const { component } = emu;
      const opened = openPush(
        { appId: component.appId, token: component.token, encodingAesKey: component.encodingAesKey },
        { timestamp: query.timestamp, nonce: query.nonce, msgSignature: query.msg_signature, body: received[0].body },
      );
      expect(opened.envelopeToUserName).toBe(account.userName);
      expect(opened.payload).toMatchObject({
        ToUserName: account.userName,
        FromUserName: account.testerOpenid,
        MsgType: 'text',
        Content: 'TESTCOMPONENT_MSG_TYPE_TEXT',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
