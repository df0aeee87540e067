// `npm run mutate`: StrykerJS on the runtime's core (stryker.config.mjs; docs/mutation-testing.md), then the covered
// score of each module. Each Stryker test runner starts its own DynamoDB Local (scripts/stryker/worker-dynamodb-local.mjs);
// this fetches it first, so that the runners do not fetch it at once.
// Extra arguments go to `stryker run`, e.g. `npm run mutate -- --mutate lambda/write/fold.ts`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fetchDynamoDbLocal } from '../lambda/local/dynamodb-local';
import { REPO_DYNAMODB_LOCAL_DIR } from '../test/helpers/shared-dynamodb-local';
import { relativeReportPaths } from './stryker/relative-paths';

const root = path.join(__dirname, '..');
const report = path.join(root, 'reports', 'mutation', 'mutation.json');
/** The incremental file that is committed (stryker.config.mjs); a run given its own `--incrementalFile` leaves it alone. */
const incrementalFile = path.join(root, 'reports', 'stryker-incremental.json');

interface MutationReport { files: Record<string, { mutants: { status: string }[] }> }

/** Stryker's "covered" score: killed (timeouts included) over the mutants some test runs; compile errors and ignored ones count nowhere. */
function coveredScores(files: MutationReport['files']): [string, string][] {
  const modules = new Map<string, { detected: number; covered: number }>();
  const add = (name: string, status: string) => {
    const module = modules.get(name) ?? { detected: 0, covered: 0 };
    if (status === 'Killed' || status === 'Timeout') module.detected += 1;
    if (['Killed', 'Timeout', 'Survived'].includes(status)) module.covered += 1;
    modules.set(name, module);
  };
  for (const [file, { mutants }] of Object.entries(files)) {
    for (const { status } of mutants) {
      add(path.posix.dirname(file.split(path.sep).join('/')), status);
      add('all', status);
    }
  }
  // The folders in order, then all of them.
  const order = ([a]: [string, unknown], [b]: [string, unknown]) => Number(a === 'all') - Number(b === 'all') || a.localeCompare(b);
  return [...modules].sort(order).map(([name, { detected, covered }]) => [name, covered ? `${(100 * detected / covered).toFixed(2)}%` : 'n/a']);
}

async function main(): Promise<number> {
  const started = Date.now();
  fetchDynamoDbLocal(REPO_DYNAMODB_LOCAL_DIR);
  const stryker = spawn(path.join(root, 'node_modules', '.bin', 'stryker'), ['run', ...process.argv.slice(2)], {
    cwd: root, stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const stop = () => stryker.kill('SIGINT');
  process.on('SIGINT', stop).on('SIGTERM', stop);
  const status = await new Promise<number>((resolve) => stryker.on('exit', (code) => resolve(code ?? 1)));
  relativeReportPaths(incrementalFile, root);
  if (status === 0 && fs.existsSync(report)) {
    const { files } = JSON.parse(fs.readFileSync(report, 'utf8')) as MutationReport;
    process.stdout.write('\nMutation score on covered code, per module (mutationScoreBasedOnCoveredCode):\n');
    for (const [name, score] of coveredScores(files)) process.stdout.write(`  ${name.padEnd(20)} ${score}\n`);
  }
  process.stdout.write(`\nnpm run mutate took ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
  return status;
}

main().then((status) => process.exit(status), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
