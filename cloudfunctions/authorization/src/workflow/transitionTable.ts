/**
 * A workflow's transition table (DESIGN: "Workflows"): every move in words and in `decide`'s
 * terms. Each workflow lists its rows with its own stage, input and step names; a unit test runs
 * every row through `decide`, and DESIGN.md shows the table as `renderTransitionTable` writes it.
 */
export interface TransitionRow<Stage extends string, Input extends string, StepName extends string, Ask extends string> {
  id: string;
  from: Stage;
  input: Input;
  /** The case, when the stage and input alone do not decide. */
  when: string;
  happens: string;
  /** The steps `decide` returns, in order, and the question it asks next. */
  steps: StepName[];
  ask?: Ask;
  to: Stage;
}

/** The table as DESIGN.md shows it. */
export function renderTransitionTable(rows: readonly TransitionRow<string, string, string, string>[]): string {
  const lines = ['| stage | input | when | what happens | steps | next stage |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const steps = [...r.steps, ...(r.ask ? [`ask ${r.ask}`] : [])].join(', ') || '—';
    lines.push(`| ${r.from} | ${r.input} | ${r.when || '—'} | ${r.happens} | ${steps} | ${r.to} |`);
  }
  return lines.join('\n');
}
