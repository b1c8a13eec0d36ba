import type { ShipAction, ShipAnswers, ShipCreateInput, ShipOpInput } from './wire';

/** The `ship` operation's actions as typed methods (a key or secret whose scope has `ship` and appids "*"). */
export interface ShipClient {
  /** A new release job; answers its id and how many merchants it targets. */
  create(job: ShipCreateInput): Promise<ShipAnswers['create']>;
  /** The job, its merchants per stage, and a page of the ones that stopped with WeChat's reason and what to do. */
  status(jobId: string, page?: { offset?: number; limit?: number }): Promise<ShipAnswers['status']>;
  pause(jobId: string, reason: string): Promise<ShipAnswers['pause']>;
  resume(jobId: string): Promise<ShipAnswers['resume']>;
  /** Releases the approved merchants (or one); a percentage releases gray where an online version exists. */
  release(jobId: string, options?: { appid?: string; percentage?: number | null }): Promise<ShipAnswers['release']>;
  rollback(jobId: string, options?: { appid?: string }): Promise<ShipAnswers['rollback']>;
  /** Starts the failed merchants (or one) again from their readiness. */
  retry(jobId: string, options?: { appid?: string }): Promise<ShipAnswers['retry']>;
  /** Replaces one merchant's values for the ext_json templates. */
  values(appid: string, values: Record<string, string>): Promise<ShipAnswers['values']>;
  /** The templates running and paused jobs ship (never to be deleted while they run). */
  templates(): Promise<ShipAnswers['templates']>;
}

export type ShipSender = <A extends ShipAction>(input: Extract<ShipOpInput, { action: A }>) => Promise<ShipAnswers[A]>;

export function shipClientOf(send: ShipSender): ShipClient {
  return {
    create: (job) => send({ action: 'create', ...job }),
    status: (jobId, page = {}) => send({ action: 'status', jobId, ...page }),
    pause: (jobId, reason) => send({ action: 'pause', jobId, reason }),
    resume: (jobId) => send({ action: 'resume', jobId }),
    release: (jobId, options = {}) => send({ action: 'release', jobId, ...options }),
    rollback: (jobId, options = {}) => send({ action: 'rollback', jobId, ...options }),
    retry: (jobId, options = {}) => send({ action: 'retry', jobId, ...options }),
    values: (appid, values) => send({ action: 'values', appid, values }),
    templates: () => send({ action: 'templates' }),
  };
}
