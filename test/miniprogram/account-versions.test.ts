// Account detail page, a mini-program's versions (issue 19): online, the latest audit and the trial
// version; a refused audit with WeChat's reason and who fixes it; the plain notices when nothing
// can be shown; refresh and a failure kept inside the card.
import type { MiniProgramVersions } from '../../typings/api';
import { CODE_SET, detail, exists, fail, fakeCloud, ok, textOf, vantInner, type FakeCloud } from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';
import { MINI_APPID, rejectedForCategory, versionsAnswer } from './ship-fixtures';

const PAGE = 'pages/account-detail/index';
const MINI = detail({ appid: MINI_APPID, kind: 'mini_program', name: '青禾鲜花预订', grantedSets: [CODE_SET] });

function answering(versions: () => ReturnType<typeof ok<'getMiniProgramVersions'>> | ReturnType<typeof fail>, account = MINI) {
  return fakeCloud({
    getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: account }),
    getMiniProgramVersions: versions,
  });
}

const open = (fake: FakeCloud, appid = MINI_APPID): Promise<LoadedPage> =>
  loadPage(PAGE, { wxShims: { cloud: fake.cloud }, query: { appid } });

afterEach(unloadAllPages);

test('a mini-program shows its online version, the audit under way and the trial version', async () => {
  const fake = answering(() => ok<'getMiniProgramVersions'>(versionsAnswer()));
  const page = await open(fake);

  expect(fake.payloadsOf('getMiniProgramVersions')).toEqual([{ appid: MINI_APPID }]);
  // Simulate puts no space between sibling views: the texts run together.
  expect(textOf(page, '#version-live')).toMatch(/^线上版本1\.4\.0新增预约到店 · 发布于 2026-12-0\d \d\d:\d\d$/);
  expect(textOf(page, '#version-audit')).toMatch(/^最近一次审核 ?审核中 ?1\.5\.0提交于 2026-12-03 \d\d:\d\d$/);
  expect(textOf(page, '#version-trial')).toMatch(/^体验版1\.5\.0会员积分 · 上传于 /);
  expect(exists(page, '#version-advice')).toBe(false);
  expect(textOf(page, '#version-shipment')).toContain('服务商发布的 1.5.0：审核中');
  expect(textOf(page, '#versions-checked')).toContain('一分钟内刷新显示同样的结果');
});

test('an audit refused for the category says so in plain words, whose it is to fix and where', async () => {
  const page = await open(answering(() => ok<'getMiniProgramVersions'>(rejectedForCategory())));

  expect(textOf(page, '#version-audit')).toContain('审核未通过');
  const advice = textOf(page, '#version-advice');
  expect(advice).toContain('需要你处理');
  expect(advice).toContain('审核未通过：小程序服务类目与实际运营内容不符；请补充相应类目');
  expect(advice).toContain('设置 → 基本设置 → 服务类目');
  expect(advice).toContain('改好后服务商会重新提交审核');
  expect(Array.from(page.root.querySelector('#version-advice')?.dom?.classList ?? [])).toContain('page--advice--merchant');
});

test('a refusal the provider handles tells the merchant they need do nothing', async () => {
  const answer = versionsAnswer({
    audit: { version: '1.5.0', submittedAt: Date.UTC(2026, 11, 3), state: 'rejected', reason: '页面存在空白' },
    advice: { fixer: 'provider', message: '审核未通过：页面存在空白', action: '服务商会处理并重新提交审核，你无需操作。' },
  });
  const page = await open(answering(() => ok<'getMiniProgramVersions'>(answer)));
  const advice = textOf(page, '#version-advice');
  expect(advice).toContain('服务商会处理');
  expect(advice).toContain('你无需操作');
  expect(Array.from(page.root.querySelector('#version-advice')?.dom?.classList ?? [])).toContain('page--advice--provider');
});

test('never released, never audited: says what the online version will be', async () => {
  const answer = versionsAnswer({ live: null, audit: null, trial: null, shipment: null });
  const page = await open(answering(() => ok<'getMiniProgramVersions'>(answer)));
  expect(textOf(page, '#version-live')).toContain('尚未发布');
  expect(exists(page, '#version-audit')).toBe(false);
  expect(exists(page, '#version-trial')).toBe(false);
  expect(exists(page, '#version-shipment')).toBe(false);
});

test.each([
  ['missing_set', '你还没有授予服务商“开发管理”权限'],
  ['unreachable', '暂时没能从微信读到版本信息，请稍后刷新。'],
] as const)('%s: a plain notice in the card, the rest of the page as usual', async (availability, notice) => {
  const answer: MiniProgramVersions = {
    ...versionsAnswer({ live: null, audit: null, trial: null, advice: null, shipment: null }),
    availability,
    notice,
  };
  const page = await open(answering(() => ok<'getMiniProgramVersions'>(answer)));
  expect(textOf(page, '#versions-notice')).toContain(notice);
  expect(exists(page, '.version-row')).toBe(false);
  // Refreshing helps only when WeChat may answer next time; the merchant must act on a missing set first.
  expect(exists(page, '#refresh-versions')).toBe(availability === 'unreachable');
  expect(exists(page, '#versions-checked')).toBe(availability === 'unreachable');
  expect(textOf(page, '#header')).toContain('青禾鲜花预订');
  expect(exists(page, '#error')).toBe(false);
});

test('refresh asks again; a failure stays inside the card with a retry that works', async () => {
  const fake = answering(() => ok<'getMiniProgramVersions'>(versionsAnswer()));
  const page = await open(fake);
  fake.answer({ getMiniProgramVersions: () => fail('UPSTREAM', '网络不稳定，请稍后重试') });
  await tap(vantInner(page, 'refresh-versions', '.van-button'), page);
  expect(textOf(page, '#versions-error')).toBe('网络不稳定，请稍后重试');
  expect(textOf(page, '#refresh-versions')).toBe('重试');
  expect(textOf(page, '#header')).toContain('青禾鲜花预订');

  fake.answer({ getMiniProgramVersions: () => ok<'getMiniProgramVersions'>(rejectedForCategory()) });
  await tap(vantInner(page, 'refresh-versions', '.van-button'), page);
  expect(fake.payloadsOf('getMiniProgramVersions')).toHaveLength(3);
  expect(exists(page, '#versions-error')).toBe(false);
  expect(textOf(page, '#version-advice')).toContain('需要你处理');
});

test('staff opening it from the admin page also see which job the shipment belongs to', async () => {
  const fake = fakeCloud({
    getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: MINI }),
    getMiniProgramVersions: () => ok<'getMiniProgramVersions'>(versionsAnswer()),
    authorizerUsage: () => ok<'authorizerUsage'>({ usage: [] }),
  });
  const merchant = await open(fake);
  expect(textOf(merchant, '#version-shipment')).not.toContain('任务');
  unloadAllPages();
  const staff = await loadPage(PAGE, { wxShims: { cloud: fake.cloud }, query: { appid: MINI_APPID, admin: '1' } });
  expect(textOf(staff, '#version-shipment')).toContain('任务 ship-0123456789abcdef01234567');
});

test('other kinds and lapsed mini-programs ask nothing and show no card', async () => {
  const official = fakeCloud({ getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: detail() }) });
  const page = await open(official, detail().appid);
  expect(exists(page, '#versions')).toBe(false);
  unloadAllPages();

  const lapsed = answering(() => ok<'getMiniProgramVersions'>(versionsAnswer()), { ...MINI, status: 'needs_reauth' });
  const lapsedPage = await open(lapsed);
  expect(exists(lapsedPage, '#versions')).toBe(false);
  expect(lapsed.payloadsOf('getMiniProgramVersions')).toEqual([]);
});
