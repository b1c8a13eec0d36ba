/**
 * Component-level APIs against the emulator: ticket -> component token, push restart,
 * pre-auth codes, and the token errors of spec §8 / §9.
 */
import { OpenApiError, isTicketError, isTokenError } from '../../../cloudfunctions/authorization/src/openapi';
import { clientFor, componentToken, Emulator, failureOf, freshTicket, LeakWatch, startEmulator } from './harness';

const watch = new LeakWatch();
let op: Emulator;

beforeAll(async () => {
  op = await startEmulator();
});

afterAll(async () => {
  await op.close();
});

describe('getComponentAccessToken', () => {
  it('exchanges the latest ticket for a token', async () => {
    const api = clientFor(op, watch);
    const answer = await api.getComponentAccessToken(await freshTicket(op, watch));
    watch.remember(answer.component_access_token);
    expect(answer.component_access_token).toMatch(/^\d+_/);
    expect(answer.expires_in).toBe(7200);
  });

  it('61006 for a ticket WeChat never issued, not retried', async () => {
    const api = clientFor(op, watch);
    op.resetCalls();
    const error = await failureOf(api.getComponentAccessToken('ticket@@@not-a-real-ticket'), watch);
    expect(error).toMatchObject({ errcode: 61006, category: 'ticket', api: 'api_component_token', attempts: 1 });
    expect(error.errmsg).toBe('component ticket is invalid');
    expect(error.rid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(isTicketError(error)).toBe(true);
    expect(op.calls).toHaveLength(1);
  });

  it('40013 for an unknown component appid', async () => {
    const api = clientFor(op, watch, { componentAppId: 'wx0000000000000000' });
    const error = await failureOf(api.getComponentAccessToken(await freshTicket(op, watch)), watch);
    expect(error).toMatchObject({ errcode: 40013, category: 'configuration' });
  });

  it('40125 for a wrong secret, which never appears in the error', async () => {
    const wrongSecret = 'a-wrong-secret-value-1234567890';
    const api = clientFor(op, watch, { componentAppSecret: wrongSecret });
    const error = await failureOf(api.getComponentAccessToken(await freshTicket(op, watch)), watch);
    expect(error).toMatchObject({ errcode: 40125, category: 'configuration', meaning: 'invalid component appsecret' });
    expect(error.message).not.toContain(wrongSecret);
  });
});

describe('startPushTicket', () => {
  it('answers errcode 0', async () => {
    const answer = await clientFor(op, watch).startPushTicket();
    expect(answer.errcode).toBe(0);
    expect(typeof answer.errmsg).toBe('string');
  });

  it('40013 for an unknown component appid', async () => {
    const api = clientFor(op, watch, { componentAppId: 'wx0000000000000000' });
    const error = await failureOf(api.startPushTicket(), watch);
    expect(error).toMatchObject({ errcode: 40013, category: 'configuration', api: 'api_start_push_ticket' });
  });
});

describe('createPreAuthCode and component token errors', () => {
  it('issues a pre_auth_code', async () => {
    const api = clientFor(op, watch);
    const answer = await api.createPreAuthCode(await componentToken(op, api, watch));
    expect(answer.pre_auth_code).toMatch(/^preauthcode@@@/);
    expect(answer.expires_in).toBeGreaterThan(0);
  });

  it('40014 for a token WeChat never issued, not retried', async () => {
    const api = clientFor(op, watch);
    op.resetCalls();
    const error = await failureOf(api.createPreAuthCode('85_made-up-token'), watch);
    expect(error).toMatchObject({ errcode: 40014, category: 'token', attempts: 1 });
    expect(isTokenError(error)).toBe(true);
    expect(op.calls).toHaveLength(1);
  });

  it('a superseded token works during the 300 s grace, then fails with 40001', async () => {
    const api = clientFor(op, watch);
    const older = await componentToken(op, api, watch);
    const newer = await componentToken(op, api, watch);
    op.clock.advance(299);
    await expect(api.createPreAuthCode(older)).resolves.toHaveProperty('pre_auth_code');
    op.clock.advance(2);
    const error = await failureOf(api.createPreAuthCode(older), watch);
    expect(error).toMatchObject({ errcode: 40001, category: 'token' });
    await expect(api.createPreAuthCode(newer)).resolves.toHaveProperty('pre_auth_code');
  });

  it('42001 once the token is past its 7200 s', async () => {
    const api = clientFor(op, watch);
    const token = await componentToken(op, api, watch);
    op.clock.advance(7201);
    const error = await failureOf(api.createPreAuthCode(token), watch);
    expect(error).toMatchObject({ errcode: 42001, category: 'token', meaning: 'access token expired' });
  });

  it('61005 for a ticket older than 12 h', async () => {
    const api = clientFor(op, watch);
    const ticket = await freshTicket(op, watch);
    op.clock.advance(12 * 3600 + 1);
    const error = await failureOf(api.getComponentAccessToken(ticket), watch);
    expect(error).toMatchObject({ errcode: 61005, category: 'ticket' });
  });
});

describe('nothing exposed carries a secret', () => {
  it('no error message, error JSON or metrics record contains a token, ticket or secret', () => {
    expect(watch.errors.length).toBeGreaterThanOrEqual(8);
    expect(watch.records.length).toBeGreaterThan(0);
    expect(watch.secretCount()).toBeGreaterThan(5);
    expect(watch.leaks()).toEqual([]);
    for (const error of watch.errors) expect(error).toBeInstanceOf(OpenApiError);
  });
});
