/**
 * 全网发布: whether the platform is released, what still stands in the way, the 授权测试列表, what
 * WeChat's release test will check, and what its last run (or `npm run rehearse`) did on our URLs.
 * Built from `releaseStatus` (the admin page's action). The release switch is the deployment's
 * PLATFORM_RELEASED, set after 全网发布 on the Open Platform: no console action can change it, so
 * the screen says where it is changed.
 */
import type { ReleaseStatus } from '../../../../typings/api';
import { escapeHtml } from '../http/html';
import { releaseStatus } from '../release/status';
import { formatTime } from './layout';
import type { ScreenContext } from './screen';

const e = escapeHtml;
const code = (value: string) => `<code>${e(value)}</code>`;

const KIND_WORDS: Record<string, string> = { official_account: '公众号', mini_program: '小程序' };
const EVENT_WORDS: Record<string, string> = { authorized: '授权', updateauthorized: '更新授权', unauthorized: '取消授权' };
const MESSAGE_WORDS: Record<string, string> = {
  text: '文本消息',
  image: '图片消息',
  voice: '语音消息',
  video: '视频消息',
  location: '位置消息',
  link: '链接消息',
  'event.subscribe': '关注事件',
  'event.unsubscribe': '取消关注事件',
};

interface Blocker {
  id: string;
  text: string;
  fix: string;
}

/** What still stands between the platform and a passing release test, each with its fix. */
export function releaseBlockers(status: ReleaseStatus): Blocker[] {
  const blockers: Blocker[] = [];
  if (status.testList.length === 0 && !status.released)
    blockers.push({
      id: 'no-test-list',
      text: '没有配置授权测试列表（RELEASE_TEST_LIST 为空）：全网发布前只有测试列表里的账号能授权，无法先用自己的账号试一遍。',
      fix: `把开放平台「第三方平台 → 开发资料 → 授权测试公众号/小程序列表」里的原始ID（${code('gh_…')}）填进 ${code('RELEASE_TEST_LIST')}，重新部署云函数。`,
    });
  const unauthorized = status.testList.filter((entry) => entry.authorizedAppid === null);
  if (unauthorized.length > 0)
    blockers.push({
      id: 'test-list-unauthorized',
      text: `授权测试列表中 ${unauthorized.map((entry) => code(entry.userName)).join('、')} 还没有授权给本平台。`,
      fix: '请这些账号的管理员用小程序或授权链接完成一次授权，检验授权流程可用。',
    });
  if (status.jobs.failed > 0)
    blockers.push({
      id: 'reply-failed',
      text: `检测时有 ${status.jobs.failed} 条客服消息没有回复成功：微信的「返回Api文本消息」一项会不通过。`,
      fix: '先看「健康」里的平台令牌和 IP 白名单是否正常，再重新提交检测（或在本地运行 npm run rehearse 预演）。',
    });
  return blockers;
}

function latestTest(status: ReleaseStatus): number {
  const times = [
    ...status.testAccounts.map((a) => a.lastEventAt ?? 0),
    ...status.messages.filter((m) => m.releaseTest).map((m) => m.lastAt),
  ];
  return Math.max(0, ...times);
}

function switchCard(status: ReleaseStatus, blockers: Blocker[]): string {
  const tone = status.released ? (blockers.length ? 'warn' : 'ok') : blockers.length ? 'bad' : 'warn';
  const state = status.released ? '已全网发布' : '尚未全网发布';
  const text = status.released
    ? '所有公众号和小程序都可以授权给本平台。'
    : '只有授权测试列表中的账号可以授权；其他商家授权会被微信拒绝。';
  const next = status.released
    ? '无需操作。'
    : blockers.length
      ? `先处理下面 ${blockers.length} 项，再到开放平台提交全网发布检测。`
      : '在开放平台「第三方平台 → 全网发布」提交检测；通过并发布后，打开开关。';
  const where = `开关是部署配置 ${code(`PLATFORM_RELEASED=${status.released}`)}：在开放平台全网发布后设为 ${code('true')} 并重新部署云函数，控制台不能更改它。`;
  return `<section class="card ${tone}" id="release-switch" data-released="${status.released}">
<h3>全网发布开关<span class="state">${state}</span></h3><p>${text}</p><p class="fix">下一步：${next}</p><p>${where}</p></section>`;
}

function lastTestCard(status: ReleaseStatus): string {
  const latest = latestTest(status);
  if (latest === 0)
    return `<section class="card warn" id="release-last-test" data-ran="false"><h3>最近一次检测<span class="state">还没有</span></h3>
<p>还没有收到微信检测账号的推送。</p><p class="fix">下一步：在开放平台提交全网发布检测，或在本地运行 ${code('npm run rehearse')} 预演；结果会显示在这里。</p></section>`;
  const { done, pending, failed } = status.jobs;
  const tone = failed ? 'bad' : pending ? 'warn' : 'ok';
  const replies = failed ? `${failed} 条回复失败` : pending ? `${pending} 条回复进行中` : `${done} 条回复全部成功`;
  return `<section class="card ${tone}" id="release-last-test" data-ran="true"><h3>最近一次检测<span class="state">${formatTime(latest)}</span></h3>
<p>${status.testAccounts.length} 个微信检测账号来过；客服消息 ${replies}（完成 ${done}，进行中 ${pending}，失败 ${failed}）。</p></section>`;
}

function forwardingCard(status: ReleaseStatus): string {
  const text = status.messageForwarding
    ? '检测账号以外的消息转发到服务商的消息服务（MESSAGE_FORWARD_URL）。'
    : '未配置消息服务：检测账号以外的消息一律回复 success。';
  return `<section class="card ok" id="release-forwarding"><h3>其他消息<span class="state">正常</span></h3><p>${text}</p></section>`;
}

function blockersHtml(blockers: Blocker[], released: boolean): string {
  if (blockers.length === 0) {
    const text = released ? '已全网发布，没有需要处理的问题。' : '没有阻碍：可以在开放平台提交全网发布检测。';
    return `<div class="summary" id="release-attention" data-count="0">${text}</div>`;
  }
  const items = blockers
    .map((b) => `<li id="blocker-${b.id}"><p>${b.text}</p><p class="fix">怎么办：${b.fix}</p></li>`)
    .join('\n');
  return `<div class="summary attention" id="release-attention" data-count="${blockers.length}">有 ${blockers.length} 项需要处理：</div>
<ul class="problems" id="release-blockers">${items}</ul>`;
}

function testListTable(status: ReleaseStatus): string {
  if (status.testList.length === 0) return '<p class="hint" id="release-test-list">没有配置（RELEASE_TEST_LIST）。</p>';
  const rows = status.testList
    .map((entry) => {
      const ok = entry.authorizedAppid !== null;
      const state = ok ? `已授权：${e(entry.name ?? '')} ${code(entry.authorizedAppid ?? '')}` : '尚未授权';
      return `<tr data-authorized="${ok}"><td>${code(entry.userName)}</td><td class="${ok ? 'tone-ok' : 'tone-bad'}">${state}</td><td>${ok ? '无需操作' : '请该账号的管理员完成一次授权'}</td></tr>`;
    })
    .join('');
  return `<table id="release-test-list"><thead><tr><th>原始ID</th><th>状态</th><th>怎么办</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function casesTable(status: ReleaseStatus): string {
  const rows = status.messageCases
    .map(
      (c) =>
        `<tr><td>权限集 ${c.setId} ${e(c.setName)}（${KIND_WORDS[c.kind] ?? e(c.kind)}）</td><td>${c.selected ? '已选择' : '未选择'}</td><td>${c.selected ? e(c.items.join('、')) : '不检测消息'}</td></tr>`,
    )
    .join('');
  return `<p>每次检测都有：${e(status.alwaysItems.join('、'))}。</p>
<table id="release-cases"><thead><tr><th>消息类权限集</th><th>本平台是否选择</th><th>会检测</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function testAccountsTable(status: ReleaseStatus): string {
  if (status.testAccounts.length === 0) return '<p class="hint" id="release-accounts">还没有检测账号来过。</p>';
  const rows = status.testAccounts
    .map(
      (a) =>
        `<tr><td>第 ${a.group} 组</td><td>${KIND_WORDS[a.kind] ?? e(a.kind)}</td><td>${code(a.appid)}</td><td>${a.lastEvent ? e(EVENT_WORDS[a.lastEvent] ?? '其他事件') : '只收到消息'}</td><td>${a.lastEventAt ? formatTime(a.lastEventAt) : '—'}</td></tr>`,
    )
    .join('');
  return `<table id="release-accounts"><thead><tr><th>组</th><th>类型</th><th>AppID</th><th>最近事件</th><th>时间</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function messagesTable(status: ReleaseStatus): string {
  const tested = status.messages.filter((m) => m.releaseTest);
  if (tested.length === 0) return '<p class="hint" id="release-messages">检测账号还没有发来消息。</p>';
  const rows = tested
    .map(
      (m) =>
        `<tr><td>${code(m.appid)}</td><td>${e(Object.hasOwn(MESSAGE_WORDS, m.type) ? MESSAGE_WORDS[m.type] : `其他（${m.type}）`)}</td><td>${m.count}</td><td>${formatTime(m.lastAt)}</td></tr>`,
    )
    .join('');
  return `<table id="release-messages"><thead><tr><th>检测账号</th><th>消息</th><th>条数</th><th>最近</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export async function renderRelease(ctx: ScreenContext): Promise<string> {
  const status = await releaseStatus(ctx.app);
  const blockers = releaseBlockers(status);
  return `${ctx.notice}${blockersHtml(blockers, status.released)}
<div class="cards">${switchCard(status, blockers)}${lastTestCard(status)}${forwardingCard(status)}</div>
<h3 class="section">授权测试列表</h3>${testListTable(status)}
<h3 class="section">检测会检查什么</h3>${casesTable(status)}
<h3 class="section">最近检测：微信检测账号的事件</h3>${testAccountsTable(status)}
<h3 class="section">最近检测：检测账号发来的消息</h3>${messagesTable(status)}
<p class="hint">数据截至 ${formatTime(ctx.app.now())}，刷新页面即更新。</p>`;
}
