import type { MiniProgramVersions, VersionSlot } from '../../../typings/api';
import { AUDIT_STATE_LOOK, stageLook } from '../../shared/shipping';
import type { Tone } from '../../shared/status';
import { formatTime } from '../../utils/labels';

/** One line of the "小程序版本" card: which slot, its version, and a second line of detail. */
export interface VersionRow {
  key: 'live' | 'audit' | 'trial';
  title: string;
  version: string;
  detail: string;
  tag: { text: string; tone: Tone } | null;
}

export interface VersionsView {
  /** Plain Chinese when WeChat could not be read or the app cannot be shown (set 18 missing …); '' otherwise. */
  notice: string;
  rows: VersionRow[];
  /** The refused audit or stopped shipment: who acts, what happened, what to do. */
  advice: { merchant: boolean; title: string; message: string; action: string } | null;
  /** The provider's newest shipment to this app, in a line; '' when none. */
  shipment: string;
  /** When WeChat was read; '' when it was not (the app cannot be read until the merchant acts). */
  checked: string;
  /** Refreshing can change the answer (WeChat was read, or may answer next time). */
  refreshable: boolean;
}

function slotDetail(slot: VersionSlot, when: string): string {
  const parts = [slot.description, slot.at ? `${when} ${formatTime(slot.at)}` : ''].filter(Boolean);
  return parts.join(' · ') || '—';
}

function rowsOf(versions: MiniProgramVersions): VersionRow[] {
  const rows: VersionRow[] = [];
  const { live, audit, trial } = versions;
  rows.push(
    live
      ? { key: 'live', title: '线上版本', version: live.version, detail: slotDetail(live, '发布于'), tag: null }
      : { key: 'live', title: '线上版本', version: '尚未发布', detail: '审核通过并发布后，用户就能用到', tag: null },
  );
  if (audit) {
    const look = AUDIT_STATE_LOOK[audit.state];
    rows.push({
      key: 'audit',
      title: '最近一次审核',
      version: audit.version || '—',
      detail: `提交于 ${formatTime(audit.submittedAt)}${audit.state === 'delayed' && audit.reason ? ` · ${audit.reason}` : ''}`,
      tag: { text: look.label, tone: look.tone },
    });
  }
  if (trial) rows.push({ key: 'trial', title: '体验版', version: trial.version, detail: slotDetail(trial, '上传于'), tag: null });
  return rows;
}

/** `admin`: staff also see which job the shipment belongs to. */
export function versionsView(versions: MiniProgramVersions, admin = false): VersionsView {
  const { advice, shipment } = versions;
  const ok = versions.availability === 'ok';
  const refreshable = ok || versions.availability === 'unreachable';
  return {
    notice: ok ? '' : (versions.notice ?? ''),
    rows: ok ? rowsOf(versions) : [],
    advice: advice && {
      merchant: advice.fixer === 'merchant',
      title: advice.fixer === 'merchant' ? '需要你处理' : '服务商会处理',
      message: advice.message,
      action: advice.action,
    },
    shipment: shipment
      ? `服务商发布的 ${shipment.version}：${stageLook(shipment.stage).label}（${formatTime(shipment.startedAt)} 开始${admin ? `，任务 ${shipment.jobId}` : ''}）`
      : '',
    checked: refreshable ? `微信数据更新于 ${formatTime(versions.checkedAt)}，一分钟内刷新显示同样的结果` : '',
    refreshable,
  };
}
