import { ENV } from '../../lib/private/runtime-contract';

type EnvName = keyof typeof ENV;

/** Reads a variable that the construct sets; a missing one names itself. */
export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[ENV[name]];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${ENV[name]} is not set. The CqrsAggregate construct sets it; set it yourself when running this handler elsewhere.`);
  }
  return value;
}

/** Reads a whole-number variable that the construct sets. */
export function numberEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): number {
  const raw = requireEnv(name, env);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`Environment variable ${ENV[name]} must be an integer >= 0 (given '${raw}').`);
  return value;
}

/**
 * Where a reader finds a session's pending writes, set only when the aggregate has readYourWrites
 * (the shape of `SessionReadSettings`): the session table, the aggregate's name, the event store.
 */
export function readYourWritesEnv(env: NodeJS.ProcessEnv = process.env): { sessionTable: string; aggregateName: string; eventStoreTable: string } | undefined {
  if (!env[ENV.sessionTable]) return undefined;
  return { sessionTable: requireEnv('sessionTable', env), aggregateName: requireEnv('aggregateName', env), eventStoreTable: requireEnv('eventStoreTable', env) };
}
