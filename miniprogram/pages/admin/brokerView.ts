import type { BrokerCallerView } from '../../../typings/api';
import { formatTime } from '../../utils/labels';

/** One caller of the broker as a row of the admin page's card: what it may do, what it did. */
export interface CallerRow {
  key: string;
  title: string;
  way: string;
  tag: { text: string; type: 'success' | 'warning' | 'default' };
  scope: string;
  totals: string;
  apis: { key: string; api: string; detail: string }[];
}

const OPERATION_NAMES: Readonly<Record<string, string>> = {
  token: '取令牌',
  call: '代调用接口',
  component: '平台接口',
  list: '列出账号',
  report: '报告令牌失效',
};

function scopeText(caller: BrokerCallerView): string {
  if (caller.legacyScope) return '未配置权限范围：只能列出账号';
  const { ops, apis, appids } = caller.scope;
  const operations = ops.map((op) => OPERATION_NAMES[op] ?? op).join('、') || '无';
  const paths = apis.length ? apis.join(' ') : '无';
  const accounts = appids === '*' ? '全部账号' : `${appids.length} 个账号`;
  return `操作：${operations}；接口：${paths}；账号：${accounts}`;
}

function tagOf(caller: BrokerCallerView): CallerRow['tag'] {
  if (caller.revoked) return { text: '已停用', type: 'default' };
  if (caller.legacyScope) return { text: '需配置权限范围', type: 'warning' };
  return { text: '使用中', type: 'success' };
}

export function callerRows(callers: BrokerCallerView[]): CallerRow[] {
  return callers.map((caller) => {
    const { calls, errors, refused, lastAt } = caller.totals;
    const last = lastAt === null ? '还没有调用' : `最近 ${formatTime(lastAt)}`;
    return {
      key: `${caller.way}:${caller.id}`,
      title: caller.id,
      way: caller.way === 'http' ? 'HTTP 密钥' : '云函数密钥',
      tag: tagOf(caller),
      scope: scopeText(caller),
      totals: `请求 ${calls} 次 · 微信报错 ${errors} · 被拒绝 ${refused} · ${last}`,
      apis: caller.usage.slice(0, 5).map((row) => ({
        key: row.api,
        api: row.api,
        detail: `${row.calls} 次${row.refused ? `，拒绝 ${row.refused}` : ''}${row.errors ? `，报错 ${row.errors}` : ''}`,
      })),
    };
  });
}
