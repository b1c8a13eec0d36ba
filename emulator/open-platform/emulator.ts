/**
 * The emulator's handle, as tests and the CLI hold it (`OpenPlatformEmulator`), its options, and
 * the facade that maps the handle onto the state, the flows and the product areas' functions.
 */
import type { Clock } from '../clock';
import type { PortListener } from '../listener';
import type { Flows } from './flows';
import { rehearse, type RehearsalOptions, type RehearsalReport } from './areas/release/rehearsal';
import { setRelease } from './areas/release/switch';
import { codeManagementHandle, type CodeManagementHandle } from './areas/code-management';
import type { AuthorizerApiFaults } from './shared/http';
import type { CodeManagement, CodeManagementSettings } from './state/code-management';
import type { FaultRegistry } from './state/faults';
import type { PlatformState } from './state/platform-state';
import { bulkAuthorize, type BulkAuthorization } from './state/synthetic';
import type {
  ApiCallRecord,
  ApiName,
  AuthorizerApiCallRecord,
  ComponentConfig,
  ConfirmInput,
  ConfirmResult,
  CustomMessageRecord,
  FaultController,
  PushRecord,
  TestAccount,
} from './state/types';

export interface OpenPlatformOptions {
  host?: string;
  port?: number;
  /** A port bound beforehand to serve on instead of host/port (it stays bound after close). */
  listener?: PortListener;
  clock?: Clock;
  component?: Partial<ComponentConfig>;
  accounts?: TestAccount[];
  /** Default 600; 0 = only on demand. Real timers. */
  ticketPushIntervalSeconds?: number;
  pushTimeoutMs?: number;
  pushAttempts?: number;
  pushRetryDelayMs?: number;
  preAuthCodeTtlSeconds?: number;
  authCodeTtlSeconds?: number;
  /** How long a superseded token (component, authorizer access, rotated refresh) keeps working. */
  tokenGraceSeconds?: number;
  rotateRefreshToken?: boolean;
  ipAllowList?: string[];
  dailyQuota?: Partial<Record<ApiName, number>>;
  /** Seed of the PRNG behind `FaultRule.rate`. Default 1. */
  faultSeed?: number;
  /** Real ms between two looks at the emulated clock for audits that came due. Default 200; 0 = only on calls and `settle()`. */
  auditTickMs?: number;
  /** Code-management rules: undo limits, release during gray, item_list required, ext_json cap. */
  codeManagement?: Partial<CodeManagementSettings>;
  /** Take the client IP from X-Forwarded-For (fastify `trustProxy`). Default false. */
  trustProxy?: boolean;
  log?: (line: string) => void;
}

export interface OpenPlatformEmulator {
  url: string;
  clock: Clock;
  component: ComponentConfig;
  accounts: TestAccount[];
  setAuthEventUrl(url: string | undefined): void;
  setInitiationDomain(host: string | undefined): void;
  /** 消息与事件接收URL, `$APPID$` included. */
  setMessageUrl(url: string | undefined): void;
  /** The 全网发布 switch and the test list (throws RangeError on a bad list). */
  setRelease(input: { released?: boolean; testList?: string[] }): void;
  /** Replays WeChat's 全网发布 test against the platform's URLs. */
  rehearse(options?: RehearsalOptions): Promise<RehearsalReport>;
  /** Customer-service messages sent with authorizer tokens. */
  customMessages: CustomMessageRecord[];
  pushTicket(): Promise<PushRecord>;
  latestTicket(): string | undefined;
  confirmAuthorization(input: ConfirmInput): Promise<ConfirmResult>;
  revoke(authorizerAppid: string): Promise<PushRecord>;
  faults: FaultController;
  pushes: PushRecord[];
  calls: ApiCallRecord[];
  /** Calls of the token-checked APIs (areas/authorizer, areas/templates). */
  authorizerCalls: AuthorizerApiCallRecord[];
  /** Makes the next calls of such an API path answer an errcode. */
  authorizerApiFaults: AuthorizerApiFaults;
  /** Forgets both call records. */
  resetCalls(): void;
  /**
   * Adds `count` synthetic accounts (realistic info, each kind's sets) and authorizes them all at
   * once, without pages or pushes: for scale tests. Each comes with its refresh and access token.
   */
  bulkAuthorize(count: number, seed?: string, only?: (template: TestAccount) => boolean): BulkAuthorization[];
  /** Which appids are currently authorized, with their granted sets (read-only view). */
  authorizations(): { authorizerAppid: string; funcIds: number[]; authTime: number }[];
  /** Whether an authorizer access token would be accepted now (for tests of code that uses them). */
  checkAuthorizerAccessToken(token: string): { ok: true; authorizerAppid: string } | { ok: false; errcode: number };
  /** WeChat's code management for the authorized mini-programs: scripts, quota, slots, audit events. */
  codeManagement: CodeManagementHandle;
  close(): Promise<void>;
}

/** What tests and the CLI hold: state, records and admin actions; `url` and `close` are set once listening. */
export function emulatorFacade(parts: {
  clock: Clock;
  component: ComponentConfig;
  accounts: OpenPlatformEmulator['accounts'];
  faults: FaultRegistry;
  pushes: PushRecord[];
  calls: ApiCallRecord[];
  state: PlatformState;
  flows: Flows;
  customMessages: CustomMessageRecord[];
  authorizerCalls: AuthorizerApiCallRecord[];
  authorizerApiFaults: AuthorizerApiFaults;
  code: CodeManagement;
}): OpenPlatformEmulator {
  const {
    clock,
    component,
    accounts,
    faults,
    pushes,
    calls,
    state,
    flows,
    customMessages,
    authorizerCalls,
    authorizerApiFaults,
    code,
  } = parts;
  return {
    url: '',
    clock,
    component,
    accounts,
    faults,
    pushes,
    calls,
    authorizerCalls,
    authorizerApiFaults,
    setAuthEventUrl: (url) => void (component.authEventUrl = url),
    setInitiationDomain: (host) => void (component.initiationDomain = host),
    setMessageUrl: (url) => void (component.messageUrl = url),
    setRelease: (input) => setRelease(component, input),
    rehearse: (rehearsalOptions) => rehearse({ state, flows, calls, customMessages }, rehearsalOptions),
    customMessages,
    pushTicket: () => flows.pushTicket().done,
    latestTicket: () => state.tickets.latestTicket(),
    async confirmAuthorization(input) {
      const { pushDone, ...result } = flows.confirm(input);
      await pushDone;
      return result;
    },
    revoke: (authorizerAppid) => Promise.resolve().then(() => flows.revoke(authorizerAppid).done),
    resetCalls: () => {
      calls.length = 0;
      authorizerCalls.length = 0;
    },
    bulkAuthorize: (count, seed, only) => bulkAuthorize(state, count, seed, only),
    authorizations: () =>
      state.authorizations
        .list()
        .map((entry) => ({ authorizerAppid: entry.appid, funcIds: [...entry.funcIds], authTime: entry.authTime })),
    checkAuthorizerAccessToken(token) {
      const check = state.authorizerTokens.check(token);
      return check.errcode === 0 ? { ok: true, authorizerAppid: check.key } : { ok: false, errcode: check.errcode };
    },
    codeManagement: codeManagementHandle(code, faults),
    close: async () => undefined,
  };
}
