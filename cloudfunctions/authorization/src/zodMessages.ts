import type { core } from 'zod/mini';

/** zod's text for an issue that no schema words; our describers word such issues themselves. */
export const UNWORDED = 'Invalid input';

/**
 * Options for every parse in the function: an issue that no schema words gets UNWORDED, never a
 * message from zod's global configuration. That configuration lives on globalThis, shared by every
 * copy of zod in the process (playwright-core's sets English locale messages), so without this our
 * Chinese input errors would depend on whatever else is loaded.
 */
export const OWN_MESSAGES = { error: () => UNWORDED } satisfies core.ParseContext<core.$ZodIssue>;
