import { sql, type Kysely } from 'kysely';
import { parseQueryRequest } from '../query/handle-query';
import { SQL_READ_MODEL } from '../../lib/private/runtime-contract';
import { isSqlQueries, type SqlQueryContext } from './define-sql-queries';

/** What the SQL query function needs; the Lambda entry point builds it from its environment. */
export interface SqlQueryDeps {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  /** The read model's projections: queries read the tables of each one's active generation. */
  readonly projectionNames: readonly string[];
}

/**
 * Runs one query request `{ type, params, caller? }` on a SQL read model (the request read as an
 * aggregate's query function reads it), in a READ ONLY transaction whose unqualified table names
 * resolve in the active generation of each projection: a rebuild's switch is seen whole or not at
 * all, and a query cannot write.
 */
export async function handleSqlQuery(queries: unknown, request: unknown, deps: SqlQueryDeps): Promise<unknown> {
  if (!isSqlQueries(queries)) throw new Error('cdk-cqrs: the query function got no queries: the module\'s default export must be defineSqlQueries<Tables>()(...).');
  const { handler, params, caller } = parseQueryRequest(queries.handlers, request);
  return deps.db.transaction().setAccessMode('read only').execute(async (trx) => {
    const names = deps.projectionNames.length > 0 ? deps.projectionNames : [''];
    const { rows } = await sql<{ schema_name: string }>`SELECT schema_name FROM ${sql.id(SQL_READ_MODEL.registrySchema, 'generations')}
      WHERE status = 'active' AND projection IN (${sql.join(names)}) ORDER BY projection`.execute(trx);
    if (rows.length < deps.projectionNames.length) {
      throw new Error('cdk-cqrs: the read model has no tables yet: its migrations have not been applied (they are applied at deploy, and at local start).');
    }
    await sql`SET LOCAL search_path TO ${sql.join(rows.map((row) => sql.id(row.schema_name)))}`.execute(trx);
    const context: SqlQueryContext<unknown> = { db: trx, ...(caller === undefined ? {} : { caller }) };
    return handler(params as never, context);
  });
}
