import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { Kysely } from 'kysely';
import { requireEnv } from '../shared/read-env';
import { ENV } from '../../lib/private/runtime-contract';
import { DataApiDialect } from './data-api-dialect';

/**
 * Kysely on the read model's database, from the function's environment. The client makes one
 * attempt per call: the SDK's own retry of a statement whose answer was lost would run it twice
 * in its transaction. cdk-cqrs retries whole transactions instead (a conflict), and the queue
 * redelivers what failed; a statement outside a transaction waits for a paused cluster to resume.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sqlDatabaseFromEnv(): Kysely<any> {
  const client = new RDSDataClient({ maxAttempts: 1 });
  return new Kysely({ dialect: new DataApiDialect(client, { resourceArn: requireEnv('sqlClusterArn'), secretArn: requireEnv('sqlSecretArn'), database: requireEnv('sqlDatabase') }) });
}

/** A JSON variable the construct sets; a malformed one names itself. */
export function jsonEnv(name: Parameters<typeof requireEnv>[0]): unknown {
  const raw = requireEnv(name);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new Error(`cdk-cqrs: environment variable ${ENV[name]} is not JSON: ${raw.slice(0, 100)}`);
  }
}
