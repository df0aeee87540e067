import type { Transaction } from 'kysely';
import { DEFINITION_KINDS, definitionKindOf } from '../shared/definition-kind';
import { isRecord } from '../shared/guards';
import type { Caller } from '../shared/envelope';

/** What a SQL query handler gets besides its parameters. */
export interface SqlQueryContext<Tables> {
  /**
   * A read-only transaction on the read model's tables (those of each projection's current
   * generation, so a rebuild's switch is seen whole or not at all). Bind input as parameters,
   * as Kysely's builders and its `sql` template do; never concatenate it into SQL text.
   */
  readonly db: Transaction<Tables>;
  /** Who runs the query, as an authorizer verified it, or as a trusted invoker said; undefined when nobody said. */
  readonly caller?: Caller;
}

/** A SQL query handler: `(params, context) => result`; a rejection throws `ValidationError` or `DomainError`. */
export type SqlQueryHandler<Tables> = (params: never, context: SqlQueryContext<Tables>) => unknown;

/** What `defineSqlQueries` returns: the handlers plus a marker the query function checks. */
export interface SqlQueries<Handlers> {
  readonly definitionKind: 'sqlQueries';
  readonly handlers: Handlers;
}

/**
 * Declares the queries of a SQL read model, served by its query function. Curried so that the
 * handlers are inferred: `defineSqlQueries<OrderTables>()({ ListOrders: (params: {...}, { db }) => ... })`.
 */
export function defineSqlQueries<Tables>(): <Handlers extends Record<string, SqlQueryHandler<Tables>>>(handlers: Handlers) => SqlQueries<Handlers> {
  return (handlers) => ({ definitionKind: DEFINITION_KINDS.sqlQueries, handlers });
}

/** True for what `defineSqlQueries<T>()(...)` returns, also from another bundle. */
export function isSqlQueries(value: unknown): value is SqlQueries<Record<string, (params: unknown, context: SqlQueryContext<unknown>) => unknown>> {
  return definitionKindOf(value) === DEFINITION_KINDS.sqlQueries && isRecord((value as { handlers?: unknown }).handlers);
}
