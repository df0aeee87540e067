import type { ErrorAnswer } from '../shared/error-answer';
import { describeDefinitionKind } from '../shared/definition-kind';
import { answerQueryInvocation } from '../http/http-command';
import type { HttpAnswer } from '../http/problem';
import { isSqlQueries } from '../sql/define-sql-queries';
import { handleSqlQuery, type SqlQueryDeps } from '../sql/handle-sql-query';
import { jsonEnv, sqlDatabaseFromEnv } from '../sql/sql-env';

/**
 * The query Lambda of a SQL read model: `{ type, params, caller? }` in, the query's result out; a
 * rejected query is an answer (`{ error }`), only faults throw. An HTTP API event is answered in HTTP.
 */
export function createSqlQueryHandler(queries: unknown, deps?: SqlQueryDeps): (event: unknown) => Promise<unknown | ErrorAnswer | HttpAnswer> {
  if (!isSqlQueries(queries)) {
    throw new Error(`cdk-cqrs: the SQL query function's module must have defineSqlQueries<Tables>()(...) as its default export; it has ${describeDefinitionKind(queries)}.`);
  }
  let resolved = deps;
  return async (event) => {
    resolved ??= sqlQueryDepsFromEnv();
    const handlerDeps = resolved;
    return answerQueryInvocation(event, (request) => handleSqlQuery(queries, request, handlerDeps));
  };
}

function sqlQueryDepsFromEnv(): SqlQueryDeps {
  const projectionNames = jsonEnv('sqlProjections');
  if (!Array.isArray(projectionNames) || projectionNames.some((name) => typeof name !== 'string')) {
    throw new Error('cdk-cqrs: CQRS_SQL_PROJECTIONS must be a JSON array of projection names.');
  }
  return { db: sqlDatabaseFromEnv(), projectionNames };
}
