import { kib, type CheckReport } from './checks';

/** The check's result as a person reads it: sizes, biggest files, then each problem. */
export function formatCheckReport(report: CheckReport): string[] {
  const share = (bytes: number, of: number) => `${((bytes / of) * 100).toFixed(0)}%`;
  const lines = [
    `main package: ${kib(report.mainPackageBytes)} of ${report.fileCount} files ` +
      `(${share(report.mainPackageBytes, report.budgetBytes)} of our ${kib(report.budgetBytes)} budget, ` +
      `${share(report.mainPackageBytes, report.limitBytes)} of WeChat's ${kib(report.limitBytes)} limit); source maps ${kib(report.sourceMapBytes)} apart`,
    'biggest files:',
    ...report.biggestFiles.map((f) => `  ${kib(f.bytes).padStart(10)}  ${f.path}`),
    ...report.notes.map((note) => `note: ${note}`),
  ];
  if (report.ok) {
    lines.push('check passed: nothing that must not ship was found.');
  } else {
    lines.push(`check FAILED (${report.findings.length} problem${report.findings.length === 1 ? '' : 's'}):`);
    lines.push(...report.findings.map((f) => `  [${f.rule}] ${f.message}`));
  }
  return lines;
}
