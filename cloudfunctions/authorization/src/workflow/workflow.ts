/**
 * The house's shape for long-running work (DESIGN: "Workflows"): a record per unit of work, one
 * type per stage, one pure `decide(record, input, now)` that returns the steps to perform and the
 * question to ask next, and this runner, which performs them while its claim on the record holds.
 * The authorization of a code is the first workflow written this way; shipping to merchants is next.
 */

/** Steps every workflow has: move the record (under the claim), or prove the claim still holds. */
export type RecordStep<R> = { do: 'write'; record: R } | { do: 'fence' };

export interface Decision<R, S, Q> {
  /** Performed in order; a record step that finds the claim lost stops the run. */
  steps: (RecordStep<R> | S)[];
  /** Asked once the steps are done; the answer is the next input. */
  ask?: Q;
}

export interface Workflow<R, I, S, Q> {
  decide(record: R, input: I, now: number): Decision<R, S, Q>;
  /** The input a holder gives a record on its turn (an arrival, the poll, the timer). */
  turn: I;
  /** The record waits for an outside input (or is settled): the run ends. */
  rests(record: R): boolean;
}

/** One record under one claim: reads and writes that land only while the claim is held. */
export interface ClaimedRecord<R> {
  /** The record, or null when the claim is no longer held. */
  read(): Promise<R | null>;
  write(record: R): Promise<boolean>;
  fence(): Promise<boolean>;
  /** Gives the claim back unfinished: the next input carries on. */
  release(): Promise<void>;
}

export interface WorkflowRun<R, I, S, Q> {
  workflow: Workflow<R, I, S, Q>;
  claimed: ClaimedRecord<R>;
  /** Performs a step that lands outside the record. */
  perform(step: S): Promise<void>;
  /** Asks the outside world (WeChat); transient failures are thrown. */
  ask(question: Q): Promise<I>;
  now(): number;
}

/**
 * Runs turns from `first` until the record rests, nothing moves, or the claim is lost. A thrown
 * error (transient: WeChat or the database) gives the claim back before it goes on up.
 */
export async function runWorkflow<R, I, S extends { do: string }, Q>(run: WorkflowRun<R, I, S, Q>, first?: I): Promise<void> {
  let input = first ?? run.workflow.turn;
  try {
    for (;;) {
      const record = await run.claimed.read();
      if (!record || !(await turn(run, record, input))) return;
      input = run.workflow.turn;
    }
  } catch (error) {
    await run.claimed.release();
    throw error;
  }
}

/** One input and the questions it leads to; true when the record moved and needs another turn. */
async function turn<R, I, S extends { do: string }, Q>(run: WorkflowRun<R, I, S, Q>, record: R, input: I): Promise<boolean> {
  let current = record;
  let decision = run.workflow.decide(record, input, run.now());
  let moved = false;
  for (;;) {
    const after = await performAll(run, decision.steps, current);
    if (after === null) return false;
    moved ||= after !== current;
    current = after;
    if (decision.ask === undefined) break;
    decision = run.workflow.decide(current, await run.ask(decision.ask), run.now());
  }
  return moved && !run.workflow.rests(current);
}

/** The record after the steps, or null when a record step found the claim lost. */
async function performAll<R, I, S extends { do: string }, Q>(
  run: WorkflowRun<R, I, S, Q>,
  steps: (RecordStep<R> | S)[],
  record: R,
): Promise<R | null> {
  let current = record;
  for (const step of steps) {
    if (isRecordStep<R>(step)) {
      const held = step.do === 'write' ? await run.claimed.write(step.record) : await run.claimed.fence();
      if (!held) return null;
      if (step.do === 'write') current = step.record;
    } else {
      await run.perform(step);
    }
  }
  return current;
}

function isRecordStep<R>(step: { do: string }): step is RecordStep<R> {
  return step.do === 'write' || step.do === 'fence';
}
