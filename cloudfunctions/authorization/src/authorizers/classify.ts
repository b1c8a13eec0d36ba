import type { AuthorizerKind } from '../../../../typings/api';

/** The parts of authorizer_info (spec §4.5) that decide what kind of account this is. */
export interface KindSignals {
  MiniProgramInfo?: unknown;
  channels_info?: unknown;
  store_info?: unknown;
  talent_info?: unknown;
  supplier_info?: unknown;
  service_type_info?: { id: number } | null;
}

/** Mini-program service_type ids that mean a mini-game (spec §4.5). */
const MINI_GAME_SERVICE_TYPE = 4;

/**
 * The spec's decision order: the dedicated markers first (Channels, store, sales assistant,
 * supplier), then MiniProgramInfo for mini-programs, and otherwise an official account.
 */
export function classifyAuthorizer(info: KindSignals): AuthorizerKind {
  if (info.channels_info) return 'channels';
  if (info.store_info) return 'store';
  if (info.talent_info) return 'sales_assistant';
  if (info.supplier_info) return 'supplier';
  if (info.MiniProgramInfo) {
    return info.service_type_info?.id === MINI_GAME_SERVICE_TYPE ? 'mini_game' : 'mini_program';
  }
  return 'official_account';
}
