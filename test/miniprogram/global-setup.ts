// jest globalSetup for the `miniprogram` project: builds miniprogram/miniprogram_npm (Vant)
// once, before any worker starts, if a previous run has not left it in place.
import { packNpmIfMissing } from '../../scripts/pack-npm';

export default async function globalSetup(): Promise<void> {
  await packNpmIfMissing();
}
