import { startOpenPlatform, type OpenPlatformEmulator } from '../../../emulator/open-platform';
import { callApi, componentToken, RID } from './support';

describe('tickets and the component token', () => {
  let emu: OpenPlatformEmulator;

  beforeEach(async () => {
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0 });
  });
  afterEach(() => emu.close());

  const tokenRequest = (ticket: string | undefined, overrides: Record<string, unknown> = {}) =>
    callApi(emu, 'api_component_token', {
      component_appid: emu.component.appId,
      component_appsecret: emu.component.appSecret,
      component_verify_ticket: ticket,
      ...overrides,
    });

  it('issues tickets of the real shape, a new one on every push', async () => {
    expect(emu.latestTicket()).toBeUndefined();
    await emu.pushTicket();
    const first = emu.latestTicket()!;
    await emu.pushTicket();
    expect(first).toMatch(/^ticket@@@[A-Za-z0-9_-]{86}$/);
    expect(emu.latestTicket()).not.toBe(first);
  });

  it('returns a `<digits>_<base64url>` token valid for 7200 s', async () => {
    await emu.pushTicket();
    const answer = await tokenRequest(emu.latestTicket());
    expect(answer.expires_in).toBe(7200);
    expect(answer.component_access_token).toMatch(/^\d+_[A-Za-z0-9_-]+$/);
    expect(answer.errcode).toBeUndefined();
  });

  it('accepts any unexpired ticket, answers 61005 once it is 12 h old and 61006 for unknown ones', async () => {
    await emu.pushTicket();
    const older = emu.latestTicket()!;
    emu.clock.advance(600);
    await emu.pushTicket();
    expect((await tokenRequest(older)).component_access_token).toBeDefined();

    emu.clock.advance(12 * 3600 - 600);
    const expired = await tokenRequest(older);
    expect(expired.errcode).toBe(61005);
    expect(expired.errmsg).toMatch(/^component ticket is expired rid: /);
    expect((await tokenRequest(emu.latestTicket())).component_access_token).toBeDefined();

    const unknown = await tokenRequest('ticket@@@' + 'x'.repeat(86));
    expect(unknown.errcode).toBe(61006);
    expect(unknown.errmsg).toMatch(RID);
  });

  it('checks appid, secret and the presence of fields', async () => {
    await emu.pushTicket();
    const ticket = emu.latestTicket();
    expect((await tokenRequest(ticket, { component_appid: 'wx0000000000000000' })).errcode).toBe(40013);
    expect((await tokenRequest(ticket, { component_appid: undefined })).errcode).toBe(41018);
    expect((await tokenRequest(ticket, { component_appsecret: 'wrong' })).errcode).toBe(40125);
    expect((await tokenRequest(ticket, { component_appsecret: '' })).errcode).toBe(41004);
    expect((await tokenRequest(undefined)).errcode).toBe(47001);
    expect((await callApi(emu, 'api_component_token', '{not json')).errcode).toBe(47001);
    expect((await callApi(emu, 'api_component_token', '[1,2]')).errcode).toBe(47001);
  });

  describe('with a token', () => {
    const preAuth = (query: Record<string, string>) =>
      callApi(emu, 'api_create_preauthcode', { component_appid: emu.component.appId }, query);

    it('accepts both query names and answers 41001 without one', async () => {
      const token = await componentToken(emu);
      expect((await preAuth({ component_access_token: token })).pre_auth_code).toBeDefined();
      expect((await preAuth({ access_token: token })).pre_auth_code).toBeDefined();
      const missing = await preAuth({});
      expect(missing).toEqual({ errcode: 41001, errmsg: expect.stringMatching(/^access_token missing rid: /) });
    });

    it('answers 40014 for an unknown token and 42001 after 7200 s', async () => {
      const token = await componentToken(emu);
      expect((await preAuth({ component_access_token: '85_' + 'A'.repeat(100) })).errcode).toBe(40014);
      emu.clock.advance(7199);
      expect((await preAuth({ component_access_token: token })).pre_auth_code).toBeDefined();
      emu.clock.advance(1);
      const expired = await preAuth({ component_access_token: token });
      expect(expired.errcode).toBe(42001);
      expect(expired.errmsg).not.toContain(token);
    });

    it('keeps the previous token for 300 s after a new one, then 40001 "not latest"', async () => {
      const first = await componentToken(emu);
      emu.clock.advance(3600);
      const second = await componentToken(emu);
      expect(second).not.toBe(first);
      emu.clock.advance(299);
      expect((await preAuth({ component_access_token: first })).pre_auth_code).toBeDefined();
      emu.clock.advance(1);
      const stale = await preAuth({ component_access_token: first });
      expect(stale.errcode).toBe(40001);
      expect(stale.errmsg).toMatch(/^invalid credential, access_token is invalid or not latest rid: /);
      expect((await preAuth({ component_access_token: second })).pre_auth_code).toBeDefined();
    });

    it('honours tokenGraceSeconds', async () => {
      await emu.close();
      emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, tokenGraceSeconds: 10 });
      const first = await componentToken(emu);
      await componentToken(emu);
      emu.clock.advance(10);
      expect((await preAuth({ component_access_token: first })).errcode).toBe(40001);
    });
  });

  describe('api_start_push_ticket', () => {
    const start = (body: Record<string, unknown>) => callApi(emu, 'api_start_push_ticket', body);

    it('needs the right appid and component_secret, then issues a ticket', async () => {
      expect((await start({ component_appid: 'wx0000000000000000', component_secret: emu.component.appSecret })).errcode).toBe(
        40013,
      );
      expect((await start({ component_appid: emu.component.appId, component_secret: 'nope' })).errcode).toBe(40125);
      expect((await start({ component_appid: emu.component.appId })).errcode).toBe(41004);
      expect(emu.latestTicket()).toBeUndefined();
      expect(await start({ component_appid: emu.component.appId, component_secret: emu.component.appSecret })).toEqual({
        errcode: 0,
        errmsg: 'ok',
      });
      expect(emu.latestTicket()).toMatch(/^ticket@@@/);
    });
  });
});
