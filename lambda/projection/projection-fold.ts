import { ownFunction } from '../shared/guards';
import { upcastEvent } from '../write/upcast';
import type { ProjectedDocument } from '../store/read-model-item';
import { rejectUnstorable, storableIssues } from '../store/storable-value';
import type { AnyProjection } from './define-projection';
import type { EventEnvelope } from '../shared/envelope';
import type { EventStore } from '../store/event-store';

export type { ProjectedDocument };

export interface FoldOutcome {
  /** The document after the events that could be applied. */
  readonly document: ProjectedDocument;
  /** The event whose handler threw, if one did: nothing after it was applied. */
  readonly failure?: { readonly version: number; readonly error: unknown };
}

/**
 * Applies events that follow the document, oldest first, with the projection's handlers.
 * An event type the projection does not list only advances the version. The events must be
 * contiguous from `document.version + 1`; a gap is a fault of the caller.
 *
 * A view that DynamoDB would refuse or store as something else (a key named `constructor`, an
 * integer past 2^53: `storableIssues`) fails at the event that made it, as a handler that throws
 * does, so the read model never holds a view built wrong. The view is checked once, at the end;
 * only when it fails are the events folded again, checking after each, to find that event (a
 * check after every event would walk a growing view once per event of a rebuild).
 */
export function foldProjection(projection: AnyProjection, document: ProjectedDocument, events: readonly EventEnvelope[]): FoldOutcome {
  const outcome = applyEvents(projection, document, events, false);
  if (storableIssues(outcome.document.view, [], 1).length === 0) return outcome;
  return applyEvents(projection, document, events, true);
}

function applyEvents(projection: AnyProjection, document: ProjectedDocument, events: readonly EventEnvelope[], checkEach: boolean): FoldOutcome {
  let { version, view } = document;
  // The view after the last event applied whole: a split event whose second handler throws leaves none of its parts.
  let viewBefore = view;
  for (const event of events) {
    if (event.version !== version + 1) {
      throw new Error(`Projection fold: expected version ${version + 1} of ${event.aggregateId}, got ${event.version}.`);
    }
    try {
      // The stored event as today's code knows it: upcast, renamed or split (each at the stored version).
      for (const current of upcastEvent(projection.aggregate?.upcasters, event)) {
        const handler = ownFunction(projection.events, current.type);
        // null and undefined both mean: no document.
        if (handler) view = handler(view, current) ?? undefined;
      }
      if (checkEach) rejectUnstorable(storableIssues(view, ['view']), `The view after ${event.type} (version ${event.version} of ${event.aggregateId})`);
    } catch (error) {
      // A handler that threw, a view that cannot be stored, or an event this code cannot read (EventFromNewerCode): nothing of it is applied.
      return { document: { version, view: viewBefore }, failure: { version: event.version, error } };
    }
    viewBefore = view;
    version = event.version;
  }
  return { document: { version, view } };
}

/** Keeps one event per version and sorts them (duplicates carry the same event). */
export function uniqueByVersion(events: readonly EventEnvelope[]): EventEnvelope[] {
  const byVersion = new Map<number, EventEnvelope>();
  for (const event of events) if (!byVersion.has(event.version)) byVersion.set(event.version, event);
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** True when the versions run from `after + 1` without a hole. */
export function isContiguousAfter(after: number, sorted: readonly { readonly version: number }[]): boolean {
  return sorted.every((event, index) => event.version === after + index + 1);
}

/**
 * The events `after + 1`..`target` of an aggregate: the ones at hand when they run that far
 * without a hole, else a strongly consistent read of the event store. A hole the event store
 * cannot fill either is an error, never a silent skip.
 */
export async function eventsThrough(
  store: EventStore, aggregateId: string, after: number, target: number, atHand: readonly EventEnvelope[],
): Promise<readonly EventEnvelope[]> {
  const complete = (events: readonly EventEnvelope[]) => events.length === target - after && isContiguousAfter(after, events);
  if (complete(atHand)) return atHand;
  const read = await store.readRange(aggregateId, after + 1, target);
  if (!complete(read)) throw new Error(`the event store has no contiguous events ${after + 1}..${target} of ${aggregateId}.`);
  return read;
}
