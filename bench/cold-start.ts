import { spawnSync } from 'node:child_process';
import { bootstrapMedianInterval, interquartileRange, median, type Interval } from './stats';

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

/** Interleaved pairs the comparison takes by default: fewer left the figure swinging by tens of ms. */
export const DEFAULT_COLD_START_PAIRS = 30;

export interface RequireTimeComparison {
  baseMs: number[];
  candidateMs: number[];
  /** Candidate minus base, pair by pair. */
  pairedMs: number[];
  /** The median of the paired differences: what the candidate adds. */
  addedMs: number;
  /** First to third quartile of the paired differences. */
  spread: Interval;
  /** 95 % bootstrap confidence interval of `addedMs`. */
  interval: Interval;
}

/**
 * `pairs` pairs of fresh processes, one per side, back to back: a slow moment of the machine hurts
 * both sides of a pair alike, and their difference cancels it. Which side goes first alternates,
 * so neither profits from the other warming the caches.
 */
export function compareRequireTimes(base: string, candidate: string, cwd: string, pairs: number): RequireTimeComparison {
  // One unmeasured round warms the file cache for both.
  requireTimeOnce(base, cwd);
  requireTimeOnce(candidate, cwd);
  const baseMs: number[] = [];
  const candidateMs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      baseMs.push(requireTimeOnce(base, cwd));
      candidateMs.push(requireTimeOnce(candidate, cwd));
    } else {
      candidateMs.push(requireTimeOnce(candidate, cwd));
      baseMs.push(requireTimeOnce(base, cwd));
    }
  }
  const pairedMs = candidateMs.map((ms, i) => ms - baseMs[i]);
  return {
    baseMs,
    candidateMs,
    pairedMs,
    addedMs: median(pairedMs),
    spread: interquartileRange(pairedMs),
    interval: bootstrapMedianInterval(pairedMs),
  };
}
