// `npx tsx scripts/stryker/merge-reports.ts <into.json> <report.json>...`: merges Stryker reports (incremental files) of
// runs on disjoint files into one, so that a full run can be made in parts (`npm run mutate -- --mutate <files>
// --incrementalFile reports/part-N.json`), each kept as it ends, and the parts then given to `npm run mutate` as its
// incremental file. Files and test files are united; a test file in several reports is taken from the last given.
import * as fs from 'node:fs';
import { relativeReportPaths } from './relative-paths';

interface Report { files: Record<string, unknown>; testFiles?: Record<string, unknown>; [field: string]: unknown }

const [into, ...parts] = process.argv.slice(2);
if (!into || parts.length === 0) {
  process.stderr.write('usage: npx tsx scripts/stryker/merge-reports.ts <into.json> <report.json>...\n');
  process.exit(2);
}
const reports = parts.map((part) => JSON.parse(fs.readFileSync(part, 'utf8')) as Report);
const merged: Report = { ...reports[reports.length - 1], files: {}, testFiles: {} };
for (const [index, report] of reports.entries()) {
  for (const [file, result] of Object.entries(report.files)) {
    if (file in merged.files) throw new Error(`${file} is in more than one report (${parts[index]} and one before it): merge runs on disjoint files only.`);
    merged.files[file] = result;
  }
  Object.assign(merged.testFiles ?? {}, report.testFiles ?? {});
}
fs.writeFileSync(into, `${JSON.stringify(merged, null, 2)}\n`);
relativeReportPaths(into, process.cwd());
process.stdout.write(`${into}: ${Object.keys(merged.files).length} mutated files, ${Object.keys(merged.testFiles ?? {}).length} test files\n`);
