// DynamoDB Local for one Stryker test runner process, started afresh every RUNS_PER_INSTANCE mutant runs.
// One instance for a whole run slows as the tables and stream records of thousands of jest runs pile up in it: tests
// that pass then overrun Stryker's timeout, and a mutant they would have let survive is counted as a timeout (killed).
// Retesting the timeouts of handle-command.ts and event-store.ts on a fresh instance found 9 survivors among 58.
// The next instance starts while the current one serves a run, and takes over only once it is up, so a mutant's timed
// run never waits for Java to start. Stryker ends a runner that overruns by killing its process tree, Java included;
// the runner that replaces it starts its own, and a runner that exits any other way kills its instances on exit.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { startDynamoDbLocal, stopDynamoDbLocal } = await tsImport('../../lambda/local/dynamodb-local.ts', import.meta.url);
// As test/helpers/shared-dynamodb-local.ts has it (its __dirname is not the file's under tsImport).
const directory = process.env.DYNAMODB_LOCAL_DIR || path.join(root, '.cache', 'dynamodb-local');

/** Mutant runs an instance serves: a run creates up to a few dozen tables, and 20 runs leave it as fast as new. */
export const RUNS_PER_INSTANCE = 20;

export function workerDynamoDbLocal() {
  let current;
  /** The next instance: starting, or up and waiting to take over. */
  let next;
  let runs = 0;
  const started = new Set();
  const start = async () => {
    const running = await startDynamoDbLocal({ directory });
    started.add(running);
    running.process.once('exit', () => started.delete(running));
    return running;
  };
  const use = (running) => {
    current = running;
    runs = 0;
    process.env.DYNAMODB_ENDPOINT = running.endpoint;
  };
  process.once('exit', () => {
    for (const running of started) running.process.kill('SIGKILL');
  });
  return {
    async start() {
      use(await start());
    },
    /** After the dry run, which filled the first instance with every test's tables: the next starts at once. */
    afterDryRun() {
      runs = RUNS_PER_INSTANCE - 1;
    },
    /** Before a mutant run: take the next instance over if the current one has served its runs and the next is up. */
    beforeRun() {
      if (runs >= RUNS_PER_INSTANCE - 1 && !next) {
        const pending = { running: undefined, failed: undefined };
        pending.promise = start().then((running) => { pending.running = running; }, (error) => { pending.failed = error; });
        next = pending;
      }
      if (next?.failed) {
        // Keep the current instance; try again after as many runs.
        process.stderr.write(`A fresh DynamoDB Local did not start; keeping the current one: ${next.failed}\n`);
        next = undefined;
        runs = 0;
      }
      if (runs >= RUNS_PER_INSTANCE && next?.running) {
        const old = current;
        use(next.running);
        next = undefined;
        // Not awaited: the kill is immediate, and its exit needs no wait before this run.
        void stopDynamoDbLocal(old);
      }
      runs += 1;
    },
    async stop() {
      await next?.promise;
      await Promise.all([current, next?.running].filter(Boolean).map((running) => stopDynamoDbLocal(running)));
    },
  };
}
