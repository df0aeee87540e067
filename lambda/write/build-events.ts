import { randomUUID } from 'node:crypto';
import { MAX_EVENT_ENTRY_BYTES } from '../../lib/private/runtime-contract';
import type { CommandEnvelope, EventEnvelope } from '../shared/envelope';
import { ValidationError } from '../shared/errors';
import { isRecord, isWellFormed } from '../shared/guards';
import { toEventItem } from '../store/event-store';
import { itemBytes, MAX_ITEM_BYTES } from '../store/item-size';
import { rejectUnstorable, storableIssues } from '../store/storable-value';

/** EventBridge takes a detail-type of 1 to 128 characters: a longer event type could be stored but never published. */
export const MAX_EVENT_TYPE_LENGTH = 128;

/** Events one command may write: a transaction holds 100 items; two are kept for the idempotency record and the session entry. */
export const MAX_EVENTS_PER_COMMAND = 98;

/**
 * The events of one command go in one write, and a DynamoDB transaction holds at most 4 MB.
 * Checked on the envelopes' JSON size with room kept for attribute names, the snapshot and the
 * idempotency record, so an oversized command is a ValidationError rather than a DynamoDB fault.
 */
export const MAX_COMMAND_EVENT_BYTES = 3 * 1024 * 1024;

export interface DecidedEvent {
  readonly type: string;
  readonly data: unknown;
}

/** Normalises what a command returned (one event or an array) and checks each has a type. */
export function toDecidedEvents(decision: unknown, commandType: string): DecidedEvent[] {
  const list: unknown[] = Array.isArray(decision) ? decision : decision === undefined ? [] : [decision];
  return list.map((event, index) => {
    if (!isRecord(event) || typeof event.type !== 'string' || event.type.length === 0) {
      throw new Error(`Command ${commandType} returned an event without a type at index ${index}: return { type, data } or an array of them.`);
    }
    return { type: event.type, data: event.data };
  });
}

export interface EnvelopeContext {
  readonly aggregateName: string;
  readonly eventSource: string;
  /** The schema version a new event of `type` is stored with. @default 1 */
  readonly schemaVersionOf?: (type: string) => number;
  readonly now?: () => Date;
}

/** Wraps decided events in envelopes at versions fromVersion+1.., checking the count and each entry's size. */
export function buildEnvelopes(command: CommandEnvelope, decided: readonly DecidedEvent[], fromVersion: number, context: EnvelopeContext): EventEnvelope[] {
  if (decided.length > MAX_EVENTS_PER_COMMAND) {
    throw new ValidationError(`Command ${command.type} decided ${decided.length} events; at most ${MAX_EVENTS_PER_COMMAND} fit in one write. Split the command.`);
  }
  const occurredAt = (context.now ?? (() => new Date()))().toISOString();
  const eventIds = decided.map(() => randomUUID());
  const metadata = command.metadata;
  // Without a commandId or a caller's correlationId, the command's events correlate to its first event.
  const correlationId = typeof metadata?.correlationId === 'string' ? metadata.correlationId : command.commandId ?? eventIds[0];
  const envelopes = decided.map((event, index): EventEnvelope => {
    const eventId = eventIds[index];
    return {
      aggregateName: context.aggregateName,
      aggregateId: command.aggregateId,
      version: fromVersion + index + 1,
      type: event.type,
      data: event.data,
      metadata: {
        eventId,
        commandId: command.commandId,
        correlationId,
        causationId: command.commandId,
        occurredAt,
        tenantId: typeof metadata?.tenantId === 'string' ? metadata.tenantId : undefined,
        schemaVersion: context.schemaVersionOf?.(event.type) ?? 1,
      },
    };
  });
  envelopes.forEach((envelope, index) => checkStorable(envelope, index));
  let totalBytes = 0;
  for (const envelope of envelopes) {
    const bytes = entryBytes(envelope, context.eventSource);
    totalBytes += bytes;
    if (bytes > MAX_EVENT_ENTRY_BYTES) {
      throw new ValidationError(
        `Event ${envelope.type} is ${bytes} bytes on the bus; an EventBridge entry holds at most ${MAX_EVENT_ENTRY_BYTES}. Store large data elsewhere (S3) and put its key in the event.`,
        [{ message: `entry is ${bytes} bytes`, path: ['events', envelope.version - fromVersion - 1] }],
      );
    }
  }
  if (totalBytes > MAX_COMMAND_EVENT_BYTES) {
    throw new ValidationError(
      `Command ${command.type} decided ${envelopes.length} events of ${totalBytes} bytes in all; one write holds at most ${MAX_COMMAND_EVENT_BYTES}. Split the command.`,
    );
  }
  return envelopes;
}

/** The size EventBridge counts for an entry: detail, detail-type and source. */
export function entryBytes(envelope: EventEnvelope, source: string): number {
  return Buffer.byteLength(JSON.stringify(envelope), 'utf8') + Buffer.byteLength(envelope.type, 'utf8') + Buffer.byteLength(source, 'utf8');
}

/** An event that could be stored but not published, or not stored exactly, is refused before any write. */
function checkStorable(envelope: EventEnvelope, index: number): void {
  const at = ['events', index];
  if (envelope.type.length > MAX_EVENT_TYPE_LENGTH || !isWellFormed(envelope.type)) {
    throw new ValidationError(
      `Event type ${envelope.type.slice(0, 40)}... cannot be published: EventBridge takes a detail-type of at most ${MAX_EVENT_TYPE_LENGTH} well-formed characters (it has ${envelope.type.length}). Name the event shorter.`,
      [{ message: `must be at most ${MAX_EVENT_TYPE_LENGTH} well-formed characters`, path: [...at, 'type'] }],
    );
  }
  rejectUnstorable(storableIssues(envelope.data, [...at, 'data']), `Event ${envelope.type}`);
  const bytes = itemBytes(toEventItem(envelope));
  if (bytes > MAX_ITEM_BYTES) {
    throw new ValidationError(
      `Event ${envelope.type} is ${bytes} bytes as a DynamoDB item; an item holds at most ${MAX_ITEM_BYTES}. Store large data elsewhere (S3) and put its key in the event.`,
      [{ message: `item is ${bytes} bytes`, path: at }],
    );
  }
}
