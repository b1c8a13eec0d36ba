import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNTS, type TestAccount } from '../emulator/open-platform';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../emulator/stack';
import type { LogSink } from './log-sink';

/** A local stack on a fresh temp data dir, logging to the sink, closed and removed afterwards. */
export async function withBenchStack<T>(
  label: string,
  sink: LogSink,
  options: Omit<LocalStackOptions, 'dataDir' | 'log'>,
  work: (stack: LocalStack) => Promise<T>,
): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${label}-`));
  const stack = await startLocalStack({ lenientLimits: true, ...options, dataDir, log: (line) => sink.write(line) });
  try {
    return await work(stack);
  } finally {
    await stack.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `count` mini-programs that can each authorize once: re-confirming an account already authorized
 * with the same sets sends no push, so every timed authorization needs an account of its own.
 */
export function benchAccounts(count: number): TestAccount[] {
  const template = DEFAULT_ACCOUNTS.find((account) => account.kind === 'mini_program' && account.serviceTypeId === 0);
  if (!template) throw new Error('the emulator fixtures have no ordinary mini-program to copy');
  return Array.from({ length: count }, (_, i) => {
    const hex = (i + 1).toString(16);
    return {
      ...template,
      appid: `wxbe${hex.padStart(14, '0')}`,
      userName: `gh_be${hex.padStart(10, '0')}`,
      nickName: `压测小程序${i + 1}`,
      alias: '',
    };
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
