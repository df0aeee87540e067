import { ValidationError } from './errors';
import { isRecord } from './guards';

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

const optionalString = (input: Record<string, unknown>, field: string): string | undefined => {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`Command envelope: ${field} must be a non-empty string when given (given ${JSON.stringify(value)}).`, [
      { message: 'must be a non-empty string', path: [field] },
    ]);
  }
  return value;
};

/** Checks an incoming envelope; a ValidationError names the field that is wrong. */
export function parseCommandEnvelope(input: unknown): CommandEnvelope {
  if (!isRecord(input)) {
    throw new ValidationError(`Command envelope must be an object with type, aggregateId and payload (given ${input === null ? 'null' : typeof input}).`);
  }
  const fail = (field: string, rule: string): never => {
    throw new ValidationError(`Command envelope: ${field} ${rule} (given ${JSON.stringify(input[field]) ?? 'undefined'}).`, [
      { message: rule, path: [field] },
    ]);
  };
  if (typeof input.type !== 'string' || input.type.length === 0) fail('type', 'must be a non-empty string');
  if (typeof input.aggregateId !== 'string' || input.aggregateId.length === 0) fail('aggregateId', 'must be a non-empty string');
  // Idempotency records live under '<aggregateId>#command#<commandId>' in the same table.
  if ((input.aggregateId as string).includes('#command#')) fail('aggregateId', "must not contain '#command#'");
  if (!('payload' in input)) fail('payload', 'is required');
  const expectedVersion = input.expectedVersion;
  if (expectedVersion !== undefined && (typeof expectedVersion !== 'number' || !Number.isInteger(expectedVersion) || expectedVersion < 0)) {
    fail('expectedVersion', 'must be an integer >= 0');
  }
  if (input.metadata !== undefined && !isRecord(input.metadata)) fail('metadata', 'must be an object');
  return {
    type: input.type as string,
    aggregateId: input.aggregateId as string,
    payload: input.payload,
    expectedVersion: expectedVersion as number | undefined,
    commandId: optionalString(input, 'commandId'),
    sessionId: optionalString(input, 'sessionId'),
    metadata: input.metadata as CommandMetadata | undefined,
  };
}
