import type { Transaction } from 'kysely';
import { DEFINITION_KINDS, definitionKindOf } from '../shared/definition-kind';
import { isRecord } from '../shared/guards';
import type { EventEnvelope } from '../shared/envelope';
import type { EventOf } from '../write/aggregate-types';
import type { AnyUpcasters } from '../write/upcast';
import type { EventOfType } from '../projection/define-projection';

/** What a SQL projection's handler gets besides its event. */
export interface SqlProjectionContext<Tables> {
  /**
   * The transaction the event's effects commit in, together with the advance of the
   * projection's checkpoint for the event's aggregate: all or nothing. Its tables are those of
   * the generation being written (a rebuild writes a fresh one), so write table names
   * unqualified. It is SERIALIZABLE: a conflict with another projector's transaction is retried.
   */
  readonly db: Transaction<Tables>;
  /** The projection's name, as given in `CqrsSqlReadModel`'s `projections`. */
  readonly projectionName: string;
}

/** The handlers of one aggregate's events: one per event type the projection listens to. */
export type SqlEventHandlers<Agg, Tables> = {
  readonly [Type in EventOf<Agg>['type']]?: (event: EventOfType<Agg, Type>, context: SqlProjectionContext<Tables>) => Promise<void> | void;
};

/** Per aggregate (by the name its `CqrsAggregate` gives it), the handlers of its events. */
export type SqlProjectionHandlers<Aggregates, Tables> = {
  readonly [Name in keyof Aggregates]?: SqlEventHandlers<Aggregates[Name], Tables>;
};

/** What `defineSqlProjection<Tables>()(...)` takes. */
export interface SqlProjectionSpec<Aggregates, Tables> {
  /**
   * The aggregates whose events the projection reads, by the `aggregateName` each is given in
   * its `CqrsAggregate` (the construct's `sources` must be exactly these): `{ Order: order, Customer: customer }`.
   */
  readonly aggregates: Aggregates;
  /** Per aggregate name, per event type: what the event does to the tables. */
  readonly events: SqlProjectionHandlers<Aggregates, Tables>;
  /**
   * Change it when the handlers' effects change for a reason their own text does not show. Each
   * generation of the tables records the code version that built it (from the handlers' source
   * text and this value), so a projector can say when its tables were built by other code.
   * @default - the code version comes from the source text alone
   */
  readonly version?: string | number;
}

/** What `defineSqlProjection` returns. */
export interface SqlProjection<Aggregates, Tables> extends SqlProjectionSpec<Aggregates, Tables> {
  readonly definitionKind: 'sqlProjection';
  /** Type only: the tables the handlers write (never set). */
  readonly tables?: Tables;
}

/** An aggregate as a SQL projection names it: what `defineAggregate` returns. */
export interface AggregateDefinitionLike {
  readonly definitionKind: 'aggregate';
}

/**
 * A projection whose handlers write SQL tables (PostgreSQL; Aurora through the RDS Data API in
 * the cloud, PGlite locally), fed by the events of one or more aggregates.
 *
 * Exactness: per aggregate, each event's effects and the advance of the (projection, aggregate)
 * checkpoint commit in one transaction; a duplicate or stale event is skipped by the checkpoint,
 * a gap is filled from the event store, and a handler that throws fails its message and the
 * later ones of that aggregate. The tables equal the sequential fold when the handlers of
 * different aggregates commute: a handler may read and write rows of another aggregate (an
 * order copies its customer's name, a customer's new email updates their orders), as long as
 * the end result does not depend on which aggregate's event came first. See docs/sql-projections.md.
 *
 * `Tables` is the Kysely database interface of the tables your migrations create; the call is
 * curried so that the aggregates are inferred: `defineSqlProjection<OrderTables>()({ aggregates, events })`.
 */
export function defineSqlProjection<Tables>(): <Aggregates extends Record<string, AggregateDefinitionLike>>(
  spec: SqlProjectionSpec<Aggregates, Tables>,
) => SqlProjection<Aggregates, Tables> {
  return (spec) => ({ definitionKind: DEFINITION_KINDS.sqlProjection, aggregates: spec.aggregates, events: spec.events, version: spec.version });
}

/** An untyped SQL handler, as the projector runs it. */
export type AnySqlHandler = (event: EventEnvelope, context: SqlProjectionContext<unknown>) => Promise<void> | void;

/** A SQL projection with its types erased, as the projector runs it. */
export interface AnySqlProjection {
  readonly definitionKind: 'sqlProjection';
  readonly aggregates: Readonly<Record<string, { readonly upcasters?: AnyUpcasters } | undefined>>;
  readonly events: Readonly<Record<string, Readonly<Record<string, AnySqlHandler | undefined>> | undefined>>;
  readonly version?: string | number;
}

/** True for what `defineSqlProjection<T>()(...)` returns, also from another bundle. */
export function isSqlProjection(value: unknown): value is AnySqlProjection {
  return definitionKindOf(value) === DEFINITION_KINDS.sqlProjection
    && isRecord((value as { events?: unknown }).events) && isRecord((value as { aggregates?: unknown }).aggregates);
}
