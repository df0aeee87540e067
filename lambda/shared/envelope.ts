
/** What the command handler is invoked with. */
export interface CommandEnvelope<Type extends string = string, Payload = unknown> {
  readonly type: Type;
  readonly aggregateId: string;
  readonly payload: Payload;
  /** The version the caller last saw (0: the aggregate must not exist yet). */
  readonly expectedVersion?: number;
  /** Names the command for idempotency: the same commandId again returns the first result. */
  readonly commandId?: string;
  readonly sessionId?: string;
  readonly metadata?: CommandMetadata;
}

export interface CommandMetadata {
  readonly correlationId?: string;
  readonly tenantId?: string;
  readonly [key: string]: unknown;
}

export interface EventMetadata {
  readonly eventId: string;
  readonly commandId?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  /** ISO 8601 timestamp. */
  readonly occurredAt: string;
  readonly tenantId?: string;
  readonly schemaVersion: number;
}

/** A stored event, as it is in the event store and on the bus. */
export interface EventEnvelope<Type extends string = string, Data = unknown> {
  readonly aggregateName: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/** The answer to a successful command. */
export interface CommandResult<Event extends EventEnvelope = EventEnvelope> {
  readonly aggregateId: string;
  /** The aggregate's version after the command (unchanged when it decided no events). */
  readonly version: number;
  readonly events: readonly Event[];
}
