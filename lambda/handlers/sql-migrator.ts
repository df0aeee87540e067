import type { Kysely } from 'kysely';
import { describeError } from '../shared/guards';
import { migrateReadModel, type ProjectionMigration } from '../sql/migrate-read-model';
import type { Migration } from '../sql/sql-migrations';
import { sqlDatabaseFromEnv } from '../sql/sql-env';

/** The fields of a CloudFormation custom resource request that the migrator reads. */
export interface MigrationsResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  /** Where CloudFormation waits for the answer (a presigned S3 URL). Without it (a local start, a test) the result is returned, and a failure thrown. */
  readonly ResponseURL?: string;
  readonly StackId?: string;
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
}

/** Stable: an update never replaces the resource, so CloudFormation never deletes the old one. */
const PHYSICAL_ID = 'cdk-cqrs-sql-migrations';

/**
 * The Lambda behind a read model's `Custom::CqrsSqlMigrations` resource: on create and update it
 * applies the migrations bundled into it (`migrateReadModel`); on delete it does nothing, as the
 * data outlives the stack unless the cluster's removal policy says otherwise. It answers
 * CloudFormation itself, always: a handler that threw without answering would hold the stack for an hour.
 */
export function createSqlMigrator(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  migrations: Readonly<Record<string, readonly Migration[]>>, deps?: { readonly db?: Kysely<any>; readonly log?: (entry: Record<string, unknown>) => void },
) {
  let db = deps?.db;
  const log = deps?.log ?? ((entry: Record<string, unknown>) => console.log(JSON.stringify(entry)));
  return async (event: MigrationsResourceEvent): Promise<{ readonly projections: ProjectionMigration[] }> => {
    let result: { readonly projections: ProjectionMigration[] } = { projections: [] };
    try {
      if (event.RequestType !== 'Delete') {
        db ??= sqlDatabaseFromEnv();
        result = { projections: await migrateReadModel(db, migrations) };
        log({ message: 'cdk-cqrs: migrations applied', ...result });
      }
    } catch (error) {
      log({ message: `cdk-cqrs: migrations failed: ${describeError(error)}` });
      if (!event.ResponseURL) throw error;
      await answer(event, 'FAILED', describeError(error));
      return result;
    }
    if (event.ResponseURL) await answer(event, 'SUCCESS');
    return result;
  };
}

/** Sends CloudFormation the resource's outcome (its Reason at most 4 KB, as it takes no more). */
async function answer(event: MigrationsResourceEvent, status: 'SUCCESS' | 'FAILED', reason?: string): Promise<void> {
  const body = JSON.stringify({
    Status: status, Reason: reason?.slice(0, 4000) ?? 'See the migrator\'s log.', PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: {},
  });
  const response = await fetch(String(event.ResponseURL), { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`cdk-cqrs: CloudFormation's response URL answered ${response.status}.`);
}
