import { spawnSync } from 'node:child_process';
import { median } from './stats';

/**
 * How long `require(target)` takes in a fresh Node process started in `cwd`, measured inside it
 * (so Node's own boot is left out).
 */
function requireTimeOnce(target: string, cwd: string): number {
  const script = [
    'const started = process.hrtime.bigint();',
    `require(${JSON.stringify(target)});`,
    'process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));',
    // Whatever the module left running (sockets, timers) must not keep the process alive.
    'process.exit(0);',
  ].join('\n');
  const child = spawnSync(process.execPath, ['-e', script], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const ms = Number(child.stdout.trim());
  if (child.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`require(${target}) in a fresh process failed (status ${child.status}): ${child.stderr.slice(0, 300)}`);
  }
  return ms;
}

/** Interleaves the two sides so a slow moment of the machine hurts both alike. */
export function compareRequireTimes(
  base: string,
  candidate: string,
  cwd: string,
  runs: number,
): { baseMs: number[]; candidateMs: number[]; addedMs: number } {
  // One unmeasured round warms the file cache for both.
  requireTimeOnce(base, cwd);
  requireTimeOnce(candidate, cwd);
  const baseMs: number[] = [];
  const candidateMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    baseMs.push(requireTimeOnce(base, cwd));
    candidateMs.push(requireTimeOnce(candidate, cwd));
  }
  return { baseMs, candidateMs, addedMs: median(candidateMs) - median(baseMs) };
}
