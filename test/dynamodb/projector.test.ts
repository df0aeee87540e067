import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { createProjector } from '../../lambda/handlers/projector';
import { projectMessages, type ProjectorDeps } from '../../lambda/projection/project-messages';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { instrument, storeEvents } from '../helpers/store-events';
import { defineProjection } from 'cdk-cqrs/runtime';
import { ledger, ledgerView } from '../helpers/test-projections';
import { projectionCode } from '../../lambda/projection/projection-code';

const projection = eraseProjection(ledgerView);
let store: EventStoreTable;
let readModel: ReadModelTable;
let deps: ProjectorDeps;
beforeAll(async () => {
  [store, readModel] = await Promise.all([createEventStoreTable('projector-events'), createReadModelTable('projector', ['byOwner'])]);
  deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView', log: () => undefined };
});
afterAll(async () => { await Promise.all([store.drop(), readModel.drop()]); });

const opened = (id: string) => envelopes('Ledger', id, [
  { type: 'Opened', data: { owner: 'ann' } }, { type: 'Deposited', data: { amount: 5 } }, { type: 'Deposited', data: { amount: 7 } },
]);
const documentOf = async (id: string) =>
  (await readModel.doc.send(new GetCommand({ TableName: readModel.tableName, Key: { pk: id, sk: 'LedgerView' }, ConsistentRead: true }))).Item;

describe('the projector', () => {
  test('reads the batch\'s documents in one BatchGetItem and writes them in one TransactWriteItems, however many of their events the batch holds', async () => {
    // GIVEN a batch of 10 messages for 3 aggregates, with a duplicate
    const client = localDynamoDb();
    const { calls } = instrument(client);
    const events = ['once-1', 'once-2', 'once-3'].flatMap(opened);
    const messages = [...events, events[0]].map((e) => queueMessage(e));
    // WHEN
    const result = await projectMessages(projection, messages, { ...deps, dynamoDb: documentClient(client) });
    // THEN
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(await documentOf('once-2')).toMatchObject({ version: 3, view: { owner: 'ann', balance: 12, trail: [1, 2, 3] }, byOwner_pk: 'ann', byOwner_sk: '00000012#once-2' });
    // AND WHEN a batch has one document to write, THEN it is a PutItem (a transaction's item costs twice the write units)
    calls.length = 0;
    expect((await projectMessages(projection, [queueMessage(events[0]), ...opened('once-4').map((e) => queueMessage(e))], { ...deps, dynamoDb: documentClient(client) })).batchItemFailures).toEqual([]);
    expect(calls).toEqual(['BatchGetItemCommand', 'PutItemCommand']);
    client.destroy();
  });

  test('fills a gap from the event store: the document at v1 and only v3 delivered applies v2 then v3', async () => {
    // GIVEN
    const events = opened('gap');
    await storeEvents(store.doc, store.tableName, events);
    await projectMessages(projection, [queueMessage(events[0])], deps);
    // WHEN
    const result = await projectMessages(projection, [queueMessage(events[2])], deps);
    // THEN
    expect(result.batchItemFailures).toEqual([]);
    expect(await documentOf('gap')).toMatchObject({ version: 3, view: { balance: 12, trail: [1, 2, 3] } });
  });

  test('skips events at or below the document version', async () => {
    // GIVEN a document at v3
    const events = opened('dupes');
    await projectMessages(projection, events.map((e) => queueMessage(e)), deps);
    // WHEN all of them come again
    const result = await projectMessages(projection, [...events].reverse().map((e) => queueMessage(e)), deps);
    // THEN
    expect(result.batchItemFailures).toEqual([]);
    expect(await documentOf('dupes')).toMatchObject({ version: 3, view: { trail: [1, 2, 3] } });
  });

  test('fails only a malformed message and a message whose handler throws; the rest of the batch is applied', async () => {
    // GIVEN a batch with a body that is not JSON, an event whose handler throws (v2 of poison) and good events
    const poison = envelopes('Ledger', 'poison', [{ type: 'Opened', data: { owner: 'bob' } }, { type: 'Exploded' }, { type: 'Deposited', data: { amount: 1 } }]);
    const good = opened('healthy');
    const messages = [
      { messageId: 'not-json', body: '{oops' }, { messageId: 'no-detail', body: JSON.stringify({ 'detail-type': 'Opened' }) },
      queueMessage(poison[0], 'poison-1'), queueMessage(poison[1], 'poison-2'), queueMessage(poison[2], 'poison-3'),
      ...good.map((e) => queueMessage(e)),
    ];
    const logged: Record<string, unknown>[] = [];
    // WHEN
    const result = await projectMessages(projection, messages, { ...deps, log: (entry) => logged.push(entry) });
    // THEN the poison's later event waits behind it, so that events are never applied out of order
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['not-json', 'no-detail', 'poison-2', 'poison-3']);
    expect(await documentOf('healthy')).toMatchObject({ version: 3 });
    expect(await documentOf('poison')).toMatchObject({ version: 1, view: { owner: 'bob' } });
    expect(logged.map((l) => l.message).join('\n')).toMatch(/not JSON[\s\S]*detail object[\s\S]*version 2 threw/);
  });

  test('a view holding a key the AWS SDK would misstore (__proto__, set as a prototype: the count silently lost) fails its message as a throwing handler does', async () => {
    // GIVEN notes counted by their text, a user's words as keys, and a note "__proto__" at v3
    const byText = eraseProjection(defineProjection<typeof ledger, Record<string, number>>(ledger, {
      events: { Noted: (view, e) => ({ ...view, [e.data.text]: (view?.[e.data.text] ?? 0) + 1 }) },
    }));
    const events = envelopes('Ledger', 'proto-notes', ['a', 'b', '__proto__', 'c'].map((text) => ({ type: 'Noted', data: { text } })));
    const logged: Record<string, unknown>[] = [];
    // WHEN
    const result = await projectMessages(byText, events.map((e) => queueMessage(e, `note-${e.version}`)), { ...deps, log: (entry) => logged.push(entry) });
    // THEN v3 and what follows it wait (and go to the DLQ in the end), the document holds v2's view, and the log says why
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['note-3', 'note-4']);
    expect(await documentOf('proto-notes')).toMatchObject({ version: 2, view: { a: 1, b: 1 } });
    expect(logged.map((l) => l.message).join('\n')).toMatch(/version 3 threw[\s\S]*The view after Noted \(version 3 of proto-notes\) cannot be stored exactly: view has a key named __proto__/);
  });

  test('with no log given, a failure is reported on stderr as one JSON line', async () => {
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { log: _unused, ...withoutLog } = deps;
      const result = await projectMessages(projection, [{ messageId: 'not-json', body: '{oops' }], withoutLog);
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'not-json' }]);
      expect(stderr.mock.calls).toHaveLength(1);
      expect(JSON.parse(String(stderr.mock.calls[0][0]))).toMatchObject({ message: expect.stringContaining('not JSON') });
    } finally {
      stderr.mockRestore();
    }
  });

  test('a batch whose only new event\'s handler throws writes nothing: the stored document stays as it was', async () => {
    // GIVEN a document at v1
    const poison = envelopes('Ledger', 'stays', [{ type: 'Opened', data: { owner: 'dee' } }, { type: 'Exploded' }]);
    await projectMessages(projection, [queueMessage(poison[0])], deps);
    const client = localDynamoDb();
    const { calls } = instrument(client);
    // WHEN only v2 comes, and its handler throws
    const result = await projectMessages(projection, [queueMessage(poison[1], 'stays-2')], { ...deps, dynamoDb: documentClient(client) });
    // THEN its message fails, and no write is sent
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'stays-2' }]);
    expect(calls.filter((call) => call !== 'BatchGetItemCommand')).toEqual([]);
    expect(await documentOf('stays')).toMatchObject({ version: 1, view: { owner: 'dee' } });
    client.destroy();
  });

  test('a deleted document stays deleted when an older event is delivered again', async () => {
    // GIVEN a ledger that was opened and closed (the view became null)
    const events = envelopes('Ledger', 'closed', [{ type: 'Opened', data: { owner: 'cy' } }, { type: 'Deposited', data: { amount: 3 } }, { type: 'Closed' }]);
    await projectMessages(projection, events.map((e) => queueMessage(e)), deps);
    // WHEN v1 and v2 come again
    const result = await projectMessages(projection, [queueMessage(events[0]), queueMessage(events[1])], deps);
    // THEN a tombstone keeps the version and no view, and it is in no index
    expect(result.batchItemFailures).toEqual([]);
    expect(await documentOf('closed')).toEqual({ pk: 'closed', sk: 'LedgerView', version: 3, codeVersion: projectionCode(projection), deleted: true });
  });

  test('reads and projects again an aggregate whose document another instance wrote meanwhile; the others commit at once', async () => {
    // GIVEN a document at v1 that another projector moves to v2 between our read and our transaction
    const events = opened('raced');
    await projectMessages(projection, [queueMessage(events[0])], deps);
    const client = localDynamoDb();
    const { calls } = instrument(client);
    let raced = false;
    client.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand' && !raced) {
        raced = true;
        await projectMessages(projection, [queueMessage(events[1])], deps);
      }
      return next(args);
    }, { step: 'initialize', name: 'raceTheWrite' });
    // WHEN
    const result = await projectMessages(projection, [queueMessage(events[1], 'm-2'), queueMessage(events[2], 'm-3'), queueMessage(opened('bystander')[0], 'm-b')], { ...deps, dynamoDb: documentClient(client) });
    // THEN the transaction was cancelled by the raced document's condition alone: the bystander is written on its own, the raced one read again and extended
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', 'PutItemCommand', 'BatchGetItemCommand', 'PutItemCommand']);
    expect(await documentOf('raced')).toMatchObject({ version: 3, view: { trail: [1, 2, 3] } });
    expect(await documentOf('bystander')).toMatchObject({ version: 1 });
    client.destroy();
  });

  test('fails an aggregate\'s messages when another instance wrote its document meanwhile twice; the other aggregate committed', async () => {
    // GIVEN a document at v1 that another projector moves on before each of our writes of it
    const events = envelopes('Ledger', 'raced-twice', [{ type: 'Opened', data: { owner: 'al' } }, ...[1, 2, 3].map((amount) => ({ type: 'Deposited', data: { amount } }))]);
    await storeEvents(store.doc, store.tableName, events);
    await projectMessages(projection, [queueMessage(events[0])], deps);
    const client = localDynamoDb();
    let next = 1;
    client.middlewareStack.add((nextHandler, context) => async (args) => {
      const writes = JSON.stringify(args.input).includes('"raced-twice"');
      if (writes && (context.commandName === 'TransactWriteItemsCommand' || context.commandName === 'PutItemCommand') && next < 3) {
        await projectMessages(projection, [queueMessage(events[next])], deps);
        next += 1;
      }
      return nextHandler(args);
    }, { step: 'initialize', name: 'raceEveryWrite' });
    const logged: Record<string, unknown>[] = [];
    // WHEN
    const result = await projectMessages(projection, [queueMessage(events[3], 'm-4'), queueMessage(opened('bystander-2')[0], 'm-b')],
      { ...deps, dynamoDb: documentClient(client), log: (entry) => logged.push(entry) });
    // THEN the loser's messages come back, saying why; the other aggregate committed
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-4']);
    expect(logged.map((entry) => entry.message)).toEqual([expect.stringMatching(/raced-twice not projected; .* in each of 2 tries/)]);
    expect(await documentOf('raced-twice')).toMatchObject({ version: 3, view: { trail: [1, 2, 3] } });
    expect(await documentOf('bystander-2')).toMatchObject({ version: 1 });
    client.destroy();
  });

  test('fails the messages of an aggregate whose gap the event store cannot fill', async () => {
    // GIVEN v5 of an aggregate the event store does not hold
    const [lost] = envelopes('Ledger', 'not-stored', [{ type: 'Deposited', data: { amount: 1 } }], 5);
    // WHEN
    const result = await projectMessages(projection, [queueMessage(lost, 'lost')], deps);
    // THEN
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'lost' }]);
    expect(await documentOf('not-stored')).toBeUndefined();
  });

  test('ignores events of another aggregate when it knows its aggregate name', async () => {
    // GIVEN
    const [other] = envelopes('Order', 'other-aggregate', [{ type: 'Opened', data: { owner: 'x' } }]);
    // WHEN
    const result = await projectMessages(projection, [queueMessage(other)], { ...deps, aggregateName: 'Ledger' });
    // THEN
    expect(result.batchItemFailures).toEqual([]);
    expect(await documentOf('other-aggregate')).toBeUndefined();
  });

  test('the Lambda handler projects an SQS event with the given deps', async () => {
    // GIVEN
    const handler = createProjector(ledgerView, deps);
    // WHEN
    const result = await handler({ Records: opened('via-handler').map((e) => queueMessage(e)) });
    // THEN
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await documentOf('via-handler')).toMatchObject({ version: 3 });
  });

  test('the Lambda handler fails the invocation when every message of the batch failed, with how many and the first cause; a partly failed batch returns its failures', async () => {
    // GIVEN a projector whose read model is unreachable (no such table), and a batch of two aggregates
    const logged: Record<string, unknown>[] = [];
    const unreachable = createProjector(ledgerView, { ...deps, readModelTable: 'no-such-table', log: (entry) => logged.push(entry) });
    const records = [...opened('unreachable-1').slice(0, 1), ...opened('unreachable-2').slice(0, 1)].map((e) => queueMessage(e));
    // WHEN / THEN the function errs (so its Errors metric and alarm show the outage), naming the count and the cause
    await expect(unreachable({ Records: records })).rejects.toThrow(/^Projection LedgerView: all 2 messages of the batch failed; the first cause: Projection LedgerView: unreachable-\d not projected; .*(ResourceNotFound|non-existent table)/);
    // AND each failure was still logged
    expect(logged).toHaveLength(2);
    // WHEN a batch fails only in part, or is empty, THEN it answers with its failures
    const handler = createProjector(ledgerView, deps);
    const result = await handler({ Records: [{ messageId: 'garbled', body: '{' }, ...opened('partly').map((e) => queueMessage(e))] });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'garbled' }] });
    expect(await documentOf('partly')).toMatchObject({ version: 3 });
    await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });

  test('fails at init when the module does not export defineProjection(...)', () => {
    expect(() => createProjector({ events: {} })).toThrow("the projector's module must have defineProjection(...) or defineCustomProjection(...) as its default export; it has not a definition (object).");
  });

  test('an event after a deletion starts the view again, on top of the tombstone', async () => {
    // GIVEN a tombstone at v3, of this code (the event store is not read: it holds only v4)
    await readModel.doc.send(new PutCommand({ TableName: readModel.tableName, Item: { pk: 'stale', sk: 'LedgerView', version: 3, codeVersion: projectionCode(projection), deleted: true } }));
    const events = envelopes('Ledger', 'stale', [{ type: 'Opened', data: { owner: 'dee' } }], 4);
    await storeEvents(store.doc, store.tableName, events);
    // WHEN v4 reopens it
    const result = await projectMessages(projection, [queueMessage(events[0])], deps);
    // THEN
    expect(result.batchItemFailures).toEqual([]);
    expect(await documentOf('stale')).toMatchObject({ version: 4, view: { owner: 'dee', balance: 0, trail: [4] } });
  });
});
