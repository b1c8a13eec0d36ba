import type { Store } from '../store';
import { PlatformRepository } from './platformRepository';

/**
 * Until the modules being rewritten elsewhere take repositories, they hand the Store to a few
 * use-case functions that take a repository: `platform/componentToken.ts` and `upstream.ts` to `readPlatform`,
 * `ensurePlatform` and `recordUpstreamError`. Delete this file once they have switched.
 */
export type HeldByRewrite<R> = R | Store;

export function platformIn(source: HeldByRewrite<PlatformRepository>): PlatformRepository {
  return source instanceof PlatformRepository ? source : new PlatformRepository(source);
}
