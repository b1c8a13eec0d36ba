/**
 * cloud.callFunction between functions (spec cloud-runtime §1): the callee runs in the same
 * runtime with SOURCE comma-joined with `scf`, the caller's OPENID per the runtime option, and
 * answers like wx-server-sdk ({ result, errMsg, requestID }); a failing callee rejects the call.
 */
import { startCloudRuntime, type CloudRuntime } from '../../../emulator/cloud/runtime';
import { makeFixtureDirs, type FixtureDirs } from './fixtures';

const CALLER = `
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
exports.main = async (event) => {
  try {
    const reply = await cloud.callFunction({ name: event.target || 'callee', data: { from: 'caller' } });
    return { own: cloud.getWXContext(), reply };
  } catch (e) {
    return { own: cloud.getWXContext(), failed: String(e && e.message) };
  }
};
`;
const CALLEE = `
const cloud = require('wx-server-sdk');
exports.main = async (event) => ({ seen: cloud.getWXContext(), event });
`;
const THROWER = `exports.main = async () => { throw new Error('callee broke'); };`;

let dirs: FixtureDirs;
const runtimes: CloudRuntime[] = [];

beforeAll(() => {
  dirs = makeFixtureDirs({ caller: { index: CALLER }, callee: { index: CALLEE }, thrower: { index: THROWER } });
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});
afterAll(() => dirs.remove());

async function runtime(callFunctionOpenId?: 'propagate' | 'drop'): Promise<CloudRuntime> {
  const started = await startCloudRuntime({
    functionsRoot: dirs.functionsRoot,
    dataDir: `${dirs.root}/data-${runtimes.length}-${callFunctionOpenId ?? 'default'}`,
    timers: false,
    log: () => undefined,
    ...(callFunctionOpenId ? { callFunctionOpenId } : {}),
  });
  runtimes.push(started);
  return started;
}

type Reply = {
  own: Record<string, string>;
  reply?: { result: { seen: Record<string, string>; event: unknown }; errMsg: string; requestID: string };
  failed?: string;
};

test('a mini-program user calls A, A calls B: B sees SOURCE wx_client,scf and (by default) the OPENID', async () => {
  const rt = await runtime();
  const answer = (await rt.callFunction('caller', {}, { openid: 'oUSER-1' })) as Reply;
  expect(answer.own).toMatchObject({ SOURCE: 'wx_client', OPENID: 'oUSER-1' });
  expect(answer.reply).toMatchObject({
    errMsg: 'cloud.callFunction:ok',
    result: { seen: { SOURCE: 'wx_client,scf', OPENID: 'oUSER-1' }, event: { from: 'caller' } },
  });
  expect(answer.reply?.requestID).toMatch(/\S{8,}/);
});

test('a caller without a trigger source gives plain scf; the drop option hides the OPENID', async () => {
  const rt = await runtime('drop');
  const bare = (await rt.newInstance('caller').invoke({}, { SOURCE: '' })) as Reply;
  expect(bare.reply?.result.seen).toMatchObject({ SOURCE: 'scf', OPENID: '' });
  const fromUser = (await rt.callFunction('caller', {}, { openid: 'oUSER-2' })) as Reply;
  expect(fromUser.reply?.result.seen).toMatchObject({ SOURCE: 'wx_client,scf', OPENID: '' });
});

test("a failing or missing callee rejects the caller's callFunction", async () => {
  const rt = await runtime();
  expect(((await rt.callFunction('caller', { target: 'thrower' })) as Reply).failed).toMatch(/callee broke/);
  expect(((await rt.callFunction('caller', { target: 'nobody' })) as Reply).failed).toMatch(
    /FunctionName parameter could not be found/,
  );
});
