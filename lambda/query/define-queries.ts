import type { Projection } from '../projection/define-projection';
import { Repository } from './repository';
import type { Caller } from '../shared/envelope';

/** What a query handler gets besides its parameters. */
export interface QueryContext {
  /** The read model's table name. */
  readonly readModelTable: string;
  /** Who runs the query, as an authorizer verified it (`CqrsHttpApi`), or as a trusted invoker said; undefined when nobody said. */
  readonly caller?: Caller;
  /** A Repository on this aggregate's read model for one of its projections (by the name given in `projections`). */
  repository<Agg, View>(projection: Projection<Agg, View>, projectionName: string): Repository<Agg, View>;
}

/** A query handler: `(params, context) => result`; a rejection throws `ValidationError` or `DomainError`. */
export type QueryHandler = (params: never, context: QueryContext) => unknown;

/** What `defineQueries` returns: the handlers plus a marker the query function checks. */
export interface Queries<Handlers> {
  readonly definitionKind: 'queries';
  readonly handlers: Handlers;
}

/**
 * Declares the read-side queries of an aggregate, served by its query function.
 *
 * @example
 * export default defineQueries({
 *   GetCustomer: ({ customerId }: { customerId: string }, { repository }) =>
 *     repository(customerView, 'CustomerView').get(customerId),
 * });
 */
export function defineQueries<Handlers extends Record<string, QueryHandler>>(handlers: Handlers): Queries<Handlers> {
  return { definitionKind: 'queries', handlers };
}

/** The requests the query function accepts: `QueryOf<typeof queries>` is `{ type, params }` per query. */
export type QueryOf<Q> = Q extends Queries<infer Handlers> ? {
  [Name in keyof Handlers & string]: { readonly type: Name; readonly params: Handlers[Name] extends (params: infer Params, context: QueryContext) => unknown ? Params : never }
}[keyof Handlers & string] : never;

/** What a query answers: `QueryResultOf<typeof queries, 'GetCustomer'>`. */
export type QueryResultOf<Q, Name extends string> = Q extends Queries<infer Handlers>
  ? Name extends keyof Handlers ? Awaited<ReturnType<Extract<Handlers[Name], (...args: never[]) => unknown>>> : never
  : never;

/** True for what `defineQueries(...)` returns, also from another bundle. */
export function isQueries(value: unknown): value is Queries<Record<string, (params: unknown, context: QueryContext) => unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return candidate.definitionKind === 'queries' && typeof candidate.handlers === 'object' && candidate.handlers !== null;
}
