/**
 * The console's authorizers list, export and account view on the real embedded store with the
 * Deploy guide's indexes declared: every page is at most 3 reads, none of them unindexed; keyset
 * pages forward and back give exactly the order a full sort gives; hostile names are escaped in
 * HTML and defused in CSV.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthorizerKind, AuthorizerStatus } from '../../../typings/api';
import {
  csvCell,
  exportAuthorizersCsv,
  parseAuthorizersQuery,
  queryAuthorizers,
  SORTS,
  type AuthorizersQueryDeps,
  type SortName,
} from '../../../cloudfunctions/authorization/src/console/authorizersQuery';
import {
  accountScreen,
  authorizersScreen,
  testCallResult,
} from '../../../cloudfunctions/authorization/src/console/authorizersScreen';
import type { AuthorizerDoc } from '../../../cloudfunctions/authorization/src/model';
import { AuthorizersRepository } from '../../../cloudfunctions/authorization/src/repositories/authorizersRepository';
import { BrokerUsageRepository } from '../../../cloudfunctions/authorization/src/repositories/brokerUsageRepository';
import { COLLECTION_INDEXES } from '../../../cloudfunctions/authorization/src/setup/collections';
import { COLLECTIONS, Store, type CloudDb } from '../../../cloudfunctions/authorization/src/store';
import { Database } from '../../../emulator/cloud/sdk/database';
import { DbService } from '../../../emulator/cloud/sdk/service';
import { DocumentStore } from '../../../emulator/cloud/sdk/store';

const HOSTILE = '<script>alert("x")</script>&\'店';
const FORMULA = '=HYPERLINK("http://evil.example","点我")';
const REQUIRED = [1, 17];
const KINDS: AuthorizerKind[] = ['official_account', 'mini_program', 'mini_game'];
const STATUSES: AuthorizerStatus[] = ['active', 'needs_reauth', 'revoked'];
const BASE = Date.UTC(2026, 10, 1);

let dataDir: string;
let documents: DocumentStore;
let service: DbService;
let store: Store;
let deps: AuthorizersQueryDeps;
let all: AuthorizerDoc[];

function account(i: number): AuthorizerDoc {
  const appid = `wx${i.toString(16).padStart(16, '0')}`;
  const names = ['云朵咖啡', '云朵面包', '山海书店', '小鹿花店', HOSTILE, FORMULA];
  return {
    _id: appid,
    owners: [`oMerchant${String(i % 40).padStart(20, '0')}`],
    kind: KINDS[i % 3],
    // Repeats on purpose: ties are ordered by AppID.
    name: `${names[i % names.length]}${i % 7}`,
    avatarUrl: '',
    principalName: `主体${i}`,
    userName: `gh_${i.toString(16).padStart(12, '0')}`,
    serviceTypeId: 0,
    verifyTypeId: 0,
    grantedSets: i % 4 === 0 ? [1] : [1, 17],
    status: STATUSES[i % 5 === 0 ? 2 : i % 7 === 0 ? 1 : 0],
    history: [{ at: BASE + i, event: 'authorized', added: [1], removed: [] }],
    authorizedAt: BASE + (i % 50) * 60_000,
    updatedAt: BASE + (i % 30) * 1_000,
    lastEventAt: BASE + i,
  };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-authorizers-'));
  documents = new DocumentStore({ dataDir, strictCollections: false });
  service = new DbService({ maxGetLimit: 100 });
  store = new Store(new Database({ store: documents, now: () => BASE, service }) as unknown as CloudDb);
  for (const fields of COLLECTION_INDEXES.authorizers) await documents.ensureOrderedIndex(COLLECTIONS.authorizers, fields);
  all = Array.from({ length: 230 }, (_, i) => account(i + 1));
  const db = new Database({ store: documents, now: () => BASE });
  await db.collection(COLLECTIONS.authorizers).add({ data: all });
  deps = {
    authorizers: new AuthorizersRepository(store),
    config: { requiredCategoryIds: REQUIRED, permissionReasons: { 17: '用于<b>发货</b>' } },
  };
});

afterAll(async () => {
  await documents.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The order a full sort gives: the sort field, then AppID, both one way. */
function expected(docs: AuthorizerDoc[], sort: SortName): string[] {
  const { field, descending } = SORTS[sort];
  const sign = descending ? -1 : 1;
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return [...docs].sort((a, b) => sign * (cmp(a[field], b[field]) || cmp(a._id, b._id))).map((doc) => doc._id);
}

/** Walks every page forward, then back; checks each page's reads. */
async function walk(params: Record<string, string>): Promise<{ forward: string[]; backward: string[]; total: number | null }> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  let total: number | null;
  let previous: string | undefined;
  do {
    const before = service.calls();
    const page = await queryAuthorizers(
      deps,
      parseAuthorizersQuery(new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) })),
    );
    const after = service.calls();
    expect(after.reads - before.reads).toBeLessThanOrEqual(3);
    expect(after.unindexed.slice(before.unindexed.length)).toEqual([]);
    pages.push(page.rows.map((row) => row.appid));
    total = page.total;
    cursor = page.next;
    previous = page.previous;
    expect(page.rows.length).toBeLessThanOrEqual(20);
  } while (cursor);
  const backward: string[][] = [];
  while (previous) {
    const page = await queryAuthorizers(deps, parseAuthorizersQuery(new URLSearchParams({ ...params, cursor: previous })));
    backward.unshift(page.rows.map((row) => row.appid));
    previous = page.previous;
  }
  return { forward: pages.flat(), backward: [...backward.flat(), ...pages[pages.length - 1]], total };
}

describe('pages', () => {
  const cases: Array<[string, Record<string, string>, (doc: AuthorizerDoc) => boolean]> = [
    ['everything, latest change first', {}, () => true],
    ['by name', { sort: 'name' }, () => true],
    ['by authorization time, one kind', { sort: 'authorized', kind: 'mini_program' }, (d) => d.kind === 'mini_program'],
    [
      'kind and status',
      { kind: 'official_account', status: 'active' },
      (d) => d.kind === 'official_account' && d.status === 'active',
    ],
    ['missing a set', { missing: '17', status: 'active' }, (d) => d.status === 'active' && !d.grantedSets.includes(17)],
  ];
  test.each(cases)('%s: every page ≤ 3 indexed reads; forward and back give the full sort', async (_name, params, keep) => {
    const { forward, backward, total } = await walk(params);
    const sort = (params.sort ?? 'recent') as SortName;
    const want = expected(all.filter(keep), sort);
    expect(forward).toEqual(want);
    expect(backward).toEqual(want);
    // The missing-set filter goes without a total (counting would read every account).
    expect(total).toBe(params.missing ? null : want.length);
  });
});

describe('search', () => {
  test('by the start of the name: only those names, by name, across pages', async () => {
    const { forward, total } = await walk({ q: '云朵' });
    const want = expected(
      all.filter((d) => d.name.startsWith('云朵')),
      'name',
    );
    expect(forward).toEqual(want);
    expect(total).toBe(want.length);
    expect(want.length).toBeGreaterThan(20);
  });

  test('by AppID, original ID and merchant OpenID: exact, indexed', async () => {
    const target = all[41];
    for (const q of [target._id, target.userName]) {
      const page = await queryAuthorizers(deps, parseAuthorizersQuery(new URLSearchParams({ q })));
      expect(page.rows.map((row) => row.appid)).toEqual([target._id]);
    }
    const before = service.calls();
    const owned = await queryAuthorizers(deps, parseAuthorizersQuery(new URLSearchParams({ q: target.owners[0] })));
    expect(owned.searchedBy).toBe('owner');
    expect(owned.rows.map((row) => row.appid).sort()).toEqual(
      all
        .filter((d) => d.owners.includes(target.owners[0]))
        .map((d) => d._id)
        .sort(),
    );
    expect(service.calls().unindexed.length).toBe(before.unindexed.length);
  });
});

describe('screen', () => {
  test('the list escapes hostile names and links only what it built', async () => {
    const { title, html } = await authorizersScreen(deps, new URLSearchParams({ q: '<script>' }));
    expect(title).toBe('授权账号');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;店');
    expect(html).not.toContain('<script>');
    expect(html).toContain('value="&lt;script&gt;"');
    expect(html).toMatch(/共 \d+ 个/);
    expect(html).toContain('导出 CSV');
  });

  test('a first page has a next link that continues where it ended, and sortable column headers', async () => {
    const { html } = await authorizersScreen(deps, new URLSearchParams({ sort: 'name' }));
    const next = /<a rel="next" href="([^"]+)"/.exec(html)?.[1];
    expect(next).toBeDefined();
    const params = new URL(next!.replace(/&amp;/g, '&'), 'https://x').searchParams;
    const page2 = await queryAuthorizers(deps, parseAuthorizersQuery(params));
    expect(page2.rows[0].appid).toBe(expected(all, 'name')[20]);
    expect(html).toContain('aria-sort="ascending"');
    expect(html).toContain('<span class="disabled">上一页</span>');
  });

  test('bad input and a forged cursor get a plain Chinese message, not a crash', async () => {
    const bad: Array<Record<string, string>> = [
      { kind: 'nope' },
      { sort: 'x' },
      { cursor: 'bm90LWpzb24' },
      { cursor: '!!!' },
      { q: 'x'.repeat(65) },
    ];
    for (const params of bad) {
      const { html } = await authorizersScreen(deps, new URLSearchParams(params));
      expect(html).toMatch(/role="alert">[^<]*[\u4e00-\u9fff]/);
    }
    const wrongSort = (await queryAuthorizers(deps, parseAuthorizersQuery(new URLSearchParams({ sort: 'name' })))).next!;
    const { html } = await authorizersScreen(deps, new URLSearchParams({ cursor: wrongSort }));
    expect(html).toContain('翻页链接已失效');
  });

  test('the account view: sets with reasons, history, owners, usage; escaped', async () => {
    const doc = all.find((d) => d.name.startsWith('<script>') && d.grantedSets.length === 1)!;
    const usage = new BrokerUsageRepository(store);
    await usage.add(
      `${doc._id}|x`,
      { appid: doc._id, api: '/cgi-bin/<x>' },
      { calls: 3, errors: 1 },
      { lastErrcode: 40001, lastAt: BASE },
    );
    const screen = await accountScreen(
      {
        authorizers: deps.authorizers as AuthorizersRepository,
        config: deps.config,
        usageOf: async (appid) =>
          (await usage.ofAppid(appid, 50)).map(({ api, calls, errors, lastErrcode, lastAt }) => ({
            api,
            calls,
            errors,
            lastErrcode,
            lastAt,
          })),
      },
      doc._id,
    );
    expect(screen!.html).not.toContain('<script>');
    expect(screen!.html).toContain('用于&lt;b&gt;发货&lt;/b&gt;');
    expect(screen!.html).toContain(doc.owners[0]);
    expect(screen!.html).toContain('/cgi-bin/&lt;x&gt;');
    expect(screen!.html).toContain('错误码 40001');
    expect(screen!.html).toContain('发起测试调用');
    expect(
      await accountScreen(
        { authorizers: deps.authorizers as AuthorizersRepository, config: deps.config, usageOf: async () => [] },
        'wx0000000000000000',
      ),
    ).toBeNull();
    expect(testCallResult({ ok: false, errcode: 61003, message: '该账号没有授权<本平台>' })).toContain(
      '该账号没有授权&lt;本平台&gt;',
    );
  });
});

describe('export', () => {
  test('CSV: the header, every filtered row in order, formulas defused, no tokens or owners', async () => {
    const chunks: string[] = [];
    for await (const chunk of exportAuthorizersCsv(deps, new URLSearchParams({ sort: 'name', status: 'active' })))
      chunks.push(chunk);
    const want = expected(
      all.filter((d) => d.status === 'active'),
      'name',
    );
    // The header, then one chunk per page of 100.
    expect(chunks.length).toBe(1 + Math.ceil(want.length / 100));
    const lines = chunks.join('').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('\uFEFFAppID,名称,账号类型,授权状态,主体名称,原始ID,已授权权限集,缺少的权限集,授权时间,最近变动');
    expect(lines.slice(1).map((line) => line.slice(0, 18))).toEqual(want);
    const formulaRow = lines.find((line) => line.includes('HYPERLINK'))!;
    expect(formulaRow).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")`);
    expect(chunks.join('')).not.toMatch(/oMerchant|token/i);
  });

  test('cells: quotes, commas, line breaks, formula starts', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('普通')).toBe('普通');
  });
});
