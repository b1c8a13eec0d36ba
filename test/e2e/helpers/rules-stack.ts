/**
 * The local stack as the rules tests use it: a fresh data folder per stack, an admin OPENID,
 * quiet logs, the jest hooks every rules file repeats, and small readers over the real store and
 * the emulator's call records.
 */
import { COLLECTIONS } from '../../../cloudfunctions/authorization/src/store';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FunctionInstance } from '../../../emulator/cloud/runtime';
import type { AccountKind, ApiName, ConfirmInput, TestAccount } from '../../../emulator/open-platform';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../emulator/stack';
import type { ActionError, ActionName } from '../../../typings/api';
import { captureFunctionOutput, type CapturedOutput } from './rules-console';
import { allDocs } from './all-docs';

export const ADMIN = 'oADMIN-rules-0001';
export const MERCHANT = 'oMERCHANT-rules-0001';
export const OTHER_MERCHANT = 'oMERCHANT-rules-0002';

/** Every collection the backend keeps: the function's own list. */
export const COLLECTION_NAMES = Object.values(COLLECTIONS);

/** Every action of the contract (typings/api.ts); the type check fails when one is added and not listed. */
const EVERY_ACTION: Record<ActionName, true> = {
  getAppConfig: true,
  createAuthSession: true,
  getAuthSession: true,
  listMyAuthorizers: true,
  getAuthorizer: true,
  listAuthorizers: true,
  platformHealth: true,
  reconcile: true,
  startPushTicket: true,
  releaseStatus: true,
  authorizerUsage: true,
  testAuthorizerCall: true,
  brokerCallers: true,
  shipJobs: true,
  shipJobStatus: true,
  shipJobCommand: true,
  setupDatabase: true,
  subscribeLapseNotice: true,
  getMiniProgramVersions: true,
  consoleSignInPreview: true,
  consoleSignInConfirm: true,
};
export const ACTION_NAMES = Object.keys(EVERY_ACTION) as ActionName[];

export interface RulesStack extends LocalStack {
  dataDir: string;
  /** What the emulator and the runtime logged (not the function's own output). */
  emulatorLog: string[];
}

export async function startRulesStack(options: Partial<LocalStackOptions> = {}): Promise<RulesStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-e2e-'));
  const emulatorLog: string[] = [];
  const stack = await startLocalStack({
    adminOpenIds: [ADMIN],
    lenientLimits: true,
    log: (line) => emulatorLog.push(line),
    ...options,
    dataDir,
  });
  const closeStack = stack.close.bind(stack);
  return Object.assign(stack, {
    dataDir,
    emulatorLog,
    async close() {
      await closeStack();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * Registers the hooks that capture the function's output (kept out of the test report) for the
 * whole file; read it through the answer inside tests and hooks.
 */
export function captureOutputOfFile(): CapturedOutput {
  const capture = fileCapture();
  beforeAll(capture.begin);
  afterAll(capture.end);
  return capture.output;
}

/**
 * Registers the hooks for a rules file with one stack per test (`'each'`) or one for the whole
 * file (`'all'`): `use` receives each stack once started, and it is closed after. The function's
 * output is captured from before the first stack starts until after the last one closes.
 */
export function useRulesStack(per: 'each' | 'all', use: (stack: RulesStack) => void): CapturedOutput {
  const capture = fileCapture();
  let stack: RulesStack | undefined;
  const start = async () => use((stack = await startRulesStack()));
  const close = async () => {
    await stack?.close();
    stack = undefined;
  };
  beforeAll(capture.begin);
  if (per === 'each') {
    beforeEach(start);
    afterEach(close);
  } else {
    beforeAll(start);
    afterAll(close);
  }
  afterAll(capture.end);
  return capture.output;
}

/** A capture begun and ended by hooks, seen through an object that is valid from the start. */
function fileCapture(): { output: CapturedOutput; begin(): void; end(): void } {
  let captured: CapturedOutput | undefined;
  const current = () => {
    if (!captured) throw new Error('the function output is captured only while the file runs');
    return captured;
  };
  return {
    output: {
      get lines() {
        return current().lines;
      },
      text: () => current().text(),
      restore: () => current().restore(),
    },
    begin: () => void (captured = captureFunctionOutput()),
    end: () => captured?.restore(),
  };
}

/** What callFunction answers (typings/api.ts), loosely typed so tests can read any field. */
export type ActionReply = { ok: true; data: any } | { ok: false; error: ActionError };

/** callFunction on the warm instance, or on `instance` when given. */
export async function act(
  stack: LocalStack,
  openid: string | undefined,
  action: unknown,
  payload?: unknown,
  instance?: FunctionInstance,
): Promise<ActionReply> {
  const identity = openid === undefined ? {} : { openid };
  const data = { action, payload };
  const reply = instance
    ? await instance.callFunction(data, identity)
    : await stack.cloud.callFunction('authorization', data, identity);
  return reply as ActionReply;
}

/** The data of a successful reply; fails the test with the error otherwise. */
export function dataOf(reply: ActionReply): any {
  if (!reply.ok) throw new Error(`expected ok, got ${JSON.stringify(reply.error)}`);
  return reply.data;
}

export function account(stack: LocalStack, kind: AccountKind, index = 0): TestAccount {
  const found = stack.openPlatform.accounts.filter((a) => a.kind === kind)[index];
  if (!found) throw new Error(`no ${kind} #${index} in the emulator fixtures`);
  return found;
}

export function callsOf(stack: LocalStack, api: ApiName): { errcode: number }[] {
  return stack.openPlatform.calls.filter((c) => c.api === api);
}

export async function docById<T = Record<string, any>>(stack: LocalStack, collection: string, id: string): Promise<T | null> {
  const { data } = await stack.cloud.db.collection(collection).where({ _id: id }).limit(1).get();
  return (data[0] as T | undefined) ?? null;
}

export { allDocs };

/** Every non-empty collection in the data folder with all its documents, sorted by _id. */
export async function snapshot(stack: RulesStack): Promise<Record<string, unknown[]>> {
  const onDisk = fs
    .readdirSync(stack.dataDir)
    .filter((f) => f.endsWith('.db'))
    .map((f) => f.slice(0, -3));
  const names = [...new Set([...COLLECTION_NAMES, ...onDisk])].sort();
  const result: Record<string, unknown[]> = {};
  for (const name of names) {
    const docs = await allDocs<{ _id: string }>(stack, name);
    if (docs.length > 0) result[name] = docs.sort((a, b) => String(a._id).localeCompare(String(b._id)));
  }
  return result;
}

/** How the backend keys authCodes and sessions: the production helpers themselves. */
export { codeIdFor } from '../../../cloudfunctions/authorization/src/authorizations/stages';
export { sessionIdFor } from '../../../cloudfunctions/authorization/src/sessions/sessions';

/** A plugin session for `openid`; returns its id and pre_auth_code. */
export async function pluginSession(
  stack: LocalStack,
  openid: string,
  authType = 3,
): Promise<{ sessionId: string; preAuthCode: string }> {
  const data = dataOf(await act(stack, openid, 'createAuthSession', { authType, channel: 'plugin' }));
  return { sessionId: data.sessionId, preAuthCode: data.plugin.preAuthCode };
}

/** An H5 session: its pre_auth_code is read from the link, as WeChat would. */
export async function h5Session(
  stack: LocalStack,
  openid: string,
  authType = 3,
): Promise<{ sessionId: string; preAuthCode: string }> {
  const data = dataOf(await act(stack, openid, 'createAuthSession', { authType, channel: 'h5' }));
  const preAuthCode = new URL(data.h5Url.replace('#wechat_redirect', '')).searchParams.get('pre_auth_code');
  if (!preAuthCode) throw new Error('no pre_auth_code in the H5 link');
  return { sessionId: data.sessionId, preAuthCode };
}

export interface SilentCode {
  authCode: string;
  /** The push WeChat would have sent, not delivered. */
  fields: Record<string, string | number>;
  plaintext: string;
}

/**
 * The merchant confirms while the authorization-event URL points nowhere: WeChat issues the code
 * and records the push, nothing reaches the backend, and the test delivers it when it wants.
 */
export async function confirmSilently(stack: LocalStack, input: ConfirmInput): Promise<SilentCode> {
  const url = stack.openPlatform.component.authEventUrl;
  stack.openPlatform.setAuthEventUrl(undefined);
  try {
    const result = await stack.openPlatform.confirmAuthorization(input);
    if (!result.push) throw new Error('the confirmation produced no push');
    return { authCode: result.authCode, fields: result.push.fields, plaintext: result.push.plaintext };
  } finally {
    stack.openPlatform.setAuthEventUrl(url);
  }
}

/** A complete plugin authorization with WeChat's own push; returns the session id. */
export async function authorizeWithPush(stack: LocalStack, openid: string, appid: string): Promise<string> {
  const { sessionId, preAuthCode } = await pluginSession(stack, openid);
  const result = await stack.openPlatform.confirmAuthorization({ preAuthCode, authorizerAppid: appid, channel: 'plugin' });
  if (!result.push?.delivered) throw new Error(`the authorized push was not delivered: ${result.push?.reason}`);
  return sessionId;
}
