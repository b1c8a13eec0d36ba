/**
 * 发布到商家 in the console, in Chromium on the local stack: a real release job (created through
 * the broker's signed `ship` operation, moved by the function's timer and the emulator's reviews)
 * on the jobs screen and its job page; pause → resume, a per-merchant release and a retry from
 * the browser, each in the audit log; a bad field and a refused command said plainly; a POST
 * without the CSRF token or from another origin refused with nothing done or logged.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { BrokerHttpClient, type ShipClient } from '../../../clients/broker-client/src';
import { seedAuthorizers } from '../../../emulator/scale-seed';
import { cookieHeader, raw, signInByActions, startConsoleStack, type ConsoleStack } from './console-stack';

jest.setTimeout(180_000);

const KEY = {
  id: 'console-ship',
  secret: 'console-ship-secret-0123456789abcdef0123456789',
  scope: { ops: ['ship'], appids: '*' },
};

let stack: ConsoleStack;
let desk: BrowserContext;
let page: Page;
let ship: ShipClient;
let jobId = '';
let templateId = 0;
let merchants: string[] = [];

beforeAll(async () => {
  stack = await startConsoleStack({ functionEnv: { BROKER_CLIENT_KEYS: JSON.stringify([KEY]) } });
  const { openPlatform, cloud, clock, publicBaseUrl } = stack.flow.stack;
  const grants = openPlatform
    .bulkAuthorize(36, 'console-ship')
    .filter((g) => g.account.kind === 'mini_program' && g.account.serviceTypeId === 0)
    .slice(0, 3);
  expect(grants).toHaveLength(3);
  await seedAuthorizers(cloud.db, grants, clock.now());
  merchants = grants.map((g) => g.account.appid);
  ship = new BrokerHttpClient({ baseUrl: publicBaseUrl, keyId: KEY.id, secret: KEY.secret, now: () => clock.now() }).ship;
  for (const appid of merchants) await ship.values(appid, { shopName: `店${appid.slice(-3)}` });
  ({ templateId } = openPlatform.codeManagement.uploadDraft({ userVersion: '3.1.0', userDesc: '秋季上新', toTemplate: true }) as {
    templateId: number;
  });
  // The third merchant's commit is refused with a code nobody knows: it fails, to be retried.
  openPlatform.codeManagement.injectError(merchants[2], '/wxa/commit', 99999, 1);
  ({ jobId } = await ship.create({
    templateId,
    userVersion: '3.1.0',
    userDesc: '秋季上新',
    extJsonTemplate: { extEnable: true, extAppid: '{{appid}}', ext: { shopName: '{{shopName}}' } },
    targets: merchants,
    release: 'command',
  }));
  desk = await stack.newDesk();
  page = await desk.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signInByActions(stack, page);
});

afterAll(async () => {
  await stack?.close();
});

async function timer(): Promise<void> {
  const report = (await stack.flow.stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean }>;
  expect(report.shipping).toMatchObject({ ok: true });
}

/** Commits, the privacy scan's minute, submissions; then the reviews end and their events arrive. */
async function throughAudit(): Promise<void> {
  const { clock, openPlatform } = stack.flow.stack;
  await timer();
  clock.advance(61);
  await timer();
  await timer();
  clock.advance(901);
  await openPlatform.codeManagement.settle();
  await timer();
}

async function auditEntries(): Promise<Array<{ action: string; target: string; outcome: string; source: string }>> {
  return (await stack.flow.docs('consoleAudit')).map(({ action, target, outcome, source }) => ({
    action,
    target,
    outcome,
    source,
  }));
}

const noInline = async () => expect(await page.locator('[style], script:not([src]), style').count()).toBe(0);
const row = (appid: string) => page.locator(`tr[data-appid="${appid}"]`);

test('the jobs screen: the job with its progress and next step, the template library with the template in use', async () => {
  await page.goto(`${stack.root}/shipping`);
  expect(await page.locator('#nav-shipping').getAttribute('aria-current')).toBe('page');
  expect(await page.locator('#placeholder').count()).toBe(0);
  const job = page.locator(`tr[data-job="${jobId}"]`);
  expect(await job.getAttribute('data-state')).toBe('running');
  const text = await job.textContent();
  expect(text).toContain('版本 3.1.0');
  expect(text).toContain('进行中');
  expect(text).toContain('共 3 个商家：排队中 3');
  // Quota: needed against what WeChat says is left and the reserve.
  expect(text).toMatch(/还需提审 3 次；微信本月剩余额度 \d+ \/ \d+，为新商家保留 \d+/);
  const template = page.locator(`#ship-templates tr[data-template="${templateId}"]`);
  expect(await template.textContent()).toContain('3.1.0');
  expect(await template.locator('a').textContent()).toContain('版本 3.1.0（进行中）');
  await noInline();
});

test('the job page; pause with a reason, then resume, from the browser: each in the audit log', async () => {
  await page.locator(`tr[data-job="${jobId}"] a`).first().click();
  await page.waitForURL((url) => url.pathname.endsWith(`/shipping/${jobId}`));
  expect(await page.locator('#nav-shipping').getAttribute('aria-current')).toBe('page');
  expect(await page.locator('#ship-progress').textContent()).toContain('排队中 3');
  expect(await page.locator('.ship-merchants tbody tr').count()).toBe(3);
  await noInline();

  await page.locator('#command-pause input[name=reason]').fill('等运营确认文案');
  await page.locator('#command-pause button').click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'pause');
  expect(await page.locator('#notice').textContent()).toContain('已完成：暂停任务');
  expect(await page.locator('.ship-title').textContent()).toContain('已暂停');
  expect(await page.locator('#ship-next').textContent()).toContain('人工暂停：等运营确认文案');
  expect((await stack.flow.doc('shipJobs', jobId))?.state).toBe('paused');
  // Paused: the timer leaves its merchants alone.
  await timer();
  expect(stack.flow.stack.openPlatform.codeManagement.app(merchants[0])?.commits ?? 0).toBe(0);

  await page.locator('#command-resume button').click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'resume');
  expect(await page.locator('.ship-title').textContent()).toContain('进行中');
  expect((await stack.flow.doc('shipJobs', jobId))?.state).toBe('running');

  const entries = await auditEntries();
  expect(entries).toContainEqual({ action: 'shipJobCommand', target: `${jobId} · pause`, outcome: 'ok', source: 'console' });
  expect(entries).toContainEqual({ action: 'shipJobCommand', target: `${jobId} · resume`, outcome: 'ok', source: 'console' });
});

test("each merchant's state and WeChat's reason; release one, retry the failed one from its row", async () => {
  await throughAudit();
  await page.goto(`${stack.root}/shipping/${jobId}`);
  const [a, b, c] = merchants;
  expect(await row(a).getAttribute('data-stage')).toBe('audit_passed');
  expect(await row(c).getAttribute('data-stage')).toBe('failed');
  expect(await row(c).textContent()).toContain('微信错误码 99999');
  const next = await page.locator('#ship-next').textContent();
  expect(next).toContain('1 个商家失败');
  expect(next).toContain('2 个商家审核已通过，等待发布');

  await row(a).locator('button[data-command=release]').click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'release');
  expect(await page.locator('#notice').textContent()).toContain('1 个商家已处理');
  expect(await row(a).getAttribute('data-stage')).toBe('released');
  expect(await row(b).getAttribute('data-stage')).toBe('audit_passed');
  expect(stack.flow.stack.openPlatform.codeManagement.app(a)?.online?.userVersion).toBe('3.1.0');
  expect(stack.flow.stack.openPlatform.codeManagement.app(b)?.online).toBeUndefined();

  await row(c).locator('button[data-command=retry]').click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'retry');
  expect(await row(c).getAttribute('data-stage')).not.toBe('failed');

  // Roll back one AppID from the job's form: `a` had no earlier version, so WeChat refuses (87012)
  // and the row keeps it released with WeChat's reason and what to do.
  await page.locator('#command-rollback input[name=appid]').fill(a);
  await page.locator('#command-rollback button').click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'rollback');
  expect(await row(a).getAttribute('data-stage')).toBe('released');
  expect(await row(a).textContent()).toContain('微信错误码 87012');

  // The problems filter lists only the merchants that stopped (none now).
  await page.locator('#show-problems').click();
  await page.waitForURL((url) => url.searchParams.get('show') === 'problems');
  expect(await page.locator('#merchants-empty').count()).toBe(1);

  const entries = await auditEntries();
  expect(entries).toContainEqual({
    action: 'shipJobCommand',
    target: `${jobId} · release · ${a}`,
    outcome: 'ok',
    source: 'console',
  });
  expect(entries).toContainEqual({
    action: 'shipJobCommand',
    target: `${jobId} · retry · ${c}`,
    outcome: 'ok',
    source: 'console',
  });
  // The audit log names the commands in words.
  await page.goto(`${stack.root}/audit`);
  const log = await page.locator('#audit-log').textContent();
  expect(log).toContain('暂停发布任务');
  expect(log).toContain('发布审核通过的商家');
  expect(log).toContain('重试发布失败的商家');
});

test('a bad field and a refused command are said plainly; the refusal is in the audit log', async () => {
  await page.goto(`${stack.root}/shipping/${jobId}`);
  const csrf = await page.locator('#command-release input[name=csrf]').getAttribute('value');
  const cookie = await cookieHeader(desk, 'wxc_session');
  const post = (body: string) =>
    raw(`${stack.root}/shipping/${jobId}/command`, { method: 'POST', cookie, origin: stack.origin, body });

  const before = (await auditEntries()).length;
  const bad = await post(`csrf=${csrf}&command=release&percentage=150`);
  expect(bad.status).toBe(303);
  await page.goto(new URL(bad.headers.get('location')!, stack.origin).toString());
  expect(await page.locator('#notice').textContent()).toBe('没有完成：发布已通过的。灰度比例须为 1–100 的整数，不填则全量发布。');
  // Refused before it ran: nothing logged.
  expect((await auditEntries()).length).toBe(before);

  const refused = await post(`csrf=${csrf}&command=resume`);
  await page.goto(new URL(refused.headers.get('location')!, stack.origin).toString());
  expect(await page.locator('#notice').textContent()).toBe('没有完成：恢复任务。原因：任务未暂停');
  expect(await auditEntries()).toContainEqual({
    action: 'shipJobCommand',
    target: `${jobId} · resume`,
    outcome: 'failed',
    source: 'console',
  });
});

test('a command without the CSRF token, or from another origin, is refused: nothing done, nothing logged', async () => {
  await page.goto(`${stack.root}/shipping/${jobId}`);
  const csrf = await page.locator('#command-pause input[name=csrf]').getAttribute('value');
  const cookie = await cookieHeader(desk, 'wxc_session');
  const before = (await auditEntries()).length;
  const url = `${stack.root}/shipping/${jobId}/command`;
  const noToken = await raw(url, { method: 'POST', cookie, origin: stack.origin, body: 'command=pause&reason=x' });
  expect(noToken.status).toBe(403);
  expect(noToken.text).toContain('请求无效');
  const otherOrigin = await raw(url, {
    method: 'POST',
    cookie,
    origin: 'https://evil.example',
    body: `csrf=${csrf}&command=pause&reason=x`,
  });
  expect(otherOrigin.status).toBe(403);
  expect((await stack.flow.doc('shipJobs', jobId))?.state).toBe('running');
  expect((await auditEntries()).length).toBe(before);
  // An unknown job is a 404 page, not a crash.
  expect((await page.goto(`${stack.root}/shipping/ship-000000000000000000000000`))!.status()).toBe(404);
});
