import fs from 'node:fs';
import { format } from 'node:util';

/**
 * Where the noise goes: the function's JSON log lines (one per push), the emulators' logs and
 * miniprogram-ci's chatter are written to a file, so the terminal shows only the benchmark's own
 * progress (written straight to stdout by `say`). Writing them still costs what it costs.
 */
export class LogSink {
  private readonly stream: fs.WriteStream;

  constructor(readonly file: string) {
    this.stream = fs.createWriteStream(file, { flags: 'w' });
  }

  write(line: string): void {
    this.stream.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  /** Sends console output to the file while `work` runs. */
  async capture<T>(work: () => Promise<T>): Promise<T> {
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const saved = methods.map((name) => console[name]);
    for (const name of methods) console[name] = (...args: unknown[]) => this.write(format(...args));
    try {
      return await work();
    } finally {
      methods.forEach((name, i) => (console[name] = saved[i]));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

/** The benchmark's own output, unaffected by captured consoles. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
