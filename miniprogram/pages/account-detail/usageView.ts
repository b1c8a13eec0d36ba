import type { ApiUsage, TestCallReport } from '../../../typings/api';
import { formatTime } from '../../utils/labels';

/** One row of the admin's "接口调用" section. */
export interface UsageRow {
  api: string;
  calls: number;
  errors: number;
  last: string;
  lastTone: 'ok' | 'error';
}

export function usageRows(usage: ApiUsage[]): UsageRow[] {
  return usage.map((u) => ({
    api: u.api,
    calls: u.calls,
    errors: u.errors,
    last: `${u.lastErrcode === 0 ? '成功' : u.lastErrcode === -1 ? '无应答' : `错误 ${u.lastErrcode}`} · ${formatTime(u.lastAt)}`,
    lastTone: u.lastErrcode === 0 ? 'ok' : 'error',
  }));
}

export interface TestCallView {
  ok: boolean;
  text: string;
}

export function testCallView(report: TestCallReport): TestCallView {
  const who =
    report.ok && report.nickname ? `（${report.nickname}${report.principalName ? ` · ${report.principalName}` : ''}）` : '';
  return { ok: report.ok, text: `${report.message}${who}` };
}
