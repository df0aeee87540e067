/** A problem found in a command, as the runtime reports it: where, and what is wrong. */
export interface ValidationIssue {
  readonly message: string;
  readonly path?: readonly (string | number)[];
}

/** The base of the errors a command or a query can be rejected with; each sets `name` and carries its data as fields. */
export class CqrsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The command, its envelope or its events break a rule of shape or size. Retrying the same command cannot help. */
export class ValidationError extends CqrsError {
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[] = []) {
    super('ValidationError', message);
    this.issues = issues;
  }
}

/** The domain refused the command (thrown by the aggregate's own code). */
export class DomainError extends CqrsError {
  readonly details?: unknown;
  constructor(message: string, details?: unknown) {
    super('DomainError', message);
    if (details !== undefined) this.details = details;
  }
}

export interface ConcurrencyErrorFields {
  readonly aggregateId: string;
  readonly expectedVersion?: number;
  readonly currentVersion: number;
  readonly aggregateName?: string;
}

/** The aggregate moved on while the command was decided: it carries the version the caller expected and the current one. */
export class ConcurrencyError extends CqrsError {
  readonly aggregateId: string;
  readonly expectedVersion?: number;
  readonly currentVersion: number;
  constructor(fields: ConcurrencyErrorFields) {
    const label = `${fields.aggregateName ?? 'Aggregate'} ${fields.aggregateId}`;
    super('ConcurrencyError', fields.expectedVersion === undefined
      ? `${label} kept changing (now at version ${fields.currentVersion}); the command gave up after its conflict retries. Retry later.`
      : `${label} is at version ${fields.currentVersion}; the command expected ${fields.expectedVersion}. Reload and retry, or omit expectedVersion.`);
    this.aggregateId = fields.aggregateId;
    if (fields.expectedVersion !== undefined) this.expectedVersion = fields.expectedVersion;
    this.currentVersion = fields.currentVersion;
  }
}

/** "X has no command/query 'y'. Known ...: a, b.": the message of UnknownCommand and UnknownQuery. */
const unknownMessage = (kind: 'command' | 'query', kinds: string, name: string, known: readonly string[], aggregateName?: string): string =>
  `${aggregateName ?? 'This aggregate'} has no ${kind} '${name}'. Known ${kinds}: ${known.join(', ') || 'none'}.`;

/** The command type is not one of the aggregate's commands. */
export class UnknownCommand extends CqrsError {
  readonly commandType: string;
  readonly knownCommands: readonly string[];
  constructor(fields: { commandType: string; knownCommands: readonly string[]; aggregateName?: string }) {
    super('UnknownCommand', unknownMessage('command', 'commands', fields.commandType, fields.knownCommands, fields.aggregateName));
    this.commandType = fields.commandType;
    this.knownCommands = fields.knownCommands;
  }
}

/** The query type is not one of the aggregate's queries (its `defineQueries(...)`). Retrying cannot help. */
export class UnknownQuery extends CqrsError {
  readonly queryType: string;
  readonly knownQueries: readonly string[];
  constructor(fields: { queryType: string; knownQueries: readonly string[]; aggregateName?: string }) {
    super('UnknownQuery', unknownMessage('query', 'queries', fields.queryType, fields.knownQueries, fields.aggregateName));
    this.queryType = fields.queryType;
    this.knownQueries = fields.knownQueries;
  }
}

/**
 * A commandId came again with another command type or payload. The first command's result is
 * kept; the caller reused an idempotency key by mistake (as Stripe and the IETF Idempotency-Key
 * draft answer it). Retrying cannot help: send the new command with a new commandId.
 */
export class IdempotencyKeyReused extends CqrsError {
  readonly aggregateId: string;
  readonly commandId: string;
  constructor(fields: { aggregateId: string; commandId: string; aggregateName?: string }) {
    super('IdempotencyKeyReused', `${fields.aggregateName ?? 'Aggregate'} ${fields.aggregateId} already took a different command with commandId ${fields.commandId}. Give each new command a new commandId; resend only the same command with the same one.`);
    this.aggregateId = fields.aggregateId;
    this.commandId = fields.commandId;
  }
}

const hasName = (err: unknown, name: string): boolean =>
  typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;

// Guards check `name`, not `instanceof`, so they hold across bundles and over a Lambda invoke.
export const isValidationError = (err: unknown): err is ValidationError => hasName(err, 'ValidationError');
export const isDomainError = (err: unknown): err is DomainError => hasName(err, 'DomainError');
export const isConcurrencyError = (err: unknown): err is ConcurrencyError => hasName(err, 'ConcurrencyError');
export const isUnknownCommand = (err: unknown): err is UnknownCommand => hasName(err, 'UnknownCommand');
export const isUnknownQuery = (err: unknown): err is UnknownQuery => hasName(err, 'UnknownQuery');
export const isIdempotencyKeyReused = (err: unknown): err is IdempotencyKeyReused => hasName(err, 'IdempotencyKeyReused');

/** True for the errors that reject a command (an answer), false for infrastructure faults. */
export const isCommandRejection = (err: unknown): err is CqrsError =>
  isValidationError(err) || isDomainError(err) || isConcurrencyError(err) || isUnknownCommand(err) || isIdempotencyKeyReused(err);

/** True for the errors a query function answers rather than throws: an unknown query, and those that reject a command (a query's own code throws ValidationError or DomainError). */
export const isQueryRejection = (err: unknown): err is CqrsError => isUnknownQuery(err) || isCommandRejection(err);
