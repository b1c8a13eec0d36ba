// Backend-shaped answers for shipping (issue 19): a merchant's versions (getMiniProgramVersions)
// and the admin page's jobs (shipJobs, shipJobStatus), as the function's own tests see it answer.
import type { MiniProgramVersions, ShipJobStatusView, ShipJobView } from '../../typings/api';

export const MINI_APPID = 'wx6b93d0f2a7c4e815';
const AT = Date.UTC(2026, 11, 3, 2, 0);

export function versionsAnswer(overrides: Partial<MiniProgramVersions> = {}): MiniProgramVersions {
  return {
    appid: MINI_APPID,
    availability: 'ok',
    notice: null,
    live: { version: '1.4.0', description: '新增预约到店', at: AT - 86_400_000 },
    audit: { version: '1.5.0', submittedAt: AT, state: 'reviewing', reason: null },
    trial: { version: '1.5.0', description: '会员积分', at: AT - 3_600_000 },
    advice: null,
    shipment: { jobId: 'ship-0123456789abcdef01234567', version: '1.5.0', stage: 'submitted', startedAt: AT - 7_200_000 },
    checkedAt: AT + 60_000,
    ...overrides,
  };
}

/** The latest audit refused for the merchant's category: theirs to fix. */
export function rejectedForCategory(): MiniProgramVersions {
  const reason = '小程序服务类目与实际运营内容不符；请补充相应类目';
  return versionsAnswer({
    audit: { version: '1.5.0', submittedAt: AT, state: 'rejected', reason },
    advice: {
      fixer: 'merchant',
      message: `审核未通过：${reason}`,
      action:
        '请登录小程序后台（mp.weixin.qq.com）→ 设置 → 基本设置 → 服务类目，补充或更换与小程序内容相符的类目，需要时上传资质。改好后服务商会重新提交审核，无需再联系服务商。',
    },
    shipment: { jobId: 'ship-0123456789abcdef01234567', version: '1.5.0', stage: 'rejected', startedAt: AT - 7_200_000 },
  });
}

export const JOB_ID = 'ship-0a1b2c3d4e5f60718293a4b5';

export function shipJob(overrides: Partial<ShipJobView> = {}): ShipJobView {
  return {
    jobId: JOB_ID,
    state: 'running',
    userVersion: '2.1.0',
    templateId: 12,
    release: 'command',
    grayPercentage: null,
    pause: null,
    targets: 240,
    openWave: 2,
    counts: { queued: 120, submitted: 60, audit_passed: 40, released: 12, rejected: 3, skipped: 2, failed: 3 },
    createdAt: AT,
    updatedAt: AT + 600_000,
    ...overrides,
  };
}

export function pausedForQuota(): ShipJobView {
  return shipJob({
    jobId: 'ship-ffeeddccbbaa998877665544',
    state: 'paused',
    userVersion: '2.0.9',
    pause: { errcode: 85085, message: '本月提审额度已用完', action: '额度恢复或申请临时额度后任务自动恢复' },
    counts: { queued: 30, ready: 10, released: 200 },
  });
}

export function jobStatus(job: ShipJobView = shipJob(), next: number | null = null): ShipJobStatusView {
  return {
    job,
    problems: [
      {
        appid: 'wx0a1b2c3d4e5f6a7b',
        stage: 'failed',
        errcode: 99999,
        message: '微信拒绝了「上传代码」这一步',
        action: '请开发人员按错误码排查后重新发布',
      },
      {
        appid: 'wx7c2d9e4f1a3b5c6d',
        stage: 'rejected',
        errcode: null,
        message: '审核未通过：小程序名称与实际服务不符',
        action: '按审核意见修改后重新提审',
      },
      {
        appid: 'wx1234567890abcdef',
        stage: 'skipped',
        errcode: 85008,
        message: '小程序没有已审核通过的类目',
        action: '请商家在小程序后台补充服务类目',
      },
    ],
    next,
    outlook: {
      quotaNeeded: 120,
      quota: { rest: 95, limit: 100 },
      reserve: 10,
      submitBudget: 20,
      waves: 4,
      nextWave: { index: 3, merchants: 100 },
      rejectionThreshold: 0.2,
    },
  };
}
