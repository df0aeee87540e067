import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { defineAggregate } from 'cdk-cqrs/runtime';
import { handleCommand } from '../../lambda/write/handle-command';
import { EventStore, toEventItem } from '../../lambda/store/event-store';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { createSessionTable } from '../helpers/create-session-table';
import { MAX_EVENTS_PER_COMMAND } from '../../lambda/write/build-events';
import { counter } from '../helpers/test-aggregates';
import { stateCodeVersion } from '../../lambda/write/code-fingerprint';
import type { AnyAggregate } from '../../lambda/write/define-aggregate';

const code = stateCodeVersion(counter as unknown as AnyAggregate);

let table: EventStoreTable;
// Loading never reads the stream, and 10,000 stream-enabled writes slow the shared DynamoDB Local for every later suite.
beforeAll(async () => { table = await createEventStoreTable('snapshots', { stream: false }); });
afterAll(async () => { await table.drop(); });

const storedEvent = (aggregateId: string, version: number) => toEventItem({
  aggregateName: 'Counter', aggregateId, version, type: 'Incremented', data: { by: version, padding: '' },
  metadata: { eventId: `e-${version}`, correlationId: 'c', occurredAt: '2025-01-01T00:00:00.000Z', schemaVersion: 1 },
});

async function batchWrite(items: Record<string, unknown>[]) {
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) => items.slice(i * 25, i * 25 + 25));
  for (let i = 0; i < batches.length; i += 10) {
    await Promise.all(batches.slice(i, i + 10).map((batch) => table.doc.send(new BatchWriteCommand({
      RequestItems: { [table.tableName]: batch.map((Item) => ({ PutRequest: { Item } })) },
    }))));
  }
}

const sumTo = (n: number) => (n * (n + 1)) / 2;

describe('snapshots', () => {
  test('an aggregate with 10,000 events loads reading at most snapshotEvery items, to the full fold', async () => {
    // GIVEN 9,999 stored events and no snapshot
    const snapshotEvery = 50;
    await batchWrite(Array.from({ length: 9_999 }, (_, i) => storedEvent('big', i + 1)));
    const deps = table.deps({ snapshotEvery, aggregateName: 'Counter' });
    // WHEN commands take it to 10,049 (the first crosses 10,000 and writes a snapshot)
    for (let i = 0; i < 50; i += 1) {
      await handleCommand(counter, { type: 'Increment', aggregateId: 'big', payload: { by: 10_000 + i } }, deps);
    }
    // THEN
    const loaded = await new EventStore(table.doc, table.tableName, snapshotEvery).load('big', code);
    expect(loaded.version).toBe(10_049);
    expect(loaded.itemsRead).toBeLessThanOrEqual(snapshotEvery);
    const state = loaded.events.reduce((s, e) => counter.events.Incremented(s, e.data as { by: number; padding: string }), loaded.snapshot?.state as { count: number; total: number });
    expect(state).toEqual({ count: 10_049, total: sumTo(10_049) });
  });

  test('every load after a snapshot stays within snapshotEvery items', async () => {
    // GIVEN
    const snapshotEvery = 7;
    const deps = table.deps({ snapshotEvery, aggregateName: 'Counter' });
    const store = new EventStore(table.doc, table.tableName, snapshotEvery);
    // WHEN commands of varying size cross snapshot boundaries
    for (const times of [1, 3, 5, 8, 2, 6, 13, 1, 1, 4]) {
      await handleCommand(counter, { type: 'Increment', aggregateId: 'bounded', payload: { by: 1, times } }, deps);
      // THEN
      expect((await store.load('bounded', code)).itemsRead).toBeLessThanOrEqual(snapshotEvery);
    }
    const result = await handleCommand(counter, { type: 'Increment', aggregateId: 'bounded', payload: { by: 1 } }, deps);
    expect(result.version).toBe(45);
  });

  test('loads past the 1 MB page limit of a Query', async () => {
    // GIVEN 15 events of ~200 KB each (3 MB), no snapshot in reach
    const deps = table.deps({ snapshotEvery: 100, aggregateName: 'Counter' });
    for (let i = 0; i < 15; i += 1) {
      await handleCommand(counter, { type: 'Increment', aggregateId: 'large', payload: { by: 2, padding: 200_000 } }, deps);
    }
    // WHEN
    const loaded = await new EventStore(table.doc, table.tableName, 100).load('large', code);
    // THEN
    expect(loaded.itemsRead).toBe(15);
    expect(loaded.events.map((e) => e.version)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  test('a command landing exactly on a multiple of snapshotEvery writes a snapshot at that version, and the next load reads only it', async () => {
    const snapshotEvery = 5;
    const deps = table.deps({ snapshotEvery, aggregateName: 'Counter' });
    const store = new EventStore(table.doc, table.tableName, snapshotEvery);
    for (const version of [5, 10, 15]) {
      await handleCommand(counter, { type: 'Increment', aggregateId: 'exact', payload: { by: 1, times: 5 } }, deps);
      const loaded = await store.load('exact', code);
      expect(loaded.snapshot).toEqual({ version, state: { count: version, total: version }, codeVersion: code });
      expect(loaded.events).toEqual([]);
      expect(loaded.itemsRead).toBe(1);
    }
  });

  test('a snapshot written by other code is ignored: the history is folded with this code, and a fresh snapshot written', async () => {
    // GIVEN an aggregate whose snapshot was written by an older evolve function (it counted double)
    const deps = table.deps({ snapshotEvery: 3, aggregateName: 'Counter' });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'old-code', payload: { by: 1, times: 3 } }, deps);
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: {
      pk: 'old-code', sk: 3.5, kind: 'snapshot', version: 3, state: { count: 6, total: 6 }, codeVersion: 'code-of-last-week',
    } }));
    // WHEN the current code handles a command
    await handleCommand(counter, { type: 'Increment', aggregateId: 'old-code', payload: { by: 1 } }, deps);
    // THEN it decided on its own fold (4 events of 1), and left a snapshot of its own code
    const loaded = await new EventStore(table.doc, table.tableName, 3).load('old-code', code);
    expect(loaded.snapshot).toEqual({ version: 4, state: { count: 4, total: 4 }, codeVersion: code });
  });

  test('a command that fills its transaction still writes its snapshot, apart from it', async () => {
    // GIVEN a command of the most events a command may decide (98) with a commandId and a sessionId: with its
    // idempotency record and session entry, its transaction holds DynamoDB's 100 items, and a snapshot would be the 101st
    const sessions = await createSessionTable('snapshots-sessions');
    try {
      const deps = table.deps({ snapshotEvery: 50, aggregateName: 'Counter', session: { tableName: sessions.tableName, ttlSeconds: 60 } });
      const command = { type: 'Increment', aggregateId: 'full', commandId: 'fill-1', sessionId: 's-full', payload: { by: 1, times: MAX_EVENTS_PER_COMMAND } };
      // WHEN it crosses the boundary at 50
      await expect(handleCommand(counter, command, deps)).resolves.toMatchObject({ version: MAX_EVENTS_PER_COMMAND });
      // THEN the snapshot is at its last version, and the next load reads only it
      const loaded = await new EventStore(table.doc, table.tableName, 50).load('full', code);
      expect(loaded.snapshot).toEqual({ version: 98, state: { count: 98, total: 98 }, codeVersion: code });
      expect(loaded.itemsRead).toBe(1);
    } finally {
      await sessions.drop();
    }
  });

  test('a snapshot of a state over 400 KB is not written, and never stops a command', async () => {
    // GIVEN a state that grows past DynamoDB's item limit at the first snapshot boundary
    const logs: Record<string, unknown>[] = [];
    const deps = table.deps({ snapshotEvery: 2, aggregateName: 'Hoard', log: (entry) => logs.push(entry) });
    const command = (n: number) => ({ type: 'Keep', aggregateId: 'hoard', payload: { item: String(n).padEnd(250_000, '.') } });
    // WHEN commands cross the boundaries at 2 and 4
    for (let n = 1; n <= 5; n += 1) await expect(handleCommand(hoard, command(n), deps)).resolves.toMatchObject({ version: n });
    // THEN no snapshot was written, each was reported, and the state is still the full fold
    expect((await table.scanAll()).filter((item) => item.pk === 'hoard' && item.kind === 'snapshot').map((item) => item.sk)).toEqual([]);
    expect(logs.map((entry) => entry.message)).toEqual([
      expect.stringMatching(/no snapshot at version 2: the state is \d+ bytes, over DynamoDB's 400 KB item limit/),
      expect.stringMatching(/no snapshot at version 4/),
    ]);
    const loaded = await new EventStore(table.doc, table.tableName, 2).load('hoard', stateCodeVersion(hoard as unknown as AnyAggregate));
    expect(loaded.events).toHaveLength(5);
  });
});

/** Keeps every item it is given: its state outgrows a DynamoDB item. */
const hoard = defineAggregate({
  initialState: () => ({ items: [] as string[] }),
  commands: { Keep: (cmd: { item: string }, _state) => [{ type: 'Kept', data: cmd }] },
  events: { Kept: (state, data) => ({ items: [...state.items, data.item] }) },
});

