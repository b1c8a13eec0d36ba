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
  'console-audit',
] as const;

export type WebStateName = (typeof WEB_STATE_NAMES)[number];
