import { decrypt, getSignature } from '@wecom/crypto';
import { DEFAULT_COMPONENT, startOpenPlatform, type OpenPlatformEmulator } from '../../../emulator/open-platform';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver';
import { CHANNELS, componentToken, MINI_PROGRAM, preAuthCode, SERVICE_OA } from './support';

describe('pushes to the authorization-event URL', () => {
  let emu: OpenPlatformEmulator;
  let receiver: PushReceiver;

  beforeEach(async () => {
    receiver = await startPushReceiver(DEFAULT_COMPONENT);
    emu = await startOpenPlatform({
      ticketPushIntervalSeconds: 0,
      component: { authEventUrl: receiver.url },
      pushRetryDelayMs: 20,
      pushTimeoutMs: 1000,
    });
  });
  afterEach(async () => {
    await emu.close();
    await receiver.close();
  });

  it('pushes a ticket on start, encrypted and signed so that @wecom/crypto opens it', async () => {
    const [push] = await receiver.waitFor(1);
    expect(push.query.encrypt_type).toBe('aes');
    expect(push.query.timestamp).toMatch(/^\d{10}$/);
    expect(push.msgSignatureOk).toBe(true);
    expect(push.signatureOk).toBe(true);
    expect(push.appId).toBe(emu.component.appId);
    expect(push.receiveId).toBe(emu.component.appId);
    expect(push.body).toMatch(
      /^<xml><AppId><!\[CDATA\[wx[0-9a-f]{16}\]\]><\/AppId><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><\/xml>$/,
    );
    expect(push.fields).toEqual({
      AppId: emu.component.appId,
      CreateTime: expect.stringMatching(/^\d+$/),
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: emu.latestTicket(),
    });
    // The emulator's clock follows real time here: the push was created at most a second or two ago.
    expect(emu.clock.nowSeconds() - Number(push.fields.CreateTime)).toBeGreaterThanOrEqual(0);
    expect(emu.clock.nowSeconds() - Number(push.fields.CreateTime)).toBeLessThanOrEqual(2);
    // CDATA for strings, bare CreateTime, like the real payload
    expect(push.plaintext).toMatch(/^<xml><AppId><!\[CDATA\[wx/);
    expect(push.plaintext).toMatch(
      /\n<CreateTime>\d+<\/CreateTime>\n<InfoType><!\[CDATA\[component_verify_ticket\]\]><\/InfoType>\n/,
    );
    await waitUntil(() => emu.pushes[0]?.delivered === true);
    expect(emu.pushes[0].attempts).toEqual([expect.objectContaining({ ok: true, status: 200, body: 'success' })]);
  });

  it('checks the independent crypto by hand too: signature over the Encrypt field', async () => {
    const [push] = await receiver.waitFor(1);
    const expected = getSignature(DEFAULT_COMPONENT.token, push.query.timestamp, push.query.nonce, push.encrypt);
    expect(push.query.msg_signature).toBe(expected);
    expect(decrypt(DEFAULT_COMPONENT.encodingAesKey, push.encrypt).message).toBe(push.plaintext);
  });

  it('retries until the answer is exactly `success`, recording every attempt', async () => {
    await receiver.waitFor(1);
    receiver.answers.push('ok', { status: 500, body: 'success' }, '  success\n');
    const record = await emu.pushTicket();
    expect(record.delivered).toBe(true);
    expect(record.attempts.map((attempt) => [attempt.status, attempt.body, attempt.ok])).toEqual([
      [200, 'ok', false],
      [500, 'success', false],
      [200, '  success\n', true],
    ]);
    const retried = receiver.received.slice(1);
    expect(retried).toHaveLength(3);
    // a retry resends the same sealed message
    expect(new Set(retried.map((push) => push.query.msg_signature)).size).toBe(1);
  });

  it('gives up after pushAttempts and treats a slow answer as a failure', async () => {
    await receiver.waitFor(1);
    await emu.close();
    emu = await startOpenPlatform({
      ticketPushIntervalSeconds: 0,
      component: { authEventUrl: receiver.url },
      pushRetryDelayMs: 0,
      pushTimeoutMs: 150,
      pushAttempts: 2,
    });
    receiver.defaultAnswer = { body: 'success', delayMs: 400 };
    const record = await emu.pushTicket();
    expect(record.delivered).toBe(false);
    expect(record.attempts).toHaveLength(2);
    expect(record.attempts.every((attempt) => attempt.error?.includes('no answer within 150 ms'))).toBe(true);
    expect(record.reason).toBeDefined();
  });

  it('pushes a fresh ticket every interval (real timers)', async () => {
    await emu.close();
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0.05, component: { authEventUrl: receiver.url } });
    const pushes = await receiver.waitFor(4);
    const tickets = pushes.map((push) => push.fields.ComponentVerifyTicket);
    expect(new Set(tickets).size).toBe(tickets.length);
    expect(pushes.every((push) => push.fields.InfoType === 'component_verify_ticket')).toBe(true);
  });

  it('records a ticket without delivery when no URL is set', async () => {
    emu.setAuthEventUrl(undefined);
    const record = await emu.pushTicket();
    expect(record.url).toBeUndefined();
    expect(record.attempts).toEqual([]);
    expect(record.delivered).toBe(false);
    expect(emu.latestTicket()).toBe(record.fields.ComponentVerifyTicket);
  });

  it('records a failed connection as an attempt error', async () => {
    emu.setAuthEventUrl('http://127.0.0.1:1/nothing-here');
    const record = await emu.pushTicket();
    expect(record.attempts).toHaveLength(3);
    expect(record.attempts[0].error).toBeDefined();
  });

  describe('authorization events', () => {
    let token: string;
    beforeEach(async () => {
      await receiver.waitFor(1);
      token = await componentToken(emu);
    });

    const confirm = async (appid: string, funcIds?: number[]) =>
      emu.confirmAuthorization({
        preAuthCode: await preAuthCode(emu, token),
        authorizerAppid: appid,
        funcIds,
        channel: 'plugin',
      });

    it('pushes `authorized` first with PreAuthCode and AuthorizationCodeExpiredTime = CreateTime + 3600', async () => {
      const code = await preAuthCode(emu, token);
      const result = await emu.confirmAuthorization({ preAuthCode: code, authorizerAppid: SERVICE_OA, channel: 'plugin' });
      expect(result.push?.delivered).toBe(true);
      const received = receiver.received[1];
      expect(received.msgSignatureOk).toBe(true);
      const fields = received.fields;
      expect(fields).toEqual({
        AppId: emu.component.appId,
        CreateTime: expect.stringMatching(/^\d+$/),
        InfoType: 'authorized',
        AuthorizerAppid: SERVICE_OA,
        AuthorizationCode: result.authCode,
        AuthorizationCodeExpiredTime: String(Number(fields.CreateTime) + 3600),
        PreAuthCode: code,
      });
      expect(received.plaintext.split('\n').map((line) => line.match(/^(<xml>)?<\/?\w+>/)?.[0])).toEqual([
        '<xml><AppId>',
        '<CreateTime>',
        '<InfoType>',
        '<AuthorizerAppid>',
        '<AuthorizationCode>',
        '<AuthorizationCodeExpiredTime>',
        '<PreAuthCode>',
        '</xml>',
      ]);
    });

    it('pushes `updateauthorized` when the set list changes and nothing when it does not', async () => {
      await confirm(MINI_PROGRAM, [17, 18]);
      const unchanged = await confirm(MINI_PROGRAM, [18, 17]);
      expect(unchanged.push).toBeUndefined();
      expect(unchanged.authCode).toMatch(/^queryauthcode@@@/);
      const changed = await confirm(MINI_PROGRAM, [17, 18, 30]);
      expect(changed.push?.infoType).toBe('updateauthorized');
      expect(receiver.received.map((push) => push.fields.InfoType)).toEqual([
        'component_verify_ticket',
        'authorized',
        'updateauthorized',
      ]);
      expect(receiver.received[2].fields.AuthorizationCode).toBe(changed.authCode);
      expect(emu.authorizations()).toEqual([
        { authorizerAppid: MINI_PROGRAM, funcIds: [17, 18, 30], authTime: expect.any(Number) },
      ]);
    });

    it('pushes `unauthorized` with only the four fields on revoke', async () => {
      await confirm(CHANNELS);
      const record = await emu.revoke(CHANNELS);
      expect(record.delivered).toBe(true);
      expect(receiver.received[2].fields).toEqual({
        AppId: emu.component.appId,
        CreateTime: expect.stringMatching(/^\d+$/),
        InfoType: 'unauthorized',
        AuthorizerAppid: CHANNELS,
      });
      // authorizing again after a revoke is a first authorization again
      expect((await confirm(CHANNELS)).push?.infoType).toBe('authorized');
    });

    it('applies push faults: drop, duplicate, delay', async () => {
      emu.faults.inject({ api: 'push', drop: true, times: 1 });
      const dropped = await confirm(SERVICE_OA);
      expect(dropped.push).toMatchObject({ dropped: true, delivered: false, attempts: [] });
      expect(receiver.received).toHaveLength(1);

      emu.faults.inject({ api: 'push', duplicate: true, times: 1 });
      const duplicated = await emu.revoke(SERVICE_OA);
      expect(duplicated).toMatchObject({ duplicated: true, delivered: true });
      expect(receiver.received.slice(1).map((push) => push.fields.InfoType)).toEqual(['unauthorized', 'unauthorized']);
      expect(receiver.received[1].encrypt).toBe(receiver.received[2].encrypt);

      emu.faults.inject({ api: 'push', delayMs: 150, times: 1 });
      const started = Date.now();
      await emu.pushTicket();
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(emu.faults.list()).toEqual([]);
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
