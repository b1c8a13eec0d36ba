/**
 * `npm run rehearse`'s engine: runs the emulator's replay of WeChat's 全网发布 test against the
 * local stack (started here, fresh data) or against a deployed function whose WX_API_BASE_URL
 * points at an emulator started here, and prints the result the way WeChat's result page lists it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PortListener } from '../../emulator/listener';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../emulator/stack';
import {
  KIND_NAMES,
  startOpenPlatform,
  type ComponentConfig,
  type OpenPlatformEmulator,
  type RehearsalOptions,
  type RehearsalReport,
} from '../../emulator/open-platform';

/** The merchant the rehearsal acts for when it makes the local platform create a pre_auth_code. */
export const REHEARSAL_MERCHANT = 'rehearsal-merchant-openid';

export type TestOptions = Omit<RehearsalOptions, 'requestPreAuthCode'>;

/** Makes the local platform create a pre_auth_code, as a merchant starting an authorization does. */
export function preAuthCodeRequester(stack: LocalStack): () => Promise<void> {
  return async () => {
    const result = (await stack.call(REHEARSAL_MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' })) as {
      ok: boolean;
      error?: { message: string };
    };
    if (!result.ok) throw new Error(result.error?.message ?? 'createAuthSession failed');
  };
}

/** Against the whole product on this machine. */
export async function rehearseLocally(
  options: TestOptions,
  stackOptions: Partial<Omit<LocalStackOptions, 'dataDir'>> = {},
): Promise<RehearsalReport> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-'));
  const stack = await startLocalStack({ log: () => undefined, ...stackOptions, dataDir });
  try {
    return await stack.openPlatform.rehearse({ ...options, requestPreAuthCode: preAuthCodeRequester(stack) });
  } finally {
    await stack.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface RemoteTarget {
  /** The deployed function's PUBLIC_BASE_URL. */
  baseUrl: string;
  component: Pick<ComponentConfig, 'appId' | 'appSecret' | 'token' | 'encodingAesKey'>;
  /** Where this machine's emulator listens: a host and port, or a port bound beforehand. */
  host: string;
  port: number;
  listener?: PortListener;
  /** How long to wait for someone to start an authorization (预授权码). Default 60 s. */
  preAuthWaitMs?: number;
  /** Starts that authorization (tests); default: ask the person at the terminal. */
  startAuthorization?: () => Promise<void>;
}

/** Waits until the deployment obtains a pre_auth_code from this emulator (someone taps 立即授权). */
function awaitPreAuthCode(emulator: OpenPlatformEmulator, target: RemoteTarget): () => Promise<void> {
  return async () => {
    const since = emulator.clock.now();
    const start =
      target.startAuthorization ??
      (async () => void process.stderr.write('预授权码：请现在在小程序里点一次「立即授权」（或打开授权入口页）…\n'));
    await start();
    const deadline = Date.now() + (target.preAuthWaitMs ?? 60_000);
    while (Date.now() < deadline) {
      if (emulator.calls.some((call) => call.api === 'api_create_preauthcode' && call.errcode === 0 && call.at >= since)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
}

/**
 * Against a deployment: this machine plays WeChat, so the function must call this emulator
 * (its WX_API_BASE_URL) and the emulator must reach the function.
 */
export async function rehearseRemote(target: RemoteTarget, options: TestOptions): Promise<RehearsalReport> {
  const emulator: OpenPlatformEmulator = await startOpenPlatform({
    host: target.host,
    port: target.port,
    listener: target.listener,
    ticketPushIntervalSeconds: 0,
    component: { ...target.component, authEventUrl: `${target.baseUrl}/push`, messageUrl: `${target.baseUrl}/message/$APPID$` },
  });
  try {
    await emulator.pushTicket();
    return await emulator.rehearse({ ...options, requestPreAuthCode: awaitPreAuthCode(emulator, target) });
  } finally {
    await emulator.close();
  }
}

/**
 * Against a stack that is already running (`npm start`): drives its emulator's admin API. With
 * the runtime's URL, a merchant first starts an authorization there, so 预授权码 has one to see.
 */
export async function rehearseRunning(
  emulatorUrl: string,
  cloudUrl: string | undefined,
  options: TestOptions,
): Promise<RehearsalReport> {
  if (cloudUrl) {
    const response = await fetch(`${cloudUrl}/callFunction`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'authorization',
        openid: REHEARSAL_MERCHANT,
        data: { action: 'createAuthSession', payload: { authType: 3, channel: 'plugin' } },
      }),
    });
    const answer = (await response.json()) as { result?: { ok?: boolean } };
    if (!answer.result?.ok) throw new Error(`createAuthSession through ${cloudUrl} failed`);
  }
  const response = await fetch(`${emulatorUrl}/__emulator/release/rehearse`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(options),
  });
  const answer = (await response.json()) as { ok: boolean; report?: RehearsalReport; error?: string };
  if (!answer.ok || !answer.report)
    throw new Error(`the emulator at ${emulatorUrl} refused the rehearsal: ${answer.error ?? response.status}`);
  return answer.report;
}

const MARK = { pass: '通过', fail: '未通过', skip: '跳过' };

/** One block per test account, items in the result page's order. */
export function formatReport(report: RehearsalReport): string {
  const lines = [`全网发布检测（本地演练）· 平台勾选的权限集：${report.selectedFuncIds.join(',') || '无'}`];
  for (const test of report.tests) {
    lines.push(
      '',
      `第 ${test.group} 组 · ${KIND_NAMES[test.kind]} ${test.appid} (${test.userName}) · ${test.ok ? MARK.pass : MARK.fail}`,
    );
    for (const item of test.items) {
      const mark = item.skipped ? MARK.skip : item.ok ? MARK.pass : MARK.fail;
      lines.push(`  ${item.ok ? '✔' : '✘'} ${pad(item.name, 26)}${pad(mark, 6)}${item.detail}`);
    }
  }
  const failed = report.tests.flatMap((test) =>
    test.items.filter((item) => !item.ok).map((item) => `第 ${test.group} 组${KIND_NAMES[test.kind]}「${item.name}」`),
  );
  lines.push('', report.ok ? '检测结果：全部通过' : `检测结果：${failed.length} 项未通过：${failed.join('、')}`);
  return `${lines.join('\n')}\n`;
}

/** Pads by display width (CJK characters count two). */
function pad(text: string, width: number): string {
  const shown = [...text].reduce((sum, ch) => sum + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  return text + ' '.repeat(Math.max(1, width - shown));
}
