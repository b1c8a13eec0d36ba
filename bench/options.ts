import { parseArgs } from 'node:util';
import { DEFAULT_COLD_START_PAIRS } from './cold-start';

/** Run sizes. The defaults finish in a few minutes on a 2-core machine. */
export interface BenchOptions {
  /** Measured push POSTs (after the warm-up ones). */
  pushes: number;
  /**
   * Push POSTs sent first and not measured. V8 needs a few thousand pushes to optimise the hot
   * paths (with --no-opt the pipeline stays at its early speed throughout), so steady state
   * starts after ~3,000.
   */
  warmup: number;
  /** Pushes in flight at once. */
  concurrency: number;
  /** Function instances cold-started for the token bursts and timers. */
  instances: number;
  /** Concurrent createAuthSession calls per instance in a burst. */
  calls: number;
  /** Accounts authorized before the authorizer-token timer race. */
  authorizers: number;
  /** Authorizations timed from the merchant's confirmation to the page seeing them. */
  auths: number;
  /** Interleaved pairs of fresh Node processes (bundle, wx-server-sdk alone) in the cold-start comparison. */
  coldStarts: number;
  /** Which benchmarks to run. */
  only: BenchName[];
  /** Run the scale benchmark instead (issue 12): N authorizers at each of these sizes. */
  scale: number[] | null;
  /** Run the fleet benchmark instead (issue 19): a shipping job over N mini-programs at each of these sizes. */
  fleet: number[] | null;
}

export const BENCH_NAMES = ['push', 'tokens', 'auth', 'package', 'broker'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export const DEFAULT_OPTIONS: BenchOptions = {
  pushes: 3000,
  warmup: 3000,
  concurrency: 16,
  instances: 4,
  calls: 25,
  authorizers: 3,
  auths: 40,
  coldStarts: DEFAULT_COLD_START_PAIRS,
  only: [...BENCH_NAMES],
  scale: null,
  fleet: null,
};

/** The sizes `--scale` runs unless `--sizes` says otherwise. */
export const DEFAULT_SCALE_SIZES = [1_000, 10_000, 100_000];

/** The sizes `--fleet` runs unless `--sizes` says otherwise: the 1,000 and 10,000. */
export const DEFAULT_FLEET_SIZES = [1_000, 10_000];

const NUMERIC = ['pushes', 'warmup', 'concurrency', 'instances', 'calls', 'authorizers', 'auths', 'coldStarts'] as const;

export const USAGE = `Usage: npm run bench -- [options]
  --pushes N        measured push POSTs (default ${DEFAULT_OPTIONS.pushes})
  --warmup N        unmeasured push POSTs sent first (default ${DEFAULT_OPTIONS.warmup})
  --concurrency N   pushes in flight (default ${DEFAULT_OPTIONS.concurrency})
  --instances K     function instances in the token races (default ${DEFAULT_OPTIONS.instances})
  --calls N         concurrent createAuthSession calls per instance (default ${DEFAULT_OPTIONS.calls})
  --authorizers N   accounts in the authorizer-token race (default ${DEFAULT_OPTIONS.authorizers})
  --auths N         timed authorizations (default ${DEFAULT_OPTIONS.auths})
  --cold-starts N   interleaved pairs of fresh processes in the cold-start comparison (default ${DEFAULT_OPTIONS.coldStarts})
  --only LIST       comma-separated subset of ${BENCH_NAMES.join(',')}
  --scale           instead: the scale benchmark (authorizers at ${DEFAULT_SCALE_SIZES.join(', ')}), recorded
                    under "scale" in bench/results.json
  --fleet           instead: the fleet benchmark (a shipping job over ${DEFAULT_FLEET_SIZES.join(', ')} mini-programs
                    and a kill soak), recorded under "fleet" in bench/results.json
  --sizes LIST      with --scale or --fleet: comma-separated sizes (a run with other sizes is printed, not recorded)
Writes bench/results.json and bench/RESULTS.md only when every benchmark runs.`;

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      pushes: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      instances: { type: 'string' },
      calls: { type: 'string' },
      authorizers: { type: 'string' },
      auths: { type: 'string' },
      'cold-starts': { type: 'string' },
      only: { type: 'string' },
      scale: { type: 'boolean' },
      fleet: { type: 'boolean' },
      sizes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const options: BenchOptions = { ...DEFAULT_OPTIONS };
  const raw: Record<(typeof NUMERIC)[number], string | undefined> = {
    pushes: values.pushes,
    warmup: values.warmup,
    concurrency: values.concurrency,
    instances: values.instances,
    calls: values.calls,
    authorizers: values.authorizers,
    auths: values.auths,
    coldStarts: values['cold-starts'],
  };
  for (const name of NUMERIC) {
    if (raw[name] !== undefined) options[name] = positiveInteger(name, raw[name], name === 'warmup');
  }
  if (values.only !== undefined) options.only = benchList(values.only);
  if (values.sizes !== undefined && !values.scale && !values.fleet) throw new RangeError('--sizes goes with --scale or --fleet');
  if (values.scale && values.fleet) throw new RangeError('--scale and --fleet run one at a time');
  if (values.scale) options.scale = values.sizes === undefined ? [...DEFAULT_SCALE_SIZES] : sizeList(values.sizes);
  if (values.fleet) options.fleet = values.sizes === undefined ? [...DEFAULT_FLEET_SIZES] : sizeList(values.sizes);
  return options;
}

function positiveInteger(name: string, text: string, zeroAllowed: boolean): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) {
    throw new RangeError(`--${name} takes a ${zeroAllowed ? 'non-negative' : 'positive'} integer, got "${text}"`);
  }
  return value;
}

function sizeList(text: string): number[] {
  return text.split(',').map((size) => positiveInteger('sizes', size.trim(), false));
}

function benchList(text: string): BenchName[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(BENCH_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) throw new RangeError(`--only takes names from ${BENCH_NAMES.join(',')}`);
  return names as BenchName[];
}
