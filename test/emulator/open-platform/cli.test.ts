import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { request } from './support';

const ROOT = path.resolve(__dirname, '../../..');

describe('cli.ts', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('starts from the command line, prints where it listens and takes config from flags and env', async () => {
    child = spawn(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      [
        'emulator/open-platform/cli.ts',
        '--port',
        '0',
        '--ticket-interval',
        '0',
        '--quiet',
        '--initiation-domain',
        'platform.example.com',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, COMPONENT_APPID: 'wx00112233445566aa', COMPONENT_APPSECRET: 'never-printed-secret-value-000000' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner; got: ${output}`)), 20_000);
      child!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[^\s]+)/.exec(output);
        if (match && output.includes('test accounts')) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child!.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the account lines arrive
    expect(output).toContain('wx00112233445566aa');
    expect(output).toContain('/cgi-bin/componentloginpage?component_appid=wx00112233445566aa');
    expect(output).toContain('/wxaopen/safe/bindcomponent?action=bindcomponent');
    expect(output).toContain('青禾生活服务中心');
    expect(output).not.toContain('never-printed-secret-value');
    const info = JSON.parse((await request('GET', `${url}/__emulator/info`)).body);
    expect(info).toMatchObject({ componentAppId: 'wx00112233445566aa', initiationDomain: 'platform.example.com' });
  }, 30_000);
});
