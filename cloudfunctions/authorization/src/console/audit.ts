/**
 * The audit log of admin changes (issue 20): every change made from the console or the admin page
 * is written before it runs (outcome `started`) and finished after, so a run that dies midway
 * still leaves who tried what and when. No entry, no change: a failed first write refuses it.
 */
import { randomBytes } from 'node:crypto';
import type { ActionName, Actions } from '../../../../typings/api';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Repositories } from '../repositories';
import { ticketReference } from './signin';

export interface AuditDeps {
  repositories: Pick<Repositories, 'consoleAudit'>;
  log: Logger;
  now: () => number;
}

export interface AuditEntry {
  openid: string;
  source: 'console' | 'miniprogram';
  action: string;
  target: string;
}

export async function audited<T>(deps: AuditDeps, entry: AuditEntry, run: () => Promise<T>): Promise<T> {
  const at = deps.now();
  const id = entryId(at);
  const log = deps.repositories.consoleAudit;
  await log.start({ _id: id, at, ...entry, outcome: 'started', detail: null });
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await finish(deps, id, 'failed', error instanceof AppError ? error.message : '服务出错');
    throw error;
  }
  await finish(deps, id, 'ok', null);
  return result;
}

/**
 * For the one change that creates the log's own collection (setupDatabase): run it, then record
 * it once, finished. Before it ran there is nowhere to write, so a crash midway leaves no entry.
 */
export async function auditedAfter<T>(deps: AuditDeps, entry: AuditEntry, run: () => Promise<T>): Promise<T> {
  const at = deps.now();
  const record = async (outcome: 'ok' | 'failed', detail: string | null) => {
    try {
      await deps.repositories.consoleAudit.start({ _id: entryId(at), at, ...entry, outcome, detail });
    } catch (error) {
      deps.log.warn('audit write failed', { reason: error instanceof Error ? error.name : 'error' });
    }
  };
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await record('failed', error instanceof AppError ? error.message : '服务出错');
    throw error;
  }
  await record('ok', null);
  return result;
}

// Time first, so ids sort like the log; the random tail keeps two entries of one millisecond apart.
const entryId = (at: number) => `${at.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;

async function finish(deps: AuditDeps, id: string, outcome: 'ok' | 'failed', detail: string | null): Promise<void> {
  try {
    await deps.repositories.consoleAudit.finish(id, outcome, detail);
  } catch (error) {
    // The change happened (or failed) either way; the entry keeps saying `started`.
    deps.log.warn('audit finish failed', { reason: error instanceof Error ? error.name : 'error' });
  }
}

/** What an action acted on, in words for the log (never a ticket or a secret). */
export function auditTarget(action: ActionName, input: unknown): string {
  if (action === 'shipJobCommand') {
    const command = input as Actions['shipJobCommand']['input'];
    return [command.jobId, command.action, 'appid' in command ? command.appid : undefined].filter(Boolean).join(' · ');
  }
  if (action === 'consoleSignInConfirm') {
    const { ticket, approve } = input as Actions['consoleSignInConfirm']['input'];
    return `登录请求 ${ticketReference(ticket)} · ${approve ? '批准' : '拒绝'}`;
  }
  if (action === 'testAuthorizerCall') return (input as Actions['testAuthorizerCall']['input']).appid;
  return '第三方平台';
}
