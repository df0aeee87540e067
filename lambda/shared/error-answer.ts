import {
  ConcurrencyError, DomainError, IdempotencyKeyReused, UnknownCommand, UnknownQuery, ValidationError, isCommandRejection,
  type CqrsError, type ValidationIssue,
} from './errors';

/** How a rejected command or query is answered over a Lambda invoke: `{ error: { name, message, ...fields } }`. */
export interface ErrorAnswer {
  readonly error: { readonly name: string; readonly message: string; readonly [field: string]: unknown };
}

/** The answer for a rejected command or query: its name, message and own fields (no stack). */
export function toErrorAnswer(err: CqrsError): ErrorAnswer {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (key !== 'stack') fields[key] = value;
  }
  return { error: { ...fields, name: err.name, message: err.message } };
}

export function isErrorAnswer(value: unknown): value is ErrorAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return typeof error === 'object' && error !== null
    && typeof (error as { name?: unknown }).name === 'string'
    && typeof (error as { message?: unknown }).message === 'string';
}

const numberField = (fields: Record<string, unknown>, key: string): number | undefined =>
  typeof fields[key] === 'number' ? fields[key] as number : undefined;

const stringsField = (fields: Record<string, unknown>, key: string): string[] => {
  const value = fields[key];
  return Array.isArray(value) ? value.map(String) : [];
};

/** Turns an answer back into the typed error; an unknown name becomes a plain Error. */
export function fromErrorAnswer(answer: ErrorAnswer): Error {
  const fields: Record<string, unknown> = answer.error;
  const restore = <E extends Error>(err: E): E => {
    err.message = answer.error.message;
    return err;
  };
  switch (answer.error.name) {
    case 'ValidationError':
      return restore(new ValidationError(answer.error.message, Array.isArray(fields.issues) ? fields.issues as ValidationIssue[] : []));
    case 'DomainError':
      return restore(new DomainError(answer.error.message, fields.details));
    case 'ConcurrencyError':
      return restore(new ConcurrencyError({
        aggregateId: String(fields.aggregateId),
        expectedVersion: numberField(fields, 'expectedVersion'),
        currentVersion: numberField(fields, 'currentVersion') ?? 0,
      }));
    case 'IdempotencyKeyReused':
      return restore(new IdempotencyKeyReused({ aggregateId: String(fields.aggregateId), commandId: String(fields.commandId) }));
    case 'UnknownCommand':
      return restore(new UnknownCommand({ commandType: String(fields.commandType), knownCommands: stringsField(fields, 'knownCommands') }));
    case 'UnknownQuery':
      return restore(new UnknownQuery({ queryType: String(fields.queryType), knownQueries: stringsField(fields, 'knownQueries') }));
    default: {
      const err = new Error(answer.error.message);
      err.name = answer.error.name;
      return err;
    }
  }
}

export { isCommandRejection };
