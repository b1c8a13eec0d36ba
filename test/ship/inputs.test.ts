import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT } from '../../scripts/ship/cli';
import { buildCommand, checkCommand, deployCloudCommand, previewCommand, uploadCommand } from '../../scripts/ship/commands';
import { FAKE_APPID, FUNCTION_ENV, copyProject, removeDir, run, writeUploadKey } from './helpers';

// Missing inputs are reported all at once, with where to get each, before anything is built,
// compiled or sent. These runs stop at validation, so they take no compile time.

let project: string;
let keys: string;
let keyPath: string;

beforeAll(() => {
  project = copyProject('ship-inputs-');
  keys = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-keys-'));
  keyPath = writeUploadKey(keys).keyPath;
});

afterAll(() => {
  removeDir(project);
  removeDir(keys);
});

const releases = [previewCommand, uploadCommand];

describe.each(releases)('$name: missing inputs', (command) => {
  it('names both the appid (touristappid is a placeholder) and the key, says where to get them, and sends nothing', async () => {
    const result = await run(command, ['--project', project, '--dry-run'], {}, project);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain('2 inputs are missing');
    expect(result.err).toContain('MP_APPID is not set and project.config.json has the placeholder "touristappid"');
    expect(result.err).toContain('开发管理 → 开发设置 → 开发者ID');
    expect(result.err).toContain('MP_PRIVATE_KEY_PATH is not set');
    expect(result.err).toContain('开发管理 → 开发设置 → 小程序代码上传');
    expect(result.err).toContain('Nothing was built, compiled or sent.');
    expect(result.out).toBe('');
  });

  it('rejects a key path that cannot be read, and a file that is not a private key', async () => {
    const env = { MP_APPID: FAKE_APPID, MP_PRIVATE_KEY_PATH: path.join(keys, 'absent.key') };
    const absent = await run(command, ['--project', project], env, project);
    expect(absent.code).toBe(EXIT.usage);
    expect(absent.err).toMatch(/MP_PRIVATE_KEY_PATH points to .*absent\.key, which cannot be read/);

    const notKey = path.join(keys, 'not-a-key.key');
    fs.writeFileSync(notKey, 'this is not a key');
    const wrong = await run(command, ['--project', project], { ...env, MP_PRIVATE_KEY_PATH: notKey }, project);
    expect(wrong.err).toContain('which is not a private key');
    expect(wrong.err).toContain('one input is missing');
  });

  it('rejects a malformed appid and a robot number outside 1–30', async () => {
    const badAppid = await run(command, ['--project', project], { MP_APPID: 'my-app', MP_PRIVATE_KEY_PATH: keyPath }, project);
    expect(badAppid.err).toContain('MP_APPID (MP_APPID) does not look like an appid');
    const robot = await run(
      command,
      ['--project', project, '--robot', '31'],
      { MP_APPID: FAKE_APPID, MP_PRIVATE_KEY_PATH: keyPath },
      project,
    );
    expect(robot.code).toBe(EXIT.failed);
    expect(robot.err).toContain('--robot must be a whole number from 1 to 30');
  });

  it('never prints the key', async () => {
    const pem = fs.readFileSync(keyPath, 'utf8');
    const result = await run(command, ['--project', project], { MP_PRIVATE_KEY_PATH: keyPath }, project);
    expect(result.all).not.toContain(pem.split('\n')[1]);
  });
});

describe('deploy:cloud: missing inputs', () => {
  it('names the appid, key, environment id and every function variable at once', async () => {
    const result = await run(deployCloudCommand, ['--project', project, '--dry-run'], {}, project);
    expect(result.code).toBe(EXIT.usage);
    for (const name of [
      'MP_APPID',
      'MP_PRIVATE_KEY_PATH',
      'CLOUD_ENV_ID',
      'COMPONENT_APPID',
      'COMPONENT_APPSECRET',
      'COMPONENT_TOKEN',
      'ENCODING_AES_KEY',
      'PUBLIC_BASE_URL',
    ]) {
      expect(result.err).toContain(`- ${name} `);
    }
    expect(result.err).toContain('8 inputs are missing');
    expect(result.err).toContain('云开发控制台');
    expect(result.err).toContain('开发资料 → 消息加解密Key');
    expect(result.err).toContain('Nothing was built, compiled or sent.');
  });

  it('checks the function variables with the function’s own rules, naming the variable and never the value', async () => {
    const badKey = 'tooShortKey';
    const env = {
      MP_APPID: FAKE_APPID,
      MP_PRIVATE_KEY_PATH: keyPath,
      CLOUD_ENV_ID: 'prod-1a2b3c',
      ...FUNCTION_ENV,
      ENCODING_AES_KEY: badKey,
    };
    const result = await run(deployCloudCommand, ['--project', project, '--dry-run'], env, project);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain('ENCODING_AES_KEY must be the 43-character 消息加解密Key');
    expect(result.err).toContain('one input is missing');
    expect(result.all).not.toContain(badKey);
    expect(result.all).not.toContain(FUNCTION_ENV.COMPONENT_APPSECRET);
  });

  it('reads the inputs from --env-file, the environment winning', async () => {
    const envFile = path.join(keys, 'deploy.env');
    fs.writeFileSync(envFile, `MP_APPID=${FAKE_APPID}\nCLOUD_ENV_ID=from-file-env\n`);
    const result = await run(
      deployCloudCommand,
      ['--project', project, '--env-file', envFile],
      { CLOUD_ENV_ID: 'bad env id!' },
      project,
    );
    expect(result.err).not.toContain('- MP_APPID ');
    expect(result.err).toContain('CLOUD_ENV_ID does not look like a cloud environment id');
  });
});

describe('every command', () => {
  it.each([buildCommand, checkCommand, previewCommand, uploadCommand, deployCloudCommand])(
    '$name --help lists --dry-run',
    async (command) => {
      const result = await run(command, ['--help'], {}, project);
      expect(result.code).toBe(EXIT.ok);
      expect(result.out).toContain(`npm run ${command.name} -- [options]`);
      expect(result.out).toContain('--dry-run');
    },
  );

  it('refuses an unknown option with the usage exit code', async () => {
    const result = await run(checkCommand, ['--frobnicate'], {}, project);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain('--help');
  });
});
