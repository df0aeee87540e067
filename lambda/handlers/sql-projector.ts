import { describeDefinitionKind } from '../shared/definition-kind';
import { isRecord } from '../shared/guards';
import { requireEnv } from '../shared/read-env';
import { createDocumentClient } from '../store/document-client';
import { EventStore } from '../store/event-store';
import { failWhenAllFailed } from '../projection/projector-batch';
import type { BatchResponse } from '../shared/batch-response';
import type { QueueMessage } from '../projection/queue-message';
import { isSqlProjection } from '../sql/define-sql-projection';
import { projectSqlMessages } from '../sql/project-sql-messages';
import { isSqlRebuildRequest, rebuildSqlProjection, type SqlRebuildDeps, type SqlRebuildReport, type SqlRebuildRequest } from '../sql/rebuild-sql-projection';
import { rebuildInvocation, type RebuildContext } from '../projection/rebuild-request';
import { jsonEnv, sqlDatabaseFromEnv } from '../sql/sql-env';

/** The SQL projector's handler: an SQS batch in, its partial batch response out; or a rebuild request in, its report out. */
export interface SqlProjector {
  (event: { readonly Records: readonly QueueMessage[] }, context?: RebuildContext): Promise<BatchResponse>;
  (event: SqlRebuildRequest, context: RebuildContext): Promise<SqlRebuildReport>;
}

/** What the SQL projector needs; built from the environment unless given. The Lambda client (rebuilds only) is made on first use. */
export type SqlProjectorHandlerDeps = Omit<SqlRebuildDeps, 'lambda'> & Partial<Pick<SqlRebuildDeps, 'lambda'>>;

/**
 * The projector Lambda of a SQL projection module (`defineSqlProjection<T>()(...)`): an SQS
 * event source with ReportBatchItemFailures, fed by the rules of each aggregate it reads.
 */
export function createSqlProjector(definition: unknown, deps?: SqlProjectorHandlerDeps): SqlProjector {
  if (!isSqlProjection(definition)) {
    throw new Error(`cdk-cqrs: the SQL projector's module must have defineSqlProjection<Tables>()(...) as its default export; it has ${describeDefinitionKind(definition)}.`);
  }
  let resolved = deps;
  const rebuilding = rebuildInvocation(deps?.lambda);
  const handler = async (event: { readonly Records: readonly QueueMessage[] } | SqlRebuildRequest, context?: RebuildContext): Promise<BatchResponse | SqlRebuildReport> => {
    resolved ??= await sqlProjectorDepsFromEnv();
    const batch = resolved;
    if (isSqlRebuildRequest(event)) {
      const { context: lambdaContext, lambda } = await rebuilding(context);
      return rebuildSqlProjection(definition, event, lambdaContext, { ...batch, lambda });
    }
    return failWhenAllFailed(batch, event.Records, (log) => projectSqlMessages(definition, event.Records, { ...batch, log }));
  };
  return handler as SqlProjector;
}

async function sqlProjectorDepsFromEnv(): Promise<SqlProjectorHandlerDeps> {
  const sources = jsonEnv('sqlSources');
  if (!isRecord(sources) || Object.values(sources).some((table) => typeof table !== 'string')) {
    throw new Error('cdk-cqrs: CQRS_SQL_SOURCES must be a JSON object of aggregate names to event-store table names.');
  }
  const dynamoDb = await createDocumentClient();
  const tables = new Map(Object.entries(sources as Record<string, string>));
  const stores = new Map([...tables].map(([aggregateName, table]) => [aggregateName, new EventStore(dynamoDb, table, 0)]));
  return { db: sqlDatabaseFromEnv(), projectionName: requireEnv('projectionName'), eventStoreOf: (aggregateName) => stores.get(aggregateName), sources: tables, dynamoDb };
}
