// Admin page, the shipping card (issue 19): loaded on demand; jobs with their state, pause reason
// and progress in plain words; a job's outlook and stopped merchants; each command behind a Vant
// confirmation, its result kept on the card.
import type { ShipCommandView, ShipJobCommandInput } from '../../typings/api';
import { appConfig, exists, fail, fakeCloud, healthyPlatform, ok, textOf, vantInner, type FakeCloud } from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage, type SimNode } from './harness';
import { JOB_ID, jobStatus, pausedForQuota, shipJob } from './ship-fixtures';

const PAGE = 'pages/admin/index';

function admin(commands: (input: ShipJobCommandInput) => ShipCommandView | ReturnType<typeof fail>): FakeCloud {
  return fakeCloud({
    getAppConfig: () => ok<'getAppConfig'>(appConfig(true)),
    platformHealth: () => ok<'platformHealth'>(healthyPlatform()),
    listAuthorizers: () => ok<'listAuthorizers'>({ total: 0, authorizers: [] }),
    shipJobs: () => ok<'shipJobs'>({ jobs: [shipJob(), pausedForQuota()] }),
    shipJobStatus: ({ jobId }) => ok<'shipJobStatus'>(jobStatus(jobId === JOB_ID ? shipJob() : pausedForQuota())),
    shipJobCommand: (input) => {
      const answer = commands(input);
      return 'ok' in answer ? answer : ok<'shipJobCommand'>(answer);
    },
  });
}

const open = (fake: FakeCloud): Promise<LoadedPage> => loadPage(PAGE, { wxShims: { cloud: fake.cloud } });

/** The job's head cell (a van-cell with a click handler). */
const jobCell = (page: LoadedPage, jobId: string) => vantInner(page, `ship-cell-${jobId}`, '.van-cell');

/** Vant's dialog footer: cancel, then confirm (van-button components in the dialog's own tree). */
function dialogButton(page: LoadedPage, which: 'confirm' | 'cancel'): SimNode | undefined {
  const buttons = page.root.querySelector('#ship-dialog')?.querySelectorAll('.van-dialog__button') ?? [];
  return buttons[which === 'cancel' ? 0 : 1]?.querySelector('.van-button');
}

/** Vant's popup shows its content after its enter transition starts: wait for the dialog's text. */
async function dialogText(page: LoadedPage): Promise<string> {
  const deadline = Date.now() + 2_000;
  while (!textOf(page, '#ship-dialog') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await page.flush();
  }
  return textOf(page, '#ship-dialog');
}

async function typeInto(page: LoadedPage, fieldId: string, value: string): Promise<void> {
  const input = page.root
    .querySelector(`#${fieldId}`)
    ?.querySelectorAll('.van-field__control')
    .find((node) => node.dom?.tagName.toLowerCase() === 'wx-input');
  if (!input) throw new Error(`${fieldId}: input not found`);
  input.dispatchEvent('input', { detail: { value } });
  await page.flush();
}

async function openJob(fake: FakeCloud, jobId = JOB_ID): Promise<LoadedPage> {
  const page = await open(fake);
  await tap(vantInner(page, 'load-ship', '.van-button'), page);
  await tap(jobCell(page, jobId), page);
  return page;
}

afterEach(unloadAllPages);

test('not loaded until asked; then each job with its state, pause reason and progress in plain words', async () => {
  const fake = admin(() => fail('INTERNAL', 'x'));
  const page = await open(fake);
  expect(fake.requests.map((r) => r.action)).not.toContain('shipJobs');
  await tap(vantInner(page, 'load-ship', '.van-button'), page);

  const running = textOf(page, `#ship-${JOB_ID}`);
  expect(running).toContain('版本 2.1.0 · 模板 12');
  expect(running).toContain('进行中');
  expect(running).toContain('审核通过后等待发布指令');
  expect(running).toContain(
    '共 240 个商家：排队中 120 · 审核中 60 · 审核通过待发布 40 · 已发布 12 · 审核未通过 3 · 已跳过 2 · 失败 3',
  );
  const paused = textOf(page, '#ship-ship-ffeeddccbbaa998877665544');
  expect(paused).toContain('已暂停');
  expect(paused).toContain('暂停原因：本月提审额度已用完（微信错误码 85085） · 处理：额度恢复或申请临时额度后任务自动恢复');
  expect(exists(page, '#ship-detail')).toBe(false);
});

test("a job's details: quota needed against WeChat's, the wave, and each stopped merchant with what to do", async () => {
  const fake = admin(() => fail('INTERNAL', 'x'));
  const page = await openJob(fake);
  expect(fake.payloadsOf('shipJobStatus')).toEqual([{ jobId: JOB_ID, offset: 0 }]);

  expect(textOf(page, '#ship-quota')).toBe('还需提审 120 次；微信本月剩余额度 95/100，为其他用途保留 10');
  expect(Array.from(page.root.querySelector('#ship-quota')?.dom?.classList ?? []).join(' ')).toContain('ship-line--warning');
  expect(textOf(page, '#ship-budget')).toBe('当前第 3 批，本批还可提审 20 次');
  expect(textOf(page, '#ship-next-wave')).toContain(
    '下一批：第 4 批（共 4 批），100 个商家；上一批审核全部结束且驳回率不超过 20% 时开启',
  );

  const failed = textOf(page, '#ship-problem-wx0a1b2c3d4e5f6a7b');
  expect(failed).toContain('失败');
  expect(failed).toContain('微信拒绝了「上传代码」这一步（微信错误码 99999）');
  expect(failed).toContain('处理：请开发人员按错误码排查后重新发布');
  expect(failed).toContain('重试此商家');
  const skipped = textOf(page, '#ship-problem-wx1234567890abcdef');
  expect(skipped).toContain('已跳过');
  expect(skipped).toContain('请商家在小程序后台补充服务类目');
  expect(skipped).not.toContain('重试此商家');
  expect(textOf(page, '#ship-problem-wx7c2d9e4f1a3b5c6d')).toContain('审核未通过：小程序名称与实际服务不符');
  expect(exists(page, '#ship-pause')).toBe(true);
  expect(exists(page, '#ship-resume')).toBe(false);

  // Tapping the head again closes it.
  await tap(jobCell(page, JOB_ID), page);
  expect(exists(page, '#ship-detail')).toBe(false);
});

test('pause asks for a reason in a confirmation; the result stays on the card', async () => {
  const sent: ShipJobCommandInput[] = [];
  const fake = admin((input) => {
    sent.push(input);
    return { jobId: JOB_ID, state: 'paused', moved: 0, busy: 0, more: false };
  });
  const page = await openJob(fake);

  await tap(vantInner(page, 'ship-pause', '.van-button'), page);
  expect(page.root.data.shipDialogShow).toBe(true);
  expect(await dialogText(page)).toContain('暂停任务');
  expect(await dialogText(page)).toContain('暂停后不再提交新的审核');
  // Cancelling sends nothing.
  await tap(dialogButton(page, 'cancel'), page);
  expect(sent).toEqual([]);
  expect(page.root.data.shipDialogShow).toBe(false);

  await tap(vantInner(page, 'ship-pause', '.van-button'), page);
  await typeInto(page, 'ship-reason', '等运营确认文案');
  await tap(dialogButton(page, 'confirm'), page);
  expect(sent).toEqual([{ jobId: JOB_ID, action: 'pause', reason: '等运营确认文案' }]);
  expect(textOf(page, '#ship-result')).toBe('任务已暂停。任务现在已暂停。');
  // Still there after the details were read again, and after a while.
  await new Promise((resolve) => setTimeout(resolve, 3200));
  await page.flush();
  expect(textOf(page, '#ship-result')).toBe('任务已暂停。任务现在已暂停。');
  expect(page.callsTo('showToast')).toEqual([]);
}, 15_000);

test('release: all, or one appid at a gray percentage; busy and more say to send it again', async () => {
  const sent: ShipJobCommandInput[] = [];
  const fake = admin((input) => {
    sent.push(input);
    return { jobId: JOB_ID, state: 'running', moved: 38, busy: 2, more: true };
  });
  const page = await openJob(fake);

  await tap(vantInner(page, 'ship-release', '.van-button'), page);
  await tap(dialogButton(page, 'confirm'), page);
  expect(sent[0]).toEqual({ jobId: JOB_ID, action: 'release' });
  expect(textOf(page, '#ship-result')).toBe(
    '已发布 38 个商家；2 个商家正被处理，稍后再操作一次；还有更多商家，请再操作一次继续。任务现在进行中。',
  );

  fake.answer({
    shipJobCommand: () => ok<'shipJobCommand'>({ jobId: JOB_ID, state: 'running', moved: 1, busy: 0, more: false }),
  });
  await tap(vantInner(page, 'ship-release', '.van-button'), page);
  await typeInto(page, 'ship-appid', 'wx0a1b2c3d4e5f6a7b');
  await typeInto(page, 'ship-percent', '30');
  await tap(dialogButton(page, 'confirm'), page);
  expect(fake.payloadsOf('shipJobCommand')[1]).toEqual({
    jobId: JOB_ID,
    action: 'release',
    appid: 'wx0a1b2c3d4e5f6a7b',
    percentage: 30,
  });
  expect(textOf(page, '#ship-result')).toBe('已发布 商家 wx0a1b2c3d4e5f6a7b。任务现在进行中。');

  // A percentage that is not one is refused on the page: nothing is sent (it would read as a full release).
  await tap(vantInner(page, 'ship-release', '.van-button'), page);
  await typeInto(page, 'ship-percent', '150');
  await tap(dialogButton(page, 'confirm'), page);
  expect(fake.payloadsOf('shipJobCommand')).toHaveLength(2);
  expect(textOf(page, '#ship-result')).toBe('灰度比例须为 1–100 的整数，没有发布任何商家');
});

test('retry one failed merchant from its row; roll back the whole job; a refused command says why', async () => {
  const fake = admin((input) => ({ jobId: input.jobId, state: 'running', moved: 1, busy: 0, more: false }));
  const page = await openJob(fake);

  await tap(vantInner(page, 'ship-retry-wx0a1b2c3d4e5f6a7b', '.van-button'), page);
  expect(await dialogText(page)).toContain('商家 wx0a1b2c3d4e5f6a7b 会从检查开始重新发布，每个商家会再用一次提审额度');
  expect(exists(page, '#ship-appid')).toBe(false);
  await tap(dialogButton(page, 'confirm'), page);
  expect(fake.payloadsOf('shipJobCommand')).toEqual([{ jobId: JOB_ID, action: 'retry', appid: 'wx0a1b2c3d4e5f6a7b' }]);
  expect(textOf(page, '#ship-result')).toBe('已重新开始 商家 wx0a1b2c3d4e5f6a7b。任务现在进行中。');

  fake.answer({ shipJobCommand: () => ok<'shipJobCommand'>({ jobId: JOB_ID, state: 'done', moved: 52, busy: 0, more: false }) });
  await tap(vantInner(page, 'ship-rollback', '.van-button'), page);
  expect(await dialogText(page)).toContain('不填 AppID 则回退整个任务的所有商家');
  await tap(dialogButton(page, 'confirm'), page);
  expect(fake.payloadsOf('shipJobCommand')[1]).toEqual({ jobId: JOB_ID, action: 'rollback' });
  expect(textOf(page, '#ship-result')).toBe('已回退 52 个商家。任务现在已完成。');

  fake.answer({ shipJobCommand: () => fail('INVALID_INPUT', '任务未暂停') });
  await tap(vantInner(page, 'ship-pause', '.van-button'), page);
  await typeInto(page, 'ship-reason', '再看看');
  await tap(dialogButton(page, 'confirm'), page);
  expect(textOf(page, '#ship-result')).toBe('暂停任务没有完成：任务未暂停');
});

test('a paused job offers resume; a failure to list shows the message and a retry that works', async () => {
  const fake = admin((input) => ({ jobId: input.jobId, state: 'running', moved: 0, busy: 0, more: false }));
  const page = await openJob(fake, 'ship-ffeeddccbbaa998877665544');
  expect(exists(page, '#ship-pause')).toBe(false);
  await tap(vantInner(page, 'ship-resume', '.van-button'), page);
  await tap(dialogButton(page, 'confirm'), page);
  expect(fake.payloadsOf('shipJobCommand')).toEqual([{ jobId: 'ship-ffeeddccbbaa998877665544', action: 'resume' }]);
  expect(textOf(page, '#ship-result')).toBe('任务已恢复，定时任务（约 5 分钟一次）会继续。任务现在进行中。');
  unloadAllPages();

  const broken = admin(() => fail('INTERNAL', 'x'));
  broken.answer({ shipJobs: () => fail('INTERNAL', '服务出错了，请稍后重试') });
  const again = await open(broken);
  await tap(vantInner(again, 'load-ship', '.van-button'), again);
  expect(textOf(again, '#ship-error')).toContain('服务出错了');
  broken.answer({ shipJobs: () => ok<'shipJobs'>({ jobs: [] }) });
  await tap(vantInner(again, 'retry-ship', '.van-button'), again);
  expect(textOf(again, '#ship-empty')).toContain('还没有发布任务');
});
