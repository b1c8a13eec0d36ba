/**
 * `npm run rehearse:fleet`'s engine: a release job over a handful of mini-programs on a fresh local
 * stack, driven only through the ways ops have (merchants authorizing, the broker's signed `ship`
 * operation, `npm run template`) while the emulator plays WeChat's reviewers, with their outcomes
 * scripted per merchant. The emulated clock moves five minutes per timer run, so an afternoon of
 * audits takes seconds. Prints what ops would see and compares each merchant's end with the plan.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerHttpClient, type ShipClient, type ShipProblem, type ShipStatus } from '../../clients/broker-client/src';
import {
  DEFAULT_ACCOUNTS,
  syntheticAccount,
  type AuditEventRecord,
  type AuditScriptPatch,
  type TestAccount,
} from '../../emulator/open-platform';
import { startLocalStack, type LocalStack } from '../../emulator/stack';
import type { Io } from './cli';
import { withCapturedConsole } from './console-capture';
import { DEFAULT_DEPS, runTemplate } from './template';
import { TEMPLATE_APIS } from './template-library';

/** Where each merchant should end: released, or stopped with the reason ops would read. */
export type FleetEnd = 'released' | 'rejected' | 'skipped';

export interface FleetMerchant {
  shopName: string;
  /** Granted set 18 (开发管理) when authorizing. */
  grant18: boolean;
  /** Given its ext_json values (shopName) through `ship values`. */
  values: boolean;
  /** What WeChat's review does with this merchant's submission (the emulator's script). */
  audit?: AuditScriptPatch;
  /** The next audit event for this merchant is lost / sent twice. */
  event?: 'lost' | 'duplicated';
  /** What the rehearsal shows, in a few words (the table's "scripted" column). */
  scripted: string;
  expect: FleetEnd;
}

/** The rehearsal's merchants, in wave order: the first CANARY ship alone as the canary wave. */
export const FLEET: readonly FleetMerchant[] = [
  { shopName: '青禾鲜花', grant18: true, values: true, scripted: 'pass', expect: 'released' },
  {
    shopName: '拾光花房',
    grant18: true,
    values: true,
    audit: { delay: { afterSeconds: 300, reason: '审核排队中，结果将延后给出' }, reviewSeconds: 1200 },
    scripted: 'delayed, then pass',
    expect: 'released',
  },
  {
    shopName: '花间小铺',
    grant18: true,
    values: true,
    audit: { outcome: 'fail', failReason: '小程序名称与实际提供的服务不符<br>请修改名称或补充相应服务类目后重新提交' },
    scripted: 'fail (merchant-fixable)',
    expect: 'rejected',
  },
  { shopName: '一束花', grant18: true, values: true, event: 'lost', scripted: 'pass, event lost', expect: 'released' },
  { shopName: '山茶小院', grant18: true, values: true, event: 'duplicated', scripted: 'pass, event twice', expect: 'released' },
  { shopName: '南枝花坊', grant18: true, values: true, scripted: 'pass', expect: 'released' },
  { shopName: '木槿花艺', grant18: true, values: false, scripted: 'no ext_json values', expect: 'skipped' },
  { shopName: '云朵花束', grant18: true, values: true, scripted: 'pass', expect: 'released' },
  { shopName: '向阳花铺', grant18: false, values: true, scripted: 'no set 18', expect: 'skipped' },
  { shopName: '月见草', grant18: false, values: true, scripted: 'no set 18', expect: 'skipped' },
];

export const CANARY = 2;
export const VERSION = '2.0.0';
/** The function's timer runs every 5 minutes in production: one tick of the emulated clock. */
export const TICK_SECONDS = 300;
/** Emulated time after which a job that has not ended counts as stuck. */
export const MAX_HOURS = 8;
export const TEMPLATE_APP = path.resolve(__dirname, '../../test/fixtures/template-app');
const EXT_JSON_TEMPLATE = { extEnable: true, extAppid: '{{appid}}', ext: { shopName: '{{shopName}}' } };

export interface FleetOptions {
  /** Rebuild the function bundle first (the command: yes; tests: jest's global setup built it). */
  build: boolean;
  out(line: string): void;
  /** Another plan (tests: a merchant whose script and expectation disagree). */
  merchants?: readonly FleetMerchant[];
  /** Print the function's own log lines (JSON) at the end; otherwise only its warnings, and only on failure. */
  verbose?: boolean;
}

export interface FleetRow {
  shopName: string;
  appid: string;
  scripted: string;
  expected: FleetEnd;
  /** Where the job left it: a problem's stage, `released` (WeChat serves the version), or what else was seen. */
  ended: string;
  /** WeChat's online version, as its code management shows it. */
  online: string | null;
  /** The shopName in the ext_json WeChat holds for its 体验版 (null: nothing committed). */
  committedShopName: string | null;
  /** Accepted submit_audit and release calls: a job spends one quota unit and releases once per merchant. */
  submissions: number;
  releases: number;
  problem?: ShipProblem;
}

export interface FleetResult {
  code: 0 | 1;
  jobId: string;
  state: string;
  counts: Record<string, number>;
  rows: FleetRow[];
  differences: string[];
}

/** Stages in the order a merchant goes through them (README, "Shipping to every merchant"). */
const STAGE_ORDER = [
  'queued',
  'preflight',
  'committing',
  'committed',
  'ready',
  'submitting',
  'submitted',
  'audit_passed',
  'releasing',
  'released',
  'skipped',
  'rejected',
  'failed',
  'rolling_back',
  'rolled_back',
];

const KEYS = {
  templates: {
    id: 'fleet-templates',
    scope: { ops: ['component'], apis: Object.values(TEMPLATE_APIS), appids: '*' },
  },
  ship: { id: 'fleet-ship', scope: { ops: ['ship'], appids: '*' } },
};

const MINI_PROGRAM = DEFAULT_ACCOUNTS.find((a) => a.kind === 'mini_program' && a.serviceTypeId === 0)!;

function fleetAccounts(merchants: readonly FleetMerchant[]): TestAccount[] {
  return merchants.map((m, i) => ({ ...syntheticAccount('fleet-rehearsal', i, [MINI_PROGRAM]), nickName: m.shopName }));
}

const clockText = (seconds: number) =>
  `+${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}`;

export function countsText(counts: Record<string, number>): string {
  const known = STAGE_ORDER.filter((s) => counts[s]);
  const other = Object.keys(counts).filter((s) => counts[s] && !STAGE_ORDER.includes(s));
  return [...known, ...other].map((s) => `${s} ${counts[s]}`).join(' · ') || 'none';
}

/** `--dry-run`: the plan, offline (no stack is started). */
export function describePlan(out: (line: string) => void, merchants: readonly FleetMerchant[] = FLEET): void {
  out(`Fleet rehearsal plan (dry run, nothing started): ${merchants.length} mini-programs, template ${VERSION}`);
  out(
    `waves: a canary of ${CANARY}, then ${merchants.length - CANARY}; the timer every ${TICK_SECONDS / 60} minutes of emulated time`,
  );
  const widths = [10, 8, 18, 25, 0];
  out(
    `  ${['merchant', 'set 18', 'ext_json values', 'scripted', 'expected'].map((c, i) => pad(c, widths[i])).join('')}`.trimEnd(),
  );
  for (const m of merchants) {
    const cells = [m.shopName, m.grant18 ? 'yes' : 'no', m.values ? 'shopName' : '-', m.scripted, m.expect];
    out(`  ${cells.map((c, i) => pad(c, widths[i])).join('')}`.trimEnd());
  }
}

/** The function runs in this process and logs with console.log: kept apart from the rehearsal's own lines. */
export async function rehearseFleet(options: FleetOptions): Promise<FleetResult> {
  const functionLog: string[] = [];
  let result: FleetResult | undefined;
  try {
    result = await withCapturedConsole(() => rehearse(options), functionLog);
    return result;
  } finally {
    const shown = options.verbose ? functionLog : result?.code === 0 ? [] : functionLog.filter((l) => l.includes('"warn"'));
    if (shown.length > 0) {
      options.out('');
      options.out(`The function's log${options.verbose ? '' : ': its warnings'} (${shown.length} lines):`);
      shown.forEach((line) => options.out(`  fn| ${line}`));
    }
  }
}

async function rehearse(options: FleetOptions): Promise<FleetResult> {
  const merchants = options.merchants ?? FLEET;
  const accounts = fleetAccounts(merchants);
  const secrets = { templates: randomBytes(24).toString('hex'), ship: randomBytes(24).toString('hex') };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-fleet-'));
  const say = options.out;
  const stack = await startLocalStack({
    dataDir,
    build: options.build,
    log: () => undefined,
    functionEnv: {
      BROKER_CLIENT_KEYS: JSON.stringify([
        { ...KEYS.templates, secret: secrets.templates },
        { ...KEYS.ship, secret: secrets.ship },
      ]),
    },
    openPlatform: { accounts: [...DEFAULT_ACCOUNTS.map((a) => ({ ...a })), ...accounts] },
  });
  try {
    say(`Fleet rehearsal: one release job over ${merchants.length} mini-programs, on a fresh local stack (emulated clock)`);
    say(
      `  stack        emulator ${stack.openPlatform.url}, function ${stack.publicBaseUrl}, data ${dataDir} (removed at the end)`,
    );
    const started = stack.clock.nowSeconds();
    const since = () => stack.clock.nowSeconds() - started;
    const ship = new BrokerHttpClient({
      baseUrl: stack.publicBaseUrl,
      keyId: KEYS.ship.id,
      secret: secrets.ship,
      now: () => stack.clock.now(),
    }).ship;

    await authorize(stack, merchants, accounts, say);
    await giveValues(ship, merchants, accounts, say);
    script(stack, merchants, accounts, say);
    const templateId = await uploadTemplate(stack, secrets.templates, say);

    const targets = accounts.map((a) => a.appid);
    const waveSizes = [CANARY, merchants.length - CANARY];
    const { jobId } = await ship.create({
      templateId,
      userVersion: VERSION,
      userDesc: '春季上新',
      versionDesc: '演练：无需登录即可浏览全部页面',
      extJsonTemplate: EXT_JSON_TEMPLATE,
      targets,
      waveSizes,
    });
    say('');
    say(`5. Job: POST /broker/ship/create with key "${KEYS.ship.id}" (scope: ship, appids *)`);
    say(`  ${jobId}: template ${templateId}, version ${VERSION}, ${targets.length} targets, waves ${waveSizes.join(' then ')}`);

    say('');
    say(`6. Running: the function's timer every ${TICK_SECONDS / 60} minutes of emulated time; ship status after each run`);
    const status = await follow(stack, ship, jobId, accounts, since, say);

    return verdict(stack, status, merchants, accounts, say);
  } finally {
    await stack.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Each merchant authorizes through the product (plugin channel), ticking set 18 or not; WeChat pushes. */
async function authorize(
  stack: LocalStack,
  merchants: readonly FleetMerchant[],
  accounts: TestAccount[],
  say: (line: string) => void,
): Promise<void> {
  for (const [i, account] of accounts.entries()) {
    const openid = `oFLEET-merchant-${String(i + 1).padStart(2, '0')}`;
    const answer = (await stack.call(openid, 'createAuthSession', { authType: 2, channel: 'plugin' })) as {
      ok: boolean;
      data?: { plugin?: { preAuthCode?: string } };
      error?: { message: string };
    };
    const preAuthCode = answer.data?.plugin?.preAuthCode;
    if (!answer.ok || !preAuthCode)
      throw new Error(`createAuthSession for ${account.nickName}: ${answer.error?.message ?? 'no code'}`);
    const funcIds = account.grantableFuncIds.filter((id) => merchants[i].grant18 || id !== 18);
    const confirmed = await stack.openPlatform.confirmAuthorization({
      preAuthCode,
      authorizerAppid: account.appid,
      funcIds,
      channel: 'plugin',
    });
    if (!confirmed.push?.delivered) throw new Error(`the authorized push for ${account.nickName} was not delivered`);
  }
  const without = merchants.filter((m) => !m.grant18).map((m) => m.shopName);
  say('');
  say(`1. Merchants authorized (plugin authorization, WeChat's push to the function): ${accounts.length} mini-programs`);
  say(`  ${accounts.length - without.length} granted set 18 (开发管理); without it: ${without.join('、') || 'none'}`);
}

/** The provider's values for the ext_json template, through the broker; some merchant is left without. */
async function giveValues(
  ship: ShipClient,
  merchants: readonly FleetMerchant[],
  accounts: TestAccount[],
  say: (line: string) => void,
): Promise<void> {
  for (const [i, account] of accounts.entries())
    if (merchants[i].values) await ship.values(account.appid, { shopName: merchants[i].shopName });
  const without = merchants.filter((m) => !m.values).map((m) => m.shopName);
  say('');
  say(`2. Merchant values (POST /broker/ship/values): shopName for ${merchants.length - without.length} merchants`);
  say(`  left without: ${without.join('、') || 'none'}`);
}

/** WeChat's side, scripted: each merchant's review and what happens to its audit event. */
function script(
  stack: LocalStack,
  merchants: readonly FleetMerchant[],
  accounts: TestAccount[],
  say: (line: string) => void,
): void {
  const cm = stack.openPlatform.codeManagement;
  say('');
  say("3. WeChat's reviews, scripted in the emulator (default: approved 10 minutes after submission)");
  for (const [i, m] of merchants.entries()) {
    const appid = accounts[i].appid;
    if (m.audit) cm.configure(appid, m.audit);
    if (m.event === 'lost') cm.injectEventFault({ appid, drop: true, times: 1 });
    if (m.event === 'duplicated') cm.injectEventFault({ appid, duplicate: true, times: 1 });
    if (m.audit || m.event) say(`  ${pad(m.shopName, 10)}${appid}  ${m.scripted}`);
  }
}

/** `npm run template -- upload --local` of the fixture app against this stack: ops' own path. */
async function uploadTemplate(stack: LocalStack, secret: string, say: (line: string) => void): Promise<number> {
  const argv = ['upload', '--local', '--project', TEMPLATE_APP, '--version', VERSION, '--desc', 'fleet rehearsal'];
  const lines: string[] = [];
  const io: Io = {
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
    env: {
      BROKER_URL: stack.publicBaseUrl,
      BROKER_KEY_ID: KEYS.templates.id,
      BROKER_KEY_SECRET: secret,
      EMULATOR_URL: stack.openPlatform.url,
    },
    cwd: process.cwd(),
  };
  say('');
  say(
    `4. Template: npm run template -- upload --local --project ${path.relative(process.cwd(), TEMPLATE_APP) || '.'} --version ${VERSION}`,
  );
  const code = await runTemplate(argv, io, { ...DEFAULT_DEPS, pollIntervalMs: 200 });
  lines.forEach((line) => say(`  | ${line}`));
  const templateId = Number(/^template_id (\d+)$/m.exec(lines.join('\n'))?.[1]);
  if (code !== 0 || !Number.isInteger(templateId)) throw new Error(`template upload failed (exit ${code})`);
  return templateId;
}

/** Timer runs on the emulated clock until the job is no longer running (or stuck), printing each change. */
async function follow(
  stack: LocalStack,
  ship: ShipClient,
  jobId: string,
  accounts: TestAccount[],
  since: () => number,
  say: (line: string) => void,
): Promise<ShipStatus> {
  const watch = watcher(stack, accounts, (line) => say(`  ${clockText(since())}  ${line}`));
  let status = await ship.status(jobId);
  while (since() <= MAX_HOURS * 3600) {
    const report = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; error?: string }>;
    if (report.shipping && !report.shipping.ok) watch.say(`the timer's shipping run failed: ${report.shipping.error ?? '?'}`);
    watch.wechat();
    status = await ship.status(jobId, { limit: 100 });
    watch.job(status);
    if (status.job.state !== 'running') break;
    stack.clock.advance(TICK_SECONDS);
    await stack.openPlatform.codeManagement.settle();
  }
  return status;
}

/** Prints what is new since the last look: WeChat's side (events sent or lost, polls answered) and the job's. */
function watcher(stack: LocalStack, accounts: TestAccount[], say: (line: string) => void) {
  const name = new Map(accounts.map((a) => [a.appid, a.nickName]));
  const shop = (appid: string | null) => (appid === null ? '?' : (name.get(appid) ?? appid));
  const problemsSeen = new Set<string>();
  let eventsSeen = 0;
  let callsSeen = stack.openPlatform.authorizerCalls.length;
  let wave = -1;
  let last = '';
  return {
    say,
    wechat(): void {
      const events = stack.openPlatform.codeManagement.events().slice(eventsSeen);
      eventsSeen += events.length;
      events.forEach((event) => say(eventLine(event, shop(event.appid))));
      const calls = stack.openPlatform.authorizerCalls.slice(callsSeen);
      callsSeen += calls.length;
      for (const call of calls.filter((c) => c.path === POLL_PATH && c.errcode === 0))
        say(`no audit event for ${shop(call.appid)} in 30 minutes: the timer asked ${POLL_PATH}`);
    },
    job(status: ShipStatus): void {
      if (status.job.openWave !== wave) {
        wave = status.job.openWave;
        say(`wave ${wave + 1} opened${wave === 0 ? ' (the canary)' : ''}`);
      }
      const line = `${status.job.state}: ${countsText(status.job.counts)}`;
      if (line !== last) say(line);
      last = line;
      if (status.job.pause) say(`paused: ${status.job.pause.message}（${status.job.pause.action}）`);
      for (const p of status.problems.filter((p) => !problemsSeen.has(p.appid))) {
        problemsSeen.add(p.appid);
        say(`${shop(p.appid)} ${p.stage}: ${p.message}（${p.action}）`);
      }
    },
  };
}

const RELEASE_PATH = '/wxa/release';
/** What the timer asks WeChat about an audit whose event never came. */
const POLL_PATH = '/wxa/get_auditstatus';

const EVENT_WORDS: Record<string, string> = {
  weapp_audit_success: '审核通过',
  weapp_audit_fail: '审核不通过',
  weapp_audit_delay: '审核延后',
};

function eventLine(event: AuditEventRecord, shop: string): string {
  const what = `WeChat event ${event.event}（${EVENT_WORDS[event.event] ?? event.event}）for ${shop}`;
  const reason = typeof event.fields.Reason === 'string' && event.fields.Reason ? `: ${event.fields.Reason}` : '';
  const fate = event.dropped ? ' — lost on the way (never delivered)' : event.duplicated ? ' — delivered twice' : '';
  return `${what}${reason}${fate}`;
}

/** The final table per merchant and the comparison with the plan. */
function verdict(
  stack: LocalStack,
  status: ShipStatus,
  merchants: readonly FleetMerchant[],
  accounts: TestAccount[],
  say: (line: string) => void,
): FleetResult {
  const rows = rowsOf(stack, status, merchants, accounts);
  const differences = differencesOf(status, rows, merchants);
  printProblems(status, rows, say);
  printTable(status, rows, say);
  say('');
  if (differences.length === 0)
    say(`OK: every merchant ended as expected (${countsText(status.job.counts)}), each submitted and released at most once.`);
  else {
    say(`FAILED: ${differences.length} difference${differences.length === 1 ? '' : 's'} from the plan:`);
    differences.forEach((d) => say(`  - ${d}`));
  }
  const { jobId, state, counts } = status.job;
  return { code: differences.length === 0 ? 0 : 1, jobId, state, counts, rows, differences };
}

/** Each merchant as the job and WeChat see it: a problem's stage, else released when WeChat serves the version. */
function rowsOf(stack: LocalStack, status: ShipStatus, merchants: readonly FleetMerchant[], accounts: TestAccount[]): FleetRow[] {
  const problems = new Map(status.problems.map((p) => [p.appid, p]));
  return accounts.map((account, i) => {
    const code = stack.openPlatform.codeManagement.app(account.appid);
    const online = code?.online?.userVersion ?? null;
    const problem = problems.get(account.appid);
    const ended = problem?.stage ?? (online === VERSION ? 'released' : `not released (online: ${online ?? 'none'})`);
    return {
      shopName: account.nickName,
      appid: account.appid,
      scripted: merchants[i].scripted,
      expected: merchants[i].expect,
      ended,
      online,
      committedShopName: committedShopName(code?.trial?.extJson),
      submissions: code?.submissions ?? 0,
      releases: stack.openPlatform.authorizerCalls.filter(
        (c) => c.appid === account.appid && c.path === RELEASE_PATH && c.errcode === 0,
      ).length,
      ...(problem ? { problem } : {}),
    };
  });
}

/** The shopName in the ext_json WeChat holds for the merchant's 体验版 (null: nothing committed). */
function committedShopName(extJson: string | undefined): string | null {
  if (extJson === undefined) return null;
  try {
    const parsed = JSON.parse(extJson) as { ext?: { shopName?: unknown } };
    return typeof parsed.ext?.shopName === 'string' ? parsed.ext.shopName : '(none)';
  } catch {
    return '(not JSON)';
  }
}

function differencesOf(status: ShipStatus, rows: FleetRow[], merchants: readonly FleetMerchant[]): string[] {
  const differences: string[] = [];
  const { state, pause } = status.job;
  if (state === 'running') differences.push(`the job is still running after ${MAX_HOURS} hours of emulated time`);
  if (state === 'paused') differences.push(`the job paused: ${pause?.message ?? '?'}（${pause?.action ?? ''}）`);
  for (const [i, row] of rows.entries()) {
    if (row.ended !== row.expected)
      differences.push(`${row.shopName} (${row.appid}): expected ${row.expected}, ended ${row.ended}`);
    if (row.submissions > 1 || row.releases > 1)
      differences.push(
        `${row.shopName} (${row.appid}): ${row.submissions} submissions and ${row.releases} releases (one of each at most)`,
      );
    const committed = row.committedShopName;
    if (committed !== null && (!merchants[i].values || committed !== row.shopName))
      differences.push(`${row.shopName} (${row.appid}): WeChat holds ext_json with shopName ${committed}`);
  }
  const expectedCounts = tally(rows.map((r) => r.expected));
  if (countsText(expectedCounts) !== countsText(status.job.counts))
    differences.push(`job counts ${countsText(status.job.counts)}; expected ${countsText(expectedCounts)}`);
  return differences;
}

/** Each merchant that stopped, as `ship status` lists it: WeChat's reason in Chinese and what to do. */
function printProblems(status: ShipStatus, rows: FleetRow[], say: (line: string) => void): void {
  say('');
  say(`7. Problems (ship status): ${status.problems.length}`);
  for (const p of status.problems) {
    const shop = rows.find((r) => r.appid === p.appid)?.shopName ?? p.appid;
    say(`  ${pad(shop, 10)}${p.stage}${p.errcode === null ? '' : ` (errcode ${p.errcode})`}: ${p.message}`);
    say(`  ${pad('', 10)}to do: ${p.action}`);
  }
}

function printTable(status: ShipStatus, rows: FleetRow[], say: (line: string) => void): void {
  say('');
  say(`8. Per merchant (job ${status.job.jobId}: ${status.job.state}; ${countsText(status.job.counts)})`);
  const widths = [10, 20, 25, 10, 10, 8, 0];
  const line = (mark: string, cells: string[]) => `  ${mark} ${cells.map((cell, i) => pad(cell, widths[i])).join('')}`.trimEnd();
  say(line(' ', ['merchant', 'appid', 'scripted', 'expected', 'ended', 'online', 'ext_json shopName (WeChat holds)']));
  for (const r of rows)
    say(
      line(r.ended === r.expected ? '✔' : '✘', [
        r.shopName,
        r.appid,
        r.scripted,
        r.expected,
        r.ended,
        r.online ?? '-',
        r.committedShopName ?? '-',
      ]),
    );
}

function tally(ends: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const end of ends) counts[end] = (counts[end] ?? 0) + 1;
  return counts;
}

/** Display columns: a CJK character takes two. */
function width(text: string): number {
  return [...text].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
}

/** Pads to a display width, at least one space after. */
function pad(text: string, columns: number): string {
  return `${text}${' '.repeat(Math.max(1, columns - width(text)))}`;
}
