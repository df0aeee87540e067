import fc from 'fast-check';

/**
 * `fc.assert` for properties whose counterexample is too large to read (thousands of generated
 * events): a failure throws with the seed and path that replay it and the cause (the error the
 * run threw, with its stack), not the counterexample. `FC_SEED=<seed> FC_PATH=<path>` in the
 * environment replays a reported failure.
 */
export async function assertProperty<Ts>(property: fc.IAsyncProperty<Ts>, parameters: fc.Parameters<Ts>): Promise<void> {
  const replay = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH };
  const details = await fc.check(property, { ...parameters, ...replay });
  if (!details.failed) return;
  const error = details.errorInstance;
  const cause = error instanceof Error ? (error.stack ?? error.message) : String(error ?? `no error: ${details.interrupted ? 'interrupted' : 'too many skipped runs'}`);
  throw new Error(`The property failed on run ${details.numRuns} (seed ${details.seed}, path ${details.counterexamplePath ?? '-'}); `
    + `replay it with FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ''}.\nCause: ${cause}`);
}
