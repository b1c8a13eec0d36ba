import { buildFunction } from '../scripts/build-function';

/** Builds the cloud function bundle once, before any test loads it into the local cloud runtime. */
export default async function globalSetup(): Promise<void> {
  await buildFunction();
}
