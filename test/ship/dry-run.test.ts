import fs from 'node:fs';
import path from 'node:path';
import { buildFunction, FUNCTION_DIR } from '../../scripts/build-function';
import { EXIT } from '../../scripts/ship/cli';
import { buildCommand, checkCommand, deployCloudCommand, previewCommand, uploadCommand } from '../../scripts/ship/commands';
import { FAKE_APPID, FUNCTION_ENV, copyProject, ensureNpmPacked, removeDir, run, writeUploadKey } from './helpers';

// Every command's --dry-run against the real miniprogram-ci, offline, on a temporary copy:
// inputs checked, package compiled and checked, function bundled and staged; nothing sent.

jest.setTimeout(180_000);

let root: string;
let keyPath: string;
let pem: string;

beforeAll(async () => {
  await ensureNpmPacked();
  // deploy:cloud runs with --no-build: rebuilding the shared bundle could race other suites reading it.
  if (!fs.existsSync(path.join(FUNCTION_DIR, 'index.js'))) await buildFunction();
  root = copyProject('ship-dry-');
  ({ keyPath, pem } = writeUploadKey(root));
});

afterAll(() => removeDir(root));

const releaseEnv = () => ({ MP_APPID: FAKE_APPID, MP_PRIVATE_KEY_PATH: keyPath });
const keyBody = () => pem.split('\n')[1];

it('check --dry-run compiles and passes', async () => {
  const result = await run(checkCommand, ['--project', root, '--dry-run'], {}, root);
  expect(result.err).toBe('');
  expect(result.out).toMatch(/main package: \d+\.\d KiB of \d+ files/);
  expect(result.out).toContain('check passed');
  expect(result.code).toBe(EXIT.ok);
});

it('preview --dry-run checks, then prints what it would send and writes no QR code', async () => {
  const result = await run(
    previewCommand,
    ['--project', root, '--dry-run', '--robot', '3', '--qr', 'out/qr.jpg'],
    releaseEnv(),
    root,
  );
  expect(result.err).toBe('');
  expect(result.code).toBe(EXIT.ok);
  expect(result.out).toContain('check passed');
  expect(result.out).toContain('preview would send (dry run, nothing sent):');
  expect(result.out).toContain(`appid        ${FAKE_APPID}`);
  expect(result.out).toContain('description  "Release candidate for the ship tests"');
  expect(result.out).toContain('robot        3');
  expect(result.out).toContain(`QR code      written to ${path.join(root, 'out/qr.jpg')}`);
  expect(result.out).toContain('settings     project.config.json "setting": ');
  expect(fs.existsSync(path.join(root, 'out'))).toBe(false);
  expect(result.all).not.toContain(keyBody());
});

it('upload --dry-run takes the version from package.json and the appid from MP_APPID', async () => {
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const result = await run(
    uploadCommand,
    ['--project', root, '--dry-run', '--desc', 'Hotfix: plugin version'],
    releaseEnv(),
    root,
  );
  expect(result.err).toBe('');
  expect(result.code).toBe(EXIT.ok);
  expect(result.out).toContain('upload would send (dry run, nothing sent):');
  expect(result.out).toContain(`version      ${version}`);
  expect(result.out).toContain('description  "Hotfix: plugin version"');
  expect(result.out).toContain('robot        1');
  expect(result.out).toContain(`upload key   ${keyPath} (a private key; its content is never printed)`);
  expect(result.all).not.toContain(keyBody());
});

it('deploy:cloud --dry-run bundles and stages the function, lists the trigger and the console checklist', async () => {
  const env = { ...releaseEnv(), CLOUD_ENV_ID: 'prod-1a2b3c', ...FUNCTION_ENV };
  const result = await run(deployCloudCommand, ['--project', root, '--dry-run', '--no-build'], env, root);
  expect(result.err).toBe('');
  expect(result.code).toBe(EXIT.ok);
  const staged = path.join(root, '.tmp/ship/cloudfunctions/authorization');
  expect(fs.readdirSync(staged).sort()).toEqual(['config.json', 'index.js', 'package.json']);
  expect(fs.readFileSync(path.join(staged, 'index.js'))).toEqual(fs.readFileSync(path.join(FUNCTION_DIR, 'index.js')));
  expect(result.out).toContain('environment  prod-1a2b3c');
  expect(result.out).toContain('remote npm install');
  expect(result.out).toMatch(/trigger {6}maintenance: timer "0 \*\/5 \* \* \* \* \*"/);
  expect(result.out).toContain('授权事件接收URL = https://ship-test-1a2b3c.example.com/wx/push');
  expect(result.out).toContain('授权发起页域名 = ship-test-1a2b3c.example.com');
  expect(result.out).toContain('61004');
  expect(result.out).toContain('platform, authSessions, authorizers, authorizerTokens, authCodes, pushLog');
  expect(result.out).toContain('COMPONENT_APPSECRET');
  for (const value of Object.values(FUNCTION_ENV).filter((v) => !v?.startsWith('https'))) expect(result.all).not.toContain(value);
  expect(result.all).not.toContain(keyBody());
});

it('build --dry-run lists its steps and runs none', async () => {
  const result = await run(buildCommand, ['--dry-run'], {}, root);
  expect(result.code).toBe(EXIT.ok);
  expect(result.out.split('\n')).toEqual([
    'build would run (dry run, nothing run):',
    '  1. typecheck tsconfig.json: tsc -p tsconfig.json --noEmit',
    '  2. typecheck miniprogram/tsconfig.json: tsc -p miniprogram/tsconfig.json --noEmit',
    expect.stringContaining('  3. function bundle: esbuild'),
    expect.stringContaining('  4. pack npm: miniprogram-ci packNpmManually'),
  ]);
});
