// Shipping the provider's template to merchants (issue 19), in plain Chinese: what each stage of a
// merchant's shipment and each audit state is called, for the account page and the admin page.
// Plain values only; the stage names are the backend's (cloudfunctions/…/shipping/stages.ts).
import type { AuditState } from '../../typings/api';
import type { Tone } from './status';

export interface StageLook {
  label: string;
  tone: Tone;
}

/** Every stage, in the order a merchant goes through them (the admin page counts in this order). */
export const SHIP_STAGE_LOOK: Readonly<Record<string, StageLook>> = {
  queued: { label: '排队中', tone: 'default' },
  preflight: { label: '检查中', tone: 'primary' },
  committing: { label: '上传代码中', tone: 'primary' },
  committed: { label: '已上传代码', tone: 'primary' },
  ready: { label: '等待提交审核', tone: 'primary' },
  submitting: { label: '提交审核中', tone: 'primary' },
  submitted: { label: '审核中', tone: 'primary' },
  audit_passed: { label: '审核通过待发布', tone: 'success' },
  releasing: { label: '发布中', tone: 'primary' },
  released: { label: '已发布', tone: 'success' },
  rolling_back: { label: '回退中', tone: 'warning' },
  rolled_back: { label: '已回退', tone: 'default' },
  rejected: { label: '审核未通过', tone: 'danger' },
  skipped: { label: '已跳过', tone: 'warning' },
  failed: { label: '失败', tone: 'danger' },
};

export function stageLook(stage: string): StageLook {
  return SHIP_STAGE_LOOK[stage] ?? { label: '处理中', tone: 'default' };
}

export const AUDIT_STATE_LOOK: Readonly<Record<AuditState, StageLook>> = {
  approved: { label: '审核通过', tone: 'success' },
  rejected: { label: '审核未通过', tone: 'danger' },
  reviewing: { label: '审核中', tone: 'primary' },
  withdrawn: { label: '已撤回', tone: 'default' },
  delayed: { label: '审核延后', tone: 'warning' },
};
