import type { core } from 'zod/mini';
import { OWN_MESSAGES, UNWORDED } from '../zodMessages';

/**
 * Turns the first problem zod found in an action's input into a message a page can show: it
 * names the field and says what is expected. zod/mini ships no messages of its own (only
 * "Invalid input"), so every issue kind our schemas can produce is worded here.
 */

/**
 * How to parse an input this module describes: with our words, not zod's global configuration
 * (../zodMessages.ts), and with the input on each issue, only so that a missing field can be told
 * from a wrong one (values are never echoed).
 */
export const INPUT_PARSE = { ...OWN_MESSAGES, reportInput: true } satisfies core.ParseContext<core.$ZodIssue>;

const EXPECTED: Record<string, string> = {
  string: '字符串',
  number: '数字',
  int: '整数',
  boolean: '布尔值',
  array: '列表',
  object: '对象',
};

export function describeInputIssue(issue: core.$ZodIssue | undefined): string {
  if (!issue) return '参数不正确';
  const field = issue.path.map(String).join('.');
  const where = field ? `${field}: ` : '';
  if (issue.code === 'unrecognized_keys') return `${where}不支持的字段：${listKeys(issue.keys)}`;
  // Our schemas word their own rules; keep those.
  if (issue.message && issue.message !== UNWORDED) return `${where}${issue.message}`;
  switch (issue.code) {
    case 'invalid_type':
      if (field && issue.input === undefined) return `缺少 ${field}`;
      return field ? `${where}类型不正确，应为${EXPECTED[issue.expected] ?? issue.expected}` : '参数必须是一个对象';
    case 'too_small':
      return `${where}${bound(issue.origin, '至少', issue.minimum)}`;
    case 'too_big':
      return `${where}${bound(issue.origin, '最多', issue.maximum)}`;
    default:
      return `${where}取值不正确`;
  }
}

function bound(origin: string, word: '至少' | '最多', limit: number | bigint): string {
  if (origin === 'array') return `${word} ${limit} 项`;
  if (origin === 'string') return `${word} ${limit} 个字符`;
  return word === '至少' ? `不能小于 ${limit}` : `不能大于 ${limit}`;
}

/** Names a few of the caller's unknown keys, each cut short: the message must stay a message. */
function listKeys(keys: string[]): string {
  const shown = keys.slice(0, 3).map((key) => (key.length > 24 ? `${key.slice(0, 24)}…` : key));
  return keys.length > shown.length ? `${shown.join('、')} 等 ${keys.length} 个` : shown.join('、');
}
