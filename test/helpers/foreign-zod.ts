/**
 * zod keeps its global configuration on `globalThis`, shared by every copy of zod in a realm, and
 * playwright-core's bundled zod sets English locale messages there when it loads. The local cloud
 * runtime evaluates the function bundle in the process's main realm (vm.runInThisContext), not in
 * jest's sandbox, so that is where these helpers load playwright-core, with Node's own require.
 */
import vm from 'node:vm';

type ZodConfig = Record<string, unknown>;
type Realm = typeof globalThis & { __zod_globalConfig?: ZodConfig; [PLAYWRIGHT_SET]?: ZodConfig };

/** Where the realm keeps the config as playwright-core left it: Node caches the module, so it sets it only on its first load. */
const PLAYWRIGHT_SET = Symbol.for('tests: zod config set by playwright-core');

/** Runs `run` with playwright-core loaded in the function's realm; zod's global config is put back after. */
export async function withPlaywrightLoaded<T>(run: () => Promise<T>): Promise<T> {
  const realm = vm.runInThisContext('globalThis') as Realm;
  const config = (realm.__zod_globalConfig ??= {});
  const saved = { ...config };
  Object.assign(config, (realm[PLAYWRIGHT_SET] ??= loadPlaywright(realm, config)));
  try {
    return await run();
  } finally {
    for (const key of Object.keys(config)) delete config[key];
    Object.assign(config, saved);
  }
}

function loadPlaywright(realm: Realm, config: ZodConfig): ZodConfig {
  const { createRequire } = realm.process.getBuiltinModule('node:module');
  createRequire(__filename)('playwright-core');
  // Without it the test could pass for want of a foreign configuration.
  if (typeof config.localeError !== 'function') throw new Error("playwright-core did not set zod's global localeError");
  return { ...config };
}
