/**
 * Errors the shipping commands show to a person. They never carry a secret, a token or the
 * content of a key: only names, paths and where to get what is missing.
 */
export class ShipError extends Error {
  constructor(
    message: string,
    /** Extra lines printed under the message (e.g. the compiler's last log lines). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ShipError';
  }
}

/** One input a command needs and where a person gets it. */
export interface MissingInput {
  name: string;
  problem: string;
  where: string;
}

/** Everything missing at once, so one run tells the whole story. */
export class MissingInputsError extends ShipError {
  constructor(
    readonly command: string,
    readonly missing: MissingInput[],
  ) {
    super(
      `${command}: cannot start, ${missing.length === 1 ? 'one input is' : `${missing.length} inputs are`} missing or wrong:\n` +
        missing.map((m) => `  - ${m.name} ${m.problem}.\n      Where: ${m.where}`).join('\n') +
        '\nNothing was built, compiled or sent.',
    );
    this.name = 'MissingInputsError';
  }
}

/** Throws one MissingInputsError when any input is missing. */
export function requireInputs(command: string, missing: Array<MissingInput | undefined>): void {
  const present = missing.filter((m): m is MissingInput => m !== undefined);
  if (present.length > 0) throw new MissingInputsError(command, present);
}
