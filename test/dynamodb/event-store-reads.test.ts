import { EVENT_STORE } from '../../lib/private/runtime-contract';
import { EventStore } from '../../lambda/store/event-store';
import { handleCommand } from '../../lambda/write/handle-command';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { countRequests } from '../helpers/request-counts';
import { createSessionTable } from '../helpers/create-session-table';
import { readSessionEntries } from '../../lambda/sessions/session-read';
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
  await handleCommand(counter, { type: 'Increment', aggregateId: 'reads', payload: { by: 1 }, commandId: 'c-1', expectedVersion: 5 }, deps);
  await expect(handleCommand(counter, { type: 'Increment', aggregateId: 'reads', payload: { by: 1 }, expectedVersion: 5 }, deps)).rejects.toMatchObject({ name: 'ConcurrencyError' });
  expect(new Set(reads.map((read) => read.command))).toEqual(new Set(['QueryCommand', 'GetItemCommand']));
  expect(reads.filter((read) => read.consistent !== true)).toEqual([]);
  client.destroy();
});

test('a read of events names exactly the event attributes, which is all grantReadYourWrites allows: a snapshot in the range shows no state', async () => {
  const client = localDynamoDb();
  const projections: unknown[] = [];
  client.middlewareStack.add((next) => async (args) => {
    const input = args.input as { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> };
    if (input.ProjectionExpression) projections.push(input.ProjectionExpression.split(', ').map((name) => input.ExpressionAttributeNames?.[name]));
    return next(args);
  }, { step: 'initialize', name: 'recordProjections' });
  const doc = documentClient(client);
  const deps = table.deps({ dynamoDb: doc, aggregateName: 'Counter', snapshotEvery: 2 });
  await handleCommand(counter, { type: 'Increment', aggregateId: 'projected', payload: { by: 1, times: 3 } }, deps);
  // WHEN the events around the snapshot at 3.5 are read
  const events = await new EventStore(doc, table.tableName, 0).readRange('projected', 1, 4);
  // THEN
  expect(projections).toEqual([[...EVENT_STORE.eventAttributes]]);
  expect(events.map((event) => event.version)).toEqual([1, 2, 3]);
  client.destroy();
});

test('a range reads exactly its versions, and an empty range is empty with no request (DynamoDB would refuse its BETWEEN)', async () => {
  const client = localDynamoDb();
  const requests = countRequests(client);
  const doc = documentClient(client);
  await handleCommand(counter, { type: 'Increment', aggregateId: 'ranges', payload: { by: 1, times: 5 } }, table.deps({ dynamoDb: doc, aggregateName: 'Counter' }));
  const store = new EventStore(doc, table.tableName, 0);
  const versions = async (first: number, last: number) => (await store.readRange('ranges', first, last)).map((event) => event.version);
  expect(await versions(1, 5)).toEqual([1, 2, 3, 4, 5]);
  expect(await versions(2, 4)).toEqual([2, 3, 4]);
  expect(await versions(3, 3)).toEqual([3]);
  expect(await versions(5, 9)).toEqual([5]);
  requests.clear();
  expect(await versions(4, 3)).toEqual([]);
  expect(await versions(6, 5)).toEqual([]);
  expect(requests.total()).toBe(0);
  client.destroy();
});

test('a read of a session\'s entries is strongly consistent: read-your-writes must see the entry its command just wrote', async () => {
  const sessions = await createSessionTable('consistent-session-reads');
  const client = localDynamoDb();
  const consistent: unknown[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'QueryCommand') consistent.push((args.input as { ConsistentRead?: unknown }).ConsistentRead);
    return next(args);
  }, { step: 'initialize', name: 'recordReads' });
  try {
    const settings = { sessionTable: sessions.tableName, aggregateName: 'Counter', eventStoreTable: table.tableName };
    await readSessionEntries(documentClient(client), settings, 's-1', 'c-1');
    await readSessionEntries(documentClient(client), settings, 's-1');
    expect(consistent).toEqual([true, true]);
  } finally {
    client.destroy();
    await sessions.drop();
  }
});
