/**
 * Launches the Chromium that chromium-path.ts finds, headless, with the flags these machines need.
 */
import { chromium, type Browser } from 'playwright-core';
import { ChromiumUnavailable, resolveChromium } from './chromium-path';

export { ChromiumUnavailable } from './chromium-path';

/** `--user-data-dir` is not here: playwright-core gives every launch a new empty profile itself. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium; any failure becomes one error that says which binary and why. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = resolveChromium();
  try {
    return await chromium.launch({ executablePath, args: ARGS, timeout: 30_000 });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new ChromiumUnavailable(`Chromium at ${executablePath} did not start: ${reason}`);
  }
}
