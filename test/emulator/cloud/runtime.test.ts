import fs from 'node:fs';
import { Clock } from '../../../emulator/clock';
import { CallFunctionError, startCloudRuntime, type CloudRuntime } from '../../../emulator/cloud/runtime';
import { makeFixtureDirs, postJson, type FixtureDirs } from './fixtures';

/** A function that reports what it sees: identity, time, env, module state; and uses the db. */
const INSPECTOR = `
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;
const loadedAt = Date.now();
const outsideContext = cloud.getWXContext();
let calls = 0;

exports.main = async (event, context) => {
  calls += 1;
  if (event.action === 'fail') throw new Error('boom: ' + event.reason);
  if (event.action === 'missing') {
    try { await db.collection('things').doc('none').get(); } catch (e) { return { isError: e instanceof Error, errMsg: e.errMsg, errCode: e.errCode }; }
  }
  if (event.action === 'timerThenCount') setTimeout(() => undefined, 60000);
  if (event.action === 'count' || event.action === 'timerThenCount') {
    await db.collection('visits').add({ data: { at: db.serverDate() } });
    return (await db.collection('visits').count()).total;
  }
  if (event.action === 'slow') {
    const before = cloud.getWXContext().OPENID;
    await new Promise((resolve) => setTimeout(resolve, event.ms));
    return { before, after: cloud.getWXContext().OPENID };
  }
  const made = new Date();
  return {
    calls,
    loadedAt,
    outsideContext,
    wx: cloud.getWXContext(),
    now: Date.now(),
    made: made.getTime(),
    madeIsDate: made instanceof Date,
    fromString: new Date('2020-01-01T00:00:00Z').getTime(),
    dateCalledAsFunction: typeof Date(),
    env: { SECRET_NAME: process.env.SECRET_NAME || null, TCB_ENV: process.env.TCB_ENV },
    realProcess: typeof process.nextTick === 'function' && typeof process.cwd() === 'string',
    functionName: context.function_name,
    echo: event,
  };
};
`;

const OTHER = `
exports.main = async () => ({ SECRET_NAME: process.env.SECRET_NAME || null });
`;

let dirs: FixtureDirs;
let clock: Clock;
let runtime: CloudRuntime;
const logLines: string[] = [];

beforeAll(async () => {
  dirs = makeFixtureDirs({ inspector: { index: INSPECTOR }, other: { index: OTHER }, broken: { index: 'exports.main = ;' } });
  clock = new Clock();
  runtime = await startCloudRuntime({
    functionsRoot: dirs.functionsRoot,
    dataDir: dirs.dataDir,
    envId: 'test-env',
    clock,
    env: { inspector: { SECRET_NAME: 'inspector-only' } },
    log: (line) => logLines.push(line),
  });
  for (const name of ['things', 'visits']) await runtime.db.createCollection(name);
});

afterAll(async () => {
  await runtime.close();
  dirs.remove();
});

test('callFunction passes the identity to getWXContext as a mini-program call', async () => {
  const result = (await runtime.callFunction(
    'inspector',
    { hello: 'x' },
    { openid: 'o-1', appid: 'wx-app', unionid: 'u-1' },
  )) as any;
  expect(result.wx).toEqual({ OPENID: 'o-1', APPID: 'wx-app', UNIONID: 'u-1', ENV: 'test-env', SOURCE: 'wx_client' });
  expect(result.echo).toEqual({ hello: 'x' });
  expect(result.functionName).toBe('inspector');
  // Outside an invocation (module load) there is no caller.
  expect(result.outsideContext).toEqual({ OPENID: '', APPID: '', UNIONID: '', ENV: 'test-env', SOURCE: '' });
});

test('POST /callFunction answers {result} with openid passed through', async () => {
  const { status, json, headers } = await postJson(`${runtime.url}/callFunction`, {
    name: 'inspector',
    data: { n: 1 },
    openid: 'o-http',
  });
  expect(status).toBe(200);
  expect(headers.get('access-control-allow-origin')).toBe('*');
  expect(json.errMsg).toBe('cloud.callFunction:ok');
  expect(json.result.wx).toMatchObject({ OPENID: 'o-http', SOURCE: 'wx_client' });
  expect(json.result.echo).toEqual({ n: 1 });
});

test('the CORS preflight of /callFunction is answered', async () => {
  const response = await fetch(`${runtime.url}/callFunction`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
  });
  expect(response.status).toBe(204);
  expect(response.headers.get('access-control-allow-methods')).toContain('POST');
});

test('a throwing function fails like wx.cloud.callFunction, directly and over HTTP', async () => {
  const direct = runtime.callFunction('inspector', { action: 'fail', reason: 'bad input' });
  await expect(direct).rejects.toBeInstanceOf(CallFunctionError);
  await expect(direct).rejects.toMatchObject({
    errCode: -404011,
    errMsg: 'cloud.callFunction:fail Error: errCode: -404011 cloud function execution error | errMsg: boom: bad input',
  });
  const { status, json } = await postJson(`${runtime.url}/callFunction`, {
    name: 'inspector',
    data: { action: 'fail', reason: 'r' },
  });
  expect(status).toBe(200);
  expect(json).toEqual({ errCode: -404011, errMsg: expect.stringContaining('boom: r') });
  expect(logLines.some((line) => line.includes('function inspector failed'))).toBe(true);
});

test('unknown and unloadable functions fail with wx.cloud.callFunction errors', async () => {
  await expect(runtime.callFunction('ghost', {})).rejects.toMatchObject({ errCode: -501000 });
  await expect(runtime.callFunction('broken', {})).rejects.toMatchObject({ errCode: -404011 });
  const { json } = await postJson(`${runtime.url}/callFunction`, { data: {} });
  expect(json.errMsg).toMatch(/parameter name/);
});

test('sdk errors are Errors inside the function and carry errCode/errMsg', async () => {
  await expect(runtime.callFunction('inspector', { action: 'missing' })).resolves.toEqual({
    isError: true,
    errCode: -1,
    errMsg: 'document.get:fail document with _id none does not exist',
  });
});

test('Date inside the function follows the clock', async () => {
  const before = (await runtime.callFunction('inspector', {})) as any;
  clock.advance(2 * 3600);
  const after = (await runtime.callFunction('inspector', {})) as any;
  expect(after.now - before.now).toBeGreaterThanOrEqual(2 * 3600 * 1000);
  expect(after.made - before.made).toBeGreaterThanOrEqual(2 * 3600 * 1000);
  expect(after.now - Date.now()).toBeGreaterThanOrEqual(2 * 3600 * 1000 - 60_000);
  expect(after.madeIsDate).toBe(true);
  expect(after.fromString).toBe(Date.UTC(2020, 0, 1));
  expect(after.dateCalledAsFunction).toBe('string');
});

test('each function has its own environment variables', async () => {
  const inspector = (await runtime.callFunction('inspector', {})) as any;
  expect(inspector.env).toEqual({ SECRET_NAME: 'inspector-only', TCB_ENV: 'test-env' });
  expect(inspector.realProcess).toBe(true);
  await expect(runtime.callFunction('other', {})).resolves.toEqual({ SECRET_NAME: null });
  expect(process.env.SECRET_NAME).toBeUndefined();
});

test('the warm instance keeps module state; newInstance is a cold start sharing the database', async () => {
  const first = (await runtime.callFunction('inspector', {})) as any;
  const second = (await runtime.callFunction('inspector', {})) as any;
  expect(second.calls).toBe(first.calls + 1);
  expect(second.loadedAt).toBe(first.loadedAt);

  const cold = runtime.newInstance('inspector');
  const fresh = (await cold.callFunction({}, { openid: 'o-cold' })) as any;
  expect(fresh.calls).toBe(1);
  expect(fresh.wx.OPENID).toBe('o-cold');

  const viaWarm = (await runtime.callFunction('inspector', { action: 'count' })) as number;
  const viaCold = (await cold.callFunction({ action: 'count' })) as number;
  expect(viaCold).toBe(viaWarm + 1);
  expect((await runtime.db.collection('visits').count()).total).toBe(viaCold);
});

test('concurrent calls on one instance keep their own WX context', async () => {
  const [slow, fast] = (await Promise.all([
    runtime.callFunction('inspector', { action: 'slow', ms: 30 }, { openid: 'slow-user' }),
    runtime.callFunction('inspector', { action: 'slow', ms: 1 }, { openid: 'fast-user' }),
  ])) as any[];
  expect(slow).toEqual({ before: 'slow-user', after: 'slow-user' });
  expect(fast).toEqual({ before: 'fast-user', after: 'fast-user' });
});

test('invoke runs any event on an instance with the given context', async () => {
  const result = (await runtime.newInstance('inspector').invoke({ custom: true }, { SOURCE: 'scf', OPENID: 'x' })) as any;
  expect(result.echo).toEqual({ custom: true });
  expect(result.wx).toEqual({ OPENID: 'x', APPID: '', UNIONID: '', ENV: 'test-env', SOURCE: 'scf' });
});

test("a crashed run fails at once; neither its timeout nor the function's own timers hold the process", async () => {
  const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timeouts();
  const doomed = runtime.newInstance('inspector');
  doomed.crashWhen((operation) => operation.collection === 'visits');
  // The function leaves a 60 s timer pending, then dies before its database write.
  await expect(doomed.callFunction({ action: 'timerThenCount' })).rejects.toMatchObject({
    errCode: -404011,
    errMsg: expect.stringContaining('instance crashed before collection.add on visits'),
  });
  // The run never settles (a dead instance's calls hang): its 3 s timeout and the function's own
  // 60 s timer would keep a finished test run open.
  expect(timeouts()).toBe(before);
});

test('GET /__runtime/health lists the functions', async () => {
  const health = (await (await fetch(`${runtime.url}/__runtime/health`)).json()) as { functions: string[] };
  expect(health).toMatchObject({ ok: true, envId: 'test-env' });
  expect(health.functions.sort()).toEqual(['broken', 'inspector', 'other']);
});

describe('bundles and restarts', () => {
  const SOURCE = `
import cloud from 'wx-server-sdk';
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
interface Note { _id: string; text: string; at: Date }
export async function main(event: { text?: string }): Promise<unknown> {
  const { OPENID } = cloud.getWXContext();
  if (event.text) {
    await db.collection('notes').doc(OPENID).set({ data: { text: event.text, at: db.serverDate() } });
  }
  const { data } = await db.collection('notes').doc(OPENID).get();
  const note = data as Note;
  return { text: note.text, isDate: note.at instanceof Date };
}
`;

  test('an esbuild bundle (external wx-server-sdk) runs unchanged and its data outlives a restart', async () => {
    const { buildSync } = await import('esbuild');
    const built = makeFixtureDirs({ notes: { index: '' } });
    const functionDir = `${built.functionsRoot}/notes`;
    fs.writeFileSync(`${functionDir}/src.ts`, SOURCE);
    buildSync({
      entryPoints: [`${functionDir}/src.ts`],
      outfile: `${functionDir}/index.js`,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node16',
      external: ['wx-server-sdk'],
      logLevel: 'silent',
    });
    const options = { functionsRoot: built.functionsRoot, dataDir: built.dataDir, log: () => undefined };
    try {
      const first = await startCloudRuntime(options);
      await first.db.createCollection('notes');
      await expect(first.callFunction('notes', { text: 'kept' }, { openid: 'o-note' })).resolves.toEqual({
        text: 'kept',
        isDate: true,
      });
      await first.close();
      const second = await startCloudRuntime(options);
      await expect(second.callFunction('notes', {}, { openid: 'o-note' })).resolves.toEqual({ text: 'kept', isDate: true });
      await second.close();
    } finally {
      built.remove();
    }
  });
});

describe('WeChat limits', () => {
  /** Writes a mark, sleeps, writes another: what survives shows where the timeout cut the run. */
  const SLEEPER = `
const cloud = require('wx-server-sdk');
const db = cloud.database();
exports.main = async (event, context) => {
  if (event.action === 'missing') return db.collection('never').where({ a: 1 }).get().catch((e) => ({ errCode: e.errCode, errMsg: e.errMsg }));
  await db.collection('marks').add({ data: { run: event.run, step: 'before' } });
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  await db.collection('marks').add({ data: { run: event.run, step: 'after' } });
  return { limit: context.time_limit_in_ms };
};
`;
  let dirs: FixtureDirs;
  let limited: CloudRuntime;

  beforeAll(async () => {
    dirs = makeFixtureDirs({ sleeper: { index: SLEEPER, config: { timeout: 1 } }, defaulted: { index: SLEEPER } });
    limited = await startCloudRuntime({
      functionsRoot: dirs.functionsRoot,
      dataDir: dirs.dataDir,
      dbLatencyMs: 20,
      log: () => undefined,
    });
    await limited.db.createCollection('marks');
  });

  afterAll(async () => {
    await limited.close();
    dirs.remove();
  });

  const marks = async (run: string) =>
    (await limited.db.collection('marks').where({ run }).get()).data.map((doc) => doc.step).sort();

  test('a missing collection fails with -502005', async () => {
    await expect(limited.callFunction('sleeper', { action: 'missing' })).resolves.toEqual({
      errCode: -502005,
      errMsg: expect.stringMatching(/^collection\.get:fail -502005 database collection not exists/),
    });
  });

  test('the configured timeout ends the run: the caller gets -504003 and the run writes nothing more', async () => {
    await expect(limited.callFunction('sleeper', { run: 'quick', ms: 10 })).resolves.toEqual({ limit: 1000 });
    const started = Date.now();
    await expect(limited.callFunction('sleeper', { run: 'slow', ms: 1500 })).rejects.toMatchObject({
      errCode: -504003,
      errMsg: expect.stringContaining('Invoking task timed out after 1 seconds'),
    });
    expect(Date.now() - started).toBeLessThan(1400);
    // Long after the abandoned run would have written its second mark.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await marks('slow')).toEqual(['before']);
    // The next call gets a new instance.
    await expect(limited.callFunction('sleeper', { run: 'next', ms: 0 })).resolves.toEqual({ limit: 1000 });
    expect(await marks('next')).toEqual(['after', 'before']);
  });

  test('without a timeout in config.json the stricter documented default applies (3 s)', async () => {
    await expect(limited.callFunction('defaulted', { run: 'd', ms: 0 })).resolves.toEqual({ limit: 3000 });
  });

  test('each database call costs the configured latency and is counted', async () => {
    const before = limited.dbCalls();
    const started = Date.now();
    await limited.callFunction('sleeper', { run: 'counted', ms: 0 });
    const elapsed = Date.now() - started;
    expect(limited.dbCalls()).toMatchObject({ reads: before.reads, writes: before.writes + 2 });
    expect(limited.dbCalls().byCollection.marks.writes).toBe((before.byCollection.marks?.writes ?? 0) + 2);
    expect(elapsed).toBeGreaterThanOrEqual(40);
    // The runtime's own handle (for tests) is neither counted nor slowed.
    await limited.db.collection('marks').count();
    expect(limited.dbCalls()).toMatchObject({ reads: before.reads, writes: before.writes + 2 });
  });
});
