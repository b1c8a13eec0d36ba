import { startOpenPlatform, type OpenPlatformEmulator } from '../../../emulator/open-platform';
import { callApi, componentToken, request, RID } from './support';

describe('IP allow-list, daily quotas, injected faults, call records', () => {
  let emu: OpenPlatformEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  const startPushTicket = (target: OpenPlatformEmulator) =>
    callApi(target, 'api_start_push_ticket', {
      component_appid: target.component.appId,
      component_secret: target.component.appSecret,
    });

  it('answers 61004 with the caller IP when it is not on the allow-list', async () => {
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, ipAllowList: ['10.20.30.40'] });
    const answer = await startPushTicket(emu);
    expect(answer.errcode).toBe(61004);
    expect(answer.errmsg).toMatch(
      /^access clientip is not registered requestIP: 127\.0\.0\.1 rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/,
    );
    expect(emu.calls).toEqual([{ api: 'api_start_push_ticket', at: expect.any(Number), errcode: 61004, clientIp: '127.0.0.1' }]);
  });

  it('lets listed IPs through, and takes the IP from X-Forwarded-For when trustProxy is on', async () => {
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, ipAllowList: ['127.0.0.1'] });
    expect((await startPushTicket(emu)).errcode).toBe(0);
    await emu.close();

    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, ipAllowList: ['10.20.30.40'], trustProxy: true });
    const url = new URL('/cgi-bin/component/api_start_push_ticket', emu.url).href;
    const body = JSON.stringify({ component_appid: emu.component.appId, component_secret: emu.component.appSecret });
    const allowed = await request('POST', url, { headers: { 'x-forwarded-for': '10.20.30.40' }, body });
    expect(JSON.parse(allowed.body)).toEqual({ errcode: 0, errmsg: 'ok' });
    const refused = await request('POST', url, { headers: { 'x-forwarded-for': '203.0.113.9' }, body });
    expect(JSON.parse(refused.body).errmsg).toContain('requestIP: 203.0.113.9');
  });

  it('answers 45009 past a daily quota of successful calls, and resets at the next Beijing day', async () => {
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, dailyQuota: { api_create_preauthcode: 2 } });
    const token = await componentToken(emu);
    const create = () =>
      callApi(emu!, 'api_create_preauthcode', { component_appid: emu!.component.appId }, { component_access_token: token });
    expect((await callApi(emu, 'api_create_preauthcode', {}, { component_access_token: token })).errcode).toBe(41018); // failures do not count
    expect((await create()).pre_auth_code).toBeDefined();
    expect((await create()).pre_auth_code).toBeDefined();
    const limited = await create();
    expect(limited.errcode).toBe(45009);
    expect(limited.errmsg).toMatch(/^reach max api daily quota limit rid: /);
    expect((await startPushTicket(emu)).errcode).toBe(0); // other APIs unaffected

    // jump to just past the next midnight in UTC+8
    const beijingMs = emu.clock.now() + 8 * 3600 * 1000;
    const untilMidnight = 86_400_000 - (beijingMs % 86_400_000);
    emu.clock.advance(Math.ceil(untilMidnight / 1000) + 1);
    await emu.pushTicket(); // the old ticket may be past 12 h by now
    const fresh = await componentToken(emu);
    expect(
      (await callApi(emu, 'api_create_preauthcode', { component_appid: emu.component.appId }, { component_access_token: fresh }))
        .pre_auth_code,
    ).toBeDefined();
  });

  describe('faults', () => {
    beforeEach(async () => {
      emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0 });
    });

    it('answers an injected errcode for the next N calls, then behaves again', async () => {
      const id = emu!.faults.inject({ api: 'api_start_push_ticket', errcode: -1, times: 2 });
      expect(id).toMatch(/^fault-/);
      const first = await startPushTicket(emu!);
      expect(first).toEqual({ errcode: -1, errmsg: expect.stringMatching(/^system error rid: /) });
      expect(first.errmsg).toMatch(RID);
      expect((await startPushTicket(emu!)).errcode).toBe(-1);
      expect((await startPushTicket(emu!)).errcode).toBe(0);
      expect(emu!.calls.map((call) => [call.errcode, call.fault])).toEqual([
        [-1, 'errcode'],
        [-1, 'errcode'],
        [0, undefined],
      ]);
    });

    it('matches every API with `*` until cleared, and only the named API otherwise', async () => {
      emu!.faults.inject({ api: 'api_query_auth', errcode: 45011 });
      expect((await startPushTicket(emu!)).errcode).toBe(0);
      const all = emu!.faults.inject({ api: '*', errcode: 40001 });
      expect((await startPushTicket(emu!)).errcode).toBe(40001);
      emu!.faults.clear(all);
      expect((await startPushTicket(emu!)).errcode).toBe(0);
      expect(emu!.faults.list()).toEqual([{ id: expect.any(String), api: 'api_query_auth', errcode: 45011 }]);
      emu!.faults.clear();
      expect(emu!.faults.list()).toEqual([]);
    });

    it('delays an answer', async () => {
      emu!.faults.inject({ api: 'api_start_push_ticket', delayMs: 200, times: 1 });
      const started = Date.now();
      expect((await startPushTicket(emu!)).errcode).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(emu!.calls[0].fault).toBe('delay');
    });

    it('drops the connection without an answer', async () => {
      emu!.faults.inject({ api: 'api_start_push_ticket', drop: true, times: 1 });
      await expect(startPushTicket(emu!)).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(emu!.calls[0]).toMatchObject({ errcode: -1, fault: 'drop' });
      expect((await startPushTicket(emu!)).errcode).toBe(0);
    });

    it('hits a share of calls with `rate`, reproducibly for a seed', async () => {
      const outcomes = async (seed: number): Promise<number[]> => {
        await emu!.close();
        emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, faultSeed: seed });
        emu.faults.inject({ api: 'api_start_push_ticket', errcode: -1, rate: 0.5 });
        const codes: number[] = [];
        for (let i = 0; i < 20; i++) codes.push((await startPushTicket(emu)).errcode as number);
        return codes;
      };
      const first = await outcomes(7);
      expect(first).toContain(-1);
      expect(first).toContain(0);
      expect(await outcomes(7)).toEqual(first);
    });

    it('rejects malformed rules', () => {
      expect(() => emu!.faults.inject({ api: 'api_nope' as never, errcode: 1 })).toThrow(TypeError);
      expect(() => emu!.faults.inject({ api: '*', rate: 2 })).toThrow(RangeError);
      expect(() => emu!.faults.inject({ api: '*', times: 0 })).toThrow(RangeError);
    });
  });

  it('records calls with the emulated time and can reset them', async () => {
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0 });
    emu.clock.advance(1000);
    await startPushTicket(emu);
    expect(emu.calls[0].at).toBeGreaterThanOrEqual(Date.now() + 999_000);
    const kept = emu.calls;
    emu.resetCalls();
    expect(emu.calls).toBe(kept);
    expect(emu.calls).toHaveLength(0);
  });
});
