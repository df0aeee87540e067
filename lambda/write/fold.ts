import type { AnyAggregate } from './define-aggregate';
import type { EventEnvelope } from '../shared/envelope';
import { ownFunction } from '../shared/guards';
import { upcastEvents } from './upcast';

/**
 * Applies events to a state with the aggregate's evolve functions, each event first upcast to
 * today's shape; an event type it has no handler for is a fault.
 */
export function foldEvents(aggregate: AnyAggregate, state: unknown, events: readonly (Pick<EventEnvelope, 'type' | 'data' | 'version'> & { readonly metadata?: { readonly schemaVersion?: number } })[]): unknown {
  return upcastEvents(aggregate.upcasters, events).reduce((current, event) => {
    const evolve = ownFunction(aggregate.events, event.type);
    if (!evolve) {
      throw new Error(`The aggregate has no evolve function for event ${event.type} (version ${event.version}); add it to events.`);
    }
    return evolve(current, event.data);
  }, state);
}
