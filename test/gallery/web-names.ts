/** The web pages in the gallery, in order (test/gallery/web-states.ts takes each; light to import). */
export const WEB_STATE_NAMES = [
  'web-callback-processing',
  'web-entry',
  'emulator-pc',
  'emulator-h5',
  'emulator-error',
  'web-callback-success',
  'web-callback-unchanged',
  'web-callback-failed',
  'emulator-used-code',
  'launcher',
  'web-link-expired',
  'console-login',
  'console-health',
  'console-authorizers',
  'console-account',
  'console-audit',
  'console-proxy',
  'console-release',
  'console-shipping',
  'console-ship-job',
] as const;

export type WebStateName = (typeof WEB_STATE_NAMES)[number];

/** Drawn at desk width (1280 px), not the phone's 375: the provider's PC console. */
export const DESK_STATE_NAMES: ReadonlySet<string> = new Set<WebStateName>(
  WEB_STATE_NAMES.filter((name) => name.startsWith('console-')),
);
