import { SESSION_TABLE } from '../../lib/private/runtime-contract';
import type { EventEnvelope } from '../shared/envelope';

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
 * The events are kept in the entry only up to this size: a DynamoDB item holds 400 KB, and a
 * command's events may hold up to 3 MB. A larger command's entry names its versions only, and a
 * reader takes those events from the event store.
 */
export const MAX_SESSION_EVENTS_BYTES = 300 * 1024;

/** Sort keys of one aggregate's entries in a session; versions are zero-padded so they sort as numbers. */
export const sessionEntryPrefix = (aggregateName: string, aggregateId: string): string => `${aggregateName}#${aggregateId}#`;
export const sessionEntrySortKey = (aggregateName: string, aggregateId: string, version: number): string =>
  `${sessionEntryPrefix(aggregateName, aggregateId)}${String(version).padStart(10, '0')}`;

/** The session entry of one command's events (at least one event). */
export function sessionEntry(sessionId: string, events: readonly EventEnvelope[], settings: SessionSettings, nowMs = Date.now()): Record<string, unknown> {
  const first = events[0];
  const last = events[events.length - 1];
  const fits = Buffer.byteLength(JSON.stringify(events), 'utf8') <= MAX_SESSION_EVENTS_BYTES;
  return {
    [SESSION_TABLE.partitionKey]: sessionId,
    [SESSION_TABLE.sortKey]: sessionEntrySortKey(first.aggregateName, first.aggregateId, last.version),
    aggregateName: first.aggregateName,
    aggregateId: first.aggregateId,
    firstVersion: first.version,
    version: last.version,
    ...(fits ? { events } : {}),
    [SESSION_TABLE.ttlAttribute]: Math.floor(nowMs / 1000) + settings.ttlSeconds,
  };
}
