import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { SESSION_TABLE } from '../../lib/private/runtime-contract';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { EventStore, toEventItem, versionIsFree } from '../../lambda/store/event-store';
import { conditionBytes, itemBytes, MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES, type ConditionSize } from '../../lambda/store/item-size';
import { writeDocuments } from '../../lambda/store/write-documents';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { createSessionTable } from '../helpers/create-session-table';
import { recordCommands } from '../helpers/request-counts';

/**
 * DynamoDB refuses a transaction whose items and conditions add up to more than 4 MB: it counts each Put's condition
 * expression and the names and values it substitutes as well as the item (measured here on DynamoDB Local). The store
 * refuses such a command write itself, before anything is sent, with a ValidationError that says so, counting every
 * Put of it: the events, the idempotency record and the session entry. At exactly 4 MB the write goes through. The
 * read-model writer splits its transactions by the same count.
 */
let table: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
let store: EventStore;
beforeAll(async () => {
  [table, sessions] = await Promise.all([createEventStoreTable('transaction-size', { stream: false }), createSessionTable('transaction-size-sessions')]);
  store = new EventStore(table.doc, table.tableName, 0);
});
afterAll(() => Promise.all([table.drop(), sessions.drop()]));

/** The sizes of items that, each with a condition of `perCondition` bytes, add up to `total`: 400 KB ones, then the rest. */
function itemSizes(total: number, perCondition: number): number[] {
  const sizes: number[] = [];
  for (let left = total; left > 0; left -= MAX_ITEM_BYTES + perCondition) sizes.push(Math.min(MAX_ITEM_BYTES, left - perCondition));
  return sizes;
}

/** `bare` with its padding attribute filled so that the item is exactly `bytes` bytes. */
function padded<T extends Record<string, unknown>>(bare: T, bytes: number, pad: (item: T, padding: string) => T): T {
  const item = pad(bare, 'p'.repeat(bytes - itemBytes(bare)));
  expect(itemBytes(item)).toBe(bytes);
  return item;
}

/** Events of versions 1.. whose Puts (item and condition) add up to `total` bytes. */
function eventsOf(aggregateId: string, total: number): EventEnvelope[] {
  const withPadding = (event: EventEnvelope, padding: string): EventEnvelope => ({ ...event, data: { padding } });
  return itemSizes(total, conditionBytes({ ConditionExpression: versionIsFree })).map((bytes, i) => {
    const bare: EventEnvelope = {
      aggregateName: 'Ledger', aggregateId, version: i + 1, type: 'Padded', data: { padding: '' },
      metadata: { eventId: `${aggregateId}-${i + 1}`, correlationId: 'c', occurredAt: '2026-12-03T00:00:00.000Z', schemaVersion: 1 },
    };
    const fill = bytes - itemBytes(toEventItem(bare));
    const event = withPadding(bare, 'p'.repeat(fill));
    expect(itemBytes(toEventItem(event))).toBe(bytes);
    return event;
  });
}

/** A session entry of exactly `bytes` bytes (it has no condition). */
const sessionEntryOf = (sessionId: string, bytes: number) => ({
  tableName: sessions.tableName,
  item: padded({ [SESSION_TABLE.partitionKey]: sessionId, [SESSION_TABLE.sortKey]: 'entry', padding: '' }, bytes, (item, padding) => ({ ...item, padding })),
});

const storedVersions = async (aggregateId: string) => (await table.scanAll())
  .filter((item) => item.pk === aggregateId).map((item) => item.sk).sort((a, b) => Number(a) - Number(b));

const over = (total: number) => `The command's write holds ${total} bytes with its conditions; a DynamoDB transaction holds at most ${MAX_TRANSACTION_BYTES}. Split the command.`;

describe('a command write at the 4 MB transaction limit', () => {
  test('an event item over 400 KB is refused by the store itself, saying its size, and nothing is written', async () => {
    const [event] = eventsOf('item-over', MAX_ITEM_BYTES + conditionBytes({ ConditionExpression: versionIsFree }));
    const big = { ...event, data: { padding: `${(event.data as { padding: string }).padding}p` } };
    await expect(store.append({ aggregateId: 'item-over', events: [big] })).rejects.toMatchObject({
      name: 'ValidationError', message: `The command's write holds an item of ${MAX_ITEM_BYTES + 1} bytes; DynamoDB items hold at most ${MAX_ITEM_BYTES}. Split the command.`,
    });
    expect(await storedVersions('item-over')).toEqual([]);
  });

  test('the events of a write over 1 MB are all read back: readRange follows the Query\'s pages', async () => {
    const events = eventsOf('read-back', 3 * 1024 * 1024);
    await store.append({ aggregateId: 'read-back', events });
    expect((await store.readRange('read-back', 1, events.length)).map((event) => event.version)).toEqual(events.map((event) => event.version));
  });

  test('events whose Puts add up to exactly 4 MB are written', async () => {
    const events = eventsOf('exact', MAX_TRANSACTION_BYTES);
    expect(events).toHaveLength(11);
    await expect(store.append({ aggregateId: 'exact', events })).resolves.toEqual({ outcome: 'appended' });
    expect(await storedVersions('exact')).toEqual(events.map((event) => event.version));
  });

  test('events whose Puts add up to 4 MB and a byte are refused, saying the total, and nothing is written', async () => {
    const events = eventsOf('over', MAX_TRANSACTION_BYTES + 1);
    await expect(store.append({ aggregateId: 'over', events })).rejects.toMatchObject({ name: 'ValidationError', message: over(MAX_TRANSACTION_BYTES + 1) });
    expect(await storedVersions('over')).toEqual([]);
  });

  test('the session entry counts: events and entry adding up to exactly 4 MB are written, a byte more of entry is refused', async () => {
    const entryBytes = 1000;
    const fits = eventsOf('with-session', MAX_TRANSACTION_BYTES - entryBytes);
    await expect(store.append({ aggregateId: 'with-session', events: fits, sessionEntry: sessionEntryOf('s-1', entryBytes) })).resolves.toEqual({ outcome: 'appended' });
    expect(await sessions.entries('s-1')).toHaveLength(1);

    const tipped = eventsOf('tipped', MAX_TRANSACTION_BYTES - entryBytes);
    await expect(store.append({ aggregateId: 'tipped', events: tipped, sessionEntry: sessionEntryOf('s-2', entryBytes + 1) }))
      .rejects.toMatchObject({ name: 'ValidationError', message: over(MAX_TRANSACTION_BYTES + 1) });
    expect(await storedVersions('tipped')).toEqual([]);
    expect(await sessions.entries('s-2')).toEqual([]);
  });

  test('the idempotency record counts: with it, events of exactly 4 MB are refused', async () => {
    const events = eventsOf('with-record', MAX_TRANSACTION_BYTES);
    await expect(store.append({ aggregateId: 'with-record', events, idempotency: { commandId: 'c-1', fingerprint: 'f', expiresAt: 1 } }))
      .rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/^The command's write holds 419\d{4} bytes with its conditions/) });
    expect(await storedVersions('with-record')).toEqual([]);
  });
});

/** Conditions as the writers make them and more: names and values of any length, each maybe used more than once. */
const conditions: fc.Arbitrary<ConditionSize> = fc.record({
  names: fc.uniqueArray(fc.tuple(fc.stringMatching(/^#[A-Za-z0-9_]{1,8}$/), fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' })), { minLength: 1, maxLength: 3, selector: ([placeholder]) => placeholder }),
  values: fc.uniqueArray(fc.tuple(fc.stringMatching(/^:[A-Za-z0-9_]{1,8}$/), fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.integer(), fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 64))), { minLength: 1, maxLength: 3, selector: ([placeholder]) => placeholder }),
  uses: fc.array(fc.nat(), { maxLength: 4 }),
}).map(({ names, values, uses }) => {
  // True on an item not yet written: the key is not there. The rest compares other names to the values.
  const pairs = uses.map((use, i) => [names[use % names.length], values[(use + i) % values.length]] as const);
  const used = <T,>(entries: readonly (readonly [string, T])[]) => Object.fromEntries(entries.filter(([placeholder]) => placeholder !== '#key'));
  return {
    ConditionExpression: ['attribute_not_exists(#key)', ...pairs.map(([name, value]) => `${name[0]} <> ${value[0]}`)].join(' OR '),
    ExpressionAttributeNames: { '#key': 'pk', ...used(pairs.map(([name]) => name)) },
    ...(pairs.length > 0 ? { ExpressionAttributeValues: used(pairs.map(([, value]) => value)) } : {}),
  };
});

test('DynamoDB takes a transaction of items and conditions of exactly 4 MB by conditionBytes, and refuses one a byte larger', async () => {
  let run = 0;
  await fc.assert(fc.asyncProperty(conditions, async (condition) => {
    run += 1;
    const transaction = (pk: string, total: number) => itemSizes(total, conditionBytes(condition)).map((bytes, version) => ({
      Put: { TableName: table.tableName, Item: padded({ pk, sk: version, padding: '' }, bytes, (item, padding) => ({ ...item, padding })), ...condition },
    }));
    await table.doc.send(new TransactWriteCommand({ TransactItems: transaction(`fits-${run}`, MAX_TRANSACTION_BYTES) }));
    await expect(table.doc.send(new TransactWriteCommand({ TransactItems: transaction(`over-${run}`, MAX_TRANSACTION_BYTES + 1) })))
      .rejects.toThrow(/Transaction payload size cannot exceed 4MB/);
  }), { numRuns: 25 });
});

test('the read-model writer puts writes of exactly 4 MB with their conditions in one transaction, and a byte more in two', async () => {
  const condition = { ConditionExpression: 'attribute_not_exists(#key) OR #version < :version', ExpressionAttributeNames: { '#key': 'pk', '#version': 'sk' }, ExpressionAttributeValues: { ':version': 3 } };
  const writesOf = (pk: string, total: number) => itemSizes(total, conditionBytes(condition))
    .map((bytes, version) => ({ item: padded({ pk, sk: version, padding: '' }, bytes, (item, padding) => ({ ...item, padding })), condition }));
  const commands = recordCommands(table.client);
  await expect(writeDocuments(table.doc, table.tableName, writesOf('documents-fit', MAX_TRANSACTION_BYTES))).resolves.toEqual(Array(11).fill({ kind: 'written' }));
  expect(commands.splice(0)).toEqual(['TransactWriteItemsCommand']);
  await expect(writeDocuments(table.doc, table.tableName, writesOf('documents-over', MAX_TRANSACTION_BYTES + 1))).resolves.toEqual(Array(11).fill({ kind: 'written' }));
  expect(commands.sort()).toEqual(['PutItemCommand', 'TransactWriteItemsCommand']);
});
