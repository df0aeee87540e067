import { ValidationError } from '../shared/errors';

/**
 * Every DynamoDB key the runtime builds from callers' strings (aggregate ids, command ids, session
 * ids) is built here, so that each is unambiguous for every input and within DynamoDB's limits.
 */

/** DynamoDB: a partition key value holds 1 to 2,048 bytes, a sort key value 1 to 1,024 (UTF-8). */
export const KEY_LIMITS = { partitionKeyBytes: 2048, sortKeyBytes: 1024 } as const;

/**
 * Marks the partition of an idempotency record. An aggregate id may not contain it
 * (`parseCommandEnvelope` refuses one that does), so no record can fall in an aggregate's partition.
 */
export const COMMAND_KEY_MARKER = '#command#';

/**
 * Each part preceded by its length: `a` + `command#c` and `a#command` + `c` give different keys,
 * whatever separators the parts hold, because the length says where each part ends.
 */
export const lengthPrefixed = (...parts: readonly string[]): string => parts.map((part) => `${part.length}:${part}`).join('');

/** The partition key of the idempotency record of `commandId` sent to `aggregateId`. */
export const idempotencyKey = (aggregateId: string, commandId: string): string => `${COMMAND_KEY_MARKER}${lengthPrefixed(aggregateId, commandId)}`;

/** The sort-key prefix of all session entries of an aggregate type: its name (letters and digits only, checked at synth). */
export const sessionKindPrefix = (aggregateName: string): string => `${aggregateName}#`;

/** The sort-key prefix of one aggregate's session entries: `acme` and `acme#eu` give prefixes neither of which starts the other. */
export const sessionEntryPrefix = (aggregateName: string, aggregateId: string): string => `${sessionKindPrefix(aggregateName)}${lengthPrefixed(aggregateId)}#`;

/** Versions zero-padded so that they sort as numbers (a version has at most 10 digits: 2^32 events is far beyond any aggregate). */
export const sessionEntrySortKey = (aggregateName: string, aggregateId: string, version: number): string =>
  `${sessionEntryPrefix(aggregateName, aggregateId)}${String(version).padStart(10, '0')}`;

/** The UTF-8 size of a key value. */
export const keyBytes = (key: string): number => Buffer.byteLength(key, 'utf8');

/** The keys a command would write, checked against DynamoDB's limits before anything is read or written. */
export interface CommandKeys {
  readonly aggregateId: string;
  readonly commandId?: string;
  /** With read-your-writes: the session the entry is written to, and the aggregate's name. */
  readonly session?: { readonly sessionId: string; readonly aggregateName: string };
}

/** The longest sort key a session entry of `aggregateId` can have: its version at 10 digits. */
const longestSessionEntryKey = (aggregateName: string, aggregateId: string): string => sessionEntrySortKey(aggregateName, aggregateId, 9_999_999_999);

/**
 * True when a session entry of `aggregateId` in `session` fits DynamoDB's keys. A command whose
 * entry would not fit is refused (`checkCommandKeys`), so no session holds an entry that does not.
 */
export const sessionEntryFits = (session: { readonly sessionId: string; readonly aggregateName: string }, aggregateId: string): boolean =>
  keyBytes(session.sessionId) <= KEY_LIMITS.partitionKeyBytes && keyBytes(longestSessionEntryKey(session.aggregateName, aggregateId)) <= KEY_LIMITS.sortKeyBytes;

/**
 * Throws a ValidationError naming the fields whose key is over DynamoDB's limit; `source` names
 * where the ids came from (a read checks its aggregate id alone).
 */
export function checkCommandKeys(keys: CommandKeys, source = 'Command envelope'): void {
  const over = (key: string, limit: number) => keyBytes(key) > limit;
  const fail = (fields: string[], what: string, bytes: number, limit: number): never => {
    throw new ValidationError(
      `${source}: ${fields.join(' and ')} ${fields.length > 1 ? 'make' : 'makes'} ${what} of ${bytes} bytes; DynamoDB keys hold at most ${limit}. Use shorter ids.`,
      fields.map((field) => ({ message: `too long for a DynamoDB key (${what})`, path: [field] })),
    );
  };
  if (over(keys.aggregateId, KEY_LIMITS.partitionKeyBytes)) fail(['aggregateId'], 'a partition key', keyBytes(keys.aggregateId), KEY_LIMITS.partitionKeyBytes);
  if (keys.commandId !== undefined) {
    const key = idempotencyKey(keys.aggregateId, keys.commandId);
    if (over(key, KEY_LIMITS.partitionKeyBytes)) fail(['aggregateId', 'commandId'], 'an idempotency key', keyBytes(key), KEY_LIMITS.partitionKeyBytes);
  }
  if (keys.session) {
    const { sessionId, aggregateName } = keys.session;
    if (over(sessionId, KEY_LIMITS.partitionKeyBytes)) fail(['sessionId'], 'a partition key', keyBytes(sessionId), KEY_LIMITS.partitionKeyBytes);
    // The longest version a session entry can carry, so that no later command of the aggregate fails.
    const key = longestSessionEntryKey(aggregateName, keys.aggregateId);
    if (over(key, KEY_LIMITS.sortKeyBytes)) fail(['aggregateId'], 'a session entry key', keyBytes(key), KEY_LIMITS.sortKeyBytes);
  }
}
