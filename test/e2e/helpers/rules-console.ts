/**
 * The cloud function bundle is evaluated with `vm.runInThisContext`, so its `console` is the
 * Node main context's, not the one jest gives each test file. This captures (and silences) that
 * console and the real stdout/stderr, which together are everything the function can print.
 */
import { format } from 'node:util';
import vm from 'node:vm';

export interface CapturedOutput {
  /** Every line written since `captureFunctionOutput()`. */
  readonly lines: string[];
  text(): string;
  restore(): void;
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export function captureFunctionOutput(): CapturedOutput {
  const mainConsole = vm.runInThisContext('console') as Console;
  const mainProcess = vm.runInThisContext('process') as NodeJS.Process;
  const lines: string[] = [];
  const saved = METHODS.map((name) => [name, mainConsole[name]] as const);
  for (const name of METHODS) {
    mainConsole[name] = (...args: unknown[]) => void lines.push(format(...args));
  }
  const streams = [mainProcess.stdout, mainProcess.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      lines.push(String(chunk));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  }
  return {
    lines,
    text: () => lines.join('\n'),
    restore() {
      for (const [name, method] of saved) mainConsole[name] = method;
      streams.forEach((stream, i) => (stream.write = writes[i]));
    },
  };
}
