import type { ReleaseStatus } from '../../../typings/api';
import { formatTime } from '../../utils/labels';

/** The 全网发布 card: what WeChat will test and what its test did on our URLs. */
export interface ReleaseView {
  released: boolean;
  releasedText: string;
  testList: { key: string; userName: string; state: string; ok: boolean }[];
  testListEmpty: boolean;
  alwaysItems: string;
  cases: { key: string; title: string; selected: boolean; items: string }[];
  testAccounts: { key: string; title: string; detail: string }[];
  jobs: string;
  jobsFailed: boolean;
  forwarding: string;
  messages: { key: string; title: string; count: string; detail: string; releaseTest: boolean }[];
}

const KIND_LABEL: Record<string, string> = { official_account: '公众号', mini_program: '小程序' };
const EVENT_LABEL: Record<string, string> = { authorized: '已授权', updateauthorized: '更新授权', unauthorized: '已取消授权' };

export function releaseView(status: ReleaseStatus): ReleaseView {
  return {
    released: status.released,
    releasedText: status.released ? '已全网发布：所有商家都可以授权' : '尚未全网发布：只有授权测试列表中的账号可以授权',
    testList: status.testList.map((entry) => ({
      key: entry.userName,
      userName: entry.userName,
      ok: entry.authorizedAppid !== null,
      state: entry.authorizedAppid ? `已授权：${entry.name ?? entry.authorizedAppid}` : '尚未授权',
    })),
    testListEmpty: status.testList.length === 0,
    alwaysItems: status.alwaysItems.join('、'),
    cases: status.messageCases.map((c) => ({
      key: String(c.setId),
      title: `权限集 ${c.setId} ${c.setName}（${KIND_LABEL[c.kind] ?? c.kind}）`,
      selected: c.selected,
      items: c.selected ? `会检测：${c.items.join('、')}` : '未选择：不检测消息',
    })),
    testAccounts: status.testAccounts.map((a) => ({
      key: a.appid,
      title: `第 ${a.group} 组${KIND_LABEL[a.kind] ?? a.kind} ${a.appid}`,
      detail: a.lastEvent
        ? `${EVENT_LABEL[a.lastEvent] ?? a.lastEvent} · ${a.lastEventAt ? formatTime(a.lastEventAt) : ''}`
        : '只收到消息',
    })),
    jobs: `客服消息任务：完成 ${status.jobs.done}，进行中 ${status.jobs.pending}，失败 ${status.jobs.failed}`,
    jobsFailed: status.jobs.failed > 0,
    forwarding: status.messageForwarding
      ? '其他消息转发到服务商的消息服务（MESSAGE_FORWARD_URL）'
      : '未配置消息服务：其他消息一律回复 success',
    messages: status.messages.map((m) => ({
      key: `${m.appid}|${m.type}`,
      title: `${m.appid} · ${m.type}`,
      count: `${m.count} 条`,
      detail: `最近 ${formatTime(m.lastAt)}${m.forwardFailures ? ` · 转发失败 ${m.forwardFailures} 次` : ''}`,
      releaseTest: m.releaseTest,
    })),
  };
}
