import { build, type Plugin } from 'esbuild';
import path from 'node:path';

/**
 * Bundles the cloud function's TypeScript into the single `index.js` the cloud runs. Everything
 * but `wx-server-sdk` (installed by the cloud from the function's package.json) is inlined, so
 * cold start reads one file.
 */
export const FUNCTION_DIR = path.resolve(__dirname, '../cloudfunctions/authorization');

/**
 * `name` is a folder of cloudfunctions/ (default: the authorization function); `outfile` (relative
 * to it) and `plugins` let the benchmarks build a variant beside the real one.
 */
export async function buildFunction(
  options: { minify?: boolean; name?: string; outfile?: string; plugins?: Plugin[] } = {},
): Promise<{ outfile: string; bytes: number }> {
  const dir = options.name ? path.resolve(FUNCTION_DIR, '..', options.name) : FUNCTION_DIR;
  const outfile = path.join(dir, options.outfile ?? 'index.js');
  const result = await build({
    entryPoints: [path.join(dir, 'src/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    // WeChat cloud functions run Node 16 or newer.
    target: 'node16',
    format: 'cjs',
    external: ['wx-server-sdk'],
    minify: options.minify ?? true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: options.plugins ?? [],
  });
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
  return { outfile, bytes };
}

if (require.main === module) {
  buildFunction()
    .then(({ outfile, bytes }) =>
      console.log(`built ${path.relative(process.cwd(), outfile)} (${(bytes / 1024).toFixed(1)} KiB)`),
    )
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
