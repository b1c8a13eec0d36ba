// Renders mini-program pages under jest (jsdom) with miniprogram-simulate, Vant included.
// Simulate lacks what only the WeChat client provides (wx.cloud, requirePlugin, getApp) and
// does not record wx calls; this module installs those globals per loaded page.
//
// Types of miniprogram-simulate / j-component are deliberately not imported: they pull
// miniprogram-api-typings' globals (require, setTimeout, console...) into the Node program.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { OpenAuthorizeAccountOptions, ThirdPartyPlugin } from '../../typings/plugin';
import { isNpmPacked } from '../../scripts/pack-npm';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const MINIPROGRAM_ROOT = path.join(PROJECT_ROOT, 'miniprogram');
const THIRD_PARTY_PLUGIN = 'miniprogram-thirdparty-plugin';

/**
 * The DOM surface the tests use. Declared here because the Node tsconfig has no "dom" lib
 * (adding it would give every Node module browser globals); at run time these are jsdom's.
 */
export interface DomElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly outerHTML: string;
  readonly isConnected: boolean;
  readonly classList: Iterable<string>;
  querySelector(selector: string): DomElement | null;
  appendChild(child: DomElement): unknown;
  remove(): void;
}
interface DomDocument {
  readonly body: DomElement;
  createElement(tagName: string): DomElement;
}

/** The part of a j-component node the tests use. */
export interface SimNode {
  readonly dom: DomElement | undefined;
  readonly data: Record<string, unknown>;
  readonly instance: Record<string, unknown> & { setData(data: Record<string, unknown>): void };
  querySelector(selector: string): SimNode | undefined;
  querySelectorAll(selector: string): SimNode[];
  dispatchEvent(eventName: string, options?: { detail?: unknown }): void;
  triggerLifeTime(name: string, ...args: unknown[]): void;
  triggerPageLifeTime(name: string, ...args: unknown[]): void;
}
interface SimRoot extends SimNode {
  attach(parent: DomElement): void;
}
interface Simulate {
  load(componentPath: string, tagName: string, options: Record<string, unknown>): string;
  render(componentId: string, properties?: Record<string, unknown>): SimRoot;
  sleep(ms?: number): Promise<void>;
}

export interface WxCall {
  /** "showToast", or "cloud.callFunction" for shims nested in an object. */
  api: string;
  args: unknown[];
}

export interface LoadPageOptions {
  /** Replace or add wx APIs, e.g. { cloud: fakeCloud, showModal: ... }. Every function is recorded. */
  wxShims?: Record<string, unknown>;
  /** What requirePlugin('miniprogram-thirdparty-plugin') returns; a recording fake by default. */
  plugin?: ThirdPartyPlugin;
  /** What getApp() returns; { globalData: {} } by default. */
  app?: Record<string, unknown>;
  /** Query passed to the page's onLoad. */
  query?: Record<string, string>;
}

export interface LoadedPage {
  /** The page's j-component root, attached to document.body. */
  root: SimNode;
  /** Shortcut for root.dom. */
  dom: DomElement;
  /** Every wx API call made since loading, in order. */
  wxCalls: WxCall[];
  /** Arguments of each call to one API, e.g. callsTo('showToast')[0][0].title. */
  callsTo(api: string): unknown[][];
  plugin: ThirdPartyPlugin;
  /** Fires the page's onShow and pageLifetimes.show, as when coming back to it. */
  show(): Promise<void>;
  hide(): Promise<void>;
  /** Lets pending setData renders, events and wx callbacks run. */
  flush(): Promise<void>;
  unload(): void;
}

/** A fake plugin that only records; openAuthorizeAccount returns nothing, like the real one. */
export interface RecordingPlugin extends ThirdPartyPlugin {
  initCalls: unknown[];
  authorizeAccountCalls: OpenAuthorizeAccountOptions[];
}

export function createRecordingPlugin(): RecordingPlugin {
  const plugin: RecordingPlugin = {
    initCalls: [],
    authorizeAccountCalls: [],
    init(wx) {
      plugin.initCalls.push(wx);
    },
    openAuthorizeAccount(options) {
      plugin.authorizeAccountCalls.push({ ...options });
    },
    authorize() {},
    openTrial() {},
  };
  return plugin;
}

/**
 * Builds miniprogram_npm when absent. The jest globalSetup normally did it already; this
 * fallback runs the pack script in a child process (it locks against parallel runs).
 */
export function ensureMiniprogramNpm(): void {
  if (isNpmPacked()) return;
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const run = spawnSync(tsx, [path.join(PROJECT_ROOT, 'scripts', 'pack-npm.ts'), '--if-missing'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`packing miniprogram_npm failed:\n${run.stderr || run.stdout}`);
}

// At import, so a first-time build (about 5 s) never counts against a test's timeout.
ensureMiniprogramNpm();

let simulateModule: Simulate | undefined;
let simulateWx: Record<string, unknown> | undefined;
const livePages = new Set<LoadedPage>();

function simulate(): Simulate {
  if (!simulateModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: loading installs its own global wx
    simulateModule = require('miniprogram-simulate') as Simulate;
    simulateWx = { ...(sandbox().wx as Record<string, unknown>) }; // simulate's own wx, before our shims
  }
  return simulateModule;
}

function sandbox(): Record<string, unknown> {
  return globalThis;
}

/**
 * Loads, renders and opens a page: created -> attached -> ready -> onLoad(query) -> onShow.
 * (In WeChat `ready` comes after onShow; simulate fires it on attach.)
 * pagePath is relative to miniprogram/, e.g. "pages/authorize/index".
 */
export async function loadPage(pagePath: string, options: LoadPageOptions = {}): Promise<LoadedPage> {
  ensureMiniprogramNpm();
  const sim = simulate();
  const wxCalls: WxCall[] = [];
  const plugin = options.plugin ?? createRecordingPlugin();
  installGlobals(wxCalls, plugin, options);

  const pageFile = path.resolve(MINIPROGRAM_ROOT, pagePath);
  let componentId = '';
  // Fresh module registry per load: the page (and Vant) must call Component() again, and
  // module-level code must see this load's globals. jest ignores require.cache deletes.
  jest.isolateModules(() => {
    componentId = sim.load(pageFile, 'page', {
      rootPath: MINIPROGRAM_ROOT,
      compiler: 'official',
      usingComponents: npmComponentPaths(pageFile),
    });
  });
  const root = sim.render(componentId);
  const document = sandbox().document as DomDocument;
  const container = document.createElement('div');
  document.body.appendChild(container);
  root.attach(container);

  const flush = async (): Promise<void> => {
    for (let round = 0; round < 3; round += 1) await sim.sleep(0);
  };
  const callPage = async (method: string, ...args: unknown[]): Promise<void> => {
    const handler = root.instance[method];
    if (typeof handler === 'function') await handler.apply(root.instance, args);
    await flush();
  };

  const show = async (): Promise<void> => {
    root.triggerPageLifeTime('show');
    await callPage('onShow');
  };

  await callPage('onLoad', options.query ?? {});
  await show();
  const page: LoadedPage = {
    root,
    dom: root.dom as DomElement,
    wxCalls,
    callsTo: (api) => wxCalls.filter((call) => call.api === api).map((call) => call.args),
    plugin,
    show,
    hide: async () => {
      root.triggerPageLifeTime('hide');
      await callPage('onHide');
    },
    flush,
    unload: () => {
      if (!livePages.delete(page)) return;
      const onUnload = root.instance.onUnload;
      if (typeof onUnload === 'function') onUnload.call(root.instance);
      // Only the page's own `detached`: a full exparser detach makes simulate hand Vant's
      // relation hooks null instead of [] (real WeChat), which only produces noise.
      root.triggerLifeTime('detached');
      container.remove();
    },
  };
  livePages.add(page);
  return page;
}

/** Unloads every page still open; call it in afterEach. */
export function unloadAllPages(): void {
  for (const page of [...livePages]) page.unload();
}

/** Taps a node: a `tap` event that bubbles like a finger tap, then lets handlers run. */
export async function tap(node: SimNode | undefined, page: LoadedPage): Promise<void> {
  if (!node) throw new Error('tap: node not found');
  node.dispatchEvent('tap');
  await page.flush();
}

/**
 * WeChat resolves "@vant/weapp/button/index" in usingComponents to miniprogram_npm; simulate
 * only knows relative and root-absolute paths, so npm entries are rewritten root-absolute.
 */
function npmComponentPaths(pageFile: string): Record<string, string> {
  const json = JSON.parse(fs.readFileSync(`${pageFile}.json`, 'utf8')) as { usingComponents?: Record<string, string> };
  const mapped: Record<string, string> = {};
  for (const [tag, target] of Object.entries(json.usingComponents ?? {})) {
    if (target.startsWith('.') || target.startsWith('/') || target.startsWith('plugin://')) continue;
    const rootAbsolute = `/miniprogram_npm/${target}`;
    if (!fs.existsSync(path.join(MINIPROGRAM_ROOT, `${rootAbsolute}.json`))) {
      throw new Error(`usingComponents ${tag}: ${target} is not in miniprogram/miniprogram_npm`);
    }
    mapped[tag] = rootAbsolute;
  }
  return mapped;
}

function installGlobals(wxCalls: WxCall[], plugin: ThirdPartyPlugin, options: LoadPageOptions): void {
  const wxApi = { ...simulateWx, ...defaultShims(), ...options.wxShims };
  sandbox().wx = recordCalls(wxApi, '', wxCalls, new Set(Object.keys(options.wxShims ?? {})));
  sandbox().requirePlugin = (name: string): ThirdPartyPlugin => {
    if (name !== THIRD_PARTY_PLUGIN) throw new Error(`requirePlugin: unknown plugin ${name}`);
    return plugin;
  };
  const app = options.app ?? { globalData: {} };
  sandbox().getApp = () => app;
}

/** Shims for what simulate lacks or keeps no state for. */
function defaultShims(): Record<string, unknown> {
  let clipboard = '';
  return {
    setClipboardData: (options: { data: string } & Callbacks) => {
      clipboard = options.data;
      return settle('setClipboardData', options, {});
    },
    getClipboardData: (options: Callbacks = {}) => settle('getClipboardData', options, { data: clipboard }),
    cloud: {
      init: () => undefined,
      callFunction: () => Promise.reject(new Error('wx.cloud.callFunction: pass wxShims.cloud to loadPage')),
    },
  };
}

interface Callbacks {
  success?: (result: unknown) => void;
  fail?: (error: unknown) => void;
  complete?: (result: unknown) => void;
}

/** WeChat's async API contract: callbacks if given, otherwise a promise. */
function settle(api: string, options: Callbacks, payload: Record<string, unknown>): Promise<unknown> | undefined {
  const result = { errMsg: `${api}:ok`, ...payload };
  if (!options.success && !options.fail && !options.complete) return Promise.resolve(result);
  setTimeout(() => {
    options.success?.(result);
    options.complete?.(result);
  }, 0);
  return undefined;
}

/** Wraps every function so calls are logged; descends into objects given as shims (wx.cloud). */
function recordCalls(
  api: Record<string, unknown>,
  prefix: string,
  log: WxCall[],
  descendInto: Set<string>,
): Record<string, unknown> {
  const recorded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(api)) {
    const qualified = prefix + name;
    if (typeof value === 'function') {
      recorded[name] = (...args: unknown[]): unknown => {
        log.push({ api: qualified, args });
        return value.apply(api, args);
      };
    } else if (isPlainObject(value) && (descendInto.has(name) || name === 'cloud')) {
      recorded[name] = recordCalls(value, `${qualified}.`, log, new Set(Object.keys(value)));
    } else {
      recorded[name] = value;
    }
  }
  return recorded;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
