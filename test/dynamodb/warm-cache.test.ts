import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { handleCommand } from '../../lambda/write/handle-command';
import { WarmCache } from '../../lambda/write/warm-cache';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { recordCommands } from '../helpers/request-counts';
import { counter } from '../helpers/test-aggregates';

let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('warm-cache'); });
afterAll(async () => { await table.drop(); });

function countingClient(): { client: DynamoDBClient; calls: string[] } {
  const client = localDynamoDb();
  return { client, calls: recordCommands(client) };
}

describe('a creation (expectedVersion: 0)', () => {
  test('costs one DynamoDB request: the conditional write, no read', async () => {
    const { client, calls } = countingClient();
    const deps = table.deps({ dynamoDb: documentClient(client), cache: new WarmCache(), aggregateName: 'Counter' });
    const result = await handleCommand(counter, { type: 'Increment', aggregateId: 'created', payload: { by: 1 }, expectedVersion: 0 }, deps);
    expect(result.version).toBe(1);
    expect(calls).toEqual(['PutItemCommand']);
    client.destroy();
  });

  test('of an aggregate that exists is still a ConcurrencyError with its current version, and writes nothing', async () => {
    await handleCommand(counter, { type: 'Increment', aggregateId: 'exists', payload: { by: 1, times: 2 } }, table.deps({ aggregateName: 'Counter' }));
    await expect(handleCommand(counter, { type: 'Increment', aggregateId: 'exists', payload: { by: 1 }, expectedVersion: 0 }, table.deps({ aggregateName: 'Counter' })))
      .rejects.toMatchObject({ name: 'ConcurrencyError', expectedVersion: 0, currentVersion: 2 });
    expect((await table.scanAll()).filter((item) => item.pk === 'exists' && item.kind === 'event')).toHaveLength(2);
  });
});

describe('the warm cache', () => {
  test('a hot aggregate costs one DynamoDB round trip per command', async () => {
    // GIVEN a container that has seen the aggregate
    const { client, calls } = countingClient();
    const deps = table.deps({ dynamoDb: documentClient(client), cache: new WarmCache(), snapshotEvery: 1000, aggregateName: 'Counter' });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'hot', payload: { by: 1 } }, deps);
    calls.length = 0;
    // WHEN
    for (let i = 0; i < 5; i += 1) await handleCommand(counter, { type: 'Increment', aggregateId: 'hot', payload: { by: 1 } }, deps);
    // THEN
    expect(calls).toEqual(Array(5).fill('PutItemCommand'));
    client.destroy();
  });

  test('a stale cache still gives the correct result when another writer advanced the aggregate', async () => {
    // GIVEN container A caches version 1, then container B writes versions 2 and 3
    const cache = new WarmCache();
    const a = table.deps({ cache, aggregateName: 'Counter', maxConflictRetries: 0 });
    const b = table.deps({ cache: new WarmCache(), aggregateName: 'Counter' });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'stale', payload: { by: 1 } }, a);
    await handleCommand(counter, { type: 'Increment', aggregateId: 'stale', payload: { by: 10, times: 2 } }, b);
    // WHEN A handles a command with no conflict retries left to spend
    const result = await handleCommand(counter, { type: 'Increment', aggregateId: 'stale', payload: { by: 100 } }, a);
    // THEN
    expect(result.version).toBe(4);
    expect(cache.get('stale')).toEqual({ version: 4, state: { count: 4, total: 121 } });
  });

  test('a stale cache with an expectedVersion the store confirms still succeeds', async () => {
    // GIVEN
    const cache = new WarmCache();
    const a = table.deps({ cache, aggregateName: 'Counter' });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'stale-2', payload: { by: 1 } }, a);
    await handleCommand(counter, { type: 'Increment', aggregateId: 'stale-2', payload: { by: 1 } }, table.deps({ aggregateName: 'Counter' }));
    // WHEN / THEN
    await expect(handleCommand(counter, { type: 'Increment', aggregateId: 'stale-2', payload: { by: 1 }, expectedVersion: 2 }, a))
      .resolves.toMatchObject({ version: 3 });
  });

  test('a write refused on stale cached state drops the entry: the next command reads the store, it does not fail a write first', async () => {
    // GIVEN container A caches version 1, then container B writes version 2
    const { client, calls } = countingClient();
    const cache = new WarmCache();
    const a = table.deps({ dynamoDb: documentClient(client), cache, aggregateName: 'Counter', snapshotEvery: 1000 });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'stale-3', payload: { by: 1 } }, a);
    await handleCommand(counter, { type: 'Increment', aggregateId: 'stale-3', payload: { by: 1 } }, table.deps({ aggregateName: 'Counter' }));
    // WHEN A is sent a command expecting version 1: its write on the cached version 1 fails, and the store says 2
    await expect(handleCommand(counter, { type: 'Increment', aggregateId: 'stale-3', payload: { by: 1 }, expectedVersion: 1 }, a))
      .rejects.toMatchObject({ name: 'ConcurrencyError', expectedVersion: 1, currentVersion: 2 });
    // THEN the stale entry is gone, and the next command reads before it writes
    expect(cache.get('stale-3')).toBeUndefined();
    calls.length = 0;
    await expect(handleCommand(counter, { type: 'Increment', aggregateId: 'stale-3', payload: { by: 1 } }, a)).resolves.toMatchObject({ version: 3 });
    expect(calls).toEqual(['QueryCommand', 'PutItemCommand']);
    client.destroy();
  });

  test('keeps at most maxEntries aggregates, dropping the least recently used', () => {
    const cache = new WarmCache(2);
    cache.set('a', { state: 1, version: 1 });
    cache.set('b', { state: 2, version: 1 });
    cache.get('a');
    cache.set('c', { state: 3, version: 1 });
    expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([{ state: 1, version: 1 }, undefined, 2]);
  });
});
