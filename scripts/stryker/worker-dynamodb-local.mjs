// DynamoDB Local for one Stryker test runner process, started afresh every RUNS_PER_INSTANCE mutant runs.
// One instance for a whole run slows as the tables and stream records of thousands of jest runs pile up in it: tests
// that pass then overrun Stryker's timeout, and a mutant they would have let survive is counted as a timeout (killed).
// Retesting the timeouts of handle-command.ts and event-store.ts on a fresh instance found 9 survivors among 58.
// The next instance starts while the current one serves a run, so a mutant's timed run never waits for Java to start.
// Stryker ends a runner that overruns by killing its process tree, Java included; the runner that replaces it starts its own.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { startDynamoDbLocal, stopDynamoDbLocal } = await tsImport('../../lambda/local/dynamodb-local.ts', import.meta.url);
const start = () => startDynamoDbLocal({ directory: path.join(root, '.cache', 'dynamodb-local') });

/** Mutant runs an instance serves: a run creates up to a few dozen tables, and 20 runs leave it as fast as new. */
export const RUNS_PER_INSTANCE = 20;

export function workerDynamoDbLocal() {
  let current;
  let next;
  let runs = 0;
  const use = (running) => {
    current = running;
    runs = 0;
    process.env.DYNAMODB_ENDPOINT = running.endpoint;
  };
  return {
    async start() {
      use(await start());
    },
    /** Before a mutant run: the instance it should use, fresh when the current one has served its runs. */
    async beforeRun() {
      if (runs === RUNS_PER_INSTANCE - 1 && !next) {
        next = start();
        // Awaited at the next run, which then fails with its error; until then it must not count as unhandled.
        next.catch(() => undefined);
      }
      if (runs >= RUNS_PER_INSTANCE && next) {
        const old = current;
        use(await next);
        next = undefined;
        await stopDynamoDbLocal(old);
      }
      runs += 1;
    },
    async stop() {
      await Promise.all([current && stopDynamoDbLocal(current), next?.then(stopDynamoDbLocal)]);
    },
  };
}
