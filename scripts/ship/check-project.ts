import { runChecks, type CheckOptions, type CheckReport } from './checks';
import { compileMiniprogram, type CompiledPackage } from './compile';

export interface ProjectCheck {
  pkg: CompiledPackage;
  report: CheckReport;
}

/** Compiles the project offline, as upload would, and runs every check on the result. */
export async function checkProject(projectRoot: string, options: CheckOptions = {}): Promise<ProjectCheck> {
  const pkg = await compileMiniprogram(projectRoot);
  return { pkg, report: runChecks(pkg, options) };
}
