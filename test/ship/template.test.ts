import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerError } from '../../clients/broker-client/src';
import { EXIT } from '../../scripts/ship/cli';
import { ShipError } from '../../scripts/ship/errors';
import { DEFAULT_DEPS, type TemplateDeps, type UploadPlan } from '../../scripts/ship/template';
import { findUploadedDraft, pruneSelection, TEMPLATE_APIS, type Draft, type Template } from '../../scripts/ship/template-library';
import { FAKE_APPID, removeDir, writeUploadKey } from './helpers';
import { FakeLibrary, KEY_SECRET, runTemplateCli } from './template-helpers';

// `npm run template`: help, the offline --dry-run of every subcommand (exact output), argument and
// input errors, and the upload flow (miniprogram-ci and WeChat's draft box faked; the local upload
// with its compile and emulator faked). template-stack.test.ts runs the rest against a real local
// stack, the local upload included.

const BROKER = 'https://auth.example.com/wx';
const ENV = { BROKER_URL: BROKER, BROKER_KEY_ID: 'ops-templates', BROKER_KEY_SECRET: KEY_SECRET };
/** 2026-12-01 00:00:00 UTC. */
const NOW = Date.UTC(2026, 11, 1);

let dir: string;
let project: string;
let keyPath: string;
const outputs: string[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-template-'));
  project = path.join(dir, 'shop-template');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'project.config.json'), JSON.stringify({ appid: 'touristappid', setting: {} }));
  ({ keyPath } = writeUploadKey(dir));
});

afterAll(() => {
  // No output of any run in this file carries the key's secret.
  for (const text of outputs) expect(text).not.toContain(KEY_SECRET);
  removeDir(dir);
});

/** Offline dependencies: any network call or upload fails the test. */
const offline: TemplateDeps = {
  ...DEFAULT_DEPS,
  now: () => NOW,
  sleep: () => Promise.reject(new Error('no sleeping offline')),
  broker: () => ({ componentCall: () => Promise.reject(new Error('no network in a dry run')) }),
  jobs: () => ({ templates: () => Promise.reject(new BrokerError({ code: 'TRANSPORT', message: 'offline' })) }),
  upload: () => Promise.reject(new Error('no upload in a dry run')),
};

async function cli(argv: string[], env: Record<string, string> = ENV, deps: TemplateDeps = offline) {
  const result = await runTemplateCli(argv, env, dir, deps);
  outputs.push(result.all);
  return result;
}

describe('help', () => {
  it('lists the subcommands; without one it is a usage error', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.out).toContain('npm run template -- <subcommand> [options]');
    for (const sub of [
      'upload --project <dir> --version <v> --desc <text>',
      'add-draft <draft_id>',
      'list',
      'prune --keep <n>',
      'delete <template_id>...',
    ])
      expect(help.out).toContain(`  ${sub}`);
    expect(help.out).toContain('BROKER_URL');

    const none = await cli([]);
    expect(none.code).toBe(EXIT.usage);
    expect(none.err).toContain('npm run template -- <subcommand> [options]');

    const unknown = await cli(['publish']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toContain(
      'template: unknown subcommand "publish"; the subcommand comes first: upload, add-draft, list, prune, delete.',
    );
  });

  it.each(['upload', 'add-draft', 'list', 'prune', 'delete'])('%s --help lists --dry-run and the environment', async (sub) => {
    const result = await cli([sub, '--help'], {});
    expect(result.code).toBe(EXIT.ok);
    expect(result.out.split('\n')[0]).toMatch(new RegExp(`^npm run template -- ${sub} .*\\[options\\]$`));
    expect(result.out).toContain('--dry-run');
    expect(result.out).toContain('--local');
    expect(result.out).toContain('BROKER_KEY_SECRET');
  });

  it('refuses an unknown option and names the subcommand’s help', async () => {
    const result = await cli(['list', '--frobnicate']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain("template list: Unknown option '--frobnicate'");
    expect(result.err).toContain('Run `npm run template -- list --help` for the options.');
  });
});

describe('--dry-run prints exactly what would be sent, offline', () => {
  const head = (name: string) => [
    `template ${name} would send (dry run, nothing sent):`,
    `  broker       ${BROKER}, key ops-templates (its secret is never printed)`,
  ];

  it('list', async () => {
    const result = await cli(['list', '--dry-run']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.err).toBe('');
    expect(result.out.split('\n')).toEqual([
      ...head('list'),
      '  1. GET  /broker/component/wxa/gettemplatedraftlist',
      '  2. GET  /broker/component/wxa/gettemplatelist',
    ]);
  });

  it('add-draft', async () => {
    const result = await cli(['add-draft', '77', '--dry-run']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.out.split('\n')).toEqual([
      ...head('add-draft'),
      '  1. GET  /broker/component/wxa/gettemplatelist  (templates already made from draft 77)',
      '  2. POST /broker/component/wxa/addtotemplate {"draft_id":77,"template_type":0}',
      '  3. GET  /broker/component/wxa/gettemplatelist  (the new template with draft_id 77: its template_id is printed)',
    ]);
  });

  it('delete', async () => {
    const result = await cli(['delete', '398', '399', '--dry-run']);
    expect(result.code).toBe(EXIT.ok);
    expect(result.out.split('\n')).toEqual([
      ...head('delete'),
      '  1. POST /broker/component/wxa/deletetemplate {"template_id":398}',
      '  2. POST /broker/component/wxa/deletetemplate {"template_id":399}',
    ]);
  });

  it('prune is the exception: its dry run reads the jobs and the library, so offline it stops before any delete', async () => {
    const result = await cli(['prune', '--keep', '150', '--older-than', '30', '--protect', '412, 415', '--dry-run']);
    expect(result.code).toBe(EXIT.failed);
    expect(result.out).toBe('');
    expect(result.err).toContain('cannot read which templates release jobs use, so nothing was deleted.');
    expect(result.err).toContain(`the broker at ${BROKER} cannot be reached`);
  });

  it('upload', async () => {
    const env = { ...ENV, MP_APPID: FAKE_APPID, MP_PRIVATE_KEY_PATH: keyPath };
    const result = await cli(
      ['upload', '--project', 'shop-template', '--version', '1.4.0', '--desc', 'new checkout', '--robot', '2', '--dry-run'],
      env,
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(result.out.split('\n')).toEqual([
      ...head('upload'),
      "  1. miniprogram-ci upload to WeChat, as the 开发小程序 (it lands in the platform's draft box):",
      `       project      ${project}`,
      `       appid        ${FAKE_APPID}`,
      '       version      1.4.0',
      '       description  "new checkout"',
      '       robot        2',
      `       upload key   ${keyPath} (a private key; its content is never printed)`,
      '       settings     the project\'s project.config.json "setting"',
      `  2. GET  /broker/component/wxa/gettemplatedraftlist  every 5 s for up to 120 s: the draft from ${FAKE_APPID} ` +
        'with user_version 1.4.0, uploaded since the upload started',
      '  3. GET  /broker/component/wxa/gettemplatelist  (templates already made from that draft)',
      '  4. POST /broker/component/wxa/addtotemplate {"draft_id":"<that draft_id>","template_type":0}',
      '  5. GET  /broker/component/wxa/gettemplatelist  (the new template with that draft_id: its template_id is printed)',
    ]);
    expect(result.all).not.toContain(fs.readFileSync(keyPath, 'utf8').split('\n')[1]);
  });

  it('--local points at npm start’s broker', async () => {
    const { BROKER_URL: _url, ...keyOnly } = ENV;
    const result = await cli(['list', '--local', '--dry-run'], keyOnly);
    expect(result.out).toContain('  broker       http://127.0.0.1:8091/wx, key ops-templates (its secret is never printed)');
  });
});

describe('inputs and arguments', () => {
  it('names every missing broker input at once, with where to get it, and sends nothing', async () => {
    const result = await cli(['list'], {});
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain('template list: cannot start, 3 inputs are missing or wrong:');
    expect(result.err).toContain("- BROKER_URL is not set.\n      Where: the function's PUBLIC_BASE_URL");
    expect(result.err).toContain('- BROKER_KEY_ID is not set.');
    expect(result.err).toContain('"ops": ["component"]');
    expect(result.err).toContain('- BROKER_KEY_SECRET is not set.');
  });

  it('refuses a secret shorter than the function accepts and a URL that is not http(s), never echoing the secret', async () => {
    const result = await cli(['list'], { BROKER_URL: 'ftp://x', BROKER_KEY_ID: 'k', BROKER_KEY_SECRET: 'short-secret' });
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain('- BROKER_URL is not an http(s) URL.');
    expect(result.err).toContain('- BROKER_KEY_SECRET is shorter than 32 characters');
    expect(result.all).not.toContain('short-secret');
  });

  it('reads the inputs from --env-file, the environment winning', async () => {
    const envFile = path.join(dir, 'template.env');
    fs.writeFileSync(envFile, `BROKER_URL=${BROKER}\nBROKER_KEY_ID=from-file\nBROKER_KEY_SECRET=${KEY_SECRET}\n`);
    const result = await cli(['list', '--dry-run', '--env-file', envFile], { BROKER_KEY_ID: 'from-shell' });
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toContain('key from-shell');
  });

  it.each([
    [['delete'], 'template delete: give one or more template_id (npm run template -- delete <template_id>...).'],
    [['delete', '12', 'abc'], 'template_id must be a whole number (got "abc").'],
    [['add-draft'], 'template add-draft: give one draft_id (npm run template -- add-draft <draft_id>).'],
    [['add-draft', '11', '12'], 'template add-draft: give one draft_id'],
    [['prune'], 'template prune: say what to keep: --keep <n>, --older-than <days>, or both.'],
    [['prune', '--keep', 'ten'], '--keep must be a whole number (got "ten").'],
    [['prune', '--older-than', '0'], '--older-than must be a number of days above 0 (got "0").'],
    [['prune', '--keep', '5', '--protect', '7,x'], '--protect ids must be a whole number (got "x").'],
  ])('%j fails with a clear message', async (argv, message) => {
    const result = await cli([...argv, '--dry-run']);
    expect(result.code).toBe(EXIT.failed);
    expect(result.err).toContain(message);
    expect(result.out).toBe('');
  });

  it('a positional argument where none is taken is a usage error', async () => {
    const result = await cli(['list', 'everything']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain("Unexpected argument 'everything'");
  });

  it('upload names the project, version, description, appid and upload key together', async () => {
    const result = await cli(['upload', '--dry-run'], ENV);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toContain('template upload: cannot start, 4 inputs are missing or wrong:');
    for (const name of [
      '--project is not given',
      '--version is not given',
      '--desc is not given',
      'MP_PRIVATE_KEY_PATH is not set',
    ])
      expect(result.err).toContain(`- ${name}`);
    const placeholder = await cli(['upload', '--project', project, '--version', '1', '--desc', 'x', '--dry-run'], {
      ...ENV,
      MP_PRIVATE_KEY_PATH: keyPath,
    });
    expect(placeholder.err).toContain('MP_APPID is not set and project.config.json has the placeholder "touristappid"');
  });

  it('local upload needs no upload key but a mini-program project, and EMULATOR_URL must be a URL', async () => {
    const args = ['upload', '--project', project, '--version', '1.4.0', '--desc', 'x', '--dry-run'];
    const local = await cli([...args, '--local'], { BROKER_KEY_ID: 'k', BROKER_KEY_SECRET: KEY_SECRET, MP_APPID: FAKE_APPID });
    expect(local.code).toBe(EXIT.usage);
    expect(local.err).toContain(`--project has no ${path.join(project, 'app.json')}`);
    expect(local.err).not.toContain('MP_PRIVATE_KEY_PATH');
    const loopback = await cli(args, {
      ...ENV,
      BROKER_URL: 'http://localhost:18091/wx',
      MP_APPID: FAKE_APPID,
      EMULATOR_URL: 'nope',
    });
    expect(loopback.err).toContain('EMULATOR_URL is not an http(s) URL');
    expect(loopback.err).not.toContain('MP_PRIVATE_KEY_PATH');
  });

  it('upload checks --robot and --wait', async () => {
    const env = { ...ENV, MP_APPID: FAKE_APPID, MP_PRIVATE_KEY_PATH: keyPath };
    const base = ['upload', '--project', project, '--version', '1', '--desc', 'x', '--dry-run'];
    expect((await cli([...base, '--robot', '31'], env)).err).toContain('--robot must be a whole number from 1 to 30');
    expect((await cli([...base, '--wait', '0'], env)).err).toContain('--wait must be a number of seconds above 0');
  });
});

describe('upload (miniprogram-ci and the draft box faked)', () => {
  const env = () => ({ ...ENV, MP_APPID: FAKE_APPID, MP_PRIVATE_KEY_PATH: keyPath });
  const args = ['upload', '--project', 'shop-template', '--version', '1.4.0', '--desc', 'new checkout'];

  /** A world where time passes only when the command sleeps, and the draft shows after `delayPolls` polls. */
  function world(library: FakeLibrary, delayPolls: number, draftVersion = '1.4.0') {
    let now = NOW;
    let uploads: UploadPlan[] = [];
    let sleeps = 0;
    const deps: TemplateDeps = {
      now: () => now,
      pollIntervalMs: 5000,
      sleep: async (ms) => {
        now += ms;
        sleeps += 1;
        if (sleeps === delayPolls)
          library.drafts = [
            {
              draft_id: 77,
              user_version: draftVersion,
              // WeChat may append who uploaded when (spec §2.1).
              user_desc: 'new checkout\nrobot 1 在 2026-12-01 00:00 提交上传',
              create_time: Math.floor(now / 1000),
              source_miniprogram_appid: FAKE_APPID,
            },
          ];
      },
      broker: () => library,
      jobs: () => ({ templates: () => Promise.reject(new Error('no jobs in an upload')) }),
      upload: async (plan) => {
        uploads = [...uploads, plan];
      },
      compile: () => Promise.reject(new Error('no compile for WeChat')),
      playUpload: () => Promise.reject(new Error('no emulator for WeChat')),
    };
    return { deps, uploads: () => uploads };
  }

  it('uploads, waits for its draft, adds it and prints the template found by draft_id', async () => {
    const library = new FakeLibrary();
    // An older draft of the same version (before the upload) is not ours.
    library.drafts = [
      {
        draft_id: 70,
        user_version: '1.4.0',
        user_desc: 'new checkout',
        create_time: NOW / 1000 - 3600,
        source_miniprogram_appid: FAKE_APPID,
      },
    ];
    // A template made from draft 77 earlier is not the new one.
    library.templates = [
      {
        draft_id: 77,
        user_version: '1.4.0',
        user_desc: '',
        create_time: NOW / 1000 + 99,
        source_miniprogram_appid: FAKE_APPID,
        template_id: 900,
        template_type: 0,
      },
    ];
    const { deps, uploads } = world(library, 2);
    const result = await cli(args, env(), deps);
    expect(result.err).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(uploads()).toEqual([
      { projectRoot: project, appid: FAKE_APPID, keyPath, version: '1.4.0', desc: 'new checkout', robot: 1, waitSeconds: 120 },
    ]);
    expect(library.calls).toEqual([
      'GET /wxa/gettemplatedraftlist',
      'GET /wxa/gettemplatedraftlist',
      'GET /wxa/gettemplatedraftlist',
      'GET /wxa/gettemplatelist',
      'POST /wxa/addtotemplate {"draft_id":77,"template_type":0}',
      'GET /wxa/gettemplatelist',
    ]);
    expect(result.out.split('\n')).toEqual([
      `template upload: uploading ${project} as ${FAKE_APPID}, version 1.4.0`,
      'uploaded; waiting for the draft',
      'draft 77 (uploaded 2026-12-01 00:00:10 UTC); adding it to the template library',
      'template 500 made from draft 77 (1.4.0, "new checkout\\nrobot 1 在 2026-12-01 00:00 提交上传")',
      'library: 2 of 200 templates',
      'template_id 500',
    ]);
  });

  it('says so when the draft never shows (another version only), naming the 开发小程序 binding', async () => {
    const library = new FakeLibrary();
    const { deps } = world(library, 1, '1.3.9');
    const result = await cli([...args, '--wait', '20'], env(), deps);
    expect(result.code).toBe(EXIT.failed);
    expect(result.err).toContain(
      `template upload: uploaded, but no draft from ${FAKE_APPID} with user_version 1.4.0 appeared in the draft box within 20 s.`,
    );
    expect(result.err).toContain('第三方平台 → 开发小程序');
    expect(library.calls.filter((c) => c.includes('addtotemplate'))).toEqual([]);
  });

  it('a full library (85065) names the errcode, suggests prune and keeps the draft id for add-draft', async () => {
    const library = new FakeLibrary();
    library.cap = 0;
    const { deps } = world(library, 1);
    const result = await cli(args, env(), deps);
    expect(result.code).toBe(EXIT.failed);
    expect(result.err).toContain('/wxa/addtotemplate: WeChat answered errcode 85065 (the template library is full');
    expect(result.err).toContain('`npm run template -- prune --keep <n>`');
    expect(result.err).toContain('  | after pruning: npm run template -- add-draft 77');
  });

  it('a failed miniprogram-ci upload stops before the draft box is read', async () => {
    const library = new FakeLibrary();
    const { deps } = world(library, 1);
    const result = await cli(args, env(), {
      ...deps,
      upload: () => Promise.reject(new ShipError('template upload: miniprogram-ci failed: -10008 invalid ip')),
    });
    expect(result.code).toBe(EXIT.failed);
    expect(result.err).toContain('-10008 invalid ip');
    expect(library.calls).toEqual([]);
  });

  it('locally, the emulator plays the upload after the offline compile; the same broker path finds and adds its draft', async () => {
    const library = new FakeLibrary();
    const { deps, uploads } = world(library, 99);
    const played: unknown[] = [];
    const compiled: string[] = [];
    const local: TemplateDeps = {
      ...deps,
      compile: async (root) => {
        compiled.push(root);
        return { files: 7, bytes: 267 };
      },
      playUpload: async (url, body) => {
        played.push({ url, body });
        // The emulator records its own 开发小程序 and clock: the draft is found by the draft_id it answers.
        library.drafts = [
          {
            draft_id: 13,
            user_version: body.userVersion,
            user_desc: body.userDesc,
            create_time: 1_700_000_000,
            source_miniprogram_appid: 'wxdev0000000000001',
          },
        ];
        return { draftId: 13 };
      },
    };
    const localEnv = {
      ...ENV,
      BROKER_URL: 'http://127.0.0.1:18091/wx',
      MP_APPID: FAKE_APPID,
      EMULATOR_URL: 'http://127.0.0.1:18090/',
    };
    const fixture = path.resolve(__dirname, '../fixtures/template-app');
    const result = await cli(['upload', '--project', fixture, '--version', '1.4.0', '--desc', 'new checkout'], localEnv, local);
    expect(result.err).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(uploads()).toEqual([]);
    expect(compiled).toEqual([fixture]);
    expect(played).toEqual([{ url: 'http://127.0.0.1:18090', body: { userVersion: '1.4.0', userDesc: 'new checkout' } }]);
    expect(library.calls).toEqual([
      'GET /wxa/gettemplatedraftlist',
      'GET /wxa/gettemplatelist',
      'POST /wxa/addtotemplate {"draft_id":13,"template_type":0}',
      'GET /wxa/gettemplatelist',
    ]);
    expect(result.out.split('\n')).toEqual([
      'template upload: local stack: the upload is played by the local emulator at http://127.0.0.1:18090 ' +
        '(miniprogram-ci compiles the project offline; nothing goes to WeChat)',
      `compiling ${fixture} offline as ${FAKE_APPID}, version 1.4.0`,
      'compiled: 7 files, 267 bytes',
      'the local emulator played the upload: draft 13 in its draft box; waiting for the draft',
      'draft 13 (uploaded 2023-11-14 22:13:20 UTC); adding it to the template library',
      'template 500 made from draft 13 (1.4.0, "new checkout")',
      'library: 1 of 200 templates',
      'template_id 500',
    ]);
  });
});

describe('rules', () => {
  const draft = (id: number, version: string, at: number, desc = 'x', appid = FAKE_APPID): Draft => ({
    draftId: id,
    userVersion: version,
    userDesc: desc,
    createTime: at,
    sourceAppid: appid,
    sourceName: '',
  });

  it('the upload’s draft: same appid and version, not older than the start less the skew; the description breaks ties', () => {
    const want = { appid: FAKE_APPID, version: '2.0.0', desc: 'ours', notBefore: 1000 };
    expect(findUploadedDraft([draft(1, '2.0.0', 999)], want)).toBeUndefined();
    expect(findUploadedDraft([draft(1, '2.0.0', 1000, 'ours', 'wx9999999999999999')], want)).toBeUndefined();
    expect(findUploadedDraft([draft(1, '2.0.1', 1500)], want)).toBeUndefined();
    expect(
      findUploadedDraft([draft(1, '2.0.0', 1200, 'ours 在 … 提交上传'), draft(2, '2.0.0', 1300, 'theirs')], want)?.draftId,
    ).toBe(1);
    expect(findUploadedDraft([draft(1, '2.0.0', 1200, 'ours'), draft(2, '2.0.0', 1300, 'ours')], want)?.draftId).toBe(2);
  });

  const template = (id: number, at: number): Template => ({
    templateId: id,
    draftId: id,
    userVersion: `v${id}`,
    userDesc: '',
    createTime: at,
    sourceAppid: FAKE_APPID,
    templateType: 0,
  });
  const ids = (list: Template[]) => list.map((t) => t.templateId);

  it('prune keeps the newest n (create_time, then id), never a protected one, and with --older-than only old ones go', () => {
    const all = [template(1, 100), template(2, 200), template(3, 300), template(4, 300), template(5, 50)];
    expect(ids(pruneSelection(all, { keep: 2, protect: new Set() }).remove)).toEqual([2, 1, 5]);
    expect(ids(pruneSelection(all, { keep: 2, protect: new Set([1]) }).remove)).toEqual([2, 5]);
    expect(ids(pruneSelection(all, { keep: 2, protect: new Set([1]) }).keep)).toEqual([4, 3, 1]);
    expect(ids(pruneSelection(all, { olderThan: 150, protect: new Set() }).remove)).toEqual([1, 5]);
    expect(ids(pruneSelection(all, { keep: 4, olderThan: 150, protect: new Set() }).remove)).toEqual([5]);
    expect(ids(pruneSelection(all, { keep: 0, protect: new Set([3]) }).remove)).toEqual([4, 2, 1, 5]);
  });
});

describe('the README’s "Shipping a code template"', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('#### Shipping a code template'), readme.indexOf('### 6. Releasing from CI'));
  /** Every `npm run template -- …` the section shows, without comments and shell continuations. */
  const commands = section
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => /npm run template -- (.*?)(\s+#.*)?$/.exec(line)?.[1])
    .filter((args): args is string => args !== undefined);

  it('shows every subcommand, and each line it shows is accepted (checked with --dry-run)', async () => {
    expect(new Set(commands.map((c) => c.split(' ')[0]))).toEqual(new Set(['upload', 'add-draft', 'list', 'prune', 'delete']));
    const env = { ...ENV, MP_APPID: FAKE_APPID, MP_PRIVATE_KEY_PATH: keyPath };
    for (const args of commands) {
      const argv = [...args.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
      const at = argv.indexOf('--project');
      // The README's ../shop-template stands for any template app; a local upload compiles it, so it must be one.
      if (at >= 0) argv[at + 1] = argv.includes('--local') ? path.resolve(__dirname, '../fixtures/template-app') : project;
      // prune's dry run reads the library and the jobs: WeChat's library faked, no job running
      // (template-stack.test.ts and e2e/shipping/schedule.test.ts read both for real).
      const reads: TemplateDeps = {
        ...offline,
        broker: () => new FakeLibrary(),
        jobs: () => ({ templates: async () => ({ templates: [] }) }),
      };
      const result = await cli([...argv, '--dry-run'], env, argv[0] === 'prune' ? reads : offline);
      expect({ args, err: result.err, code: result.code }).toEqual({ args, err: '', code: EXIT.ok });
    }
  });

  it('the scope it gives names exactly the four APIs the commands call, and the local key has that scope', () => {
    const scope = JSON.parse(/```json\n(.*)\n```/.exec(section)?.[1] ?? 'null') as unknown;
    expect(scope).toEqual({ ops: ['component', 'ship'], apis: Object.values(TEMPLATE_APIS), appids: '*' });
    const keys = JSON.parse(/BROKER_CLIENT_KEYS=(\[.*\])'/.exec(section)?.[1] ?? '[]') as Array<{ scope: unknown }>;
    expect(keys.map((k) => k.scope)).toEqual([scope]);
  });
});
