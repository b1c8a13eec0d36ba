import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../scripts/ship/cli';
import { checkCommand } from '../../scripts/ship/commands';
import { compileMiniprogram } from '../../scripts/ship/compile';
import { copyProject, ensureNpmPacked, removeDir, run } from './helpers';

// `check` on temporary copies of the project, compiled by the real miniprogram-ci, offline.

jest.setTimeout(180_000);

const copies: string[] = [];
afterAll(() => copies.forEach(removeDir));

beforeAll(async () => {
  await ensureNpmPacked();
});

function copy(): string {
  const root = copyProject('ship-check-');
  copies.push(root);
  return root;
}

describe('check on a copy with planted problems', () => {
  const appSecret = 'f1e2d3c4b5a697887766554433221100';
  const aesKey = 'PlantedAesKey0123456789abcdefghijklmnopqrs';
  let result: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    const root = copy();
    const mp = path.join(root, 'miniprogram');
    // 1. an oversized asset, 2. two secret values in shipped code, 3. the local mode left on.
    fs.mkdirSync(path.join(mp, 'assets'));
    fs.writeFileSync(path.join(mp, 'assets/oversized.png'), randomBytes(450 * 1024));
    fs.appendFileSync(path.join(mp, 'utils/labels.ts'), `\nexport const plantedSecrets = ['${appSecret}', '${aesKey}'];\n`);
    const runtime = path.join(mp, 'config/runtime.ts');
    fs.writeFileSync(runtime, fs.readFileSync(runtime, 'utf8').replace("mode: 'cloud',", "mode: 'local',"));
    const envFile = path.join(root, 'function.env');
    fs.writeFileSync(envFile, `ENCODING_AES_KEY=${aesKey}\n`);

    result = await run(checkCommand, ['--project', root, '--env-file', envFile], { COMPONENT_APPSECRET: appSecret }, root);
  });

  it('fails', () => {
    expect(result.code).toBe(EXIT.failed);
    expect(result.err).toContain('check FAILED');
  });

  it('reports the oversized file among the biggest and the package over budget', () => {
    expect(result.all).toMatch(/450\.0 KiB {2}assets\/oversized\.png/);
    expect(result.err).toMatch(/\[size\] main package is \d+\.\d KiB, over our budget of 400\.0 KiB/);
  });

  it('names each planted secret by its variable, never by its value', () => {
    expect(result.err).toContain('[secret] utils/labels.js contains the value of COMPONENT_APPSECRET');
    expect(result.err).toContain('[secret] utils/labels.js contains the value of ENCODING_AES_KEY');
    expect(result.all).not.toContain(appSecret);
    expect(result.all).not.toContain(aesKey);
  });

  it('reports the local mode', () => {
    expect(result.err).toContain("[local-mode] miniprogram/config/runtime.ts has mode: 'local'");
  });
});

describe('the repository as committed', () => {
  it('compiles to a package that passes check', async () => {
    const root = copy();
    const pkg = await compileMiniprogram(root);
    expect(pkg.files.map((f) => f.path)).toEqual(expect.arrayContaining(['app.js', 'app.json', 'pages/authorize/index.js']));
    expect(pkg.files.some((f) => f.path.startsWith('miniprogram_npm/@vant/weapp/'))).toBe(true);
    expect(pkg.files.some((f) => f.path.startsWith('dev/'))).toBe(false);

    const result = await run(checkCommand, ['--project', root], {}, root);
    expect(result.err).toBe('');
    expect(result.out).toContain('check passed');
    expect(result.code).toBe(EXIT.ok);
  });
});
