/**
 * The emulated code management over real HTTP (spec code-management.md): commit → privacy scan →
 * submit → the audit decided on the emulated clock → the event delivered encrypted to the message
 * URL → release → rollback; rejection and delay; what commit keeps; the token and set-18 rules.
 */
import { openPush } from '../../../cloudfunctions/authorization/src/crypto';
import { AUDIT_EVENT_SENDER_OPENID, TEMPLATE_PAGES } from '../../../emulator/open-platform';
import { adminJson, MINI_GAME, MINI_PROGRAM, RID, SERVICE_OA, type Json } from './support';
import { commitAndScan, commitBody, startCodeTestBed, submitted, type CodeTestBed } from './code-management-support';

let bed: CodeTestBed;
beforeEach(async () => {
  bed = await startCodeTestBed();
});
afterEach(() => bed.close());

const userNameOf = (appid: string) => bed.emu.accounts.find((account) => account.appid === appid)!.userName;

describe('the full path', () => {
  it('commit → submit → success event (encrypted, $APPID$) → release → second version → rollback', async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    const { wx, emu, receiver } = bed;

    expect((await wx('POST', '/wxa/commit', token, commitBody())).json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await wx('GET', '/wxa/security/get_code_privacy_info', token)).json.errcode).toBe(61039);
    expect((await wx('POST', '/wxa/submit_audit', token, { item_list: [] })).json.errcode).toBe(61039);
    emu.clock.advance(60);
    expect((await wx('GET', '/wxa/security/get_code_privacy_info', token)).json).toMatchObject({
      errcode: 0,
      without_auth_list: [],
      without_conf_list: [],
    });
    expect((await wx('GET', '/wxa/get_page', token)).json.page_list).toEqual(TEMPLATE_PAGES);
    const qr = await wx('GET', '/wxa/get_qrcode', token, undefined, { path: 'pages/index/index?from=qa' });
    expect(qr.type).toBe('image/jpeg');
    expect(qr.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    const items = await commitAndScan(bed, token);
    const submittedAt = emu.clock.nowSeconds();
    const submit = await wx('POST', '/wxa/submit_audit', token, { item_list: items, version_desc: '测试账号 qa / 123456' });
    const auditid = submit.json.auditid as number;
    expect(auditid).toBeGreaterThan(0);
    expect((await wx('POST', '/wxa/get_auditstatus', token, { auditid })).json).toMatchObject({ errcode: 0, status: 2 });
    expect((await wx('GET', '/wxa/queryquota', token)).json).toMatchObject({ errcode: 0, rest: 99, limit: 100 });

    emu.clock.advance(599);
    expect(await emu.codeManagement.settle()).toEqual([]);
    emu.clock.advance(1);
    const [event] = await emu.codeManagement.settle();
    expect(event).toMatchObject({ appid: MINI_PROGRAM, auditid, event: 'weapp_audit_success', delivered: true, finished: true });

    const [push] = await receiver.waitFor(1);
    expect(push.query.appid).toBe(MINI_PROGRAM);
    expect(push.query.openid).toBe(AUDIT_EVENT_SENDER_OPENID);
    expect(push).toMatchObject({ msgSignatureOk: true, signatureOk: true, receiveId: emu.component.appId });
    expect(push.body).toContain(`<ToUserName><![CDATA[${userNameOf(MINI_PROGRAM)}]]></ToUserName>`);
    expect(push.fields).toEqual({
      ToUserName: userNameOf(MINI_PROGRAM),
      FromUserName: AUDIT_EVENT_SENDER_OPENID,
      CreateTime: String(emu.clock.nowSeconds()),
      MsgType: 'event',
      Event: 'weapp_audit_success',
      SuccTime: String(submittedAt + 600),
    });
    // The function's own crypto opens it too (what its message route will do).
    const { component } = emu;
    const opened = openPush(
      { appId: component.appId, token: component.token, encodingAesKey: component.encodingAesKey },
      { timestamp: push.query.timestamp, nonce: push.query.nonce, msgSignature: push.query.msg_signature, body: push.body },
    );
    expect(opened.envelopeToUserName).toBe(userNameOf(MINI_PROGRAM));
    expect(opened.payload).toMatchObject({ Event: 'weapp_audit_success', SuccTime: String(submittedAt + 600) });

    expect((await wx('GET', '/wxa/get_latest_auditstatus', token)).json).toMatchObject({
      auditid,
      status: 0,
      user_version: 'v1.0.0',
      submit_audit_time: submittedAt,
    });
    expect((await wx('POST', '/wxa/release', token)).json.errcode).toBe(44002);
    expect((await wx('POST', '/wxa/release', token, [])).json.errcode).toBe(47001);
    expect((await wx('POST', '/wxa/release', token, {})).json).toMatchObject({ errcode: 0 });
    expect((await wx('POST', '/wxa/release', token, {})).json.errcode).toBe(85052);
    expect((await wx('POST', '/wxa/getversioninfo', token, {})).json.release_info).toMatchObject({ release_version: 'v1.0.0' });
    expect((await wx('GET', '/wxa/revertcoderelease', token)).json.errcode).toBe(87012);

    await submitted(bed, token, { user_version: 'v1.1.0', user_desc: 'faster checkout' });
    emu.clock.advance(600);
    await emu.codeManagement.settle();
    expect((await wx('POST', '/wxa/release', token, {})).json.errcode).toBe(0);
    const history = await wx('GET', '/wxa/revertcoderelease', token, undefined, { action: 'get_history_version' });
    expect(history.json.version_list).toEqual([
      expect.objectContaining({ app_version: 1, user_version: 'v1.0.0', user_desc: 'first release' }),
    ]);
    expect((await wx('GET', '/wxa/revertcoderelease', token)).json.errcode).toBe(0);
    expect((await wx('POST', '/wxa/getversioninfo', token, {})).json.release_info.release_version).toBe('v1.0.0');
    expect((await wx('GET', '/wxa/revertcoderelease', token)).json.errcode).toBe(87012);
    expect(receiver.received).toHaveLength(2);
  });

  it('keeps ext_json exactly as sent, readable through the handle and the admin route', async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    const spaced = `{ "extAppid": "${MINI_PROGRAM}",  "ext": {"shopId": "店铺-7"} }`;
    await bed.wx('POST', '/wxa/commit', token, commitBody({ ext_json: spaced, template_id: '2' }));
    expect(bed.emu.codeManagement.app(MINI_PROGRAM)?.trial).toMatchObject({ extJson: spaced, templateId: 2 });
    const { json } = await adminJson(bed.emu, 'GET', `/__emulator/code-management/apps/${MINI_PROGRAM}`);
    expect(json.app.trial.extJson).toBe(spaced);
    expect(json.app.commits).toBe(1);

    const refused = async (body: Json) => (await bed.wx('POST', '/wxa/commit', token, commitBody(body))).json.errcode;
    expect(await refused({ template_id: 999 })).toBe(85014);
    expect(await refused({ ext_json: { extAppid: MINI_PROGRAM } })).toBe(47001);
    expect(await refused({ ext_json: '{not json' })).toBe(85013);
    expect(await refused({ ext_json: JSON.stringify({ pages: [] }) })).toBe(85047);
    expect(await refused({ ext_json: JSON.stringify({ pages: ['pages/nope/index'] }) })).toBe(85045);
    expect(bed.emu.codeManagement.app(MINI_PROGRAM)?.trial?.extJson).toBe(spaced);
    expect((await adminJson(bed.emu, 'GET', '/__emulator/code-management/apps/wx-none')).json).toEqual({ ok: true, app: null });
  });
});

describe('templates for commit', () => {
  it('an upload to the draft box, then the template library; a deleted template cannot be committed', async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    const uploaded = await adminJson(bed.emu, 'POST', '/__emulator/code-management/drafts', {
      userVersion: 'v2.0.0',
      userDesc: 'spring theme',
    });
    expect(uploaded.json).toEqual({ ok: true, draftId: expect.any(Number) });
    const drafts = await bed.wx('GET', '/wxa/gettemplatedraftlist', bed.ct);
    expect(drafts.json.draft_list).toEqual([
      expect.objectContaining({ draft_id: uploaded.json.draftId, user_version: 'v2.0.0' }),
    ]);
    const { templateId } = bed.emu.codeManagement.uploadDraft({ userVersion: 'v2.0.1', userDesc: 'fix', toTemplate: true });
    expect((await bed.wx('POST', '/wxa/commit', token, commitBody({ template_id: templateId }))).json.errcode).toBe(0);
    expect((await bed.wx('POST', '/wxa/deletetemplate', bed.ct, { template_id: templateId })).json.errcode).toBe(0);
    expect((await bed.wx('POST', '/wxa/commit', token, commitBody({ template_id: templateId }))).json.errcode).toBe(85014);
  });
});

describe('audit outcomes', () => {
  it('a rejection: weapp_audit_fail with Reason, FailTime and ScreenShot; status 1; nothing to release', async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    bed.emu.codeManagement.configure(MINI_PROGRAM, {
      outcome: 'fail',
      failReason: '1:类目不符<br>2:缺少测试账号',
      reviewSeconds: 3600,
    });
    const auditid = await submitted(bed, token);
    const submittedAt = bed.emu.clock.nowSeconds();
    bed.emu.clock.advance(3600);
    await bed.emu.codeManagement.settle();
    const [push] = await bed.receiver.waitFor(1);
    expect(push.fields).toMatchObject({
      Event: 'weapp_audit_fail',
      Reason: '1:类目不符<br>2:缺少测试账号',
      FailTime: String(submittedAt + 3600),
      ScreenShot: expect.stringContaining('|'),
    });
    const status = (await bed.wx('POST', '/wxa/get_auditstatus', token, { auditid: String(auditid) })).json;
    expect(status).toMatchObject({ status: 1, reason: '1:类目不符<br>2:缺少测试账号', screenshot: expect.any(String) });
    expect((await bed.wx('POST', '/wxa/release', token, {})).json.errcode).toBe(85019);
    expect((await bed.wx('POST', '/wxa/get_auditstatus', token, { auditid: auditid + 1 })).json.errcode).toBe(85012);
  });

  it('a delay: weapp_audit_delay and status 4, then the outcome', async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    bed.emu.codeManagement.configure(MINI_PROGRAM, { delay: { afterSeconds: 300, reason: '审核排队中' }, reviewSeconds: 900 });
    await submitted(bed, token);
    bed.emu.clock.advance(300);
    // No settle(): the API call itself settles what came due.
    expect((await bed.wx('GET', '/wxa/get_latest_auditstatus', token)).json).toMatchObject({ status: 4, reason: '审核排队中' });
    await bed.emu.codeManagement.settle();
    bed.emu.clock.advance(600);
    await bed.emu.codeManagement.settle();
    const pushes = await bed.receiver.waitFor(2);
    expect(pushes.map((push) => push.fields.Event)).toEqual(['weapp_audit_delay', 'weapp_audit_success']);
    expect(pushes[0].fields).toMatchObject({ Reason: '审核排队中', DelayTime: expect.any(String) });
    expect((await bed.wx('GET', '/wxa/get_latest_auditstatus', token)).json.status).toBe(0);
  });

  it('the privacy scan result blocks a submit unless privacy_api_not_use', async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    bed.emu.codeManagement.configure(MINI_PROGRAM, { privacy: { withoutConfList: ['wx.getLocation'] } });
    const items = await commitAndScan(bed, token);
    expect((await bed.wx('GET', '/wxa/security/get_code_privacy_info', token)).json.without_conf_list).toEqual([
      'wx.getLocation',
    ]);
    expect((await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items })).json.errcode).toBe(61040);
    const accepted = await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items, privacy_api_not_use: true });
    expect(accepted.json.errcode).toBe(0);
  });

  it('item_list: 1–5 items on an app category and a committed page', async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    const [item] = await commitAndScan(bed, token);
    const submit = async (body: Json) => (await bed.wx('POST', '/wxa/submit_audit', token, body)).json.errcode;
    expect(await submit({})).toBe(85023);
    expect(await submit({ item_list: Array(6).fill(item) })).toBe(85023);
    expect(await submit({ item_list: [{ ...item, second_id: 1 }] })).toBe(85008);
    expect(await submit({ item_list: [{ ...item, address: 'pages/unknown' }] })).toBe(85007);
    expect(await submit({ item_list: [{ ...item, title: 'x'.repeat(33) }] })).toBe(85011);
    bed.emu.codeManagement.configure(MINI_PROGRAM, { categories: [] });
    expect((await bed.wx('GET', '/wxa/get_category', token)).json.category_list).toEqual([]);
    expect(await submit({ item_list: [item] })).toBe(85008);
    bed.emu.codeManagement.configure(MINI_PROGRAM, { categories: null });
    expect(await submit({ item_list: [item] })).toBe(0);
    expect(bed.emu.codeManagement.quota().rest).toBe(99);
  });
});

describe('tokens and permission sets', () => {
  it("WeChat's token rules; 61014 for queryquota with the component token", async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    expect((await bed.wx('POST', '/wxa/commit', '', commitBody())).json).toMatchObject({
      errcode: 41001,
      errmsg: expect.stringMatching(RID),
    });
    expect((await bed.wx('POST', '/wxa/commit', 'nope', commitBody())).json.errcode).toBe(40014);
    expect((await bed.wx('POST', '/wxa/commit', bed.ct, commitBody())).json.errcode).toBe(61015);
    expect((await bed.wx('GET', '/wxa/queryquota', bed.ct)).json.errcode).toBe(61014);
    bed.emu.clock.advance(7200);
    expect((await bed.wx('GET', '/wxa/queryquota', token)).json.errcode).toBe(42001);
    expect(bed.emu.codeManagement.app(MINI_PROGRAM)).toBeUndefined();
  });

  it('61007 without set 18 (小程序开发与数据分析); an official account cannot have it; a mini-game cannot submit', async () => {
    const without = await bed.tokenFor(MINI_PROGRAM, [17, 19, 30]);
    for (const [method, path] of [
      ['POST', '/wxa/commit'],
      ['GET', '/wxa/get_page'],
      ['POST', '/wxa/submit_audit'],
      ['GET', '/wxa/get_latest_auditstatus'],
      ['POST', '/wxa/release'],
      ['GET', '/wxa/queryquota'],
    ] as const)
      expect([path, (await bed.wx(method, path, without, method === 'POST' ? {} : undefined)).json.errcode]).toEqual([
        path,
        61007,
      ]);
    const oa = await bed.tokenFor(SERVICE_OA);
    expect((await bed.wx('POST', '/wxa/commit', oa, commitBody())).json.errcode).toBe(61007);

    const game = await bed.tokenFor(MINI_GAME);
    const committed = await bed.wx('POST', '/wxa/commit', game, commitBody({ ext_json: '{}' }));
    expect(committed.json.errcode).toBe(0);
    expect((await bed.wx('POST', '/wxa/submit_audit', game, { item_list: [] })).json.errcode).toBe(87006);
  });

  it('86001 / 85086 before any commit', async () => {
    const token = await bed.tokenFor(MINI_PROGRAM);
    expect((await bed.wx('GET', '/wxa/get_page', token)).json.errcode).toBe(86001);
    expect((await bed.wx('GET', '/wxa/get_qrcode', token)).json.errcode).toBe(86001);
    expect((await bed.wx('GET', '/wxa/get_latest_auditstatus', token)).json.errcode).toBe(86001);
    expect((await bed.wx('POST', '/wxa/submit_audit', token, {})).json.errcode).toBe(85086);
    expect((await bed.wx('POST', '/wxa/getversioninfo', token, {})).json).toEqual({ errcode: 0, errmsg: 'ok' });
  });
});
