// Test support for the accounts, account-detail and admin pages: a fake WeChat cloud that answers
// each backend action (only WeChat's transport is faked; the real client, labels and pages run),
// and backend-shaped fixtures.
import type {
  ActionError,
  ActionName,
  Actions,
  AppConfigView,
  AuthorizerDetail,
  AuthorizerSummary,
  ErrorCode,
  PlatformHealth,
} from '../../typings/api';
import type { LoadedPage, SimNode } from './harness';

type Answer<A extends ActionName> = { ok: true; data: Actions[A]['output'] } | { ok: false; error: ActionError };

type Handler<A extends ActionName> = (payload: Actions[A]['input']) => Answer<A> | Promise<Answer<A>>;
export type Handlers = { [A in ActionName]?: Handler<A> };

export interface BackendRequest {
  action: ActionName;
  payload: unknown;
}

export interface FakeCloud {
  /** Pass as wxShims.cloud. */
  cloud: { init(): void; callFunction(options: { name: string; data: BackendRequest }): Promise<{ result: unknown }> };
  /** Every request the page sent, in order. */
  requests: BackendRequest[];
  /** Payloads sent for one action. */
  payloadsOf(action: ActionName): unknown[];
  /** Replace or add handlers mid-test (e.g. make a retry succeed). */
  answer(handlers: Handlers): void;
}

export function ok<A extends ActionName>(data: Actions[A]['output']): Answer<A> {
  return { ok: true, data };
}

export function fail(code: ErrorCode, message: string): { ok: false; error: ActionError } {
  return { ok: false, error: { code, message } };
}

/** A cloud that answers per action; an action without a handler fails the call like a broken network. */
export function fakeCloud(initial: Handlers): FakeCloud {
  const handlers: Handlers = { ...initial };
  const requests: BackendRequest[] = [];
  return {
    requests,
    payloadsOf: (action) => requests.filter((r) => r.action === action).map((r) => r.payload),
    answer: (more) => Object.assign(handlers, more),
    cloud: {
      init() {},
      async callFunction({ name, data }) {
        if (name !== 'authorization') throw new Error(`unexpected function ${name}`);
        requests.push({ action: data.action, payload: data.payload });
        const handler = handlers[data.action] as Handler<ActionName> | undefined;
        if (!handler) throw new Error(`no fake answer for ${data.action}`);
        return { result: await handler(data.payload as never) };
      },
    },
  };
}

/** A promise resolved by the test, to hold a page in its loading state. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

export const MESSAGE_SET = { id: 1, name: '消息管理' };
export const USER_SET = { id: 2, name: '用户管理' };
export const MEDIA_SET = { id: 11, name: '素材管理' };
export const CODE_SET = { id: 18, name: '小程序开发与数据分析' };

export function summary(overrides: Partial<AuthorizerSummary> = {}): AuthorizerSummary {
  return {
    appid: 'wx1234567890abcdef',
    kind: 'official_account',
    name: '晨光咖啡',
    avatarUrl: 'https://example.test/avatar.png',
    principalName: '晨光咖啡有限公司',
    userName: 'gh_0123456789ab',
    status: 'active',
    grantedSets: [MESSAGE_SET, USER_SET],
    missingSets: [],
    authorizedAt: Date.UTC(2026, 10, 20, 2, 0),
    updatedAt: Date.UTC(2026, 10, 21, 3, 30),
    ...overrides,
  };
}

export function detail(overrides: Partial<AuthorizerDetail> = {}): AuthorizerDetail {
  return {
    ...summary(),
    serviceTypeId: 2,
    verified: true,
    history: [],
    historySets: [],
    ...overrides,
  };
}

export function appConfig(isAdmin: boolean): AppConfigView {
  return {
    componentAppId: 'wxcomponent0000001',
    isAdmin,
    bundles: [],
    provider: { name: '青禾数字', logoUrl: '' },
    lapseNotice: null,
    requiredSets: [MESSAGE_SET, USER_SET, MEDIA_SET],
    minPluginVersion: '0.3.10',
  };
}

export function healthyPlatform(overrides: Partial<PlatformHealth> = {}): PlatformHealth {
  const now = Date.now();
  return {
    ok: true,
    ticket: { ok: true, receivedAt: now - 180_000, ageSeconds: 180 },
    componentToken: { ok: true, expiresAt: now + 90 * 60_000 },
    timer: { ok: true, lastRunAt: now - 120_000 },
    authorizers: { total: 3, active: 3, needsReauth: 0, revoked: 0 },
    needsAttention: [],
    recentPushFailures: [],
    lastUpstreamError: null,
    broker: { httpKeys: 1, functionSecrets: 1, legacyScope: [] },
    ...overrides,
  };
}

/** Text of the node with this id (or selector) in the page, '' when absent. */
export function textOf(page: LoadedPage, selector: string): string {
  return (page.root.querySelector(selector)?.dom?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

export function exists(page: LoadedPage, selector: string): boolean {
  return Boolean(page.root.querySelector(selector));
}

/** The element Vant renders for a van-button / van-cell given an id in the page. */
export function vantInner(page: LoadedPage, id: string, inner: string): SimNode | undefined {
  return page.root.querySelector(`#${id}`)?.querySelector(inner) ?? undefined;
}

/** URL of every navigation call of one kind, in order. */
export function urlsOf(page: LoadedPage, api: 'navigateTo' | 'redirectTo' | 'navigateBack'): string[] {
  return page.callsTo(api).map((args) => (args[0] as { url: string }).url);
}
