// WXSS as WeChat applies it, for pages rendered by miniprogram-simulate and shown in Chromium.
// Simulate turns `1rpx` into `1px` and leaves decimal rpx half-converted; WeChat's 375 px wide
// screen is 750 rpx, so 1 rpx = 0.5 px. The same conversion is swapped into simulate (style
// sheets) and j-component (inline styles) before any page is loaded.
import fs from 'node:fs';
import path from 'node:path';
import { MINIPROGRAM_ROOT } from '../harness';

export const SCREEN_WIDTH_PX = 375;
const PX_PER_RPX = SCREEN_WIDTH_PX / 750;

type CssTransform = (css: string) => string;

export function rpxToPx(css: string): string {
  return css.replace(/(\d*\.?\d+)rpx\b/gi, (_, value: string) => `${Number((Number(value) * PX_PER_RPX).toFixed(3))}px`);
}

/** Makes simulate and j-component convert rpx at WeChat's ratio (their modules are shared). */
export function useWeChatRpx(): void {
  for (const id of ['miniprogram-simulate/src/utils', 'j-component/src/tool/utils']) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped internals, the instances simulate uses
    const utils = require(id) as { transformRpx: CssTransform };
    utils.transformRpx = rpxToPx;
  }
}

/** app.wxss, scoped like the page's own style sheet (simulate prefixes page classes with "page--"). */
export function appWxss(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- simulate's own WXSS compiler (scoping, @import)
  const wxss = require('miniprogram-simulate/src/wxss') as { compile(css: string, options: { prefix: string }): string };
  return rpxToPx(wxss.compile(fs.readFileSync(path.join(MINIPROGRAM_ROOT, 'app.wxss'), 'utf8'), { prefix: 'page' }));
}

/**
 * What WeChat's base library gives each built-in tag. Simulate renders them as <wx-view> and
 * friends (unknown elements, inline by default); images, inputs and buttons become HTML ones.
 */
export const WECHAT_BASE_CSS = `
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; }
page { display: block; min-height: 100vh; }
wx-view, wx-scroll-view, wx-swiper, wx-form, wx-navigator { display: block; }
wx-scroll-view { overflow: auto; }
wx-text { display: inline; }
wx-label { display: inline; }
img { display: inline-block; width: 320px; height: 240px; overflow: hidden; }
input { display: block; box-sizing: border-box; width: 100%; height: 1.4rem; min-height: 1.4rem; margin: 0; padding: 0;
  border: 0; outline: 0; background: transparent; color: inherit; font: inherit; text-overflow: clip; white-space: nowrap; }
input::placeholder { color: #808080; }
button { position: relative; display: block; box-sizing: border-box; margin: 0 auto; padding: 0 14px; border: 0;
  border-radius: 5px; background: #f8f8f8; color: #000; font: inherit; font-size: 18px; line-height: 2.55555556;
  text-align: center; overflow: hidden; }
button::after { content: " "; position: absolute; top: 0; left: 0; width: 200%; height: 200%; box-sizing: border-box;
  border: 1px solid rgba(0, 0, 0, 0.2); border-radius: 10px; transform: scale(0.5); transform-origin: 0 0; }
`;
