/**
 * miniprogram-ci logs through console.* (progress, "[error] getwhiteextlist …" when offline).
 * We keep those lines out of our report and hand them back, so a command can show them
 * only when something failed or when asked (--verbose).
 */
type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';
const METHODS: ConsoleMethod[] = ['log', 'info', 'warn', 'error', 'debug'];

export async function withCapturedConsole<T>(work: () => Promise<T>, lines: string[]): Promise<T> {
  const originals = METHODS.map((method) => [method, console[method]] as const);
  for (const method of METHODS) {
    console[method] = (...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : safeStringify(a))).join(' '));
    };
  }
  try {
    return await work();
  } finally {
    for (const [method, original] of originals) console[method] = original;
  }
}

function safeStringify(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The last lines of a capture, without terminal colour codes. */
export function tail(lines: string[], count = 15): string[] {
  // eslint-disable-next-line no-control-regex
  return lines.slice(-count).map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''));
}
