/**
 * Least privilege for the broker's callers. Every way in names its caller (an HTTP key or a
 * function secret), and the caller's scope decides, before anything is read or called, whether
 * this operation, WeChat API and appid are allowed. Deny by default. A refusal names the part of
 * the caller's own scope that is missing, nothing about any other caller.
 */
import {
  OP_SCOPE,
  type BrokerOp,
  type BrokerOps,
  type BrokerScope,
  type ScopePart,
} from '../../../../clients/broker-client/src/wire';
import { refuse } from './refusal';

export type CallerWay = 'http' | 'function';

/** Who is calling: the key or secret that authenticated the request, and what it may do. */
export interface BrokerCaller {
  way: CallerWay;
  id: string;
  scope: BrokerScope;
  /** Configured without a scope: it got LEGACY_SCOPE, and the health page says so. */
  legacyScope: boolean;
}

/**
 * What a key or secret written before scopes existed may do: list the authorized accounts (no
 * WeChat call, no credential). Anything more must be granted by a scope.
 */
export const LEGACY_SCOPE: BrokerScope = { ops: ['list'], apis: [], appids: '*' };

/** True when the prefix covers the path (a prefix is a whole path or ends at a `/`). */
export function prefixCovers(prefix: string, path: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  return path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

export function appidAllowed(scope: BrokerScope, appid: string): boolean {
  return scope.appids === '*' || scope.appids.includes(appid);
}

/** Throws SCOPE_DENIED unless the caller's scope covers this operation on this input. */
export function checkScope<K extends BrokerOp>(caller: BrokerCaller, op: K, input: BrokerOps[K]['input']): void {
  const { scope } = caller;
  const operation = OP_SCOPE[op];
  if (!scope.ops.includes(operation)) throw denied(caller, 'operation', `may not use the "${operation}" operation`);
  // A release job spans merchants (config refuses such a scope already; this holds if it ever changes).
  if (operation === 'ship' && scope.appids !== '*') throw denied(caller, 'appid', 'may use "ship" only with appids "*"');
  const appid = (input as { appid?: unknown }).appid;
  if (typeof appid === 'string' && !appidAllowed(scope, appid)) throw denied(caller, 'appid', `may not act for ${appid}`);
  const path = (input as { path?: unknown }).path;
  if (typeof path === 'string' && !scope.apis.some((prefix) => prefixCovers(prefix, path))) {
    throw denied(caller, 'api', `may not call ${path}`);
  }
}

function denied(caller: BrokerCaller, part: ScopePart, what: string) {
  const who = caller.way === 'http' ? `key "${caller.id}"` : `function secret "${caller.id}"`;
  const hint = caller.legacyScope ? ' (it has no scope, so it may only list accounts: give it one)' : '';
  return refuse('SCOPE_DENIED', `${who} ${what}${hint}`, { scope: part });
}
