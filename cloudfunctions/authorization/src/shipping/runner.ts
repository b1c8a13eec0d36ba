import type { ClaimToken } from '../claims';
import type { Logger } from '../logger';
import type { ShipItemsRepository, StoredShipItem } from '../repositories/shipItemsRepository';
import { runWorkflow, type ClaimedRecord, type Workflow } from '../workflow/workflow';
import { askShip, type AnswerDeps } from './answers';
import { RESTING_STAGES, type ShipEffect, type ShipInput, type ShipItem, type ShipQuestion, type ShipReason } from './stages';
import { decide } from './transitions';

/** What the runner needs of the wiring (`ShipItemsRepository` and `ShipJobsRepository` satisfy theirs). */
export interface ShipRunnerDeps extends AnswerDeps {
  items: Pick<ShipItemsRepository, 'get' | 'claim' | 'write' | 'fence' | 'release'>;
  /** Pauses the whole job with WeChat's reason (only a running job). */
  pauseJob(jobId: string, reason: ShipReason): Promise<unknown>;
  log: Logger;
  now(): number;
}

/** How long a holder may take before the timer takes the item over (a few WeChat calls). */
export const SHIP_CLAIM_TTL_MS = 60_000;

/** One merchant's shipment, in the house's workflow shape. */
export const SHIP_WORKFLOW: Workflow<ShipItem, ShipInput, ShipEffect, ShipQuestion> = {
  decide,
  turn: { kind: 'turn' },
  rests: (item) => RESTING_STAGES.includes(item.stage),
};

/**
 * Claims the item and runs it from `first` (a turn, an audit event, a command); the item as it is
 * afterwards, or null when someone else holds it or it is settled (a turn then is theirs to take).
 */
export async function moveShipItem(deps: ShipRunnerDeps, id: string, first?: ShipInput): Promise<StoredShipItem | null> {
  const token = await deps.items.claim(id, SHIP_CLAIM_TTL_MS);
  return token ? runShipItem(deps, id, token, first) : null;
}

/**
 * One holder's run over one item. Every write carries the claim token, so once the claim is taken
 * over nothing this run writes lands. The claim is given back at the end: the item's `dueAt`, not
 * the claim, says when the timer comes back.
 */
export async function runShipItem(deps: ShipRunnerDeps, id: string, token: ClaimToken, first?: ShipInput) {
  const { items } = deps;
  const claimed: ClaimedRecord<ShipItem> = {
    read: async () => {
      const stored = await items.get(id);
      const held = stored?.claim.leaseOwner === token && stored.claim.claimState === 'in_progress';
      return held ? stored.record : null;
    },
    write: (record) => items.write(id, token, record),
    fence: () => items.fence(id, token),
    release: () => items.release(id, token),
  };
  const run = { perform: (step: ShipEffect) => perform(deps, step), ask: (q: ShipQuestion) => askShip(deps, q), now: deps.now };
  await runWorkflow({ workflow: SHIP_WORKFLOW, claimed, ...run }, first);
  await items.release(id, token);
  return items.get(id);
}

/** Performs a step that lands outside the item's record. */
async function perform(deps: ShipRunnerDeps, step: ShipEffect): Promise<void> {
  switch (step.do) {
    case 'pause_job':
      deps.log.warn('ship job paused', { jobId: step.jobId, errcode: step.reason.errcode, reason: step.reason.message });
      await deps.pauseJob(step.jobId, step.reason);
      return;
    case 'warn':
      return deps.log.warn(step.message, { appid: step.appid, errcode: step.errcode });
  }
}
