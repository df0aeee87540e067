import { DEFINITION_KINDS, definitionKindOf } from '../shared/definition-kind';
import { isRecord } from '../shared/guards';
import type { EventOf } from '../write/aggregate-types';
import type { AnyUpcasters } from '../write/upcast';
import type { EventOfType } from './define-projection';
import type { EventEnvelope } from '../shared/envelope';
import type { DocumentClientLike } from '../store/document-client-like';

/** What a custom-write handler gets besides its event. */
export interface CustomWriteContext {
  /** The read model's table name: custom writes may read and write any item in it. */
  readonly readModelTable: string;
  /** The projection's name, as given in `projections`. */
  readonly projectionName: string;
  /** A DynamoDB document client (`@aws-sdk/lib-dynamodb`): `dynamoDb.send(new UpdateCommand(...))`. */
  readonly dynamoDb: DocumentClientLike;
}

/** One handler per event type the projection listens to; each writes what it wants. */
export type CustomWriteHandlers<Agg> = {
  readonly [Type in EventOf<Agg>['type']]?: (event: EventOfType<Agg, Type>, context: CustomWriteContext) => Promise<void> | void;
};

/** What `defineCustomProjection` returns. */
export interface CustomProjection<Agg> {
  /** Marks the escape hatch: the projector calls the handlers instead of folding a document. */
  readonly definitionKind: 'customProjection';
  readonly aggregate: Agg;
  readonly events: CustomWriteHandlers<Agg>;
}

/**
 * The escape hatch of projections: handlers that write the read model themselves (counters,
 * several items per event, items keyed by something other than the aggregate).
 *
 * What it guarantees is less than `defineProjection`'s exact fold: each event reaches its handler
 * at least once; within one batch, an aggregate's events come in version order, each version
 * once; a handler that throws fails its message and the later ones of that aggregate in the
 * batch, which come back later. Across batches, events may come again or out of order and gaps
 * are not filled. So make each handler idempotent, for example with a condition on the event's
 * version or `metadata.eventId`.
 */
export function defineCustomProjection<Agg extends { readonly definitionKind: 'aggregate' }>(
  aggregate: Agg, spec: { readonly events: CustomWriteHandlers<Agg> },
): CustomProjection<Agg> {
  return { definitionKind: DEFINITION_KINDS.customProjection, aggregate, events: spec.events };
}

/** A custom projection with its types erased, as the projector runs it. */
export interface AnyCustomProjection {
  readonly definitionKind: 'customProjection';
  /** The aggregate it is defined on, whose upcasters turn stored events into today's. */
  readonly aggregate?: { readonly upcasters?: AnyUpcasters };
  readonly events: Readonly<Record<string, ((event: EventEnvelope, context: CustomWriteContext) => Promise<void> | void) | undefined>>;
}

/** True for what `defineCustomProjection(...)` returns, also from another bundle. */
export function isCustomProjection(value: unknown): value is AnyCustomProjection {
  return definitionKindOf(value) === DEFINITION_KINDS.customProjection && isRecord((value as { events?: unknown }).events);
}

/** Erases a typed custom projection's types, as the projector runs it. */
export function eraseCustomProjection(projection: { readonly definitionKind: 'customProjection' }): AnyCustomProjection {
  if (!isCustomProjection(projection)) throw new Error('cdk-cqrs: expected what defineCustomProjection(...) returns.');
  return projection;
}
