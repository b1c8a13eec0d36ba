/**
 * The console's screens, in the side navigation's order. Adding a screen is one entry here: a
 * path segment, a title, and a function that returns the screen's HTML fragment (trusted HTML:
 * escape every value with `escapeHtml`; no inline script or style). Screens read through the App
 * like the admin actions do; changes go through `CONSOLE_ACTIONS` (route.ts), never a GET.
 */
import { renderAudit } from './auditScreen';
import { renderAccount, renderAuthorizers } from './authorizersPages';
import { renderHealth } from './healthScreen';
import { renderProxy } from './proxyScreen';
import { renderRelease } from './releaseScreen';
import { renderShipJob, renderShipping } from './shippingPages';
import type { Screen } from './screen';

export const SCREENS: readonly Screen[] = [
  { path: 'health', title: '健康', render: renderHealth },
  { path: 'authorizers', title: '授权账号', render: renderAuthorizers, item: renderAccount },
  // Not `broker`: a path segment `/broker` belongs to the broker's HTTP way in (http/routes.ts).
  { path: 'proxy', title: '代理调用', render: renderProxy },
  { path: 'release', title: '全网发布', render: renderRelease },
  { path: 'shipping', title: '发布到商家', render: renderShipping, item: renderShipJob },
  { path: 'audit', title: '操作记录', render: renderAudit },
];

export const HOME_SCREEN = 'health';

export const screenAt = (path: string): Screen | undefined => SCREENS.find((s) => s.path === path);
