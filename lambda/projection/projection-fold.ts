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
 * does, so the read model never holds a view built wrong. The view to be written is checked once,
 * at the end; only when it fails, or a handler threw, are the events folded again from a copy of
 * the start, checking after each and keeping a copy of the view before each: that finds the event,
 * and gives the view before it even when a handler changed its view in place. (A check after
 * every event would walk a growing view once per event of a rebuild.) `checkEach` checks after
 * every event from the start: `projectionSpecFor` does, so that a unit test shows a view that
 * goes wrong and right again within one batch, which a projector given that event alone fails.
 */
export function foldProjection(
  projection: AnyProjection, document: ProjectedDocument, events: readonly EventEnvelope[], { checkEach = false } = {},
): FoldOutcome {
  if (checkEach) return applyEvents(projection, document, events, true);
  const start: ProjectedDocument = { ...document, view: copyOf(document.view) };
  const outcome = applyEvents(projection, document, events, false);
  if (!outcome.failure && storableIssues(outcome.document.view, [], 1).length === 0) return outcome;
  return applyEvents(projection, start, events, true);
}

/**
 * A copy of a view: through JSON, which is exact for what can be stored (a stored view, or one just checked). Not
 * structuredClone: its objects are of the realm it comes from, and under jest (a test's own realm) a copy then failed
 * the check for plain objects.
 */
const copyOf = (view: unknown): unknown => (view === undefined ? undefined : JSON.parse(JSON.stringify(view)));

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
    // Checking, keep a copy: a handler that changes its view in place would change this one too.
    viewBefore = checkEach ? copyOf(view) : view;
    version = event.version;
  }
  return { document: { version, view } };
}

/** Keeps one event per version and sorts them (duplicates carry the same event). */
export function uniqueByVersion(events: readonly EventEnvelope[]): EventEnvelope[] {
  // A version names one stored event: which of its copies is kept does not matter.
  return [...new Map(events.map((event) => [event.version, event])).values()].sort((a, b) => a.version - b.version);
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
