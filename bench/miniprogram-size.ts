import { packNpmIfMissing, PROJECT_ROOT } from '../scripts/pack-npm';
import { mainPackageFiles } from '../scripts/ship/checks';
import { compileMiniprogram } from '../scripts/ship/compile';

/**
 * The mini-program as WeChat would receive it, measured with the project's own offline compile
 * (scripts/ship: miniprogram-ci with the project's settings, npm packed, unused files left out),
 * so `npm run check` and the benchmark count the same bytes.
 */
export interface CompiledSize {
  mainPackageBytes: number;
  files: number;
  /** Main-package bytes by top folder (Vant's components under miniprogram_npm/@vant/weapp). */
  byFolder: Record<string, number>;
}

export async function compiledMiniprogramSize(): Promise<CompiledSize> {
  await packNpmIfMissing();
  const pkg = await compileMiniprogram(PROJECT_ROOT);
  const main = mainPackageFiles(pkg.files);
  const byFolder: Record<string, number> = {};
  for (const file of main) {
    const folder = file.path
      .split('/')
      .slice(0, file.path.startsWith('miniprogram_npm/@') ? 3 : 2)
      .join('/');
    byFolder[folder] = (byFolder[folder] ?? 0) + file.bytes;
  }
  return { mainPackageBytes: main.reduce((sum, file) => sum + file.bytes, 0), files: main.length, byFolder };
}
