import { describeDefinitionKind } from '../shared/definition-kind';
import { isRecord } from '../shared/guards';
import { requireEnv } from '../shared/read-env';
import { createDocumentClient } from '../store/document-client';
import { EventStore } from '../store/event-store';
import { failWhenAllFailed } from '../projection/projector-batch';
import type { BatchResponse } from '../shared/batch-response';
import type { QueueMessage } from '../projection/queue-message';
import { isSqlProjection } from '../sql/define-sql-projection';
import { projectSqlMessages, type SqlProjectorDeps } from '../sql/project-sql-messages';
import { jsonEnv, sqlDatabaseFromEnv } from '../sql/sql-env';

/**
 * The projector Lambda of a SQL projection module (`defineSqlProjection<T>()(...)`): an SQS
 * event source with ReportBatchItemFailures, fed by the rules of each aggregate it reads.
 */
export function createSqlProjector(definition: unknown, deps?: SqlProjectorDeps): (event: { readonly Records: readonly QueueMessage[] }) => Promise<BatchResponse> {
  if (!isSqlProjection(definition)) {
    throw new Error(`cdk-cqrs: the SQL projector's module must have defineSqlProjection<Tables>()(...) as its default export; it has ${describeDefinitionKind(definition)}.`);
  }
  let resolved = deps;
  return async (event) => {
    resolved ??= await sqlProjectorDepsFromEnv();
    const batch = resolved;
    return failWhenAllFailed(batch, event.Records, (log) => projectSqlMessages(definition, event.Records, { ...batch, log }));
  };
}

async function sqlProjectorDepsFromEnv(): Promise<SqlProjectorDeps> {
  const sources = jsonEnv('sqlSources');
  if (!isRecord(sources) || Object.values(sources).some((table) => typeof table !== 'string')) {
    throw new Error('cdk-cqrs: CQRS_SQL_SOURCES must be a JSON object of aggregate names to event-store table names.');
  }
  const dynamoDb = await createDocumentClient();
  const stores = new Map(Object.entries(sources as Record<string, string>).map(([aggregateName, table]) => [aggregateName, new EventStore(dynamoDb, table, 0)]));
  return { db: sqlDatabaseFromEnv(), projectionName: requireEnv('projectionName'), eventStoreOf: (aggregateName) => stores.get(aggregateName) };
}
