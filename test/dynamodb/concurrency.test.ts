import { handleCommand } from '../../lambda/write/handle-command';
import { isConcurrencyError } from '../../lambda/shared/errors';
import { WarmCache } from '../../lambda/write/warm-cache';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { counter } from '../helpers/test-aggregates';

let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('concurrency'); });
afterAll(async () => { await table.drop(); });

const storedVersions = async (aggregateId: string) =>
  (await table.scanAll()).filter((item) => item.pk === aggregateId && item.kind === 'event').map((item) => item.sk as number).sort((a, b) => a - b);

async function fireConcurrently(aggregateId: string, count: number, cacheFor: (i: number) => WarmCache | undefined, maxConflictRetries: number) {
  return Promise.allSettled(Array.from({ length: count }, (_, i) =>
    handleCommand(counter, { type: 'Increment', aggregateId, payload: { by: 1 } }, table.deps({ maxConflictRetries, snapshotEvery: 10, cache: cacheFor(i) }))));
}

describe('concurrent commands on one aggregate', () => {
  test.each([
    ['separate containers', () => () => new WarmCache()],
    ['one shared container', () => { const shared = new WarmCache(); return () => shared; }],
  ])('store versions 1..N without gap or duplicate (%s)', async (_label, makeCaches) => {
    // GIVEN
    const aggregateId = `counter-${_label.replace(/ /g, '-')}`;
    // WHEN
    const results = await fireConcurrently(aggregateId, 50, makeCaches(), 2);
    // THEN
    const successes = results.filter((r) => r.status === 'fulfilled');
    // A broken store that refuses every command must not pass: some commands win their slot.
    expect(successes.length).toBeGreaterThan(0);
    for (const r of results) {
      if (r.status === 'rejected') expect(isConcurrencyError(r.reason)).toBe(true);
    }
    const versions = await storedVersions(aggregateId);
    expect(versions).toEqual(Array.from({ length: successes.length }, (_, i) => i + 1));
    const returned = successes.flatMap((r) => (r.status === 'fulfilled' ? r.value.events.map((e) => e.version) : [])).sort((a, b) => a - b);
    expect(returned).toEqual(versions);
  });

  test('all 50 succeed when the retries suffice', async () => {
    // GIVEN
    const aggregateId = 'counter-all-succeed';
    // WHEN
    const results = await fireConcurrently(aggregateId, 50, () => undefined, 200);
    // THEN
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await storedVersions(aggregateId)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
