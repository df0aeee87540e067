import type { Caller } from './envelope';
import { isRecord, isWellFormed } from './guards';

/** A request's `caller` (of a command or a query): `{ subject, claims? }`, a non-empty well-formed subject and an object of claims. */
export function parseCaller(value: unknown, fail: (field: string, rule: string) => never): Caller | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) return fail('caller', 'must be an object { subject, claims }');
  if (typeof value.subject !== 'string' || value.subject === '' || !isWellFormed(value.subject)) return fail('caller', 'must have a subject: a non-empty, well-formed string');
  if (value.claims !== undefined && !isRecord(value.claims)) return fail('caller', 'must have claims that are an object');
  return { subject: value.subject, claims: (value.claims ?? {}) as Record<string, unknown> };
}
