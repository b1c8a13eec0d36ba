/**
 * The emulated code management's limits and faults (spec code-management §1.3, §4.3–4.6, §5.2,
 * §6.3): one open audit per app, the provider's monthly quota and the 85085 family, undo limits,
 * lost and duplicated events, gray release, speed-up, and the admin routes a function's e2e test uses.
 */
import { adminJson, MINI_PROGRAM } from './support';
import { commitAndScan, commitBody, startCodeTestBed, submitted, type CodeTestBed } from './code-management-support';

let bed: CodeTestBed;
let token: string;
beforeEach(async () => {
  bed = await startCodeTestBed();
  token = await bed.tokenFor(MINI_PROGRAM);
});
afterEach(() => bed.close());

const latest = async () => (await bed.wx('GET', '/wxa/get_latest_auditstatus', token)).json;
const undo = async () => (await bed.wx('GET', '/wxa/undocodeaudit', token)).json.errcode as number;

/** Seconds until 01:00 on the 2nd of the next month, Beijing time: day and month limits start afresh. */
function secondsToNextMonth(nowMs: number): number {
  const beijing = new Date(nowMs + 8 * 3600 * 1000);
  const target = Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth() + 1, 2, 1) - 8 * 3600 * 1000;
  return Math.ceil((target - nowMs) / 1000);
}

describe('one open audit per app', () => {
  it('85009 while under review; undo withdraws it (status 3, no event) and keeps the quota spent', async () => {
    const first = await submitted(bed, token);
    const items = await commitAndScan(bed, token, { user_version: 'v1.0.1' });
    expect((await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items })).json.errcode).toBe(85009);
    // The commit during the audit replaced the 体验版 only: the audit still reviews v1.0.0.
    expect(await latest()).toMatchObject({ auditid: first, status: 2, user_version: 'v1.0.0' });

    expect(await undo()).toBe(0);
    expect(await latest()).toMatchObject({ auditid: first, status: 3 });
    expect(await undo()).toBe(87012);
    const second = (await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items })).json;
    expect(second).toMatchObject({ errcode: 0, auditid: expect.any(Number) });
    expect(second.auditid).not.toBe(first);
    expect(bed.emu.codeManagement.quota().rest).toBe(98);

    bed.emu.clock.advance(600);
    const events = await bed.emu.codeManagement.settle();
    expect(events.map((event) => [event.auditid, event.event])).toEqual([[second.auditid, 'weapp_audit_success']]);
    expect(bed.emu.codeManagement.app(MINI_PROGRAM)).toMatchObject({ submissions: 2, commits: 2, undo: { today: 1 } });
  });

  it('undo: 5 a day and 10 a month per app (87013), counted in Beijing time', async () => {
    bed.emu.clock.advance(secondsToNextMonth(bed.emu.clock.now()));
    token = await bed.tokenFor(MINI_PROGRAM);
    bed.emu.codeManagement.configure(MINI_PROGRAM, { outcome: 'never' });
    const items = await commitAndScan(bed, token);
    const submitAndUndo = async () => {
      expect((await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items })).json.errcode).toBe(0);
      return undo();
    };
    for (let n = 0; n < 5; n++) expect(await submitAndUndo()).toBe(0);
    expect(await submitAndUndo()).toBe(87013);
    expect(await latest()).toMatchObject({ status: 2 });
    bed.emu.clock.advance(24 * 3600);
    token = await bed.tokenFor(MINI_PROGRAM);
    expect(await undo()).toBe(0);
    for (let n = 0; n < 4; n++) expect(await submitAndUndo()).toBe(0);
    bed.emu.clock.advance(24 * 3600);
    token = await bed.tokenFor(MINI_PROGRAM);
    expect(await submitAndUndo()).toBe(87013);
    expect(bed.emu.codeManagement.app(MINI_PROGRAM)?.undo).toEqual({ today: 0, thisMonth: 10 });
  });
});

describe('the provider quota', () => {
  it('85085 once the month is used up; queryquota shows it; the next month refills it', async () => {
    bed.emu.codeManagement.setQuota({ limit: 1 });
    await submitted(bed, token);
    expect(await undo()).toBe(0);
    const items = await commitAndScan(bed, token, { user_version: 'v1.0.1' });
    expect((await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items })).json.errcode).toBe(85085);
    expect((await bed.wx('GET', '/wxa/queryquota', token)).json).toMatchObject({ rest: 0, limit: 1, speedup_limit: 3 });
    bed.emu.clock.advance(secondsToNextMonth(bed.emu.clock.now()));
    token = await bed.tokenFor(MINI_PROGRAM);
    expect((await bed.wx('GET', '/wxa/queryquota', token)).json).toMatchObject({ rest: 1, limit: 1 });
    expect((await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items })).json.errcode).toBe(0);
  });

  it('provider blocks (86008, 86009 new apps, 86010 updates) and a per-app errcode', async () => {
    const items = await commitAndScan(bed, token);
    const submit = async () => (await bed.wx('POST', '/wxa/submit_audit', token, { item_list: items })).json.errcode;
    bed.emu.codeManagement.setProviderBlock(86010);
    bed.emu.codeManagement.configure(MINI_PROGRAM, { submitErrcode: 86002 });
    expect(await submit()).toBe(86002);
    bed.emu.codeManagement.configure(MINI_PROGRAM, { submitErrcode: null });
    expect(await submit()).toBe(0); // never released: an update block does not apply
    bed.emu.clock.advance(600);
    expect((await bed.wx('POST', '/wxa/release', token, {})).json.errcode).toBe(0);
    expect(await submit()).toBe(86010);
    bed.emu.codeManagement.setProviderBlock(86008);
    expect(await submit()).toBe(86008);
    bed.emu.codeManagement.setProviderBlock(null);
    expect(await submit()).toBe(0);
    expect(bed.emu.codeManagement.quota().rest).toBe(98);
  });

  it('speedupaudit: the outcome within speedupSeconds, once per audit, on the speed-up quota', async () => {
    bed.emu.codeManagement.configure(MINI_PROGRAM, { reviewSeconds: 7 * 24 * 3600, speedupSeconds: 3600 });
    const auditid = await submitted(bed, token);
    const speedup = async (id: unknown) => (await bed.wx('POST', '/wxa/speedupaudit', token, { auditid: id })).json.errcode;
    expect(await speedup(auditid + 1)).toBe(89402);
    expect(await speedup(auditid)).toBe(0);
    expect(await speedup(auditid)).toBe(89404);
    expect(bed.emu.codeManagement.quota().speedupRest).toBe(2);
    bed.emu.clock.advance(3600);
    expect(await latest()).toMatchObject({ status: 0 });
    expect(await speedup(auditid)).toBe(89402);
  });
});

describe('audit events: lost and duplicated', () => {
  it('a lost event is never sent; the status API still tells (poll to reconcile)', async () => {
    bed.emu.codeManagement.injectEventFault({ appid: MINI_PROGRAM, drop: true, times: 1 });
    await submitted(bed, token);
    bed.emu.clock.advance(600);
    const [event] = await bed.emu.codeManagement.settle();
    expect(event).toMatchObject({ dropped: true, delivered: false, deliveries: [], finished: true });
    expect(bed.receiver.received).toEqual([]);
    expect(await latest()).toMatchObject({ status: 0 });

    // `times: 1` is spent: the next app's event arrives.
    await submitted(bed, token, { user_version: 'v1.0.1' });
    bed.emu.clock.advance(600);
    await bed.emu.codeManagement.settle();
    expect(bed.receiver.received).toHaveLength(1);
  });

  it('a duplicated event arrives twice, the same sealed message; faults for another appid do not hit', async () => {
    bed.emu.codeManagement.injectEventFault({ appid: 'wx-someone-else', drop: true });
    const id = bed.emu.codeManagement.injectEventFault({ duplicate: true });
    await submitted(bed, token);
    bed.emu.clock.advance(600);
    const [event] = await bed.emu.codeManagement.settle();
    expect(event).toMatchObject({ duplicated: true, delivered: true });
    expect(event.deliveries).toHaveLength(2);
    const [one, two] = await bed.receiver.waitFor(2);
    expect(two.body).toBe(one.body);
    expect(two.query).toEqual(one.query);
    expect(one.fields.Event).toBe('weapp_audit_success');
    bed.emu.faults.clear(id);
    expect(bed.emu.faults.list()).toEqual([expect.objectContaining({ api: 'audit_event', appid: 'wx-someone-else' })]);
  });

  it('an event the platform does not answer with success is not retried', async () => {
    bed.receiver.defaultAnswer = { status: 500, body: 'oops' };
    await submitted(bed, token);
    bed.emu.clock.advance(600);
    const [event] = await bed.emu.codeManagement.settle();
    expect(event).toMatchObject({ delivered: false, deliveries: [expect.objectContaining({ status: 500 })] });
    expect(bed.receiver.received).toHaveLength(1);
  });
});

describe('gray release', () => {
  it('needs an online version; rising percentages; no rollback while it runs; 100 completes it', async () => {
    const gray = async (body: object) => (await bed.wx('POST', '/wxa/grayrelease', token, body)).json.errcode;
    const plan = async () => (await bed.wx('GET', '/wxa/getgrayreleaseplan', token)).json.gray_release_plan;
    await submitted(bed, token);
    bed.emu.clock.advance(600);
    expect(await gray({ gray_percentage: 10 })).toBe(85079);
    expect((await bed.wx('POST', '/wxa/release', token, {})).json.errcode).toBe(0);
    expect(await gray({ gray_percentage: 10 })).toBe(85080);

    await submitted(bed, token, { user_version: 'v2.0.0' });
    expect(await gray({ gray_percentage: 10 })).toBe(85080);
    bed.emu.clock.advance(600);
    expect(await gray({ gray_percentage: 101 })).toBe(85081);
    expect(await gray({ gray_percentage: 0 })).toBe(85081);
    expect(await gray({ gray_percentage: 10, support_experiencer_first: true })).toBe(0);
    expect(await plan()).toMatchObject({ status: 1, gray_percentage: 10, support_experiencer_first: true });
    expect(await gray({ gray_percentage: 10 })).toBe(85082);
    expect((await bed.wx('GET', '/wxa/revertcoderelease', token)).json.errcode).toBe(87011);
    expect(await gray({ gray_percentage: 100 })).toBe(0);
    expect(await plan()).toMatchObject({ status: 3, gray_percentage: 100 });
    expect((await bed.wx('POST', '/wxa/getversioninfo', token, {})).json.release_info.release_version).toBe('v2.0.0');
    expect((await bed.wx('POST', '/wxa/release', token, {})).json.errcode).toBe(85052);
  });

  it('revertgrayrelease deletes the plan; release {} during a plan publishes only the phased version', async () => {
    await submitted(bed, token);
    bed.emu.clock.advance(600);
    await bed.wx('POST', '/wxa/release', token, {});
    await submitted(bed, token, { user_version: 'v2.0.0' });
    bed.emu.clock.advance(600);
    expect((await bed.wx('POST', '/wxa/grayrelease', token, { gray_percentage: 20 })).json.errcode).toBe(0);
    expect((await bed.wx('GET', '/wxa/revertgrayrelease', token)).json.errcode).toBe(0);
    expect((await bed.wx('GET', '/wxa/getgrayreleaseplan', token)).json.gray_release_plan.status).toBe(4);
    expect((await bed.wx('POST', '/wxa/grayrelease', token, { gray_percentage: 5 })).json.errcode).toBe(0);

    // A newer approved version while v2's plan runs: release {} would publish it → 85020.
    await submitted(bed, token, { user_version: 'v3.0.0' });
    bed.emu.clock.advance(600);
    expect((await bed.wx('POST', '/wxa/release', token, {})).json.errcode).toBe(85020);

    // Withdraw the plan, publish v3: a gray plan was withdrawn before it, so no rollback (87012).
    expect((await bed.wx('GET', '/wxa/revertgrayrelease', token)).json.errcode).toBe(0);
    expect((await bed.wx('POST', '/wxa/release', token, {})).json.errcode).toBe(0);
    expect((await bed.wx('GET', '/wxa/revertcoderelease', token)).json.errcode).toBe(87012);
  });
});

test('the looser readings are options: release during another gray plan, rollback after a withdrawn one, 86000', async () => {
  const loose = await startCodeTestBed({
    codeManagement: { releaseDuringGray: 'allow', revertAfterWithdrawnGray: 'allow', componentTokenErrcode: 86000 },
  });
  try {
    const own = await loose.tokenFor(MINI_PROGRAM);
    for (const version of ['v1', 'v2']) {
      await submitted(loose, own, { user_version: version });
      loose.emu.clock.advance(600);
      if (version === 'v1') await loose.wx('POST', '/wxa/release', own, {});
    }
    expect((await loose.wx('POST', '/wxa/grayrelease', own, { gray_percentage: 30 })).json.errcode).toBe(0);
    await submitted(loose, own, { user_version: 'v3' });
    loose.emu.clock.advance(600);
    expect((await loose.wx('POST', '/wxa/release', own, {})).json.errcode).toBe(0);
    expect((await loose.wx('GET', '/wxa/getgrayreleaseplan', own)).json.gray_release_plan.status).toBe(4);
    expect((await loose.wx('GET', '/wxa/revertcoderelease', own)).json.errcode).toBe(0);
    expect((await loose.wx('POST', '/wxa/getversioninfo', own, {})).json.release_info.release_version).toBe('v1');
    expect((await loose.wx('GET', '/wxa/get_latest_auditstatus', loose.ct)).json.errcode).toBe(86000);
  } finally {
    await loose.close();
  }
});

describe('injected errors and visit status', () => {
  it("errcodes for one app's next calls of one API (9402202 on commit), over the handle and HTTP", async () => {
    bed.emu.codeManagement.injectError(MINI_PROGRAM, '/wxa/commit', 9402202);
    const commit = async () => (await bed.wx('POST', '/wxa/commit', token, commitBody())).json.errcode;
    expect(await commit()).toBe(9402202);
    expect(await commit()).toBe(0);
    const route = `/__emulator/code-management/apps/${MINI_PROGRAM}/errors`;
    expect((await adminJson(bed.emu, 'POST', route, { path: '/wxa/submit_audit', errcode: -1, times: 2 })).json.ok).toBe(true);
    bed.emu.clock.advance(60);
    const submit = async () => (await bed.wx('POST', '/wxa/submit_audit', token, { item_list: [] })).json.errcode;
    expect([await submit(), await submit(), await submit()]).toEqual([-1, -1, 85023]);
    expect((await adminJson(bed.emu, 'POST', route, { path: 'no-slash', errcode: 1 })).status).toBe(400);
  });

  it('change_visitstatus / getvisitstatus after a release', async () => {
    const visit = async (action: string) => (await bed.wx('POST', '/wxa/change_visitstatus', token, { action })).json.errcode;
    expect(await visit('close')).toBe(85021);
    await submitted(bed, token);
    bed.emu.clock.advance(600);
    await bed.wx('POST', '/wxa/release', token, {});
    expect((await bed.wx('POST', '/wxa/getvisitstatus', token, {})).json).toMatchObject({ errcode: 0, status: 1 });
    expect(await visit('pause')).toBe(85022);
    expect(await visit('close')).toBe(0);
    expect((await bed.wx('POST', '/wxa/getvisitstatus', token, {})).json.status).toBe(0);
    expect((await bed.wx('POST', '/wxa/getvisitstatus', token)).json.errcode).toBe(44002);
  });
});

describe('admin routes (for tests in another process)', () => {
  it('configure, quota, settle and events over HTTP', async () => {
    const { emu } = bed;
    const app = `/__emulator/code-management/apps/${MINI_PROGRAM}`;
    const configured = await adminJson(emu, 'POST', app, { outcome: 'fail', reviewSeconds: 120, failReason: '缺少隐私协议' });
    expect(configured.json).toMatchObject({ ok: true, script: { outcome: 'fail', reviewSeconds: 120 } });
    expect((await adminJson(emu, 'POST', app, { outcome: 'maybe' })).status).toBe(400);
    expect((await adminJson(emu, 'POST', '/__emulator/code-management/quota', { limit: 5 })).json.quota).toEqual({
      limit: 5,
      rest: 5,
      speedupLimit: 3,
      speedupRest: 3,
    });
    expect(
      (await adminJson(emu, 'POST', '/__emulator/code-management/event-faults', { duplicate: true, times: 1 })).json,
    ).toEqual({
      ok: true,
      id: expect.any(String),
    });
    const auditid = await submitted(bed, token);
    await adminJson(emu, 'POST', '/__emulator/clock/advance', { seconds: 120 });
    const settled = await adminJson(emu, 'POST', '/__emulator/code-management/settle');
    expect(settled.json.events).toEqual([
      expect.objectContaining({ appid: MINI_PROGRAM, auditid, event: 'weapp_audit_fail', duplicated: true, delivered: true }),
    ]);
    const events = (await adminJson(emu, 'GET', `/__emulator/code-management/events?appid=${MINI_PROGRAM}`)).json.events;
    expect(events[0].fields).toMatchObject({ Event: 'weapp_audit_fail', Reason: '缺少隐私协议' });
    const view = (await adminJson(emu, 'GET', app)).json.app;
    expect(view).toMatchObject({ submissions: 1, audits: [{ auditid, status: 1, reason: '缺少隐私协议' }] });
    expect(
      (await adminJson(emu, 'POST', '/__emulator/code-management/defaults', { reviewSeconds: 30 })).json.script.reviewSeconds,
    ).toBe(30);
    expect((await adminJson(emu, 'POST', '/__emulator/code-management/provider-block', { errcode: 86009 })).json.ok).toBe(true);
  });
});

test('with the server tick the event arrives once the clock has moved, without settle()', async () => {
  const ticking = await startCodeTestBed({ auditTickMs: 20 });
  try {
    const own = await ticking.tokenFor(MINI_PROGRAM);
    await submitted(ticking, own);
    ticking.emu.clock.advance(600);
    const [push] = await ticking.receiver.waitFor(1, 3000);
    expect(push.fields.Event).toBe('weapp_audit_success');
  } finally {
    await ticking.close();
  }
});
