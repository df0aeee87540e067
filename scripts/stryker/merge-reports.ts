// `npx tsx scripts/stryker/merge-reports.ts <into.json> <report.json>...`: merges Stryker reports (incremental files) of
// runs on disjoint files into one, so that a full run can be made in parts (`npm run mutate -- --mutate <files>
// --incrementalFile reports/part-N.json`), each kept as it ends, and the parts then given to `npm run mutate` as its
// incremental file. List `<into.json>` among the reports too when it holds results to keep.
//
// Test ids are a run's own numbers: the same id names other tests in another run. The merged report keeps each test
// file as the last report that has it saw it, with new ids, and each report's ids are mapped onto those by the test's
// name, when the test's text is the same in both sources (from its first line to the next test's, as Stryker tells a
// changed test). A mutant covered or killed by a test that changed is left out, so the next run tests it again.
import * as fs from 'node:fs';
import { relativeReportPaths } from './relative-paths';

interface Test { id: string; name: string; location?: { start: { line: number } } }
interface TestFile { source?: string; tests: Test[] }
interface Mutant { id: string; coveredBy?: string[]; killedBy?: string[]; [field: string]: unknown }
export interface Report { files: Record<string, { mutants: Mutant[]; [field: string]: unknown }>; testFiles?: Record<string, TestFile>; [field: string]: unknown }

/** Each test's text by name: its source lines up to the next test's first line (the whole file for tests without one). */
function testTexts(testFile: TestFile): Map<string, string | undefined> {
  const lines = testFile.source?.split('\n');
  const starts = [...new Set(testFile.tests.flatMap((test) => (test.location ? [test.location.start.line] : [])))].sort((a, b) => a - b);
  return new Map(testFile.tests.map((test) => {
    if (!lines || !test.location) return [test.name, testFile.source];
    const from = test.location.start.line;
    return [test.name, lines.slice(from - 1, (starts.find((line) => line > from) ?? lines.length + 1) - 1).join('\n')];
  }));
}

/** The merged report, and how many mutant results were left out because a test of theirs changed between reports. */
export function mergeReports(reports: readonly Report[], names: readonly string[]): { merged: Report; leftOut: number } {
  const latest = new Map<string, TestFile>();
  for (const report of reports) for (const [file, testFile] of Object.entries(report.testFiles ?? {})) latest.set(file, testFile);
  let nextTest = 0;
  const testFiles: Record<string, TestFile> = {};
  const idsByName = new Map<string, Map<string, string>>();
  const latestTexts = new Map<string, Map<string, string | undefined>>();
  for (const [file, testFile] of latest) {
    latestTexts.set(file, testTexts(testFile));
    const tests = testFile.tests.map((test) => ({ ...test, id: String(nextTest++) }));
    testFiles[file] = { source: testFile.source, tests };
    idsByName.set(file, new Map(tests.map((test) => [test.name, test.id])));
  }
  const merged: Report = { ...reports[reports.length - 1], files: {}, testFiles };
  let nextMutant = 0;
  let leftOut = 0;
  for (const [index, report] of reports.entries()) {
    const newIds = new Map<string, string>();
    for (const [file, testFile] of Object.entries(report.testFiles ?? {})) {
      const now = latestTexts.get(file)!;
      const then = testTexts(testFile);
      for (const test of testFile.tests) {
        const id = idsByName.get(file)!.get(test.name);
        if (id !== undefined && now.get(test.name) === then.get(test.name)) newIds.set(test.id, id);
      }
    }
    for (const [file, result] of Object.entries(report.files)) {
      if (Object.hasOwn(merged.files, file)) throw new Error(`${file} is in more than one report (${names[index]} and one before it): merge runs on disjoint files only.`);
      const mutants: Mutant[] = [];
      for (const mutant of result.mutants) {
        if ([...(mutant.coveredBy ?? []), ...(mutant.killedBy ?? [])].some((id) => !newIds.has(id))) {
          leftOut++;
          continue;
        }
        const renumber = (list: string[] | undefined) => list?.map((id) => newIds.get(id)!);
        mutants.push({ ...mutant, id: String(nextMutant++), coveredBy: renumber(mutant.coveredBy), killedBy: renumber(mutant.killedBy) });
      }
      merged.files[file] = { ...result, mutants };
    }
  }
  return { merged, leftOut };
}

if (require.main === module) {
  const [into, ...parts] = process.argv.slice(2);
  if (!into || parts.length === 0) {
    process.stderr.write('usage: npx tsx scripts/stryker/merge-reports.ts <into.json> <report.json>...\n');
    process.exit(2);
  }
  // Writing over a report that is not one of the parts would lose its results (hours of runs).
  if (fs.existsSync(into) && !parts.some((part) => fs.realpathSync(part) === fs.realpathSync(into))) {
    process.stderr.write(`${into} exists and is not among the reports to merge: its results would be lost. List it among them too, e.g. ${into} ${into} ${parts.join(' ')}\n`);
    process.exit(2);
  }
  const { merged, leftOut } = mergeReports(parts.map((part) => JSON.parse(fs.readFileSync(part, 'utf8')) as Report), parts);
  fs.writeFileSync(into, `${JSON.stringify(merged, null, 2)}\n`);
  relativeReportPaths(into, process.cwd());
  const mutants = Object.values(merged.files).reduce((sum, file) => sum + file.mutants.length, 0);
  process.stdout.write(`${into}: ${Object.keys(merged.files).length} mutated files, ${mutants} mutant results, ${Object.keys(merged.testFiles ?? {}).length} test files`
    + `${leftOut > 0 ? `; ${leftOut} mutant results left out (their test files changed since: the next run tests them again)` : ''}\n`);
}
