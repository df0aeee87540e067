import type { AnyProjection } from '../../lambda/projection/define-projection';
import { foldProjection } from '../../lambda/projection/projection-fold';
import { projectionCode } from '../../lambda/projection/projection-code';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { toReadModelItem } from '../../lambda/store/read-model-item';

/** A small deterministic PRNG (mulberry32), seeded by fast-check, for delivery schedules. */
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** What a sequential fold of each aggregate's events by `projection` gives: the items the read model must hold, with its code version. */
export function expectedItems(projection: AnyProjection, projectionName: string, events: readonly EventEnvelope[]): Record<string, unknown>[] {
  const byAggregate = new Map<string, EventEnvelope[]>();
  for (const event of events) byAggregate.set(event.aggregateId, [...(byAggregate.get(event.aggregateId) ?? []), event]);
  return [...byAggregate].map(([id, stream]) => toReadModelItem(projection, projectionName, id,
    { ...foldProjection(projection, { version: 0, view: undefined }, [...stream].sort((a, b) => a.version - b.version)).document, code: projectionCode(projection) }));
}

/**
 * The differences between the items a read model holds and those it must hold, one line per
 * document (first `limit`): empty when they are equal. A failed check names the documents, not
 * only "not equal".
 */
export function readModelDifferences(actual: readonly Record<string, unknown>[], expected: readonly Record<string, unknown>[], limit = 3): string[] {
  const keyOf = (item: Record<string, unknown>) => `${String(item.pk)}/${String(item.sk)}`;
  const canonical = (item: Record<string, unknown> | undefined) => (item === undefined ? 'nothing' : JSON.stringify(item, Object.keys(flatKeys(item)).sort()));
  const held = new Map(actual.map((item) => [keyOf(item), item]));
  const due = new Map(expected.map((item) => [keyOf(item), item]));
  const differences: string[] = [];
  for (const key of new Set([...due.keys(), ...held.keys()])) {
    const [want, got] = [canonical(due.get(key)), canonical(held.get(key))];
    if (want !== got) differences.push(`${key}: expected ${want}, found ${got}`);
  }
  return differences.slice(0, limit).concat(differences.length > limit ? [`... and ${differences.length - limit} more`] : []);
}

/** Every key at any depth, so that JSON.stringify's key list sorts nested objects too. */
function flatKeys(value: unknown, into: Record<string, true> = {}): Record<string, true> {
  if (typeof value === 'object' && value !== null) {
    for (const [key, nested] of Object.entries(value)) {
      into[key] = true;
      flatKeys(nested, into);
    }
  }
  return into;
}
