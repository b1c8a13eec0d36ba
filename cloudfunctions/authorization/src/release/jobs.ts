import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { App } from '../app';
import { releaseLease, tryAcquireLease } from '../lease';
import type { ReleaseJobDoc } from '../model';
import { categoryOf, isCodeError, isOpenApiError } from '../openapi/errors';
import { sendCustomText, type CustomSendResult } from './customSend';
import { saveTestAccountTokens, testAccountToken } from './testAccountStore';

/** What a job needs of the function's wiring. */
export type JobDeps = Pick<App, 'repositories' | 'now' | 'instanceId' | 'config' | 'upstream' | 'log'>;

export const JOB_PATH_SEGMENT = 'release-jobs';
const MAX_ATTEMPTS = 3;
/** Authorization codes live an hour at most; a job older than that cannot succeed. */
const JOB_LIFETIME_MS = 3600_000;
const LEASE_TTL_MS = 15_000;
/** How long the answering run waits for its self-call to leave the machine. */
const KICK_WAIT_MS = 1000;
/**
 * WeChat's test waits seconds for the customer-service message (the rehearsal: 10 s from the
 * message), so a transient failure (-1 system busy, no answer) is retried at once, inside this run,
 * while the job is younger than this; later it is the timer's (every 5 minutes: too late for the
 * test, still right for the job). 8 s leaves the last try (≤ API_TIMEOUT_MS) inside the lease.
 */
const SEND_RETRY_WINDOW_MS = 8000;
const SEND_RETRY_DELAYS_MS = [300, 1000, 2000];

export const jobIdFor = (code: string) => createHash('sha256').update(code).digest('hex');

/** Records the job once (a retried message finds the same one) and returns its id. */
export async function recordJob(app: JobDeps, input: { appid: string; touser: string; code: string }): Promise<string> {
  const id = jobIdFor(input.code);
  await app.repositories.releaseJobs.create({
    _id: id,
    ...input,
    state: 'pending',
    exchanged: false,
    attempts: 0,
    error: null,
    createdAt: app.now(),
    finishedAt: null,
    leaseOwner: '',
    leaseUntil: 0,
  } satisfies ReleaseJobDoc);
  return id;
}

/**
 * Starts the second invocation: waits only until the request is written (never for its answer,
 * which comes when the job is done), so this run can answer WeChat at once.
 */
export function kickJob(publicBaseUrl: string, id: string): Promise<void> {
  const url = new URL(`${publicBaseUrl}/${JOB_PATH_SEGMENT}/${id}`);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, KICK_WAIT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const request = transport.request(url, { method: 'POST', headers: { 'content-length': 0 } });
    request.on('error', done); // the timer finishes the job instead
    request.on('response', (response) => response.resume());
    request.on('finish', done);
    request.end();
  });
}

export type JobRun = 'done' | 'failed' | 'pending' | 'busy' | 'unknown';

/** Runs one job under a lease; safe to call from any number of invocations at once. */
export async function runJob(app: JobDeps, id: string): Promise<JobRun> {
  const { releaseJobs } = app.repositories;
  const doc = await releaseJobs.get(id);
  if (!doc) return 'unknown';
  if (doc.state !== 'pending') return doc.state;
  const lease = releaseJobs.lease(id, app.instanceId, app.now, LEASE_TTL_MS);
  const token = await tryAcquireLease(lease);
  if (!token) return 'busy';
  try {
    const fresh = await releaseJobs.get(id);
    if (!fresh || fresh.state !== 'pending') return fresh?.state ?? 'unknown';
    return await attempt(app, fresh);
  } finally {
    await releaseLease(lease, token);
  }
}

async function attempt(app: JobDeps, job: ReleaseJobDoc): Promise<JobRun> {
  if (app.now() - job.createdAt > JOB_LIFETIME_MS || !job.code) return finish(app, job, 'failed', 'expired');
  try {
    const token = await exchangeOnce(app, job);
    const sent = await sendWithQuickRetries(app, job, token, job.code);
    if (sent.ok) return finish(app, job, 'done', null);
    return retryLater(app, job, `custom send errcode ${sent.errcode}`);
  } catch (error) {
    if (isCodeError(error)) return finish(app, job, 'failed', `api_query_auth errcode ${error.errcode}`);
    return retryLater(app, job, isOpenApiError(error) ? `${error.api} errcode ${error.errcode}` : 'internal error');
  }
}

/** Sends the message; a transient failure is tried again within seconds while WeChat still waits. */
async function sendWithQuickRetries(app: JobDeps, job: ReleaseJobDoc, token: string, code: string): Promise<CustomSendResult> {
  const send = () =>
    sendCustomText(
      { apiBaseUrl: app.config.apiBaseUrl, timeoutMs: app.config.apiTimeoutMs },
      token,
      job.touser,
      `${code}_from_api`,
    );
  let sent = await send();
  for (const delay of SEND_RETRY_DELAYS_MS) {
    if (sent.ok || categoryOf(sent.errcode) !== 'transient') break;
    if (app.now() + delay - job.createdAt > SEND_RETRY_WINDOW_MS) break;
    app.log.warn('release job send retry', { appid: job.appid, errcode: sent.errcode });
    await new Promise((resolve) => setTimeout(resolve, delay));
    sent = await send();
  }
  return sent;
}

/** The code is spent once; a retry after a crash uses the token that exchange stored. */
async function exchangeOnce(app: JobDeps, job: ReleaseJobDoc): Promise<string> {
  if (job.exchanged) {
    const kept = await testAccountToken(app.repositories.releaseTestAccounts, job.appid, app.now());
    if (kept) return kept;
  }
  const { authorization_info: info } = await app.upstream.component.queryAuth(job.code ?? '');
  if (info.authorizer_appid !== job.appid || !info.authorizer_access_token)
    throw new Error('the code is not for this test account');
  await saveTestAccountTokens(
    app.repositories.releaseTestAccounts,
    job.appid,
    {
      accessToken: info.authorizer_access_token,
      expiresAt: app.now() + (info.expires_in ?? 7200) * 1000,
      refreshToken: info.authorizer_refresh_token ?? null,
    },
    app.now(),
  );
  await app.repositories.releaseJobs.markExchanged(job._id);
  return info.authorizer_access_token;
}

async function retryLater(app: JobDeps, job: ReleaseJobDoc, error: string): Promise<JobRun> {
  if (job.attempts + 1 >= MAX_ATTEMPTS) return finish(app, job, 'failed', error);
  await app.repositories.releaseJobs.noteAttempt(job._id, job.attempts + 1, error);
  app.log.warn('release job retry', { appid: job.appid, reason: error });
  return 'pending';
}

async function finish(app: JobDeps, job: ReleaseJobDoc, state: 'done' | 'failed', error: string | null): Promise<JobRun> {
  await app.repositories.releaseJobs.finish(job._id, state, error, app.now());
  app.log.info('release job', { appid: job.appid, state, reason: error });
  return state;
}

/** The timer's share: jobs whose self-call never arrived or whose run died. */
export async function finishPendingJobs(app: JobDeps): Promise<number> {
  const pending = await app.repositories.releaseJobs.pendingUnheld(app.now(), 20);
  let finished = 0;
  for (const job of pending) if ((await runJob(app, job._id)) === 'done') finished += 1;
  return finished;
}
