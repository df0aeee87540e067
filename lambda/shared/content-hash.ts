import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so that equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, current: unknown) => {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return current;
    return Object.fromEntries(Object.entries(current).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }) ?? 'undefined';
}

/**
 * A short digest of a value (sha256 of its canonical JSON, base64url): command fingerprints and
 * the code versions of aggregates and projections. 22 characters keep 132 bits.
 */
export const contentHash = (value: unknown, length = 22): string =>
  createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, length);
