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

test.each([0, 1, 2])('with maxConflictRetries %i, a command that always meets a rival write is tried that many times more, then fails', async (max) => {
  const aggregateId = `rival-${max}`;
  const client = localDynamoDb();
  let writes = 0;
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'PutItemCommand') {
      writes += 1;
      await handleCommand(counter, { type: 'Increment', aggregateId, payload: { by: 1 } }, table.deps({ aggregateName: 'Counter' }));
    }
    return next(args);
  }, { step: 'initialize', name: 'rivalWrite' });
  try {
    const deps = table.deps({ dynamoDb: documentClient(client), aggregateName: 'Counter', maxConflictRetries: max });
    await expect(handleCommand(counter, { type: 'Increment', aggregateId, payload: { by: 1 } }, deps)).rejects.toMatchObject({ name: 'ConcurrencyError' });
    expect(writes).toBe(max + 1);
  } finally {
    client.destroy();
  }
});
