import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { eraseProjection, type AnyProjection } from '../../lambda/projection/define-projection';
import { foldProjection } from '../../lambda/projection/projection-fold';
import { projectionCode } from '../../lambda/projection/projection-code';
import { projectMessages, type ProjectorDeps } from '../../lambda/projection/project-messages';
import { rebuildProjection } from '../../lambda/projection/rebuild-projection';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { toReadModelItem } from '../../lambda/store/read-model-item';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { storeEvents } from '../helpers/store-events';
import { ledgerView, oldLedgerView } from '../helpers/test-projections';

// A deploy changes the projection's code (oldLedgerView to ledgerView) and a rebuild runs while
// instances of the old code still project live: the two race on the same documents.
const newCode = eraseProjection(ledgerView);
const oldCode = eraseProjection(oldLedgerView);
let store: EventStoreTable;
let readModel: ReadModelTable;
const depsOf = (dynamoDb = readModel.doc): ProjectorDeps => ({
  dynamoDb, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView', log: () => undefined,
});
beforeAll(async () => {
  [store, readModel] = await Promise.all([createEventStoreTable('rebuild-code-events'), createReadModelTable('rebuild-code', ['byOwner'])]);
});
afterAll(async () => { await Promise.all([store.drop(), readModel.drop()]); });

const documentOf = async (id: string) =>
  (await readModel.doc.send(new GetCommand({ TableName: readModel.tableName, Key: { pk: id, sk: 'LedgerView' }, ConsistentRead: true }))).Item;
const foldOf = (projection: AnyProjection, events: readonly EventEnvelope[]) => toReadModelItem(projection, 'LedgerView', events[0].aggregateId,
  { ...foldProjection(projection, { version: 0, view: undefined }, events).document, code: projectionCode(projection) });
const deliver = async (projection: AnyProjection, events: readonly EventEnvelope[], deps = depsOf()) =>
  (await projectMessages(projection, events.map((e) => queueMessage(e, `${e.aggregateId}@${e.version}`)), deps)).batchItemFailures.map((f) => f.itemIdentifier);
const history = (id: string, deposits: number) => envelopes('Ledger', id, [
  { type: 'Opened', data: { owner: 'cy' } }, ...Array.from({ length: deposits }, (_, i) => ({ type: i % 3 === 1 ? 'Noted' : 'Deposited', data: { amount: i + 1, text: 't' } })),
]);

describe('a rebuild with changed projection code', () => {
  test('gives new-code views of documents that old-code live projection moved on while the rebuild read the events', async () => {
    // GIVEN 6 accounts projected by the old code at v1..v5, and their v6, not stored yet
    const ids = Array.from({ length: 6 }, (_, i) => `moved-${i}`);
    const all = new Map(ids.map((id) => [id, history(id, 5)]));
    await storeEvents(store.doc, store.tableName, ids.flatMap((id) => all.get(id)!.slice(0, 5)));
    for (const id of ids) expect(await deliver(oldCode, all.get(id)!.slice(0, 5))).toEqual([]);
    // AND a rebuild whose every read of an account's events is followed by its v6, stored and projected by the old code
    const client = localDynamoDb();
    const movedOn: string[] = [];
    client.middlewareStack.add((next, context) => async (args) => {
      const output = await next(args);
      // The document client's marshalling may run before or after this step: a key is a string, or { S }.
      const input = args.input as { TableName?: string; ExpressionAttributeValues?: Record<string, unknown> };
      const id = Object.values(input.ExpressionAttributeValues ?? {})
        .map((value) => (typeof value === 'string' ? value : (value as { S?: string }).S))
        .find((value) => value?.startsWith('moved-'));
      if (context.commandName === 'QueryCommand' && input.TableName === store.tableName && id) {
        const sixth = all.get(id)![5];
        await storeEvents(store.doc, store.tableName, [sixth]);
        expect(await deliver(oldCode, [sixth])).toEqual([]);
        movedOn.push(id);
      }
      return output;
    }, { step: 'initialize', name: 'oldCodeMovesOn' });
    // WHEN the new code rebuilds
    const result = await rebuildProjection(newCode, depsOf(documentClient(client)), { totalSegments: 2 });
    client.destroy();
    // THEN every document is the new code's fold of v1..v5, though the old code had moved it to v6
    expect(movedOn.sort()).toEqual(ids);
    expect(result.written).toBe(ids.length);
    for (const id of ids) expect(await documentOf(id)).toEqual(foldOf(newCode, all.get(id)!.slice(0, 5)));
    // AND the new code's live projection of v6 extends it
    for (const id of ids) expect(await deliver(newCode, [all.get(id)![5]])).toEqual([]);
    for (const id of ids) expect(await documentOf(id)).toEqual(foldOf(newCode, all.get(id)!));
  });

  test('an old-code projector\'s write on top of the version it read fails when the rebuild replaced the view at that version meanwhile; read again, it folds from event 1', async () => {
    // GIVEN an account at v3 by the old code; its v4 is being written
    const events = history('replaced', 3);
    await storeEvents(store.doc, store.tableName, events.slice(0, 3));
    expect(await deliver(oldCode, events.slice(0, 3))).toEqual([]);
    // AND an old-code projector that read v3 while the new code's rebuild folds v1..v3 and writes it, before v4 is stored
    const client = localDynamoDb();
    const calls: string[] = [];
    let rebuilt = false;
    client.middlewareStack.add((next, context) => async (args) => {
      calls.push(String(context.commandName));
      if (context.commandName === 'PutItemCommand' && !rebuilt) {
        rebuilt = true;
        await rebuildProjection(newCode, depsOf(), { totalSegments: 1 });
        await storeEvents(store.doc, store.tableName, [events[3]]);
      }
      return next(args);
    }, { step: 'initialize', name: 'rebuildBeforeTheWrite' });
    // WHEN the old-code projector gets v4
    const failed = await deliver(oldCode, [events[3]], depsOf(documentClient(client)));
    client.destroy();
    // THEN its write on top of what it read failed, and it read the document again: the rebuild's, of other code, so it
    // folded v1..v4 with its own code (a query of the event store) instead of extending the new view with the old code
    expect(rebuilt).toBe(true);
    expect(failed).toEqual([]);
    expect(calls).toEqual(['BatchGetItemCommand', 'PutItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'PutItemCommand']);
    expect(await documentOf('replaced')).toEqual(foldOf(oldCode, events));
    // AND the new code takes it back at the next delivery
    expect(await deliver(newCode, [events[3]])).toEqual([]);
    expect(await documentOf('replaced')).toEqual(foldOf(newCode, events));
  });
});
