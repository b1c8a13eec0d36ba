/**
 * Chinese text in pictures without any system font: a page gets
 * Noto Sans SC from the npm package `@fontsource/noto-sans-sc`, served by its browser context
 * (playwright routes, no network) and declared under the family names our pages ask for.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

const PACKAGE_DIR = path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json'));
const FONT_ORIGIN = 'https://fonts.invalid/noto-sans-sc/';
/** Where the font files are served from, for a page whose CSP must allow them (the gallery). */
export const CJK_FONT_ORIGIN = 'https://fonts.invalid';
/** Families in our pages' and Vant's font stacks that Linux lacks; `Noto Sans SC` stands in for each. */
const FAMILIES = ['Noto Sans SC', 'PingFang SC', 'Noto Sans CJK SC', 'Helvetica Neue'];
const WEIGHTS = [400, 700];

/** The package's @font-face rules (one per unicode range, fetched only when used), per family. */
export function cjkFontCss(): string {
  const faces = WEIGHTS.map((weight) => fs.readFileSync(path.join(PACKAGE_DIR, `${weight}.css`), 'utf8'))
    .join('\n')
    .replaceAll('url(./files/', `url(${FONT_ORIGIN}files/`);
  return FAMILIES.map((family) => faces.replaceAll("font-family: 'Noto Sans SC'", `font-family: '${family}'`)).join('\n');
}

/** Lets every page of `context` fetch the font files (served from the package, no network). */
export async function serveCjkFont(context: BrowserContext): Promise<void> {
  await context.route(`${FONT_ORIGIN}**`, async (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    const file = path.join(PACKAGE_DIR, 'files', name);
    if (!/^[\w.-]+\.woff2?$/.test(name) || !fs.existsSync(file)) return route.fulfill({ status: 404 });
    return route.fulfill({
      body: fs.readFileSync(file),
      headers: { 'content-type': `font/${path.extname(name).slice(1)}`, 'access-control-allow-origin': '*' },
    });
  });
}

/**
 * Adds the font to the page as it stands (works with the page's scripts off too; a page with a
 * strict Content-Security-Policy must allow this style block by its hash and `CJK_FONT_ORIGIN`) and waits until
 * the glyphs its text needs have loaded: layout first, so that the loads have started.
 */
export async function applyCjkFont(page: Page): Promise<void> {
  await page.addStyleTag({ content: cjkFontCss() });
  await page.evaluate('document.body.getBoundingClientRect(), document.fonts.ready.then(() => undefined)');
}
