import type { ReleaseStatus } from '../../../typings/api';
import { formatTime } from '../../utils/labels';

/** The 全网发布 card: what WeChat will test and what its test did on our URLs. */
export interface ReleaseView {
  released: boolean;
  /** The card shown without a tap: ready or not, what is missing, what the last test did. */
  summary: { tone: 'ok' | 'ready' | 'bad'; title: string; missing: string[]; lastTest: string };
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
/** Message and event types of the counts, in words (the raw type stays as a secondary detail). */
const MESSAGE_TYPE_LABEL: Record<string, string> = {
  text: '文本消息',
  image: '图片消息',
  voice: '语音消息',
  video: '视频消息',
  location: '位置消息',
  link: '链接消息',
  'event.subscribe': '关注事件',
  'event.unsubscribe': '取消关注事件',
};

/** What still stands between the platform and a passing 全网发布 test. */
function missingItems(status: ReleaseStatus): string[] {
  const unauthorized = status.testList.filter((entry) => entry.authorizedAppid === null).map((entry) => entry.userName);
  return [
    ...(unauthorized.length ? [`授权测试列表中 ${unauthorized.join('、')} 还没有授权给服务商`] : []),
    ...(status.jobs.failed ? [`最近的检测中有 ${status.jobs.failed} 条客服消息没有回复成功`] : []),
  ];
}

/** WeChat's test accounts' latest activity on our URLs, and how the replies they asked for went. */
function lastTest(status: ReleaseStatus): string {
  const times = [
    ...status.testAccounts.map((a) => a.lastEventAt ?? 0),
    ...status.messages.filter((m) => m.releaseTest).map((m) => m.lastAt),
  ];
  const latest = Math.max(0, ...times);
  if (latest === 0)
    return '还没有收到微信检测账号的推送：在开放平台提交全网发布检测（或运行 npm run rehearse）后，这里会显示结果。';
  const { done, pending, failed } = status.jobs;
  const replies = failed ? `${failed} 条回复失败` : pending ? `${pending} 条回复进行中` : `${done} 条回复全部成功`;
  return `最近一次检测 ${formatTime(latest)}：${status.testAccounts.length} 个检测账号，客服消息 ${replies}`;
}

function releaseSummary(status: ReleaseStatus): ReleaseView['summary'] {
  const missing = missingItems(status);
  const base = { missing, lastTest: lastTest(status) };
  if (status.released) return { ...base, tone: missing.length ? 'bad' : 'ok', title: '已全网发布：所有商家都可以授权' };
  if (missing.length) return { ...base, tone: 'bad', title: `尚未全网发布：还有 ${missing.length} 项要处理` };
  return { ...base, tone: 'ready', title: '尚未全网发布：可以在开放平台提交全网发布检测' };
}

export function releaseView(status: ReleaseStatus): ReleaseView {
  return {
    released: status.released,
    summary: releaseSummary(status),
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
        ? `${EVENT_LABEL[a.lastEvent] ?? '其他事件'} · ${a.lastEventAt ? formatTime(a.lastEventAt) : ''}`
        : '只收到消息',
    })),
    jobs: `客服消息任务：完成 ${status.jobs.done}，进行中 ${status.jobs.pending}，失败 ${status.jobs.failed}`,
    jobsFailed: status.jobs.failed > 0,
    forwarding: status.messageForwarding
      ? '其他消息转发到服务商的消息服务（MESSAGE_FORWARD_URL）'
      : '未配置消息服务：其他消息一律回复 success',
    messages: status.messages.map((m) => ({
      key: `${m.appid}|${m.type}`,
      title: `${m.appid} · ${MESSAGE_TYPE_LABEL[m.type] ?? `其他（${m.type}）`}`,
      count: `${m.count} 条`,
      detail: `最近 ${formatTime(m.lastAt)}${m.forwardFailures ? ` · 转发失败 ${m.forwardFailures} 次` : ''}`,
      releaseTest: m.releaseTest,
    })),
  };
}
