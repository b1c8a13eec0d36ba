import type { ClaimToken } from '../claims';
import type { AuthCodesRepository, StoredCode } from '../repositories/authCodesRepository';
import { runWorkflow, type ClaimedRecord, type Workflow } from '../workflow/workflow';
import { perform, type EffectDeps } from './effects';
import { RESTING_STAGES, type CodeInput, type CodeRecord, type Effect, type Question } from './stages';
import { decide } from './transitions';

export interface RunnerDeps extends EffectDeps {
  codes: AuthCodesRepository;
  ask: (question: Question) => Promise<CodeInput>;
}

/** The authorization of one code, in the house's workflow shape. */
export const CODE_WORKFLOW: Workflow<CodeRecord, CodeInput, Effect, Question> = {
  decide,
  turn: { kind: 'turn' },
  rests: (record) => RESTING_STAGES.includes(record.stage),
};

/**
 * One holder's run over one code record, from `first` (a turn, or the timer giving up); the record
 * as it is afterwards. Every write carries the claim token, so once the claim is taken over (by
 * another instance, or a later run of this one) nothing this run writes lands.
 */
export async function runCode(deps: RunnerDeps, id: string, token: ClaimToken, first?: CodeInput): Promise<StoredCode | null> {
  const { codes } = deps;
  const claimed: ClaimedRecord<CodeRecord> = {
    read: async () => {
      const stored = await codes.get(id);
      const held = stored?.claim.leaseOwner === token && stored.claim.claimState === 'in_progress';
      return held ? stored.record : null;
    },
    write: (record) => codes.write(id, token, record),
    fence: () => codes.fence(id, token),
    release: () => codes.release(id, token),
  };
  const effects = { perform: (step: Effect) => perform(deps, step), ask: deps.ask, now: deps.now };
  await runWorkflow({ workflow: CODE_WORKFLOW, claimed, ...effects }, first);
  return codes.get(id);
}
