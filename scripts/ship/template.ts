/**
 * `npm run template -- <subcommand>`: from the provider's template app to the platform's code
 * template library, by ops. `upload` sends any mini-program project folder to the draft box with
 * miniprogram-ci (the 开发小程序's appid and upload key), then turns the new draft into a template;
 * `add-draft`, `list`, `prune` and `delete` work on the draft box and the library. Every call to
 * WeChat's component APIs goes through the function's broker with a scoped key (template-library.ts).
 * Locally, `upload` compiles the folder offline and the Open Platform emulator plays the upload
 * (its draft route answers the draft id); the rest goes through the broker as with WeChat.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrokerHttpClient, HTTP_ROUTES, type ShipTemplateInUse } from '../../clients/broker-client/src';
import { explainCiError, miniprogramCi } from './ci';
import { EXIT, npmRun, numberOption, runCommand, stringOption, type Command, type Io } from './cli';
import { COMPILE_SETTING, compileMiniprogram } from './compile';
import { tail, withCapturedConsole } from './console-capture';
import { requireInputs, ShipError, type MissingInput } from './errors';
import { mergedEnv, resolveAppId, resolvePrivateKey, type Env } from './inputs';
import { miniprogramDir, readProjectConfig } from './project';
import {
  addBody,
  deleteBody,
  findUploadedDraft,
  inUseText,
  newestFirst,
  pruneSelection,
  TEMPLATE_APIS,
  TEMPLATE_CAP,
  TemplateApiError,
  TemplateLibrary,
  templatesInUse,
  type ComponentCaller,
  type Draft,
  type JobTemplates,
  type PruneRule,
  type Template,
} from './template-library';

type Values = Record<string, string | boolean | undefined>;

/** `npm start`'s function HTTP access (CLOUD_PORT 8091, path /wx): the broker of `--local`. */
export const LOCAL_BROKER_URL = 'http://127.0.0.1:8091/wx';
/** A draft uploaded before the upload started, less this much clock skew, is someone else's. */
export const CLOCK_SKEW_SECONDS = 300;
export const DEFAULT_WAIT_SECONDS = 120;
export const POLL_INTERVAL_MS = 5000;
/** The function accepts client keys of at least this many characters. */
const MIN_SECRET_LENGTH = 32;

export const BROKER_ENV = { url: 'BROKER_URL', keyId: 'BROKER_KEY_ID', secret: 'BROKER_KEY_SECRET' } as const;

/** `npm start`'s Open Platform emulator (OPEN_PLATFORM_PORT 8090): it plays the upload of `upload --local`. */
export const LOCAL_EMULATOR_URL = 'http://127.0.0.1:8090';
export const EMULATOR_ENV = 'EMULATOR_URL';
/** The emulator's admin route that plays a miniprogram-ci upload into its draft box. */
export const EMULATOR_DRAFT_ROUTE = '/__emulator/code-management/drafts';

const KEY_WHERE =
  'a key of the function\'s BROKER_CLIENT_KEYS whose scope has "ops": ["component"], "appids": "*" and "apis" naming ' +
  `${Object.values(TEMPLATE_APIS).join(', ')} (README "Shipping a code template"); locally, put it in .env.local`;
const WHERE = {
  url: "the function's PUBLIC_BASE_URL (e.g. https://auth.example.com/wx); or --local for `npm start`'s " + LOCAL_BROKER_URL,
  keyId: `the "id" of ${KEY_WHERE}`,
  secret: `the "secret" of that key (never printed)`,
};

/** What the commands use besides the environment; tests pass their own. */
export interface TemplateDeps {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** The broker client (default: BrokerHttpClient, signed HTTP). */
  broker(inputs: BrokerInputs): ComponentCaller;
  /** The broker's `ship` operation, for the templates release jobs use (default: BrokerHttpClient's). */
  jobs(inputs: BrokerInputs): JobTemplates;
  /** miniprogram-ci upload of the plan (default: the real one). */
  upload(plan: UploadPlan, log: string[]): Promise<void>;
  /** Offline miniprogram-ci compile of a project folder, as the upload compiles it (local upload). */
  compile(projectRoot: string, log: string[]): Promise<{ files: number; bytes: number }>;
  /** The local emulator's draft route: plays the upload (local upload). */
  playUpload(emulatorUrl: string, body: EmulatorDraftBody): Promise<{ draftId: number }>;
  pollIntervalMs: number;
}

export interface BrokerInputs {
  url: string;
  keyId: string;
  secret: string;
  /** `npm start`'s stack (or any loopback broker): no WeChat behind it, so no upload. */
  local: boolean;
}

export interface UploadPlan {
  projectRoot: string;
  appid: string;
  keyPath: string;
  version: string;
  desc: string;
  robot: number;
  waitSeconds: number;
  /** Local stack: the emulator that plays the upload (no key, nothing sent to WeChat). */
  emulatorUrl?: string;
}

/** What `POST /__emulator/code-management/drafts` takes (the draft becomes a template by the broker path, not here). */
export interface EmulatorDraftBody {
  userVersion: string;
  userDesc: string;
}

export const DEFAULT_DEPS: TemplateDeps = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  broker: (inputs) => new BrokerHttpClient({ baseUrl: inputs.url, keyId: inputs.keyId, secret: inputs.secret }),
  jobs: (inputs) => new BrokerHttpClient({ baseUrl: inputs.url, keyId: inputs.keyId, secret: inputs.secret }).ship,
  upload: ciUpload,
  compile: offlineCompile,
  playUpload: emulatorUpload,
  pollIntervalMs: POLL_INTERVAL_MS,
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function brokerUrl(env: Env, local: boolean): { url?: URL; missing?: MissingInput } {
  const given = env[BROKER_ENV.url]?.trim() || (local ? LOCAL_BROKER_URL : '');
  if (!given) return { missing: { name: BROKER_ENV.url, problem: 'is not set', where: WHERE.url } };
  try {
    const url = new URL(given.replace(/\/+$/, ''));
    if (url.protocol === 'https:' || url.protocol === 'http:') return { url };
  } catch {
    // reported below
  }
  return { missing: { name: BROKER_ENV.url, problem: 'is not an http(s) URL', where: WHERE.url } };
}

function brokerSecret(env: Env): { secret: string; missing?: MissingInput } {
  const secret = env[BROKER_ENV.secret]?.trim() ?? '';
  if (!secret) return { secret, missing: { name: BROKER_ENV.secret, problem: 'is not set', where: WHERE.secret } };
  if (secret.length >= MIN_SECRET_LENGTH) return { secret };
  const problem = `is shorter than ${MIN_SECRET_LENGTH} characters, so it is no key of the function`;
  return { secret, missing: { name: BROKER_ENV.secret, problem, where: WHERE.secret } };
}

/** BROKER_URL (or --local), BROKER_KEY_ID and BROKER_KEY_SECRET, each missing one named. */
export function resolveBroker(env: Env, local: boolean): { inputs?: BrokerInputs; missing: MissingInput[] } {
  const { url, missing: urlMissing } = brokerUrl(env, local);
  const keyId = env[BROKER_ENV.keyId]?.trim() ?? '';
  const idMissing = keyId ? undefined : { name: BROKER_ENV.keyId, problem: 'is not set', where: WHERE.keyId };
  const { secret, missing: secretMissing } = brokerSecret(env);
  const missing = [urlMissing, idMissing, secretMissing].filter((m): m is MissingInput => m !== undefined);
  if (missing.length > 0 || !url) return { missing };
  const base = url.href.replace(/\/+$/, '');
  return { inputs: { url: base, keyId, secret, local: local || LOOPBACK.has(url.hostname) }, missing };
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  'dry-run': { type: 'boolean', help: 'check the inputs, then print what would be done and sent; nothing is sent (offline)' },
  'env-file': { type: 'string', value: 'file', help: 'read variables from a KEY=value file (the environment wins)' },
  local: { type: 'boolean', help: `use \`npm start\`'s local stack: BROKER_URL defaults to ${LOCAL_BROKER_URL}` },
} as const;

const ENV_NOTE =
  `Environment: ${BROKER_ENV.url} (the function's PUBLIC_BASE_URL; --local: ${LOCAL_BROKER_URL}), ${BROKER_ENV.keyId} and ` +
  `${BROKER_ENV.secret} (a key of the function's BROKER_CLIENT_KEYS whose scope has "ops": ["component", "ship"], "appids": "*" ` +
  `and "apis" naming ${Object.values(TEMPLATE_APIS).join(', ')}; "ship" lets prune and delete read the templates release ` +
  'jobs use). The secret is never printed.';

interface Context {
  env: Env;
  broker: BrokerInputs;
}

/** The inputs every subcommand needs; `more` adds a subcommand's own (all reported at once). */
function context(
  command: string,
  values: Values,
  io: Io,
  more: (env: Env) => Array<MissingInput | undefined> = () => [],
): Context {
  const env = mergedEnv(io.env, stringOption(values, 'env-file'), io.cwd);
  const broker = resolveBroker(env, values.local === true);
  requireInputs(command, [...broker.missing, ...more(env)]);
  return { env, broker: broker.inputs as BrokerInputs };
}

function library(ctx: Context, deps: TemplateDeps): TemplateLibrary {
  return new TemplateLibrary(deps.broker(ctx.broker), ctx.broker.url);
}

const route = (api: string) => `${HTTP_ROUTES.componentCall}${api}`;
const GET = (api: string) => `GET  ${route(api)}`;
const POST = (api: string, body: unknown) => `POST ${route(api)} ${JSON.stringify(body)}`;

function brokerLine(inputs: BrokerInputs): string {
  return `  broker       ${inputs.url}, key ${inputs.keyId} (its secret is never printed)`;
}

function dryRunHeader(name: string, io: Io, inputs: BrokerInputs): void {
  io.out(`${name} would send (dry run, nothing sent):`);
  io.out(brokerLine(inputs));
}

/** Unix seconds as `YYYY-MM-DD HH:MM:SS` UTC. */
export function utc(seconds: number): string {
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19) : '?';
}

function wholeNumber(raw: string, what: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new ShipError(`${what} must be a whole number (got ${JSON.stringify(raw)}).`);
  return Number(raw.trim());
}

function idArguments(command: Command, positionals: string[], what: string, max = Infinity): number[] {
  if (positionals.length === 0 || positionals.length > max)
    throw new ShipError(
      `${command.name}: give ${max === 1 ? 'one' : 'one or more'} ${what} (${npmRun(command, command.positionals ?? '')}).`,
    );
  return positionals.map((p) => wholeNumber(p, what));
}

/** Adds a draft to the library and finds the new template by its draft_id (addtotemplate answers none). */
async function promote(lib: TemplateLibrary, draftId: number): Promise<{ made: Template; total: number }> {
  const before = new Set((await lib.templates()).filter((t) => t.draftId === draftId).map((t) => t.templateId));
  try {
    await lib.addToTemplate(draftId);
  } catch (error) {
    if (error instanceof TemplateApiError && error.errcode === 85065)
      throw new ShipError(error.message, [
        `draft ${draftId} stays in the draft box until the next upload from that 开发小程序 replaces it;`,
        `after pruning: npm run template -- add-draft ${draftId}`,
      ]);
    throw error;
  }
  const after = await lib.templates();
  const made = newestFirst(after.filter((t) => t.draftId === draftId && !before.has(t.templateId)))[0];
  if (!made)
    throw new ShipError(
      `${TEMPLATE_APIS.addToTemplate} answered ok, but ${TEMPLATE_APIS.templateList} shows no new template with draft_id ${draftId}: ` +
        'run `npm run template -- list` to look.',
    );
  return { made, total: after.length };
}

function printMade(io: Io, made: Template, total: number): void {
  io.out(`template ${made.templateId} made from draft ${made.draftId} (${made.userVersion}, ${JSON.stringify(made.userDesc)})`);
  io.out(`library: ${total} of ${TEMPLATE_CAP} templates`);
  io.out(`template_id ${made.templateId}`);
}

const UPLOAD = 'template upload';

/** EMULATOR_URL, else `npm start`'s emulator: where a local upload is played. */
function emulatorUrl(env: Env): { url?: string; missing?: MissingInput } {
  const given = env[EMULATOR_ENV]?.trim() || LOCAL_EMULATOR_URL;
  const where = `the Open Platform emulator's URL, as \`npm start\` prints it (default ${LOCAL_EMULATOR_URL})`;
  try {
    const url = new URL(given.replace(/\/+$/, ''));
    if (url.protocol === 'https:' || url.protocol === 'http:') return { url: url.href.replace(/\/+$/, '') };
  } catch {
    // reported below
  }
  return { missing: { name: EMULATOR_ENV, problem: 'is not an http(s) URL', where } };
}

/** A local upload compiles the folder itself: it must be a mini-program project (an app.json). */
function appJsonMissing(projectRoot: string): MissingInput | undefined {
  const appJson = path.join(miniprogramDir(projectRoot), 'app.json');
  if (fs.existsSync(appJson)) return undefined;
  return {
    name: '--project',
    problem: `has no ${appJson}`,
    where: 'a mini-program project folder (project.config.json and app.json)',
  };
}

/** Every input of an upload, all missing ones reported at once; locally, no upload key but the emulator's URL. */
function planUpload(values: Values, io: Io): { ctx: Context; plan: UploadPlan } {
  const robot = numberOption(values, 'robot') ?? 1;
  if (!Number.isInteger(robot) || robot < 1 || robot > 30)
    throw new ShipError(`--robot must be a whole number from 1 to 30 (got ${String(values.robot)}).`);
  const waitSeconds = numberOption(values, 'wait') ?? DEFAULT_WAIT_SECONDS;
  if (!(waitSeconds > 0)) throw new ShipError(`--wait must be a number of seconds above 0 (got ${String(values.wait)}).`);
  const given = (name: string) => stringOption(values, name)?.trim() ?? '';
  const flag = (name: string, what: string): MissingInput | undefined =>
    given(name) ? undefined : { name: `--${name}`, problem: 'is not given', where: what };
  const projectRoot = path.resolve(io.cwd, given('project'));
  let appid: string | undefined;
  let keyPath: string | undefined;
  let emulator: string | undefined;
  const ctx = context(UPLOAD, values, io, (env) => {
    const local = values.local === true || resolveBroker(env, false).inputs?.local === true;
    const project = flag('project', "the template app's folder (the one with its project.config.json)");
    const app = project ? {} : resolveAppId(readProjectConfig(projectRoot), env);
    const key = local ? {} : resolvePrivateKey(env, io.cwd);
    const played = local ? emulatorUrl(env) : {};
    ({ appid } = app);
    ({ keyPath } = key);
    emulator = played.url;
    const version = flag('version', "the template's version, e.g. 1.4.0");
    const appJson = local && !project ? appJsonMissing(projectRoot) : undefined;
    return [
      project,
      version,
      flag('desc', 'what changed, e.g. "new checkout"'),
      app.missing,
      appJson,
      key.missing,
      played.missing,
    ];
  });
  const plan = { projectRoot, appid: appid ?? '', keyPath: keyPath ?? '', robot, waitSeconds };
  return {
    ctx,
    plan: { ...plan, version: given('version'), desc: given('desc'), ...(emulator ? { emulatorUrl: emulator } : {}) },
  };
}

/** The steps after the draft is in the draft box: the same for WeChat and for the local emulator. */
function describePromotion(p: UploadPlan, deps: TemplateDeps, draft: string): string[] {
  return [
    `  2. ${GET(TEMPLATE_APIS.draftList)}  every ${deps.pollIntervalMs / 1000} s for up to ${p.waitSeconds} s: ${draft}`,
    `  3. ${GET(TEMPLATE_APIS.templateList)}  (templates already made from that draft)`,
    `  4. ${POST(TEMPLATE_APIS.addToTemplate, { draft_id: '<that draft_id>', template_type: 0 })}`,
    `  5. ${GET(TEMPLATE_APIS.templateList)}  (the new template with that draft_id: its template_id is printed)`,
  ];
}

function describeUpload(p: UploadPlan, deps: TemplateDeps): string[] {
  if (p.emulatorUrl) return describeLocalUpload(p, p.emulatorUrl, deps);
  return [
    "  1. miniprogram-ci upload to WeChat, as the 开发小程序 (it lands in the platform's draft box):",
    `       project      ${p.projectRoot}`,
    `       appid        ${p.appid}`,
    `       version      ${p.version}`,
    `       description  ${JSON.stringify(p.desc)}`,
    `       robot        ${p.robot}`,
    `       upload key   ${p.keyPath} (a private key; its content is never printed)`,
    '       settings     the project\'s project.config.json "setting"',
    ...describePromotion(p, deps, `the draft from ${p.appid} with user_version ${p.version}, uploaded since the upload started`),
  ];
}

function describeLocalUpload(p: UploadPlan, emulator: string, deps: TemplateDeps): string[] {
  return [
    "  1. the upload, played by the local emulator (nothing goes to WeChat; miniprogram-ci's upload is not run):",
    `     a. miniprogram-ci compile, offline, of ${p.projectRoot} as ${p.appid}, with the project's project.config.json "setting"`,
    `     b. POST ${emulator}${EMULATOR_DRAFT_ROUTE} ${JSON.stringify(emulatorBody(p))}`,
    ...describePromotion(p, deps, `the draft_id the emulator answered, with user_version ${p.version}`),
  ];
}

const emulatorBody = (p: UploadPlan): EmulatorDraftBody => ({ userVersion: p.version, userDesc: p.desc });

/** What identifies the upload's draft in the draft box: WeChat answers no draft id, the emulator does. */
type DraftMatch = (drafts: Draft[]) => Draft | undefined;

function uploadedDraft(p: UploadPlan, startedAt: number): DraftMatch {
  const want = { appid: p.appid, version: p.version, desc: p.desc, notBefore: startedAt - CLOCK_SKEW_SECONDS };
  return (drafts) => findUploadedDraft(drafts, want);
}

function playedDraft(p: UploadPlan, draftId: number): DraftMatch {
  return (drafts) => drafts.find((d) => d.draftId === draftId && d.userVersion === p.version);
}

/** Polls the draft box until the upload's draft shows (or --wait runs out). */
async function waitForDraft(lib: TemplateLibrary, p: UploadPlan, match: DraftMatch, deps: TemplateDeps): Promise<Draft> {
  const deadline = deps.now() + p.waitSeconds * 1000;
  let draft = match(await lib.drafts());
  while (!draft && deps.now() < deadline) {
    await deps.sleep(deps.pollIntervalMs);
    draft = match(await lib.drafts());
  }
  if (draft) return draft;
  if (p.emulatorUrl)
    throw new ShipError(
      `${UPLOAD}: the emulator at ${p.emulatorUrl} took the upload, but the draft box the broker reads shows no such draft ` +
        `within ${p.waitSeconds} s: is the broker (${BROKER_ENV.url}) the function of the same local stack as ${EMULATOR_ENV}?`,
    );
  throw new ShipError(
    `${UPLOAD}: uploaded, but no draft from ${p.appid} with user_version ${p.version} appeared in the draft box ` +
      `within ${p.waitSeconds} s.`,
    [
      `Is ${p.appid} the 开发小程序 bound to the platform (第三方平台 → 开发小程序)? Uploads from another mini-program go to its own 版本管理.`,
      'When the draft shows in `npm run template -- list`: npm run template -- add-draft <draft_id>',
    ],
  );
}

/** The real upload: miniprogram-ci to WeChat; the draft is found by appid, version and time. */
async function uploadToWeChat(plan: UploadPlan, values: Values, io: Io, deps: TemplateDeps): Promise<DraftMatch> {
  io.out(`${UPLOAD}: uploading ${plan.projectRoot} as ${plan.appid}, version ${plan.version}`);
  const startedAt = Math.floor(deps.now() / 1000);
  const log: string[] = [];
  try {
    await deps.upload(plan, log);
  } finally {
    if (values.verbose) log.forEach((line) => io.out(`  ci| ${line}`));
  }
  io.out('uploaded; waiting for the draft');
  return uploadedDraft(plan, startedAt);
}

/** The local upload: compiled offline, then played by the emulator, which answers the draft id. */
async function uploadToEmulator(
  plan: UploadPlan,
  emulator: string,
  values: Values,
  io: Io,
  deps: TemplateDeps,
): Promise<DraftMatch> {
  io.out(
    `${UPLOAD}: local stack: the upload is played by the local emulator at ${emulator} (miniprogram-ci compiles the project ` +
      'offline; nothing goes to WeChat)',
  );
  io.out(`compiling ${plan.projectRoot} offline as ${plan.appid}, version ${plan.version}`);
  const log: string[] = [];
  let compiled: { files: number; bytes: number };
  try {
    compiled = await deps.compile(plan.projectRoot, log);
  } finally {
    if (values.verbose) log.forEach((line) => io.out(`  ci| ${line}`));
  }
  io.out(`compiled: ${compiled.files} files, ${compiled.bytes} bytes`);
  const { draftId } = await deps.playUpload(emulator, emulatorBody(plan));
  io.out(`the local emulator played the upload: draft ${draftId} in its draft box; waiting for the draft`);
  return playedDraft(plan, draftId);
}

function uploadCommand(deps: TemplateDeps): Command {
  return {
    name: UPLOAD,
    summary:
      "Upload the provider's template app (any mini-program project folder) with miniprogram-ci as the platform's 开发小程序, " +
      "so it lands in the platform's draft box; wait for the draft, turn it into a template (addtotemplate) and print its template_id.",
    notes: [
      'Upload key: MP_APPID (else the project\'s project.config.json "appid"): the 开发小程序 bound to the platform ' +
        "(第三方平台 → 开发小程序); MP_PRIVATE_KEY_PATH: that mini-program's 代码上传密钥, as for `npm run upload`. " +
        "The project is uploaded as it is: this repository's `check` rules are not applied to it.",
      `The draft is the one from that appid with user_version = --version, uploaded after the upload started (less ${CLOCK_SKEW_SECONDS} s ` +
        'of clock skew); the draft box keeps one draft per 开发小程序, so promote it before the next upload.',
      ENV_NOTE,
      'Locally (--local, or a broker on 127.0.0.1/localhost) nothing goes to WeChat: miniprogram-ci compiles the project offline ' +
        `(no upload key), the emulator plays the upload (POST ${EMULATOR_DRAFT_ROUTE} at ${EMULATOR_ENV}, default ` +
        `${LOCAL_EMULATOR_URL}) and answers its draft_id; the draft box is then read and the draft made a template through the ` +
        'broker as with WeChat.',
    ],
    options: {
      ...OPTIONS,
      project: { type: 'string', value: 'dir', help: 'the template app: a mini-program project folder (required)' },
      version: { type: 'string', value: 'v', help: "the version (the draft's user_version; required)" },
      desc: { type: 'string', value: 'text', help: "the description (the draft's user_desc; required)" },
      robot: { type: 'string', value: '1-30', help: 'the CI robot number (default 1)' },
      wait: { type: 'string', value: 's', help: `how long to wait for the draft to appear (default ${DEFAULT_WAIT_SECONDS})` },
      verbose: { type: 'boolean', help: "also print miniprogram-ci's own log" },
    },
    async run(values, io) {
      const { ctx, plan } = planUpload(values, io);
      if (values['dry-run']) {
        dryRunHeader(UPLOAD, io, ctx.broker);
        describeUpload(plan, deps).forEach((line) => io.out(line));
        return EXIT.ok;
      }
      const lib = library(ctx, deps);
      const match = plan.emulatorUrl
        ? await uploadToEmulator(plan, plan.emulatorUrl, values, io, deps)
        : await uploadToWeChat(plan, values, io, deps);
      const draft = await waitForDraft(lib, plan, match, deps);
      io.out(`draft ${draft.draftId} (uploaded ${utc(draft.createTime)} UTC); adding it to the template library`);
      const { made, total } = await promote(lib, draft.draftId);
      printMade(io, made, total);
      return EXIT.ok;
    },
  };
}

function addDraftCommand(deps: TemplateDeps): Command {
  const addDraft: Command = {
    name: 'template add-draft',
    summary:
      'Turn a draft of the draft box into a template (addtotemplate), then find it by its draft_id and print its template_id.',
    notes: ['`npm run template -- list` shows the drafts.', ENV_NOTE],
    options: { ...OPTIONS },
    positionals: '<draft_id>',
    async run(values, io, positionals) {
      const [draftId] = idArguments(addDraft, positionals, 'draft_id', 1);
      const ctx = context(addDraft.name, values, io);
      if (values['dry-run']) {
        dryRunHeader(addDraft.name, io, ctx.broker);
        io.out(`  1. ${GET(TEMPLATE_APIS.templateList)}  (templates already made from draft ${draftId})`);
        io.out(`  2. ${POST(TEMPLATE_APIS.addToTemplate, addBody(draftId))}`);
        io.out(
          `  3. ${GET(TEMPLATE_APIS.templateList)}  (the new template with draft_id ${draftId}: its template_id is printed)`,
        );
        return EXIT.ok;
      }
      const lib = library(ctx, deps);
      const { made, total } = await promote(lib, draftId);
      printMade(io, made, total);
      return EXIT.ok;
    },
  };
  return addDraft;
}

function listCommand(deps: TemplateDeps): Command {
  const list: Command = {
    name: 'template list',
    summary: `List the draft box and the template library (WeChat keeps at most ${TEMPLATE_CAP} templates), newest first.`,
    notes: [ENV_NOTE],
    options: { ...OPTIONS, json: { type: 'boolean', help: 'print both lists as JSON' } },
    async run(values, io) {
      const ctx = context(list.name, values, io);
      if (values['dry-run']) {
        dryRunHeader(list.name, io, ctx.broker);
        io.out(`  1. ${GET(TEMPLATE_APIS.draftList)}`);
        io.out(`  2. ${GET(TEMPLATE_APIS.templateList)}`);
        return EXIT.ok;
      }
      const lib = library(ctx, deps);
      const drafts = [...(await lib.drafts())].sort((a, b) => b.createTime - a.createTime || b.draftId - a.draftId);
      const templates = newestFirst(await lib.templates());
      if (values.json) {
        io.out(JSON.stringify({ drafts, templates, cap: TEMPLATE_CAP }, null, 2));
        return EXIT.ok;
      }
      io.out(`draft box: ${drafts.length} draft${drafts.length === 1 ? '' : 's'}`);
      if (drafts.length > 0)
        io.out(
          `  ${'draft_id'.padStart(10)}  ${'version'.padEnd(12)}  ${'uploaded (UTC)'.padEnd(19)}  ${'from'.padEnd(18)}  description`,
        );
      for (const d of drafts)
        io.out(
          `  ${String(d.draftId).padStart(10)}  ${d.userVersion.padEnd(12)}  ${utc(d.createTime)}  ${d.sourceAppid.padEnd(18)}  ${oneLine(d.userDesc)}`,
        );
      io.out(`template library: ${templates.length} of ${TEMPLATE_CAP} templates`);
      if (templates.length > 0)
        io.out(
          `  ${'template_id'.padStart(11)}  ${'draft_id'.padStart(10)}  ${'version'.padEnd(12)}  ${'created (UTC)'.padEnd(19)}  description`,
        );
      for (const t of templates)
        io.out(
          `  ${String(t.templateId).padStart(11)}  ${String(t.draftId).padStart(10)}  ${t.userVersion.padEnd(12)}  ${utc(t.createTime)}  ${oneLine(t.userDesc)}`,
        );
      return EXIT.ok;
    },
  };
  return list;
}

const PRUNE = 'template prune';

/** --keep, --older-than and --protect as a rule, and the rule in words. */
function pruneRule(values: Values, nowMs: number): { rule: PruneRule; text: string } {
  const keepRaw = stringOption(values, 'keep');
  const olderRaw = stringOption(values, 'older-than');
  if (keepRaw === undefined && olderRaw === undefined)
    throw new ShipError(`${PRUNE}: say what to keep: --keep <n>, --older-than <days>, or both.`);
  const keep = keepRaw === undefined ? undefined : wholeNumber(keepRaw, '--keep');
  const days = olderRaw === undefined ? undefined : Number(olderRaw);
  if (days !== undefined && !(Number.isFinite(days) && days > 0))
    throw new ShipError(`--older-than must be a number of days above 0 (got ${JSON.stringify(olderRaw)}).`);
  const protect = new Set(
    (stringOption(values, 'protect') ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '')
      .map((id) => wholeNumber(id, '--protect ids')),
  );
  const olderThan = days === undefined ? undefined : Math.floor(nowMs / 1000 - days * 86_400);
  const parts = [
    ...(keep === undefined ? [] : [`beyond the newest ${keep}`]),
    ...(olderThan === undefined ? [] : [`created before ${utc(olderThan)} UTC (${days} days ago)`]),
  ];
  const never = protect.size > 0 ? `; never ${[...protect].join(', ')}` : '';
  return { rule: { keep, olderThan, protect }, text: `${parts.join(' and ')}${never}` };
}

/** Deletes one after the other; one deleted meanwhile (85064) counts as done. */
async function deleteEach(lib: TemplateLibrary, remove: Template[], io: Io): Promise<void> {
  let deleted = 0;
  for (const t of remove) {
    try {
      await lib.deleteTemplate(t.templateId);
    } catch (error) {
      if (!(error instanceof TemplateApiError && error.errcode === 85064))
        throw new ShipError(`${PRUNE}: stopped after deleting ${deleted} of ${remove.length}.`, [(error as Error).message]);
    }
    deleted += 1;
    io.out(`  deleted ${templateLine(t)}`);
  }
}

const templateLine = (t: Template) => `${t.templateId} (draft ${t.draftId}, ${t.userVersion}, created ${utc(t.createTime)} UTC)`;

/** The templates the rule would have deleted but keeps: a job ships them, or --protect names them. */
function printKept(keep: Template[], rule: PruneRule, inUse: Map<number, ShipTemplateInUse>, io: Io): void {
  for (const t of keep) {
    const use = inUse.get(t.templateId);
    if (use) io.out(`  kept ${t.templateId}: in use by ${inUseText(use)}`);
    else if (rule.protect.has(t.templateId)) io.out(`  kept ${t.templateId}: --protect`);
  }
}

function pruneCommand(deps: TemplateDeps): Command {
  const prune: Command = {
    name: PRUNE,
    summary:
      `Delete old templates to keep the library under WeChat's ${TEMPLATE_CAP}: those beyond the newest --keep, and/or created more ` +
      'than --older-than days ago (both given: only templates matching both); never one listed in --protect.',
    notes: [
      'Newest first by create_time, then by template_id. A protected template is kept besides the newest --keep. The templates ' +
        "running and paused release jobs ship are read first (the broker's ship/templates) and never deleted: a job whose " +
        'template is gone fails its next commit (85014); when they cannot be read, nothing is deleted.',
      '--dry-run reads the library and the jobs (reads only), then prints which templates would be deleted and which are kept ' +
        'and why; nothing is deleted.',
      ENV_NOTE,
    ],
    options: {
      ...OPTIONS,
      keep: { type: 'string', value: 'n', help: 'keep the n newest templates' },
      'older-than': { type: 'string', value: 'days', help: 'delete only templates created more than this many days ago' },
      protect: { type: 'string', value: 'id,...', help: 'template ids never to delete (e.g. those a running job uses)' },
    },
    async run(values, io) {
      const { rule, text } = pruneRule(values, deps.now());
      const ctx = context(PRUNE, values, io);
      const inUse = await templatesInUse(deps.jobs(ctx.broker), ctx.broker.url);
      const lib = library(ctx, deps);
      const all = await lib.templates();
      const { remove, keep } = pruneSelection(all, { ...rule, protect: new Set([...rule.protect, ...inUse.keys()]) });
      const dryRun = values['dry-run'] === true;
      io.out(
        `template library: ${all.length} of ${TEMPLATE_CAP}; ${dryRun ? 'would delete' : 'deleting'} ${remove.length} (${text})`,
      );
      printKept(keep, rule, inUse, io);
      if (dryRun) {
        remove.forEach((t) => io.out(`  would delete ${templateLine(t)}`));
        io.out(`dry run: nothing deleted (each would be ${POST(TEMPLATE_APIS.deleteTemplate, { template_id: '<id>' })})`);
        return EXIT.ok;
      }
      await deleteEach(lib, remove, io);
      io.out(`template library: ${keep.length} of ${TEMPLATE_CAP} templates`);
      return EXIT.ok;
    },
  };
  return prune;
}

function deleteCommand(deps: TemplateDeps): Command {
  const remove: Command = {
    name: 'template delete',
    summary: 'Delete templates from the template library by template_id.',
    notes: [
      'A mini-program already committed from a template keeps its code; a later commit with that id fails (85014).',
      "A template running or paused release jobs ship is never deleted: the command reads them first (the broker's " +
        'ship/templates) and, when one of the ids is in use, deletes none.',
      ENV_NOTE,
    ],
    options: { ...OPTIONS },
    positionals: '<template_id>...',
    async run(values, io, positionals) {
      const ids = idArguments(remove, positionals, 'template_id');
      const ctx = context(remove.name, values, io);
      if (values['dry-run']) {
        dryRunHeader(remove.name, io, ctx.broker);
        ids.forEach((id, i) => io.out(`  ${i + 1}. ${POST(TEMPLATE_APIS.deleteTemplate, deleteBody(id))}`));
        return EXIT.ok;
      }
      const inUse = await templatesInUse(deps.jobs(ctx.broker), ctx.broker.url);
      const used = ids.flatMap((id) => {
        const use = inUse.get(id);
        return use ? [`${id}: in use by ${inUseText(use)}`] : [];
      });
      if (used.length > 0) throw new ShipError(`${remove.name}: nothing deleted; release jobs ship these templates.`, used);
      const lib = library(ctx, deps);
      for (const id of ids) {
        await lib.deleteTemplate(id);
        io.out(`deleted ${id}`);
      }
      return EXIT.ok;
    },
  };
  return remove;
}

export function templateCommands(deps: TemplateDeps = DEFAULT_DEPS): Record<string, Command> {
  return {
    upload: uploadCommand(deps),
    'add-draft': addDraftCommand(deps),
    list: listCommand(deps),
    prune: pruneCommand(deps),
    delete: deleteCommand(deps),
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' / ');
}

const SYNOPSIS: Record<string, [string, string]> = {
  upload: ['--project <dir> --version <v> --desc <text>', 'upload to the draft box, then make the draft a template'],
  'add-draft': ['<draft_id>', 'make a template of a draft'],
  list: ['', 'the draft box and the template library'],
  prune: ['--keep <n> | --older-than <days> [--protect <id,...>]', 'delete old templates'],
  delete: ['<template_id>...', 'delete templates'],
};

/** `npm run template -- <subcommand> [options]`: the subcommand comes first. */
export async function runTemplate(argv: string[], io: Io, deps: TemplateDeps = DEFAULT_DEPS): Promise<number> {
  const commands = templateCommands(deps);
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    const width = Math.max(...Object.entries(SYNOPSIS).map(([name, [args]]) => `${name} ${args}`.length));
    const lines = [
      'npm run template -- <subcommand> [options]',
      '',
      "From the provider's template app to the platform's code template library: upload to the draft box with miniprogram-ci, " +
        "turn the draft into a template, list and prune the library. WeChat is reached through the function's broker.",
      '',
      'Subcommands:',
      ...Object.entries(SYNOPSIS).map(([name, [args, what]]) => `  ${`${name} ${args}`.padEnd(width)}  ${what}`),
      '',
      'Every subcommand has --help, --dry-run (offline: prints what it would send), --env-file and --local.',
      ENV_NOTE,
    ];
    lines.forEach((line) => (sub === undefined ? io.err(line) : io.out(line)));
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands[sub];
  if (!command) {
    io.err(
      `template: unknown subcommand ${JSON.stringify(sub)}; the subcommand comes first: ${Object.keys(commands).join(', ')}.`,
    );
    io.err('Run `npm run template -- --help` for the subcommands.');
    return EXIT.usage;
  }
  return runCommand(command, rest, io);
}

/** miniprogram-ci's upload of the template app (the draft box takes it when the appid is the 开发小程序). */
async function ciUpload(plan: UploadPlan, log: string[]): Promise<void> {
  const ci = miniprogramCi();
  const project = new ci.Project({
    appid: plan.appid,
    type: 'miniProgram',
    projectPath: plan.projectRoot,
    privateKeyPath: plan.keyPath,
  });
  try {
    await withCapturedConsole(
      () => ci.upload({ project, version: plan.version, desc: plan.desc, robot: plan.robot, setting: COMPILE_SETTING }),
      log,
    );
  } catch (error) {
    throw new ShipError(`template upload: miniprogram-ci failed: ${explainCiError(error, log)}`, tail(log));
  }
}

/** The local upload's compile: miniprogram-ci, offline, as `upload` compiles (compile.ts). */
async function offlineCompile(projectRoot: string, log: string[]): Promise<{ files: number; bytes: number }> {
  const compiled = await compileMiniprogram(projectRoot);
  log.push(...compiled.log);
  return { files: compiled.files.length, bytes: compiled.totalBytes };
}

/** `POST /__emulator/code-management/drafts`: the emulator puts the upload in its draft box. */
async function emulatorUpload(emulatorUrl: string, body: EmulatorDraftBody): Promise<{ draftId: number }> {
  const url = `${emulatorUrl}${EMULATOR_DRAFT_ROUTE}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new ShipError(
      `${UPLOAD}: the emulator at ${emulatorUrl} cannot be reached (is \`npm start\` running? ${EMULATOR_ENV} says where): ` +
        `${(error as Error).message}`,
    );
  }
  const text = await response.text();
  let answer: { ok?: unknown; draftId?: unknown; error?: unknown; errcode?: unknown } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // reported below
  }
  if (answer.ok === true && typeof answer.draftId === 'number') return { draftId: answer.draftId };
  const why =
    typeof answer.error === 'string'
      ? answer.error
      : typeof answer.errcode === 'number'
        ? `errcode ${answer.errcode}`
        : 'no draftId in the answer';
  throw new ShipError(`${UPLOAD}: the emulator did not take the upload (POST ${url}: HTTP ${response.status}, ${why}).`, [
    `Is ${emulatorUrl} the Open Platform emulator of \`npm start\`?`,
  ]);
}
