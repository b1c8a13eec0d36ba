/**
 * Shared by the end-to-end flow tests (test/e2e/flows): one local stack per test file, typed action
 * calls, reads of the emulated database, and the pages of the function's HTTP access.
 * Every action answer and every page fetched through here is kept, so a test can scan them all
 * for secrets (flows-secrets.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../emulator/stack';
import { allDocs } from './all-docs';
import type { ActionName, ActionResult, Actions } from '../../../typings/api';
import type {
  AuthCodeDoc,
  ConsoleAuditDoc,
  ConsoleSessionDoc,
  ConsoleTicketDoc,
  CallerUsageDoc,
  LapseNoticeDoc,
  MessageStatDoc,
  ReleaseJobDoc,
  ReleaseTestAccountDoc,
  UsageDoc,
  AuthorizerDoc,
  AuthorizerTokenDoc,
  PlatformDoc,
  PushLogDoc,
  RateLimitDoc,
  SessionDoc,
  MerchantShipValuesDoc,
  MerchantVersionsDoc,
  ShipItemDoc,
  ShipJobDoc,
} from '../../../cloudfunctions/authorization/src/model';

export interface CollectionDocs {
  platform: PlatformDoc;
  authSessions: SessionDoc;
  authorizers: AuthorizerDoc;
  authorizerTokens: AuthorizerTokenDoc;
  authCodes: AuthCodeDoc;
  pushLog: PushLogDoc;
  rateLimits: RateLimitDoc;
  messageStats: MessageStatDoc;
  releaseTestAccounts: ReleaseTestAccountDoc;
  releaseJobs: ReleaseJobDoc;
  noticeConsents: { _id: string; credits: number; updatedAt: number };
  lapseNotices: LapseNoticeDoc;
  brokerNonces: { _id: string; expiresAt: number };
  brokerUsage: UsageDoc;
  brokerCallerUsage: CallerUsageDoc;
  shipJobs: ShipJobDoc;
  shipItems: ShipItemDoc;
  merchantShipValues: MerchantShipValuesDoc;
  merchantVersions: MerchantVersionsDoc;
  consoleTickets: ConsoleTicketDoc;
  consoleSessions: ConsoleSessionDoc;
  consoleAudit: ConsoleAuditDoc;
}

/** Something the server sent to a client: an action answer or a page. */
export interface SeenResponse {
  what: string;
  text: string;
}

export interface FlowStack {
  stack: LocalStack;
  /** Every action answer and page body seen so far, in order. */
  seen: SeenResponse[];
  /** The function's own log lines (JSON), kept out of the test output and scanned for secrets. */
  functionLogs: string[];
  call<A extends ActionName>(openid: string, action: A, payload?: Actions[A]['input']): Promise<ActionResult<A>>;
  /** Like `call`, but fails the test unless the answer is ok. */
  ok<A extends ActionName>(openid: string, action: A, payload?: Actions[A]['input']): Promise<Actions[A]['output']>;
  doc<C extends keyof CollectionDocs>(collection: C, id: string): Promise<CollectionDocs[C] | null>;
  docs<C extends keyof CollectionDocs>(collection: C, where?: Record<string, unknown>): Promise<CollectionDocs[C][]>;
  /** GET a URL (a page of ours or of the emulator), keeping the body. */
  page(url: string, init?: RequestInit): Promise<{ status: number; html: string; headers: Headers }>;
  /** Records a body obtained elsewhere (a browser) for the secrets scan. */
  remember(what: string, text: string): void;
  close(): Promise<void>;
}

export type FlowStackOptions = Omit<LocalStackOptions, 'dataDir'>;

/** Starts the whole product on fresh data; the function's and runtime's log lines are dropped. */
export async function startFlowStack(options: FlowStackOptions = {}): Promise<FlowStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-flows-'));
  const functionLogs: string[] = [];
  const restoreStdout = captureFunctionLogs(functionLogs);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ log: () => undefined, lenientLimits: true, ...options, dataDir });
  } catch (error) {
    restoreStdout();
    throw error;
  }
  const seen: SeenResponse[] = [];
  const remember = (what: string, text: string) => void seen.push({ what, text });

  async function call<A extends ActionName>(openid: string, action: A, payload?: Actions[A]['input']): Promise<ActionResult<A>> {
    const result = (await stack.call(openid, action, payload)) as ActionResult<A>;
    remember(`action ${action}`, JSON.stringify(result));
    return result;
  }

  return {
    stack,
    seen,
    functionLogs,
    call,
    async ok(openid, action, payload) {
      const result = await call(openid, action, payload);
      if (!result.ok) throw new Error(`${action} failed: ${result.error.code} ${result.error.message}`);
      return result.data;
    },
    async doc(collection, id) {
      // doc(id).get() fails on a missing document, as in WeChat's cloud: query by _id instead.
      const { data } = await stack.cloud.db.collection(collection).where({ _id: id }).limit(1).get();
      return (data[0] ?? null) as never;
    },
    async docs(collection, where = {}) {
      return (await allDocs(stack, collection, where)) as never;
    },
    async page(url, init) {
      const response = await fetch(url, init);
      const html = await response.text();
      remember(`page ${new URL(url).pathname}${new URL(url).search}`, html);
      return { status: response.status, html, headers: response.headers };
    },
    remember,
    async close() {
      await stack.close();
      restoreStdout();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The bundle runs in the main context and logs with its `console.log`, i.e. straight to the
 * process's stdout: take its JSON lines from there, let everything else through.
 */
function captureFunctionLogs(into: string[]): () => void {
  const stdout = process.stdout;
  const original = stdout.write;
  const patched = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    if (text.startsWith('{"level":')) {
      into.push(...text.split('\n').filter(Boolean));
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    }
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  };
  stdout.write = patched;
  return () => {
    if (stdout.write === patched) stdout.write = original;
  };
}

/** Polls until `probe` returns something truthy (pushes are delivered in the background). */
export async function eventually<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every push the emulator has sent so far was answered (or given up). */
export async function pushesSettled(stack: LocalStack): Promise<void> {
  await eventually(
    () => stack.openPlatform.pushes.every((push) => push.delivered || push.reason !== undefined),
    'pushes to settle',
  );
}

/** Undoes the HTML escaping of an attribute value (`&amp;`, `&#38;`…). */
export function unescapeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The WeChat PC link our entry page points at (its `#go` button). */
export function entryTarget(entryHtml: string): string {
  const match = /<a id="go"[^>]*href="([^"]+)"/.exec(entryHtml);
  if (!match) throw new Error('the entry page has no #go link');
  return unescapeHtml(match[1]);
}
