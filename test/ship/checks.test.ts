import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_BUDGET_BYTES,
  WECHAT_MAIN_PACKAGE_LIMIT_BYTES,
  isVersionAtLeast,
  mainPackageFiles,
  missingPackIgnores,
  runChecks,
} from '../../scripts/ship/checks';
import type { CompiledFile, CompiledPackage } from '../../scripts/ship/compile';
import { SECRET_ENV_NAMES } from '../../scripts/ship/inputs';
import { readProjectConfig, REPO_ROOT } from '../../scripts/ship/project';

// The rules on hand-made packages: fast, and each rule shown to fire and to stay quiet.

const APP_JSON = {
  pages: ['pages/authorize/index'],
  plugins: { 'miniprogram-thirdparty-plugin': { version: '0.3.13', provider: 'wxb8b928431b8c56d8' } },
};

function file(filePath: string, content: string | Buffer): CompiledFile {
  const buffer = typeof content === 'string' ? Buffer.from(content) : content;
  return { path: filePath, bytes: buffer.length, content: buffer };
}

function pkg(extra: CompiledFile[] = [], app: object = APP_JSON): CompiledPackage {
  const files = [
    file('app.json', JSON.stringify(app)),
    file('app.js', 'App({})'),
    file('config/runtime.js', '"use strict";exports.RUNTIME={mode:"cloud",cloudEnv:""};'),
    file('pages/authorize/index.js', 'Page({data:{}})'),
    ...extra,
  ];
  const isMap = (f: CompiledFile) => f.path.endsWith('.map');
  return {
    files,
    totalBytes: files.filter((f) => !isMap(f)).reduce((s, f) => s + f.bytes, 0),
    sourceMapBytes: files.filter(isMap).reduce((s, f) => s + f.bytes, 0),
    log: [],
  };
}

const rules = (p: CompiledPackage, options = {}) => runChecks(p, options).findings.map((f) => f.rule);

describe('runChecks', () => {
  it('passes a clean package and reports its size and biggest files', () => {
    const report = runChecks(pkg([file('pages/big.js', 'x'.repeat(5000))]));
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.budgetBytes).toBe(DEFAULT_BUDGET_BYTES);
    expect(report.limitBytes).toBe(WECHAT_MAIN_PACKAGE_LIMIT_BYTES);
    expect(report.biggestFiles[0]).toEqual({ path: 'pages/big.js', bytes: 5000 });
  });

  it('fails over our budget, and over WeChat limit with its own message', () => {
    const big = file('assets/big.png', Buffer.alloc(500 * 1024));
    expect(runChecks(pkg([big])).findings[0]?.message).toMatch(/over our budget of 400\.0 KiB/);
    expect(runChecks(pkg([big]), { budgetBytes: 600 * 1024 }).ok).toBe(true);
    const huge = file('assets/huge.png', Buffer.alloc(WECHAT_MAIN_PACKAGE_LIMIT_BYTES + 1));
    expect(runChecks(pkg([huge]), { budgetBytes: 10 * 1024 * 1024 }).findings[0]?.message).toMatch(/WeChat's 2048\.0 KiB limit/);
  });

  it('does not count source maps or subpackages in the main package', () => {
    const app = { ...APP_JSON, subpackages: [{ root: 'sub', pages: ['a/index'] }] };
    const p = pkg([file('pages/x.js.map', Buffer.alloc(300 * 1024)), file('sub/a/index.js', Buffer.alloc(300 * 1024))], app);
    expect(mainPackageFiles(p.files).map((f) => f.path)).not.toContain('sub/a/index.js');
    expect(runChecks(p).ok).toBe(true);
    expect(runChecks(p).sourceMapBytes).toBe(300 * 1024);
  });

  it('fails on the local mode, dev/ code and local addresses', () => {
    const local = pkg();
    local.files[2] = file('config/runtime.js', 'exports.RUNTIME={mode:"local",cloudEnv:""};');
    expect(rules(local)).toEqual(['local-mode']);
    expect(rules(pkg([file('dev/localTransport.js', 'module.exports={}')]))).toEqual(['dev-code']);
    expect(runChecks(pkg([file('dev/a.js', '')])).findings[0]?.message).toContain('{"type":"folder","value":"dev"}');
    expect(rules(pkg([file('utils/a.js', 'var u="http://127.0.0.1:8091"')]))).toEqual(['dev-code']);
    expect(rules(pkg([file('utils/b.js', 'wx.__emulator=1')]))).toEqual(['dev-code']);
  });

  it('fails on test fixtures', () => {
    expect(rules(pkg([file('fixtures/accounts.json', '{}')]))).toEqual(['fixture']);
    expect(rules(pkg([file('utils/poll.test.js', '')]))).toEqual(['fixture']);
    expect(rules(pkg([file('pages/testimonials/index.js', '')]))).toEqual([]);
  });

  it('fails on a configured secret value, naming the variable and never the value', () => {
    const secret = 'b2c3d4e5f60718293a4b5c6d7e8f9012';
    const report = runChecks(pkg([file('utils/leak.js', `var k="${secret}"`)]), {
      secrets: [{ name: 'COMPONENT_APPSECRET', value: secret }],
    });
    expect(report.findings.filter((f) => f.rule === 'secret')).toEqual([
      { rule: 'secret', file: 'utils/leak.js', message: 'utils/leak.js contains the value of COMPONENT_APPSECRET' },
    ]);
    expect(JSON.stringify(report)).not.toContain(secret);
  });

  it('does not search for values too short to mean anything, and says so', () => {
    const report = runChecks(pkg(), { secrets: [{ name: 'COMPONENT_TOKEN', value: 'abc' }] });
    expect(report.ok).toBe(true);
    expect(report.notes).toEqual(['COMPONENT_TOKEN is shorter than 8 characters: not searched for']);
  });

  it.each(['ticket@@@AbC', 'preauthcode@@@xyz', 'queryauthcode@@@q', 'refreshtoken@@@r'])(
    'fails on a token-looking string %s',
    (token) => {
      const report = runChecks(pkg([file('utils/t.js', `var t="${token}"`)]));
      expect(report.findings.map((f) => f.rule)).toEqual(['token']);
      expect(JSON.stringify(report)).not.toContain(token);
    },
  );

  it('fails on a 32-hex value next to "secret", not on a lone hash', () => {
    expect(rules(pkg([file('utils/c.js', 'var appSecret = "0123456789abcdef0123456789abcdef"')]))).toEqual(['token']);
    expect(rules(pkg([file('utils/d.js', 'var md5 = "0123456789abcdef0123456789abcdef"')]))).toEqual([]);
  });

  it('fails when the plugin is missing, too old, or from another provider', () => {
    const plugin = (p: object) => ({ ...APP_JSON, plugins: { 'miniprogram-thirdparty-plugin': p } });
    expect(rules(pkg([], { pages: [] }))).toEqual(['plugin']);
    expect(runChecks(pkg([], plugin({ version: '0.3.9', provider: 'wxb8b928431b8c56d8' }))).findings[0]?.message).toMatch(
      /below 0\.3\.10/,
    );
    expect(rules(pkg([], plugin({ version: 'latest', provider: 'wxb8b928431b8c56d8' })))).toEqual(['plugin']);
    expect(rules(pkg([], plugin({ version: '0.3.10', provider: 'wx0000000000000000' })))).toEqual(['plugin']);
    expect(rules(pkg([], plugin({ version: '0.3.10', provider: 'wxb8b928431b8c56d8' })))).toEqual([]);
  });
});

describe('helpers', () => {
  it('compares plugin versions numerically', () => {
    expect(isVersionAtLeast('0.3.10', '0.3.10')).toBe(true);
    expect(isVersionAtLeast('0.3.13', '0.3.10')).toBe(true);
    expect(isVersionAtLeast('0.4', '0.3.10')).toBe(true);
    expect(isVersionAtLeast('0.3.9', '0.3.10')).toBe(false);
    expect(isVersionAtLeast('2.xx.0', '0.3.10')).toBe(false);
  });

  it('names the packOptions entry that keeps dev/ out', () => {
    expect(missingPackIgnores([{ type: 'suffix', value: '.md' }])).toEqual([{ type: 'folder', value: 'dev' }]);
    expect(missingPackIgnores([{ type: 'folder', value: 'dev/' }])).toEqual([]);
  });
});

describe('the repository', () => {
  it('keeps miniprogram/dev out of every upload (project.config.json packOptions.ignore)', () => {
    expect(missingPackIgnores(readProjectConfig(REPO_ROOT).packOptions.ignore)).toEqual([]);
  });

  it("lists every secret the function reads from its environment (config.ts's schema)", () => {
    const source = fs.readFileSync(path.join(REPO_ROOT, 'cloudfunctions/authorization/src/config.ts'), 'utf8');
    for (const name of SECRET_ENV_NAMES) expect(source).toMatch(new RegExp(`\\b${name}:`));
  });
});
