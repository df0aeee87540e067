import type { EventOf } from '../write/aggregate-types';
import type { AnyUpcasters } from '../write/upcast';
import type { Caller, EventEnvelope } from '../shared/envelope';

/** The envelope of one event type of an aggregate: `EventOfType<typeof order, 'OrderShipped'>`. */
export type EventOfType<Agg, Type> = Extract<EventOf<Agg>, { readonly type: Type }>;

/**
 * One handler per event type the projection listens to: (view | undefined, event) => view | null.
 * `undefined` comes in when there is no document yet (or it was deleted); return `null` (or
 * `undefined`, as `view && { ...view }` does) to delete it, or to leave it absent.
 */
export type ProjectionHandlers<Agg, View> = {
  readonly [Type in EventOf<Agg>['type']]?: (view: View | undefined, event: EventOfType<Agg, Type>) => View | null | undefined;
};

/** Where a document sits in a read-model index (GSI); `undefined` leaves it out of the index. */
export interface IndexKey {
  readonly pk: string;
  readonly sk: string;
}

/** Who reads a document over the HTTP API, and which. */
export interface ReadContext {
  /** The aggregate whose document it is. */
  readonly aggregateId: string;
  /** The verified caller; undefined on an API with `HttpApiAuth.anonymous()`. */
  readonly caller?: Caller;
}

/** The key mapping of each read-model index (GSI) the projection fills, by index name. */
export type IndexMappings<View> = {
  readonly [indexName: string]: (view: View, aggregateId: string) => IndexKey | undefined;
};

export interface ProjectionSpec<Agg, View> {
  /** The events the projection listens to (only these are routed to it), and how each changes the view. */
  readonly events: ProjectionHandlers<Agg, View>;
  /** The read-model indexes (GSIs) this projection's documents appear in, and their keys. */
  readonly indexes?: IndexMappings<View>;
  /**
   * Change it when the documents change for a reason the handlers' own text does not show (a
   * helper they call changed, or data they read). Its code version, recorded on each document,
   * is computed from the handlers' and index mappers' source text and this value: documents that
   * other code built are folded again from the first event, never extended.
   * @default - the code version comes from the source text alone
   */
  readonly version?: string | number;
  /**
   * Who may read a document of this projection over a `CqrsHttpApi` (`exposeProjections`):
   * true to let `caller` read this `view` (with their own pending writes merged). Refused, the
   * answer is the 404 of a document that does not exist, so nobody learns which ids exist. A
   * projection cannot be exposed without it: write `() => true` to let every caller of the API
   * read every document. It is not applied to your own functions' `Repository` reads.
   * @default - not readable over HTTP
   */
  readonly readableBy?: (view: View, context: ReadContext) => boolean;
}

/** What `defineProjection` returns: the definition plus the marker the projector (and the construct at synth) checks. */
export interface Projection<Agg, View> {
  readonly definitionKind: 'projection';
  readonly aggregate: Agg;
  readonly events: ProjectionHandlers<Agg, View>;
  readonly indexes?: IndexMappings<View>;
  readonly version?: string | number;
  readonly readableBy?: (view: View, context: ReadContext) => boolean;
}

/** The view type of a projection: `ViewOf<typeof customerView>`. */
export type ViewOf<P> = P extends Projection<infer _Agg, infer View> ? View : never;

/**
 * Declares a projection: one document per aggregate, folded from its events.
 *
 * Event names and each event's `data` are typed by the aggregate. The view type is inferred
 * from the handlers when the first handler types its `view` parameter, or given as the second
 * type argument: `defineProjection<typeof customer, CustomerView>(customer, { events })`.
 * (TypeScript fixes a type parameter as soon as an unannotated parameter mentions it, so a
 * view type cannot be inferred from return types alone.)
 */
export function defineProjection<Agg extends { readonly definitionKind: 'aggregate' }, View>(
  aggregate: Agg,
  spec: ProjectionSpec<Agg, View>,
): Projection<Agg, View> {
  return {
    definitionKind: 'projection', aggregate, events: spec.events,
    ...(spec.indexes ? { indexes: spec.indexes } : {}), ...(spec.version === undefined ? {} : { version: spec.version }),
    ...(spec.readableBy ? { readableBy: spec.readableBy } : {}),
  };
}

/** A defined projection, with its types erased, as the runtime handles it. */
export interface AnyProjection {
  readonly definitionKind: 'projection';
  /** The aggregate it is defined on: its upcasters turn stored events into today's before a handler sees them. */
  readonly aggregate?: { readonly upcasters?: AnyUpcasters };
  readonly events: Readonly<Record<string, ((view: unknown, event: EventEnvelope) => unknown) | undefined>>;
  readonly readableBy?: (view: unknown, context: ReadContext) => boolean;
  readonly indexes?: Readonly<Record<string, (view: unknown, aggregateId: string) => unknown>>;
  readonly version?: string | number;
}

/** True for what `defineProjection(...)` returns, also when it comes from another bundle. */
export function isProjection(value: unknown): value is AnyProjection {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return candidate.definitionKind === 'projection'
    && typeof candidate.events === 'object' && candidate.events !== null
    && (candidate.indexes === undefined || (typeof candidate.indexes === 'object' && candidate.indexes !== null))
    && (candidate.version === undefined || typeof candidate.version === 'string' || typeof candidate.version === 'number');
}

/** Erases a typed projection's types (its handlers take narrower events than the erased shape). */
export function eraseProjection(projection: { readonly definitionKind: 'projection' }): AnyProjection {
  if (!isProjection(projection)) throw new Error('cdk-cqrs: expected what defineProjection(...) returns.');
  return projection;
}
