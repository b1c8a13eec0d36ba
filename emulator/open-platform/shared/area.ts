/**
 * How a product area plugs into the emulator: a folder under areas/ whose index.ts exports one
 * `ProductArea`; server.ts registers every area of its list with the same context. An area sees
 * the state layer, this shared folder and its own files, and reaches WeChat's pushes only through
 * `flows` (an interface, implemented on top by flows.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { CodeManagement } from '../state/code-management';
import type { FaultRegistry } from '../state/faults';
import type { PlatformState } from '../state/platform-state';
import type { PlatformFlows } from '../state/ports';
import type { DailyQuota } from '../state/quota';
import type { TemplateLibrary } from '../state/template-library';
import type { ApiCallRecord, AuthorizerApiCallRecord, CustomMessageRecord } from '../state/types';
import type { AuthorizerApiFaults } from './http';

export interface AreaContext {
  state: PlatformState;
  flows: PlatformFlows;
  /** Calls of the component APIs under `/cgi-bin/component/`. */
  calls: ApiCallRecord[];
  /** Calls of the token-checked APIs (shared/http.ts `serve()`). */
  authorizerCalls: AuthorizerApiCallRecord[];
  customMessages: CustomMessageRecord[];
  /** Fault rules of the component APIs and pushes. */
  faults: FaultRegistry;
  /** Next-call faults of the token-checked APIs, by path. */
  authorizerApiFaults: AuthorizerApiFaults;
  quota: DailyQuota;
  /** The draft box and template library (areas/templates serves it, code-management commits from it). */
  templates: TemplateLibrary;
  /** Every mini-program's code slots, audit scripts and the audit quota (areas/code-management). */
  code: CodeManagement;
  /** Client IPs the component APIs accept; undefined = any. */
  ipAllowList?: string[];
  log: (line: string) => void;
}

export interface ProductArea {
  /** A short name for the README and logs, e.g. `templates`. */
  name: string;
  /** Adds the area's routes (WeChat's APIs and its `/__emulator/` admin routes, if any). */
  register(app: FastifyInstance, context: AreaContext): void;
}
