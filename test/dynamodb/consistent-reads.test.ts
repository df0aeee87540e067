import { handleCommand } from '../../lambda/write/handle-command';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { counter } from '../helpers/test-aggregates';

let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('consistent-reads', { stream: false }); });
afterAll(() => table.drop());

/**
 * DynamoDB Local is always consistent, so only the requests show whether a read is: an eventually
 * consistent load could decide on a state missing the last write, and an idempotency lookup could
 * miss the record of the command it is answering.
 */
test('every read of the command handler is strongly consistent', async () => {
  const client = localDynamoDb();
  const reads: { command: string; consistent: unknown }[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    const input = args.input as { ConsistentRead?: unknown };
    if (['QueryCommand', 'GetItemCommand'].includes(String(context.commandName))) reads.push({ command: String(context.commandName), consistent: input.ConsistentRead });
    return next(args);
  }, { step: 'initialize', name: 'recordReads' });
  const deps = table.deps({ dynamoDb: documentClient(client), aggregateName: 'Counter' });
  // A load, a conflict's current version, and an idempotency lookup (a retried command now refused as stale)
  await handleCommand(counter, { type: 'Increment', aggregateId: 'reads', payload: { by: 1 }, commandId: 'c-1' }, deps);
  await handleCommand(counter, { type: 'Increment', aggregateId: 'reads', payload: { by: 1 }, commandId: 'c-1', expectedVersion: 0 }, deps);
  await expect(handleCommand(counter, { type: 'Increment', aggregateId: 'reads', payload: { by: 1 }, expectedVersion: 0 }, deps)).rejects.toMatchObject({ name: 'ConcurrencyError' });
  expect(new Set(reads.map((read) => read.command))).toEqual(new Set(['QueryCommand', 'GetItemCommand']));
  expect(reads.filter((read) => read.consistent !== true)).toEqual([]);
  client.destroy();
});
