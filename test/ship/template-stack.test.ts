/**
 * `npm run template` against a real local stack, over real HTTP with real signing: the broker key
 * is the one the README's "Shipping a code template" puts in .env.local, read as `npm start`
 * reads it; the emulator's library answers as WeChat does (no template id from addtotemplate,
 * 85064, the 200 cap with 85065).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrokerHttpClient } from '../../clients/broker-client/src';
import { HTTP_ACCESS_PATH } from '../../emulator/stack';
import { localEnv } from '../../scripts/local-env';
import { EXIT } from '../../scripts/ship/cli';
import { EMULATOR_DRAFT_ROUTE, LOCAL_BROKER_URL, LOCAL_EMULATOR_URL } from '../../scripts/ship/template';
import { captureOutputOfFile, startRulesStack, type RulesStack } from '../e2e/helpers/rules-stack';
import { runTemplateCli } from './template-helpers';

jest.setTimeout(180_000);
captureOutputOfFile();

const ROOT = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const block = readme.slice(readme.indexOf('<!-- template-local -->'), readme.indexOf('<!-- /template-local -->'));
const envLine = /echo '(BROKER_CLIENT_KEYS=.*)' > \.env\.local/.exec(block)?.[1] ?? '';
const exported = Object.fromEntries(
  [...(/export (.*)/.exec(block)?.[1] ?? '').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]] as const),
);
const README_KEY = { id: exported.BROKER_KEY_ID ?? '', secret: exported.BROKER_KEY_SECRET ?? '' };
/** A key such as the example caller's: no `component` in its scope. */
const LIST_ONLY = {
  id: 'list-only',
  secret: 'list-only-secret-0123456789abcdef0123456789',
  scope: { ops: ['list'], appids: '*' },
};

let stack: RulesStack;
let env: Record<string, string>;
const outputs: string[] = [];

beforeAll(async () => {
  const keys = JSON.parse(localEnv({}, `${envLine}\n`).functionEnv.BROKER_CLIENT_KEYS ?? '[]') as unknown[];
  stack = await startRulesStack({ functionEnv: { BROKER_CLIENT_KEYS: JSON.stringify([...keys, LIST_ONLY]) } });
  env = { BROKER_URL: stack.publicBaseUrl, BROKER_KEY_ID: README_KEY.id, BROKER_KEY_SECRET: README_KEY.secret };
});

afterAll(async () => {
  await stack?.close();
  for (const text of outputs) {
    expect(text).not.toContain(README_KEY.secret);
    expect(text).not.toContain(LIST_ONLY.secret);
  }
});

async function template(argv: string[], withEnv: Record<string, string> = env) {
  const result = await runTemplateCli(argv, withEnv, ROOT);
  outputs.push(result.all);
  return result;
}

async function templateIds(): Promise<number[]> {
  const result = await template(['list', '--json']);
  expect(result.code).toBe(EXIT.ok);
  return (JSON.parse(result.out) as { templates: Array<{ templateId: number }> }).templates.map((t) => t.templateId);
}

test('the README’s local key and URL are what npm start serves', () => {
  expect(README_KEY.id).toBe('local-templates');
  expect(README_KEY.secret.length).toBeGreaterThanOrEqual(32);
  const cloudPort = /CLOUD_PORT \?\? (\d+)/.exec(fs.readFileSync(path.join(ROOT, 'scripts/start.ts'), 'utf8'))?.[1];
  expect(LOCAL_BROKER_URL).toBe(`http://127.0.0.1:${cloudPort}${HTTP_ACCESS_PATH}`);
  expect(readme).toContain(`\`npm start\`'s, \`${LOCAL_BROKER_URL}\``);
  const openPlatformPort = /OPEN_PLATFORM_PORT \?\? (\d+)/.exec(
    fs.readFileSync(path.join(ROOT, 'scripts/start.ts'), 'utf8'),
  )?.[1];
  expect(LOCAL_EMULATOR_URL).toBe(`http://127.0.0.1:${openPlatformPort}`);
  expect(readme).toContain(
    `\`EMULATOR_URL\` | \`upload --local\` only: the Open Platform emulator that plays the upload (default \`npm start\`'s, \`${LOCAL_EMULATOR_URL}\`)`,
  );
  expect(readme).toContain(`\`POST $EMULATOR_URL${EMULATOR_DRAFT_ROUTE}\``);
});

test('list shows the emulator’s draft box and library, as the README says', async () => {
  const result = await template(['list']);
  expect(result.err).toBe('');
  expect(result.code).toBe(EXIT.ok);
  const lines = result.out.split('\n');
  expect(lines[0]).toBe('draft box: 2 drafts');
  expect(lines[2]).toMatch(/^ +12 {2}v1\.3\.0 +2023-11-26 \d\d:\d\d:\d\d {2}wxdev0000000000001 {2}faster checkout$/);
  expect(lines[3]).toMatch(/^ +11 {2}v1\.2\.0 /);
  expect(lines[4]).toBe('template library: 2 of 200 templates');
  expect(lines.slice(6).map((l) => l.trim().split(/\s+/)[0])).toEqual(['2', '1']);
});

test('add-draft makes a template and finds it by draft_id; delete removes it; unknown ids are 85064', async () => {
  const added = await template(['add-draft', '11']);
  expect(added.err).toBe('');
  expect(added.code).toBe(EXIT.ok);
  expect(added.out.split('\n')).toEqual([
    'template 3 made from draft 11 (v1.2.0, "new home page")',
    'library: 3 of 200 templates',
    'template_id 3',
  ]);
  expect(await templateIds()).toEqual([3, 2, 1]);

  const deleted = await template(['delete', '3']);
  expect(deleted.code).toBe(EXIT.ok);
  expect(deleted.out).toBe('deleted 3');
  expect(await templateIds()).toEqual([2, 1]);

  const again = await template(['delete', '3']);
  expect(again.code).toBe(EXIT.failed);
  expect(again.err).toContain('/wxa/deletetemplate: WeChat answered errcode 85064 (template or draft not found');

  const noDraft = await template(['add-draft', '99']);
  expect(noDraft.code).toBe(EXIT.failed);
  expect(noDraft.err).toContain('/wxa/addtotemplate: WeChat answered errcode 85064');
});

test('at 200 templates add-draft gets 85065 and suggests prune; prune frees room, never a protected one', async () => {
  const broker = new BrokerHttpClient({ baseUrl: stack.publicBaseUrl, keyId: README_KEY.id, secret: README_KEY.secret });
  // Fill the library to WeChat's cap through the broker (templates 4 … 201, all from draft 11).
  for (let count = (await templateIds()).length; count < 200; count += 1) {
    const answer = await broker.componentCall({
      method: 'POST',
      path: '/wxa/addtotemplate',
      json: { draft_id: 11, template_type: 0 },
    });
    expect(answer.errcode).toBe(0);
  }
  expect((await template(['list'])).out).toContain('template library: 200 of 200 templates');

  const full = await template(['add-draft', '12']);
  expect(full.code).toBe(EXIT.failed);
  expect(full.err).toContain('/wxa/addtotemplate: WeChat answered errcode 85065 (the template library is full');
  expect(full.err).toContain('`npm run template -- prune --keep <n>`');
  expect(full.err).toContain('  | after pruning: npm run template -- add-draft 12');

  // Newest first by create_time then id: 201 … 52 are kept, 51 … 4 deleted, 1 and 2 (the oldest) protected.
  const pruned = await template(['prune', '--keep', '150', '--protect', '1,2']);
  expect(pruned.err).toBe('');
  expect(pruned.code).toBe(EXIT.ok);
  const lines = pruned.out.split('\n');
  expect(lines[0]).toBe('template library: 200 of 200; deleting 48 (beyond the newest 150; never 1, 2)');
  // The templates kept against the rule, with why (no job runs here, so only --protect).
  expect(lines.slice(1, 3)).toEqual(['  kept 2: --protect', '  kept 1: --protect']);
  expect(lines[3]).toMatch(/^ {2}deleted 51 \(draft 11, v1\.2\.0, created 2023-11-24 \d\d:\d\d:\d\d UTC\)$/);
  expect(lines.at(-1)).toBe('template library: 152 of 200 templates');
  const left = await templateIds();
  expect(left).toHaveLength(152);
  expect(left).toEqual(expect.arrayContaining([1, 2, 52, 201]));
  expect(left).not.toContain(51);
  expect(left).not.toContain(4);

  const added = await template(['add-draft', '12']);
  expect(added.code).toBe(EXIT.ok);
  expect(added.out).toContain('template_id 202');
  expect(added.out).toContain('library: 153 of 200 templates');
});

test('a key without `component` is refused by the broker with what the scope needs', async () => {
  const result = await template(['list'], { ...env, BROKER_KEY_ID: LIST_ONLY.id, BROKER_KEY_SECRET: LIST_ONLY.secret });
  expect(result.code).toBe(EXIT.failed);
  expect(result.err).toContain('/wxa/gettemplatedraftlist: the broker refused (SCOPE_DENIED)');
  expect(result.err).toContain('(missing: operation); it needs "ops": ["component"]');
});

test('a wrong secret and an unreachable broker are told apart', async () => {
  const wrong = await template(['list'], { ...env, BROKER_KEY_SECRET: 'not-the-secret-0123456789abcdef0123456789' });
  expect(wrong.code).toBe(EXIT.failed);
  expect(wrong.err).toContain('the broker refused (UNAUTHENTICATED): the broker did not accept the key');
  const down = await template(['list'], { ...env, BROKER_URL: 'http://127.0.0.1:9/wx' });
  expect(down.code).toBe(EXIT.failed);
  expect(down.err).toContain(
    '/wxa/gettemplatedraftlist: no answer from the broker: the broker at http://127.0.0.1:9/wx cannot be reached',
  );
});

describe('upload --local: the emulator plays the upload of a real project folder', () => {
  const FIXTURE = path.join(ROOT, 'test/fixtures/template-app');
  const args = ['upload', '--local', '--project', 'test/fixtures/template-app', '--version', '2.0.0', '--desc', 'local upload'];
  const localEnv = () => ({ ...env, EMULATOR_URL: stack.openPlatform.url });

  test('the dry run prints exactly what it would send', async () => {
    const result = await template([...args, '--dry-run'], localEnv());
    expect(result.err).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(result.out.split('\n')).toEqual([
      'template upload would send (dry run, nothing sent):',
      `  broker       ${stack.publicBaseUrl}, key ${README_KEY.id} (its secret is never printed)`,
      "  1. the upload, played by the local emulator (nothing goes to WeChat; miniprogram-ci's upload is not run):",
      `     a. miniprogram-ci compile, offline, of ${FIXTURE} as wxdev0000000000001, with the project's project.config.json "setting"`,
      `     b. POST ${stack.openPlatform.url}/__emulator/code-management/drafts {"userVersion":"2.0.0","userDesc":"local upload"}`,
      '  2. GET  /broker/component/wxa/gettemplatedraftlist  every 5 s for up to 120 s: the draft_id the emulator answered, ' +
        'with user_version 2.0.0',
      '  3. GET  /broker/component/wxa/gettemplatelist  (templates already made from that draft)',
      '  4. POST /broker/component/wxa/addtotemplate {"draft_id":"<that draft_id>","template_type":0}',
      '  5. GET  /broker/component/wxa/gettemplatelist  (the new template with that draft_id: its template_id is printed)',
    ]);
    expect((await template(['list', '--json'])).out).not.toContain('2.0.0');
  });

  test('compiles the fixture offline, the emulator takes it, and the template it prints is in list', async () => {
    const before = await templateIds();
    const result = await template(args, localEnv());
    expect(result.err).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe(
      `template upload: local stack: the upload is played by the local emulator at ${stack.openPlatform.url} ` +
        '(miniprogram-ci compiles the project offline; nothing goes to WeChat)',
    );
    expect(lines[1]).toBe(`compiling ${FIXTURE} offline as wxdev0000000000001, version 2.0.0`);
    expect(lines[2]).toMatch(/^compiled: \d+ files, \d+ bytes$/);
    const draftId = Number(
      /^the local emulator played the upload: draft (\d+) in its draft box; waiting for the draft$/.exec(lines[3] ?? '')?.[1],
    );
    expect(draftId).toBeGreaterThan(12);
    expect(lines[4]).toMatch(new RegExp(`^draft ${draftId} \\(uploaded .* UTC\\); adding it to the template library$`));
    const templateId = Number(/^template_id (\d+)$/.exec(lines.at(-1) ?? '')?.[1]);
    expect(before).not.toContain(templateId);
    expect(lines.at(-3)).toBe(`template ${templateId} made from draft ${draftId} (2.0.0, "local upload")`);

    const list = JSON.parse((await template(['list', '--json'])).out) as {
      drafts: Array<{ draftId: number; userVersion: string; sourceAppid: string }>;
      templates: Array<{ templateId: number; draftId: number; userVersion: string }>;
    };
    expect(list.templates).toContainEqual(expect.objectContaining({ templateId, draftId, userVersion: '2.0.0' }));
    // The draft box keeps one draft per 开发小程序: the upload replaced the emulator's drafts.
    // The README: the emulator records every draft as from its 开发小程序, whatever the project's appid.
    expect(list.drafts.map((d) => [d.draftId, d.userVersion, d.sourceAppid])).toEqual([[draftId, '2.0.0', 'wxdev0000000000001']]);
    expect(readme).toContain('(it records every draft as from `wxdev0000000000001`');
  });
});
