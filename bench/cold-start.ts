import { spawnSync } from 'node:child_process';
import { bootstrapMedianInterval, interquartileRange, median, type Interval } from './stats';

/** One require() in a fresh process: elapsed (wall) time, and the CPU time the process spent on it. */
interface RequireTime {
  wallMs: number;
  cpuMs: number;
}

/**
 * How long `require(target)` takes in a fresh Node process started in `cwd`, measured inside it
 * (so Node's own boot is left out). CPU time is user + system time of all the process's threads.
 */
function requireTimeOnce(target: string, cwd: string): RequireTime {
  const script = [
    'const cpu = process.cpuUsage();',
    'const started = process.hrtime.bigint();',
    `require(${JSON.stringify(target)});`,
    'const wallMs = Number(process.hrtime.bigint() - started) / 1e6;',
    'const used = process.cpuUsage(cpu);',
    'process.stdout.write(JSON.stringify({ wallMs, cpuMs: (used.user + used.system) / 1000 }));',
    // Whatever the module left running (sockets, timers) must not keep the process alive.
    'process.exit(0);',
  ].join('\n');
  const child = spawnSync(process.execPath, ['-e', script], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const time = child.status === 0 ? (JSON.parse(child.stdout) as Partial<RequireTime>) : {};
  if (!Number.isFinite(time.wallMs) || !Number.isFinite(time.cpuMs)) {
    throw new Error(`require(${target}) in a fresh process failed (status ${child.status}): ${child.stderr.slice(0, 300)}`);
  }
  return time as RequireTime;
}

/** Interleaved pairs the comparison takes by default: with 7, the figure swung by ~100 ms between runs. */
export const DEFAULT_COLD_START_PAIRS = 30;

/** One measure (wall or CPU time) over the pairs. */
export interface PairedTimes {
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

export interface RequireTimeComparison {
  pairs: number;
  wall: PairedTimes;
  /** The same pairs in CPU time, which a busy machine usually sways less than wall time. */
  cpu: PairedTimes;
}

function paired(base: number[], candidate: number[]): PairedTimes {
  const pairedMs = candidate.map((ms, i) => ms - base[i]);
  return {
    baseMs: base,
    candidateMs: candidate,
    pairedMs,
    addedMs: median(pairedMs),
    spread: interquartileRange(pairedMs),
    interval: bootstrapMedianInterval(pairedMs),
  };
}

/**
 * `pairs` pairs of fresh processes, one per side, back to back: a slow moment of the machine hurts
 * both sides of a pair alike, and their difference cancels much of it. Which side goes first
 * alternates, so neither profits from the other warming the caches.
 */
export function compareRequireTimes(base: string, candidate: string, cwd: string, pairs: number): RequireTimeComparison {
  // One unmeasured round warms the file cache for both.
  requireTimeOnce(base, cwd);
  requireTimeOnce(candidate, cwd);
  const baseTimes: RequireTime[] = [];
  const candidateTimes: RequireTime[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      baseTimes.push(requireTimeOnce(base, cwd));
      candidateTimes.push(requireTimeOnce(candidate, cwd));
    } else {
      candidateTimes.push(requireTimeOnce(candidate, cwd));
      baseTimes.push(requireTimeOnce(base, cwd));
    }
  }
  const of = (times: RequireTime[], measure: keyof RequireTime) => times.map((time) => time[measure]);
  return {
    pairs,
    wall: paired(of(baseTimes, 'wallMs'), of(candidateTimes, 'wallMs')),
    cpu: paired(of(baseTimes, 'cpuMs'), of(candidateTimes, 'cpuMs')),
  };
}
