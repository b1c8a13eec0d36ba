import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildFunction } from '../build-function';
import { packNpm } from '../pack-npm';
import { ShipError } from './errors';
import { REPO_ROOT } from './project';

const run = promisify(execFile);

export interface BuildStep {
  name: string;
  describe: string;
  run(): Promise<string>;
}

const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function typeCheck(project: string): BuildStep {
  return {
    name: `typecheck ${project}`,
    describe: `tsc -p ${project} --noEmit`,
    async run() {
      try {
        await run(process.execPath, [TSC, '-p', project, '--noEmit'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
        return 'no type errors';
      } catch (error) {
        const output = (error as { stdout?: string }).stdout ?? '';
        const errors = output.split('\n').filter((line) => line.includes('error TS'));
        throw new ShipError(`${project} has ${errors.length} type error(s):`, errors.slice(0, 20));
      }
    },
  };
}

/** The build, in order: both type-checks, the function bundle, then miniprogram_npm. */
export function buildSteps(): BuildStep[] {
  return [
    typeCheck('tsconfig.json'),
    typeCheck('miniprogram/tsconfig.json'),
    {
      name: 'function bundle',
      describe: 'esbuild cloudfunctions/authorization/src → cloudfunctions/authorization/index.js',
      async run() {
        const { outfile, bytes } = await buildFunction();
        return `${path.relative(REPO_ROOT, outfile)} (${(bytes / 1024).toFixed(1)} KiB)`;
      },
    },
    {
      name: 'pack npm',
      describe: 'miniprogram-ci packNpmManually: package.json dependencies → miniprogram/miniprogram_npm',
      async run() {
        await packNpm();
        return 'miniprogram/miniprogram_npm rebuilt';
      },
    },
  ];
}
