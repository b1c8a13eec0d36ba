import { createHash } from 'node:crypto';
import type { ShipCreateInput } from '../../../../clients/broker-client/src/wire';
import { invalidInput } from '../errors';
import type { ShipJobDoc } from '../model';
import type { Repositories } from '../repositories';
import { CODE_MANAGEMENT_SET } from './answers';
import { NEVER, shipItemIdFor, type ShipPlan } from './stages';
import { grayScheduleOf, waveOf } from './waves';

/*
 * Starting a job (the broker's `ship` operation and the admin action call this): the plan
 * checked, the targets resolved, one queued item per merchant with the values kept for it (a
 * page of merchants per read and per write), then the job, running. Items come first: the timer
 * moves only the items of a job that exists, and a creation that died half-way is finished by
 * the same call again (the job id comes from userVersion; items already written are kept).
 */

/** The job as ops and the admin page ask for it (the broker's wire type is the contract). */
export type ShipJobInput = ShipCreateInput;

export interface CreateJobDeps {
  repositories: Pick<Repositories, 'authorizers' | 'shipItems' | 'shipJobs' | 'merchantShipValues'>;
  now: () => number;
}

const APPID = /^wx[0-9a-zA-Z]{16}$/;
const MAX_TARGETS = 100_000;
const PAGE = 100;

/** One job per userVersion: its id is derived from it, so a second job with it is refused. */
export const shipJobIdFor = (userVersion: string) =>
  `ship-${createHash('sha256').update(userVersion).digest('hex').slice(0, 24)}`;

export async function createShipJob(deps: CreateJobDeps, input: ShipJobInput): Promise<{ jobId: string; targets: number }> {
  const plan = planOf(input);
  const { shipJobs, shipItems, merchantShipValues } = deps.repositories;
  const jobId = shipJobIdFor(plan.userVersion);
  if (await shipJobs.get(jobId)) throw invalidInput(`版本号 ${plan.userVersion} 已有发布任务`);
  const targets = input.targets === 'all' ? await everyShippable(deps) : checkedTargets(input.targets);
  if (targets.length === 0) throw invalidInput('没有可发布的小程序');
  const waveSizes = input.waveSizes?.length ? input.waveSizes.map((n) => Math.max(1, Math.floor(n))) : [targets.length];
  const now = deps.now();
  // A page of merchants at a time: their values in one read, their items in one write.
  for (let start = 0; start < targets.length; start += PAGE) {
    const page = targets.slice(start, start + PAGE);
    const values = await merchantShipValues.getMany(page);
    const items = page.map((appid, i) => ({
      id: shipItemIdFor(jobId, appid),
      jobId,
      appid,
      wave: waveOf(start + i, waveSizes),
      plan,
      values: values.get(appid) ?? {},
      createdAt: now,
      dueAt: NEVER,
      stage: 'queued' as const,
    }));
    await shipItems.enqueueMany(items);
  }
  if (!(await shipJobs.create(jobDoc(jobId, plan, targets, waveSizes, input, now))))
    throw invalidInput(`版本号 ${plan.userVersion} 已有发布任务`);
  return { jobId, targets: targets.length };
}

function planOf(input: ShipJobInput): ShipPlan {
  if (!Number.isInteger(input.templateId) || input.templateId < 0) throw invalidInput('模板 ID 无效');
  const userVersion = String(input.userVersion ?? '').trim();
  if (!userVersion || userVersion.length > 64) throw invalidInput('版本号必填，且不超过 64 个字符');
  const extJsonTemplate = input.extJsonTemplate;
  if (!extJsonTemplate || typeof extJsonTemplate !== 'object' || Array.isArray(extJsonTemplate))
    throw invalidInput('ext_json 模板须是 JSON 对象');
  return {
    templateId: input.templateId,
    userVersion,
    userDesc: String(input.userDesc ?? ''),
    versionDesc: String(input.versionDesc ?? ''),
    extJsonTemplate,
    release: input.release === 'command' ? 'command' : 'auto',
    grayPercentage: grayOf(input.grayPercentage),
    ...grayScheduleOf(input),
    privacyApiNotUse: input.privacyApiNotUse === true,
  };
}

function grayOf(gray: number | null | undefined): number | null {
  if (gray === undefined || gray === null) return null;
  if (!(Number.isInteger(gray) && gray >= 1 && gray <= 100)) throw invalidInput('灰度比例须为 1–100');
  return gray;
}

function checkedTargets(appids: string[]): string[] {
  const unique = [...new Set(appids)];
  const bad = unique.find((appid) => !APPID.test(appid));
  if (bad !== undefined) throw invalidInput(`appid 无效：${bad}`);
  if (unique.length > MAX_TARGETS) throw invalidInput(`一次最多 ${MAX_TARGETS} 个小程序`);
  return unique;
}

/** Every active mini-program that granted code management, in appid order. */
async function everyShippable(deps: CreateJobDeps): Promise<string[]> {
  const appids: string[] = [];
  for (let after = ''; appids.length < MAX_TARGETS;) {
    const page = await deps.repositories.authorizers.activeWithSet('mini_program', CODE_MANAGEMENT_SET, after, PAGE);
    // The last page is the empty one: a short page may only be the database's cap (spec §3).
    if (page.length === 0) break;
    appids.push(...page.map((doc) => doc._id));
    after = page[page.length - 1]._id;
  }
  return appids;
}

function jobDoc(
  id: string,
  plan: ShipPlan,
  targets: string[],
  waveSizes: number[],
  input: ShipJobInput,
  now: number,
): ShipJobDoc {
  return {
    _id: id,
    plan,
    targets,
    waveSizes,
    rejectionThreshold: input.rejectionThreshold ?? 0.5,
    quotaReserve: Math.max(0, input.quotaReserve ?? 0),
    state: 'running',
    pause: null,
    pausedAt: null,
    openWave: -1,
    submitBudget: 0,
    counts: { queued: targets.length },
    createdAt: now,
    updatedAt: now,
  };
}
