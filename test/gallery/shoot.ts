/**
 * The gallery's browser half (run with tsx by test/miniprogram/gallery.test.ts, which renders the
 * mini-program pages to HTML first): shows every page in Chromium 375 px wide, checks its layout,
 * and writes `<out>/<name>.png`, `<out>/index.html` and `<out>/report.json`.
 *
 *   tsx test/gallery/shoot.ts <out>     (<out>/html/manifest.json lists the mini-program pages)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/browser/chromium';
import { AVATAR_SVG } from './avatar';
import { applyCjkFont, cjkFontCss, serveCjkFont } from '../../scripts/browser/cjk-font';
import { pushesSettled, startFlowStack } from '../e2e/helpers/flows-stack';
import { galleryIndex, type Shot, type MiniManifestEntry } from './report';
import { CJK_FONT_ORIGIN as FONT_ORIGIN } from '../../scripts/browser/cjk-font';
import { WEB_STATE_NAMES } from './web-names';
import { GALLERY_ADMIN, GALLERY_ENV, WEB_STATES } from './web-states';

const VIEWPORT = { width: 375, height: 667 };
/** Where the mini-program documents are served from (routed, no network). */
const GALLERY_ORIGIN = 'https://gallery.invalid/';
const LAYOUT_CHECK = fs.readFileSync(path.join(__dirname, 'layout-check.browser.js'), 'utf8');
/** The emulator's accounts have avatars on WeChat's avatar host; the gallery answers for it. */
const WECHAT_AVATARS = /^https?:\/\/wx\.qlogo\.cn\//;
/** Vant's icon font lives on a CDN; @vant/icons ships the same font file inline. */
const VANT_ICON_FONT = /^https:\/\/at\.alicdn\.com\/t\/c\/font_2553510_/;

function vantIconFont(): Buffer {
  const less = fs.readFileSync(require.resolve('@vant/icons/src/encode-woff2.less'), 'utf8');
  const base64 = /data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)/.exec(less)?.[1];
  if (!base64) throw new Error('@vant/icons: no inline woff2 in encode-woff2.less');
  return Buffer.from(base64, 'base64');
}

async function serveGallery(context: BrowserContext, htmlDir: string): Promise<void> {
  await context.route(WECHAT_AVATARS, (route) => route.fulfill({ body: AVATAR_SVG, contentType: 'image/svg+xml' }));
  const iconFont = vantIconFont();
  await context.route(VANT_ICON_FONT, (route) =>
    route.request().url().includes('.woff2')
      ? route.fulfill({ body: iconFont, headers: { 'content-type': 'font/woff2', 'access-control-allow-origin': '*' } })
      : route.fulfill({ status: 404 }),
  );
  await context.route(`${GALLERY_ORIGIN}**`, (route) => {
    const file = path.join(htmlDir, path.basename(new URL(route.request().url()).pathname));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404 });
    return route.fulfill({ body: fs.readFileSync(file), headers: { 'content-type': 'text/html; charset=utf-8' } });
  });
}

/**
 * The web pages are drawn under the Content-Security-Policy they were served with, so a picture the
 * policy blocks (an http avatar under `img-src https:`) shows broken here as on a phone. Each page
 * is reached for real (redirects included), then drawn again at its own URL from the same HTML and
 * policy; the policy only gains what the pictures add, the CJK font's style block (by its hash) and
 * its files' origin. Playwright routes never see a redirect's later hops, hence the second drawing.
 */
async function redrawUnderItsCsp(
  context: BrowserContext,
  page: Page,
  policy: string | undefined,
  viewport?: { width: number; height: number },
): Promise<Page> {
  const fontStyle = `'sha256-${createHash('sha256').update(cjkFontCss()).digest('base64')}'`;
  const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
  if (policy)
    headers['content-security-policy'] =
      `${policy.replace(/style-src ([^;]+)/, `style-src $1 ${fontStyle}`)}; font-src ${FONT_ORIGIN}`;
  const html = await page.content();
  const redraw = await context.newPage();
  if (viewport) await redraw.setViewportSize(viewport);
  let served = false;
  // The page itself, once; its own moves (the entry page's script, a refresh) are kept from leaving.
  await redraw.route('**/*', (route) => {
    if (!route.request().isNavigationRequest()) return route.fallback();
    if (served) return route.fulfill({ status: 204 });
    served = true;
    return route.fulfill({ body: html, headers });
  });
  await redraw.goto(page.url());
  return redraw;
}

/** The policy of the last document the page's main frame received. */
function watchPolicy(page: Page): () => string | undefined {
  let policy: string | undefined;
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      policy = response.headers()['content-security-policy'];
    }
  });
  return () => policy;
}

async function shoot(page: Page, outDir: string, shot: Omit<Shot, 'problems' | 'height'>): Promise<Shot> {
  await applyCjkFont(page);
  const problems = await page.evaluate<Shot['problems']>(LAYOUT_CHECK);
  await page.screenshot({ path: path.join(outDir, `${shot.name}.png`), fullPage: true });
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  return { ...shot, problems, height };
}

async function main(outDir: string): Promise<void> {
  if (WEB_STATES.map((s) => s.name).join() !== WEB_STATE_NAMES.join()) throw new Error('web-states.ts and web-names.ts disagree');
  const htmlDir = path.join(outDir, 'html');
  const minis = JSON.parse(fs.readFileSync(path.join(htmlDir, 'manifest.json'), 'utf8')) as MiniManifestEntry[];
  const browser = await launchChromium();
  const shots: Shot[] = [];
  try {
    // The mini-program documents carry no policy (WeChat's renderer has none of ours to check).
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await serveCjkFont(context);
    await serveGallery(context, htmlDir);
    for (const mini of minis) {
      const page = await context.newPage();
      await page.goto(`${GALLERY_ORIGIN}${mini.file}`);
      shots.push(await shoot(page, outDir, { name: mini.name, title: mini.title, group: 'mini-program' }));
      await page.close();
    }
    // The processing page needs a code exchange slower than the callback waits (8 s) that still
    // succeeds: WeChat's answer (12 s there) may take that long without the call timing out.
    const flow = await startFlowStack({
      // The result pages then offer 「返回小程序」, as a deployment with a URL Scheme does.
      functionEnv: {
        API_TIMEOUT_MS: '20000',
        MINIPROGRAM_LINK: 'weixin://dl/business/?appid=wx1234567890abcdef',
        // The console's sign-in page as `npm start` shows it (the local link), and its admin.
        CONSOLE_LOCAL_SCANNER_URL: 'http://127.0.0.1:8092/console-scan',
        // The console's 代理调用, 全网发布 and 发布到商家 drawn with data: broker keys (one creates the release job) and the test list.
        ...GALLERY_ENV,
      },
      adminOpenIds: [GALLERY_ADMIN],
    });
    try {
      for (const state of WEB_STATES) {
        const page = await context.newPage();
        if (state.viewport) await page.setViewportSize(state.viewport);
        const policy = watchPolicy(page);
        await state.open(page, flow).catch(async (error: unknown) => {
          await page.screenshot({ path: path.join(outDir, `${state.name}.failed.png`) }).catch(() => undefined);
          throw new Error(`${state.name} (at ${page.url()}): ${error instanceof Error ? error.message : String(error)}`);
        });
        const heading = (await page.locator('h1').first().textContent())?.trim();
        if (heading !== state.heading) throw new Error(`${state.name}: the page shows "${heading}", expected "${state.heading}"`);
        const redraw = await redrawUnderItsCsp(context, page, policy(), state.viewport);
        shots.push(await shoot(redraw, outDir, { name: state.name, title: state.title, group: 'web' }));
        await redraw.close();
        await page.close();
      }
      for (const state of WEB_STATES) await state.settle?.(flow);
      await pushesSettled(flow.stack);
    } finally {
      await flow.close();
    }
  } finally {
    await browser.close();
  }
  fs.writeFileSync(path.join(outDir, 'index.html'), galleryIndex(shots));
  fs.writeFileSync(path.join(outDir, 'report.json'), `${JSON.stringify(shots, null, 2)}\n`);
}

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: tsx test/gallery/shoot.ts <out dir>');
  process.exit(2);
}
main(path.resolve(outDir)).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
