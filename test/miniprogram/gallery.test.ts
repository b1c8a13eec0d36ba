// The gallery (`npm run gallery`): every mini-program page in each main state rendered with the
// real Vant through miniprogram-simulate, then, with the function's and the emulator's web pages,
// shown in Chromium 375 px wide (test/gallery/shoot.ts), photographed and checked on the rendered
// layout: no sideways overflow, no clipped text, no broken image, no touch target under 44 px.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MiniManifestEntry, Shot } from '../gallery/report';
import { DESK_STATE_NAMES, WEB_STATE_NAMES } from '../gallery/web-names';
import { MINI_STATES } from './gallery/mini-states';
import { clearStyles, pageDocument } from './gallery/snapshot';
import { useWeChatRpx } from './gallery/wxss';
import { PROJECT_ROOT, unloadAllPages } from './harness';

const OUT = path.resolve(PROJECT_ROOT, process.env.GALLERY_DIR ?? '.tmp/gallery');
const HTML_DIR = path.join(OUT, 'html');
const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

useWeChatRpx();

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const head = fs.readFileSync(file).subarray(0, 24);
  expect(head.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

/** Clears what an earlier run wrote, and only that (GALLERY_DIR may name any folder). */
beforeAll(() => {
  fs.rmSync(HTML_DIR, { recursive: true, force: true });
  fs.mkdirSync(HTML_DIR, { recursive: true });
  for (const file of fs.readdirSync(OUT)) {
    if (/\.png$|^index\.html$|^report\.json$/.test(file)) fs.rmSync(path.join(OUT, file));
  }
});

test('every mini-program page state renders to an HTML document', async () => {
  const manifest: MiniManifestEntry[] = [];
  for (const state of MINI_STATES) {
    clearStyles();
    const page = await state.open();
    const file = `${state.name}.html`;
    const html = pageDocument(page, state.title);
    fs.writeFileSync(path.join(HTML_DIR, file), html);
    expect(html).toContain('van-');
    manifest.push({ name: state.name, title: state.title, file });
    unloadAllPages();
  }
  fs.writeFileSync(path.join(HTML_DIR, 'manifest.json'), JSON.stringify(manifest, null, 2));
}, 60_000);

test('in Chromium at 375 px every page fits, shows all its text and images, and has 44 px touch targets', async () => {
  await promisify(execFile)(TSX, [path.join(PROJECT_ROOT, 'test/gallery/shoot.ts'), OUT], {
    cwd: PROJECT_ROOT,
    env: process.env,
    // A limit against a hung browser, not a speed goal: ~50 pages on a busy 2-core machine.
    timeout: 280_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const shots = JSON.parse(fs.readFileSync(path.join(OUT, 'report.json'), 'utf8')) as Shot[];
  expect(shots.map((shot) => shot.name)).toEqual([...MINI_STATES.map((state) => state.name), ...WEB_STATE_NAMES]);
  for (const shot of shots) {
    const width = shot.group === 'web' && DESK_STATE_NAMES.has(shot.name) ? 1280 : 375;
    expect(pngSize(path.join(OUT, `${shot.name}.png`))).toEqual({ width, height: shot.height });
  }
  expect(fs.readFileSync(path.join(OUT, 'index.html'), 'utf8')).toContain(`${shots[0].name}.png`);
  expect(shots.filter((shot) => shot.problems.length > 0).map(({ name, problems }) => ({ name, problems }))).toEqual([]);
}, 300_000);
