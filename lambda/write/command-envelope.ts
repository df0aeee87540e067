import type { CommandEnvelope, CommandMetadata } from '../shared/envelope';
import { parseCaller } from '../shared/caller';
import { ValidationError } from '../shared/errors';
import { isRecord, isWellFormed } from '../shared/guards';
import { COMMAND_KEY_MARKER } from '../store/keys';
import { rejectUnstorable, storableIssues } from '../store/storable-value';

/** What is wrong with an id that is written into keys (a non-empty, well-formed string), or undefined; reads check their ids with it too. */
export function idProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  if (!isWellFormed(value)) return 'must be well-formed Unicode (it holds a lone surrogate, which no key can store exactly)';
  if (field === 'aggregateId' && value.includes(COMMAND_KEY_MARKER)) return `must not contain '${COMMAND_KEY_MARKER}', which marks idempotency records`;
  return undefined;
}

/** What a message shows of a value a caller gave: short, whatever its size. */
const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/**
 * Checks an incoming envelope before anything is read or written; a ValidationError names each
 * field that is wrong. Ids must be keys DynamoDB stores exactly; the payload must be a JSON object
 * whose numbers round-trip exactly (DynamoDB's key limits are checked by `checkCommandKeys`).
 */
export function parseCommandEnvelope(input: unknown): CommandEnvelope {
  if (!isRecord(input)) {
    throw new ValidationError(`Command envelope must be an object with type, aggregateId and payload (given ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}).`);
  }
  const fail = (field: string, rule: string): never => {
    throw new ValidationError(`Command envelope: ${field} ${rule} (given ${shown(input[field])}).`, [{ message: rule, path: [field] }]);
  };
  const check = (field: string, optional: boolean) => {
    if (optional && input[field] === undefined) return;
    const problem = idProblem(input[field], field);
    if (problem) fail(field, problem);
  };
  if (typeof input.type !== 'string' || input.type.length === 0) fail('type', 'must be a non-empty string');
  check('aggregateId', false);
  check('commandId', true);
  check('sessionId', true);
  if (!('payload' in input)) fail('payload', 'is required');
  if (!isRecord(input.payload)) fail('payload', 'must be an object');
  const expectedVersion = input.expectedVersion;
  if (expectedVersion !== undefined && (typeof expectedVersion !== 'number' || !Number.isSafeInteger(expectedVersion) || expectedVersion < 0)) {
    fail('expectedVersion', 'must be an integer >= 0');
  }
  if (input.metadata !== undefined && !isRecord(input.metadata)) fail('metadata', 'must be an object');
  const metadata = input.metadata as CommandMetadata | undefined;
  for (const field of ['correlationId', 'tenantId'] as const) {
    const value = metadata?.[field];
    if (value !== undefined && (typeof value !== 'string' || !isWellFormed(value))) {
      throw new ValidationError(`Command envelope: metadata.${field} must be a well-formed string (given ${shown(value)}).`, [{ message: 'must be a well-formed string', path: ['metadata', field] }]);
    }
  }
  const caller = parseCaller(input.caller, fail);
  rejectUnstorable(storableIssues(input.payload, ['payload']), 'payload');
  return {
    type: input.type as string,
    aggregateId: input.aggregateId as string,
    payload: input.payload,
    expectedVersion: expectedVersion as number | undefined,
    commandId: input.commandId as string | undefined,
    sessionId: input.sessionId as string | undefined,
    metadata,
    ...(caller === undefined ? {} : { caller }),
  };
}
