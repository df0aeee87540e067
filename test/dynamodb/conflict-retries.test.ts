import { handleCommand } from '../../lambda/write/handle-command';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { counter } from '../helpers/test-aggregates';

/**
 * How many times a command is tried when another writer keeps taking its version: once, then
 * `maxConflictRetries` more, then a ConcurrencyError. The rival is a second client that stores the
 * next event just before each of the command's writes, as another container would.
 */
let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('conflict-retries', { stream: false }); });
afterAll(() => table.drop());

/** A client before each of whose PutItems a rival (another container) stores the aggregate's next event; `writes` counts those PutItems. */
function rivalClient(aggregateId: string) {
  const client = localDynamoDb();
  let writes = 0;
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'PutItemCommand') {
      writes += 1;
      await handleCommand(counter, { type: 'Increment', aggregateId, payload: { by: 1 } }, table.deps({ aggregateName: 'Counter' }));
    }
    return next(args);
  }, { step: 'initialize', name: 'rivalWrite' });
  return { client, writes: () => writes };
}

test.each([0, 1, 2])('with maxConflictRetries %i, a command that always meets a rival write is tried that many times more, then fails', async (max) => {
  const aggregateId = `rival-${max}`;
  const { client, writes } = rivalClient(aggregateId);
  try {
    const deps = table.deps({ dynamoDb: documentClient(client), aggregateName: 'Counter', maxConflictRetries: max });
    await expect(handleCommand(counter, { type: 'Increment', aggregateId, payload: { by: 1 } }, deps)).rejects.toMatchObject({ name: 'ConcurrencyError' });
    expect(writes()).toBe(max + 1);
  } finally {
    client.destroy();
  }
});

describe('a command with expectedVersion', () => {
  test('a rival write is the caller\'s conflict: a ConcurrencyError with the rival\'s version, and no second write', async () => {
    const aggregateId = 'expected-rival';
    await handleCommand(counter, { type: 'Increment', aggregateId, payload: { by: 1 } }, table.deps({ aggregateName: 'Counter' }));
    const { client, writes } = rivalClient(aggregateId);
    try {
      const deps = table.deps({ dynamoDb: documentClient(client), aggregateName: 'Counter', maxConflictRetries: 3 });
      await expect(handleCommand(counter, { type: 'Increment', aggregateId, expectedVersion: 1, payload: { by: 1 } }, deps))
        .rejects.toMatchObject({ name: 'ConcurrencyError', expectedVersion: 1, currentVersion: 2 });
      expect(writes()).toBe(1);
    } finally {
      client.destroy();
    }
  });

  test('a transaction cancelled by a TransactionConflict alone (no rival write landed) is tried again and written, not reported as a conflict', async () => {
    const aggregateId = 'expected-transaction-conflict';
    await handleCommand(counter, { type: 'Increment', aggregateId, payload: { by: 1 } }, table.deps({ aggregateName: 'Counter' }));
    const client = localDynamoDb();
    let transactions = 0;
    client.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      transactions += 1;
      if (transactions > 1) return next(args);
      const items = (args.input as { TransactItems: unknown[] }).TransactItems.length;
      throw Object.assign(new Error('Transaction cancelled (injected)'), {
        name: 'TransactionCanceledException', $fault: 'client', $metadata: { httpStatusCode: 400 },
        CancellationReasons: Array.from({ length: items }, (_, index) => ({ Code: index === 0 ? 'TransactionConflict' : 'None' })),
      });
    }, { step: 'initialize', name: 'transactionConflict' });
    try {
      // A commandId makes the write a transaction (the event and its idempotency record).
      const deps = table.deps({ dynamoDb: documentClient(client), aggregateName: 'Counter' });
      await expect(handleCommand(counter, { type: 'Increment', aggregateId, commandId: 'c-1', expectedVersion: 1, payload: { by: 1 } }, deps))
        .resolves.toMatchObject({ version: 2 });
      expect(transactions).toBe(2);
      expect((await table.scanAll()).filter((item) => item.pk === aggregateId && item.kind === 'event').map((item) => item.sk)).toEqual([1, 2]);
    } finally {
      client.destroy();
    }
  });
});
