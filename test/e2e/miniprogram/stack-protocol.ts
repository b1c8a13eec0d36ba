// What stack-process.ts tells its parent: one stdout line, the prefix then JSON. Kept apart from
// the process script so that importing it never starts a stack.
export const READY_PREFIX = 'STACK_READY ';

export interface StackAddresses {
  /** The cloud runtime's origin: POST /callFunction. */
  cloudOrigin: string;
  openPlatformUrl: string;
  publicBaseUrl: string;
}
