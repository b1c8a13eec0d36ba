import type { AuthType, PermissionBundle } from '../../../typings/api';
import { isAppid } from '../../shared/constants';
import { AUTH_TYPE_OPTIONS } from '../../utils/labels';

/** What the merchant chooses before authorizing, and its checks (shared by the authorize and link pages). */

export const CHANNELS_GUIDE = '请先在视频号助手 → 直播管理 → 开放能力 中开通，再进行授权';

/** Accepts only a type the pages offer; radio names, datasets and queries arrive as text. */
export function toOfferedAuthType(raw: unknown): AuthType | undefined {
  const wanted = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return AUTH_TYPE_OPTIONS.find((option) => option.value === wanted)?.value;
}

/** The field's error message, or '' when the value is empty (optional) or well formed. */
export function bizAppidProblem(value: string): string {
  if (value === '' || isAppid(value)) return ''; // checked here so a typo never costs a pre_auth_code
  return 'AppID 格式不正确：应为 wx 开头、共 18 位的字母或数字';
}

/** A bundle as the radio list shows it: its name over what it holds. */
export interface BundleRow extends PermissionBundle {
  summary: string;
}

export function bundleRows(bundles: readonly PermissionBundle[]): BundleRow[] {
  return bundles.map((bundle) => ({ ...bundle, summary: `共 ${bundle.categoryIds.length} 个权限集` }));
}

/** Channels accounts (5) and "all" (6) need 开放能力 switched on first (spec §6.4.8). */
export function needsChannelsGuide(authType: AuthType | 0): boolean {
  return authType === 5 || authType === 6;
}

/**
 * The bundle to ask for: the chosen one, or the only one when the provider has just one.
 * Undefined when the provider has none (WeChat then offers every released set).
 */
export function bundleToRequest(bundles: readonly PermissionBundle[], chosenId: string): string | undefined {
  if (bundles.some((bundle) => bundle.id === chosenId)) return chosenId;
  return bundles.length === 1 ? bundles[0].id : undefined;
}
