/**
 * `npm run rehearse:fleet` (issue 19): the rehearsal's main function on its own fresh local stack.
 * Its mixed job must end with every merchant where WeChat's scripted reviews put it, and a plan
 * whose expectation WeChat does not meet must fail with the difference named.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FLEET, rehearseFleet, VERSION, type FleetResult } from '../../../scripts/ship/fleet-rehearsal';
import { captureOutputOfFile } from '../helpers/rules-stack';

jest.setTimeout(180_000);
// The function's own log lines (it runs in this process), kept out of the test report.
const functionOutput = captureOutputOfFile();

const ROOT = path.resolve(__dirname, '../../..');

async function run(merchants = FLEET): Promise<{ result: FleetResult; text: string }> {
  const lines: string[] = [];
  const result = await rehearseFleet({ build: false, merchants, out: (line) => lines.push(line) });
  return { result, text: lines.join('\n') };
}

const row = (result: FleetResult, shopName: string) => result.rows.find((r) => r.shopName === shopName)!;

test('the mixed job ends with each merchant where WeChat put it, printed as ops read it; exit 0', async () => {
  const { result, text } = await run();
  expect(result.code).toBe(0);
  expect(result.differences).toEqual([]);
  expect(result.state).toBe('done');
  expect(result.counts).toEqual({ released: 6, rejected: 1, skipped: 3 });

  for (const shop of ['青禾鲜花', '拾光花房', '一束花', '山茶小院', '南枝花坊', '云朵花束'])
    expect(row(result, shop)).toMatchObject({
      ended: 'released',
      online: VERSION,
      committedShopName: shop,
      // One quota unit and one release each, the event sent twice included.
      submissions: 1,
      releases: 1,
    });
  expect(row(result, '花间小铺')).toMatchObject({
    ended: 'rejected',
    online: null,
    submissions: 1,
    releases: 0,
    problem: { stage: 'rejected', message: expect.stringContaining('名称与实际提供的服务不符'), action: expect.any(String) },
  });
  expect(row(result, '木槿花艺')).toMatchObject({
    ended: 'skipped',
    committedShopName: null,
    submissions: 0,
    problem: { errcode: null, message: expect.stringContaining('shopName') },
  });
  for (const shop of ['向阳花铺', '月见草'])
    expect(row(result, shop)).toMatchObject({
      ended: 'skipped',
      committedShopName: null,
      submissions: 0,
      problem: { errcode: 61007 },
    });

  // The canary decides before the second wave opens; the lost event is found by polling.
  const at = (needle: string) => {
    const index = text.indexOf(needle);
    expect(index).toBeGreaterThan(-1);
    return index;
  };
  expect(at('wave 1 opened (the canary)')).toBeLessThan(at('weapp_audit_delay（审核延后）for 拾光花房'));
  expect(at('weapp_audit_success（审核通过）for 拾光花房')).toBeLessThan(at('wave 2 opened'));
  expect(at('for 一束花 — lost on the way')).toBeLessThan(at('no audit event for 一束花 in 30 minutes'));
  at('for 山茶小院 — delivered twice');
  at('to do: 按审核意见修改后重新提审');
  expect(text).toMatch(/✔ 花间小铺 +wx[0-9a-f]{16} +fail \(merchant-fixable\) +rejected +rejected/);
  expect(text.trimEnd().split('\n').pop()).toBe(
    'OK: every merchant ended as expected (released 6 · skipped 3 · rejected 1), each submitted and released at most once.',
  );
  // Quiet: none of the function's JSON log lines, no key secret, no token.
  expect(text).not.toContain('"level"');
  expect(text).not.toMatch(/[0-9a-f]{48}/);
  expect(text).not.toMatch(/access_token/);
  expect(functionOutput.text()).not.toMatch(/access_token=/);

  // README's excerpt is this output, line for line (some lines left out).
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = readme.slice(readme.indexOf('<!-- rehearse-fleet -->'), readme.indexOf('<!-- /rehearse-fleet -->'));
  const excerpt = block.split('\n').filter((line) => line.trim() && !line.startsWith('<!--') && !line.startsWith('```'));
  expect(excerpt.length).toBeGreaterThan(10);
  const printed = new Set(text.split('\n'));
  expect(excerpt.filter((line) => !printed.has(line))).toEqual([]);
});

test('a merchant WeChat rejects against the plan: the difference is printed, exit 1', async () => {
  const merchants = FLEET.map((m) =>
    m.shopName === '云朵花束' ? { ...m, audit: { outcome: 'fail' as const, failReason: '页面存在空白内容' } } : m,
  );
  const { result, text } = await run(merchants);
  expect(result.code).toBe(1);
  const appid = row(result, '云朵花束').appid;
  expect(result.differences).toEqual([
    `云朵花束 (${appid}): expected released, ended rejected`,
    'job counts released 5 · skipped 3 · rejected 2; expected released 6 · skipped 3 · rejected 1',
  ]);
  expect(text).toMatch(/✘ 云朵花束 +wx[0-9a-f]{16} +pass +released +rejected/);
  expect(text).toContain('FAILED: 2 differences from the plan:');
  expect(text).toContain(`  - 云朵花束 (${appid}): expected released, ended rejected`);
});

test('--help and --dry-run (the plan, nothing started) exit 0; the package script runs the file', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts['rehearse:fleet']).toBe('tsx scripts/rehearse-fleet.ts');
  const tsx = (...args: string[]) =>
    promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/rehearse-fleet.ts', ...args], { cwd: ROOT });
  const help = await tsx('--help');
  expect(help.stdout).toContain('npm run rehearse:fleet');
  expect(help.stdout).toContain('--verbose');
  const plan = (await tsx('--dry-run')).stdout.split('\n');
  expect(plan[0]).toBe(`Fleet rehearsal plan (dry run, nothing started): ${FLEET.length} mini-programs, template ${VERSION}`);
  expect(plan).toContain('  花间小铺  yes     shopName          fail (merchant-fixable)  rejected');
  expect(plan).toContain('  向阳花铺  no      shopName          no set 18                skipped');
  await expect(tsx('--bogus')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'") });
});
