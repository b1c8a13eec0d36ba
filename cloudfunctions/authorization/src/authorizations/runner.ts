import type { ClaimToken } from '../claims';
import type { AuthCodesRepository, StoredCode } from '../repositories/authCodesRepository';
import { perform, type EffectDeps } from './effects';
import { RESTING_STAGES, type CodeInput, type CodeRecord, type Question, type Step } from './stages';
import { decide } from './transitions';

export interface RunnerDeps extends EffectDeps {
  codes: AuthCodesRepository;
  ask: (question: Question) => Promise<CodeInput>;
}

const TURN: CodeInput = { kind: 'turn' };

/**
 * One holder's run over one code record: asks `decide` what to do, performs it, feeds WeChat's
 * answers back in, until the record rests or the claim is lost. Every write of the record carries
 * the claim token, so once the claim is taken over (by another instance, or a later run of this
 * one) nothing this run writes lands.
 */
export class CodeRunner {
  constructor(
    private readonly deps: RunnerDeps,
    private readonly id: string,
    private readonly token: ClaimToken,
  ) {}

  /** Runs from `first` (a turn, or the timer giving up); the record as it is afterwards. */
  async advance(first: CodeInput = TURN): Promise<StoredCode | null> {
    const { codes } = this.deps;
    let input = first;
    try {
      for (;;) {
        const stored = await codes.get(this.id);
        if (!stored || stored.claim.leaseOwner !== this.token || stored.claim.claimState !== 'in_progress') return stored;
        if (!(await this.turn(stored.record, input))) return codes.get(this.id);
        input = TURN;
      }
    } catch (error) {
      // Transient (WeChat or the database): give the claim back, so the next input finishes it.
      await codes.release(this.id, this.token);
      throw error;
    }
  }

  /** One input and the questions it leads to; true when the record moved and needs another turn. */
  private async turn(record: CodeRecord, input: CodeInput): Promise<boolean> {
    let current = record;
    let decision = decide(record, input, this.deps.now());
    let moved = false;
    for (;;) {
      const after = await this.performAll(decision.steps, current);
      if (!after) return false;
      moved ||= after !== current;
      current = after;
      if (!decision.ask) break;
      decision = decide(current, await this.deps.ask(decision.ask), this.deps.now());
    }
    return moved && !RESTING_STAGES.includes(current.stage);
  }

  /** The record after the steps, or null when a write found the claim lost. */
  private async performAll(steps: Step[], record: CodeRecord): Promise<CodeRecord | null> {
    const { codes } = this.deps;
    let current = record;
    for (const step of steps) {
      if (step.do === 'write') {
        if (!(await codes.write(this.id, this.token, step.record))) return null;
        current = step.record;
      } else if (step.do === 'fence') {
        if (!(await codes.fence(this.id, this.token))) return null;
      } else {
        await perform(this.deps, step);
      }
    }
    return current;
  }
}
