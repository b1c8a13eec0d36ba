import { createHash } from 'node:crypto';
import { TONE_COLOR } from '../../../../miniprogram/shared/status';

/** A small, clean, mobile-friendly page shell for the entry and callback pages (Chinese). */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A page's one inline script with its CSP hash: the policy allows exactly this script and no other. */
export function scriptTag(source: string): { html: string; hash: string } {
  return { html: `<script>${source}</script>`, hash: `sha256-${createHash('sha256').update(source).digest('base64')}` };
}

const PAGE_CSS = `
  body { margin: 0; font-family: -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; background: #f5f6f7; color: #1f2329; }
  main { max-width: 420px; margin: 12vh auto 0; padding: 32px 24px; background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.06); text-align: center; }
  .icon { width: 56px; height: 56px; margin: 0 auto 16px; border-radius: 50%; line-height: 56px; font-size: 28px; color: #fff; }
  .success .icon { background: ${TONE_COLOR.success}; } .unchanged .icon, .waiting .icon { background: ${TONE_COLOR.primary}; } .error .icon { background: ${TONE_COLOR.danger}; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  p { color: #646a73; line-height: 1.6; margin: 8px 0; }
  .account { display: flex; align-items: center; gap: 12px; margin: 20px 0 8px; padding: 12px; border: 1px solid #ebedf0; border-radius: 8px; text-align: left; }
  .avatar { position: relative; width: 44px; height: 44px; flex: none; }
  .avatar img, .avatar .initial { position: absolute; inset: 0; width: 44px; height: 44px; border-radius: 8px; }
  .avatar .initial { line-height: 44px; text-align: center; font-size: 20px; color: #07c160; background: #e8f8ef; }
  .sets { margin: 12px 0 0; padding: 0; list-style: none; text-align: left; display: flex; flex-wrap: wrap; gap: 6px; }
  .sets li { padding: 2px 8px; border-radius: 4px; background: #f2f3f5; color: #646a73; font-size: 13px; }
  .account strong { display: block; }
  .account span { font-size: 13px; color: #969799; }
  .button { display: inline-block; margin-top: 20px; padding: 12px 28px; border-radius: 8px; background: #07c160; color: #fff; text-decoration: none; font-size: 16px; }
  .hint { font-size: 13px; color: #969799; }
  .button--plain { background: #fff; color: ${TONE_COLOR.success}; border: 1px solid ${TONE_COLOR.success}; padding: 11px 27px; }
`;

/** The CSP hash of the shell's one style block (no inline style attributes anywhere). */
export const PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}`;

/** `unchanged` is neutral-positive (shared/status.ts): a check mark in blue, not green. */
export type Tone = 'success' | 'unchanged' | 'waiting' | 'error';

const ICON: Record<Tone, string> = { success: '✓', unchanged: '✓', waiting: '…', error: '!' };

export interface PageContent {
  title: string;
  tone: Tone;
  /** Trusted HTML: callers escape every value they interpolate. */
  bodyHtml: string;
  headExtra?: string;
}

export function renderPage({ title, tone, bodyHtml, headExtra = '' }: PageContent): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${headExtra}
<style>${PAGE_CSS}</style>
</head>
<body>
<main class="${tone}">
  <div class="icon">${ICON[tone]}</div>
  <h1>${escapeHtml(title)}</h1>
  ${bodyHtml}
</main>
</body>
</html>`;
}
