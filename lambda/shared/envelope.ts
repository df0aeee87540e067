
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
  /**
   * Who sends the command, as an authorizer verified it: `CqrsHttpApi` sets it from the request's
   * token; a function that invokes the command handler directly may set it (it is trusted: only
   * grant it to your own code). Each command's decide gets it in its context.
   */
  readonly caller?: Caller;
}

/** Who sent a command or a query, as an authorizer verified it. */
export interface Caller {
  /** The token's `sub` (or the IAM caller's ARN). */
  readonly subject: string;
  /** The token's claims (none for IAM). */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** What a command's decide gets besides its payload and the state. */
export interface CommandContext {
  /** The id of the aggregate the command is for: a rule may tie it to the caller (a customer acts on their own record). */
  readonly aggregateId: string;
  /** Who sent the command; undefined when nobody said (an anonymous route, or a direct invoke without it). */
  readonly caller?: Caller;
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
