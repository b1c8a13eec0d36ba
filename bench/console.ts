import v8 from 'node:v8';
import vm from 'node:vm';
import {
  exportAuthorizersCsv,
  parseAuthorizersQuery,
  queryAuthorizers,
  type AuthorizersQueryDeps,
} from '../cloudfunctions/authorization/src/console/authorizersQuery';
import { AuthorizersRepository } from '../cloudfunctions/authorization/src/repositories/authorizersRepository';
import { Store, type CloudDb } from '../cloudfunctions/authorization/src/store';
import type { LocalStack } from '../emulator/stack';
import { figure, type Figure } from './figures';

/**
 * The console's authorizers list at scale (part of `--scale`): its code run in this process on the
 * stack's database, with the functions' 5 ms per round trip, counted. Each page: its time, its
 * round trips and how many of them no index served. The export: its time and the heap it grows.
 */

export interface PageSample {
  ms: number;
  roundTrips: number;
  unindexed: number;
  rows: number;
  /** null: the list goes without a total (the missing-set filter). */
  total: number | null;
}

export interface ExportSample {
  rows: number;
  ms: number;
  roundTrips: number;
  heapMiB: number;
}

export interface ConsoleSample {
  firstPage: PageSample;
  secondPage: PageSample;
  search: PageSample & { prefix: string };
  filtered: PageSample;
  missingSet: PageSample;
  exports: ExportSample[];
  unindexed: string[];
}

/** The function's full collection of garbage, when this process allows asking for it. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function consoleDeps(stack: LocalStack): AuthorizersQueryDeps {
  const store = new Store(stack.cloud.functionDatabase() as unknown as CloudDb);
  return {
    authorizers: new AuthorizersRepository(store),
    config: { requiredCategoryIds: [1, 17], permissionReasons: {} },
  };
}

async function timedPage(stack: LocalStack, deps: AuthorizersQueryDeps, params: Record<string, string>) {
  const before = stack.cloud.dbCalls();
  const started = performance.now();
  const page = await queryAuthorizers(deps, parseAuthorizersQuery(new URLSearchParams(params)));
  const ms = performance.now() - started;
  const after = stack.cloud.dbCalls();
  const sample: PageSample = {
    ms,
    roundTrips: after.reads + after.writes - before.reads - before.writes,
    unindexed: after.unindexedReads - before.unindexedReads,
    rows: page.rows.length,
    total: page.total,
  };
  return { page, sample };
}

/** The first `rows` rows of the export, read as a download would be: chunk by chunk, nothing kept. */
async function timedExport(stack: LocalStack, deps: AuthorizersQueryDeps, rows: number): Promise<ExportSample> {
  collectGarbage();
  const base = v8.getHeapStatistics().used_heap_size;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, v8.getHeapStatistics().used_heap_size)), 2);
  const before = stack.cloud.dbCalls();
  const started = performance.now();
  let lines = -1;
  let bytes = 0;
  for await (const chunk of exportAuthorizersCsv(deps, new URLSearchParams({ sort: 'authorized' }))) {
    lines += chunk.split('\r\n').length - 1;
    bytes += chunk.length;
    peak = Math.max(peak, v8.getHeapStatistics().used_heap_size);
    if (lines >= rows) break;
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  const after = stack.cloud.dbCalls();
  if (lines < rows || bytes === 0) throw new Error(`the export gave ${lines} rows, ${rows} wanted`);
  return { rows, ms, roundTrips: after.reads - before.reads, heapMiB: Math.max(0, peak - base) / 1024 ** 2 };
}

export async function consoleReads(stack: LocalStack, someAppid: string): Promise<ConsoleSample> {
  const deps = consoleDeps(stack);
  const unindexedBefore = stack.cloud.dbCalls().unindexed.length;
  const first = await timedPage(stack, deps, {});
  const second = await timedPage(stack, deps, { cursor: first.page.next ?? '' });
  const doc = await stack.cloud.db.collection('authorizers').doc(someAppid).get();
  const name = String((doc.data as { name: string }).name);
  const prefix = name.slice(0, Math.max(1, name.length - 2));
  const search = await timedPage(stack, deps, { q: prefix });
  const filtered = await timedPage(stack, deps, { kind: 'mini_program', status: 'active', sort: 'authorized' });
  const missingSet = await timedPage(stack, deps, { missing: '17', status: 'active' });
  const exports = [await timedExport(stack, deps, 1_000), await timedExport(stack, deps, 10_000)];
  return {
    firstPage: first.sample,
    secondPage: second.sample,
    search: { ...search.sample, prefix },
    filtered: filtered.sample,
    missingSet: missingSet.sample,
    exports,
    unindexed: stack.cloud.dbCalls().unindexed.slice(unindexedBefore),
  };
}

const PAGE_MS_GOAL = 300;

function pageFigure(id: string, label: string, name: string, s: PageSample, note: string): Figure {
  return figure({
    id,
    benchmark: 'Scale',
    name: `${label}: console list, ${name}`,
    value: Math.round(s.ms),
    unit: 'ms',
    goal: { op: '<=', target: PAGE_MS_GOAL, text: `≤ ${PAGE_MS_GOAL} ms, ≤ 3 round trips, each indexed` },
    valid: s.roundTrips <= 3 && s.unindexed === 0,
    note: `${s.roundTrips} DB round trips (run together), ${s.unindexed} not indexed; ${s.rows} rows of ${s.total === null ? 'an uncounted list' : s.total.toLocaleString('en-US')}; ${note}`,
  });
}

export function consoleFigures(n: number, s: ConsoleSample): Figure[] {
  const label = `N = ${n.toLocaleString('en-US')}`;
  const id = (name: string) => `scale.${n}.console.${name}`;
  const [small, large] = s.exports;
  return [
    pageFigure(id('firstPage'), label, 'first page of 20', s.firstPage, 'latest change first: a count and the page'),
    pageFigure(
      id('secondPage'),
      label,
      'second page (keyset)',
      s.secondPage,
      'the count, the ties of the last row, the rows beyond it',
    ),
    pageFigure(
      id('search'),
      label,
      'name search',
      s.search,
      `names starting with "${s.search.prefix}", by name (a range on the name index)`,
    ),
    pageFigure(
      id('filtered'),
      label,
      'filtered page',
      s.filtered,
      'mini-programs, active, by authorization time (index kind + status + authorizedAt)',
    ),
    pageFigure(
      id('missingSet'),
      label,
      'active accounts missing a set',
      s.missingSet,
      'no count; the status + updatedAt index walked, each account checked for the set (the walk grows as such accounts get rarer)',
    ),
    figure({
      id: id('export'),
      benchmark: 'Scale',
      name: `${label}: console export, ${large.rows.toLocaleString('en-US')} rows`,
      value: Math.round(large.ms),
      unit: 'ms',
      baseline: { name: `${small.rows.toLocaleString('en-US')} rows`, value: Math.round(small.ms), unit: 'ms' },
      note: `${large.roundTrips} DB round trips (${small.roundTrips} for ${small.rows.toLocaleString('en-US')}): pages of 100, each one or two indexed reads`,
    }),
    figure({
      id: id('exportHeap'),
      benchmark: 'Scale',
      name: `${label}: console export memory, ${large.rows.toLocaleString('en-US')} ÷ ${small.rows.toLocaleString('en-US')} rows (peak heap growth)`,
      value: Math.round((large.heapMiB / Math.max(small.heapMiB, 0.1)) * 100) / 100,
      unit: '×',
      goal: { op: '<=', target: 2, text: '≤ 2× for 10× the rows (flat: one page of 100 held at a time)' },
      note:
        `${large.heapMiB.toFixed(1)} MiB for ${large.rows.toLocaleString('en-US')} rows, ${small.heapMiB.toFixed(1)} MiB for ${small.rows.toLocaleString('en-US')}: ` +
        'after a full garbage collection, sampled every 2 ms and at every chunk, in the process that also runs the stack; ' +
        'rows kept in memory would add to it in proportion to their number',
    }),
  ];
}
