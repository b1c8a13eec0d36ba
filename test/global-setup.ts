import { buildFunction } from '../scripts/build-function';
import { resolveChromium } from '../scripts/browser/chromium-path';

/**
 * Builds the cloud function bundles (the function and the broker's example caller) once, before
 * any test loads them into the local cloud runtime, and finds the Chromium for the browser tests
 * here, in plain Node (see scripts/browser/chromium-path.ts): workers inherit `CHROMIUM_PATH`.
 * Without a browser the run stops here with one message.
 */
export default async function globalSetup(): Promise<void> {
  process.env.CHROMIUM_PATH = resolveChromium();
  await buildFunction();
  await buildFunction({ name: 'broker-example' });
}
