import { SESSION_TABLE } from '../../lib/private/runtime-contract';
import type { EventEnvelope } from '../shared/envelope';
import { itemBytes } from './item-size';
import { sessionEntryPrefix, sessionEntrySortKey } from './keys';

/** Where a command handler writes read-your-writes entries, and for how long they are kept. */
export interface SessionSettings {
  readonly tableName: string;
  readonly ttlSeconds: number;
}

/** Where a reader finds a session's pending writes: the aggregate's session table, and its event store for what an entry left out. */
export interface SessionReadSettings {
  /** Name of the session table (the construct's `sessionTable`). */
  readonly sessionTable: string;
  /** The aggregate's name, as given to CqrsAggregate: session entries are keyed by it. */
  readonly aggregateName: string;
  /** Name of the event store: read when events lie between the read model and the session's entries. */
  readonly eventStoreTable: string;
}

/**
 * The events are kept in the entry only while it stays within this many bytes (DynamoDB's size,
 * not JSON's): an item holds 400 KB, and a command's events may hold up to 3 MB. A larger
 * command's entry names its versions only, and a reader takes those events from the event store.
 */
export const MAX_SESSION_ENTRY_BYTES = 300 * 1024;

export { sessionEntryPrefix, sessionEntrySortKey };

/** The session entry of one command's events (at least one event). */
export function sessionEntry(sessionId: string, events: readonly EventEnvelope[], settings: SessionSettings, nowMs = Date.now()): Record<string, unknown> {
  const first = events[0];
  const last = events[events.length - 1];
  const entry = {
    [SESSION_TABLE.partitionKey]: sessionId,
    [SESSION_TABLE.sortKey]: sessionEntrySortKey(first.aggregateName, first.aggregateId, last.version),
    aggregateName: first.aggregateName,
    aggregateId: first.aggregateId,
    firstVersion: first.version,
    version: last.version,
    [SESSION_TABLE.ttlAttribute]: Math.floor(nowMs / 1000) + settings.ttlSeconds,
  };
  const withEvents = { ...entry, events };
  return itemBytes(withEvents) <= MAX_SESSION_ENTRY_BYTES ? withEvents : entry;
}
