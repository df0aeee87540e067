import { ValidationError } from '../shared/errors';

/** An opaque page cursor: the LastEvaluatedKey of a Query, as base64url JSON. */
export const encodeCursor = (lastEvaluatedKey: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');

/**
 * Reads a cursor back into an ExclusiveStartKey. It comes from a caller, so it is checked: exactly
 * the key attributes of the index, as strings, and in the partition queried (a cursor of another
 * query would start the page somewhere else without any error from DynamoDB).
 */
export function decodeCursor(cursor: string, keyAttributes: readonly string[], expected: Readonly<Record<string, string>>): Record<string, string> {
  const invalid = (why: string): never => {
    throw new ValidationError(`The cursor is not one this query returned (${why}). Pass the cursor of the previous page unchanged, or none for the first page.`, [
      { message: why, path: ['cursor'] },
    ]);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid('not base64url JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalid('not an object');
  const key = parsed as Record<string, unknown>;
  const names = Object.keys(key).sort();
  if (names.join() !== [...keyAttributes].sort().join()) return invalid(`its attributes are ${names.join(', ') || 'none'}`);
  if (!names.every((name) => typeof key[name] === 'string' && key[name] !== '')) return invalid('a key attribute is not a non-empty string');
  for (const [name, value] of Object.entries(expected)) if (key[name] !== value) return invalid(`it belongs to another ${name}`);
  return key as Record<string, string>;
}
