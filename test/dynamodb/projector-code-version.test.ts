import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { eraseProjection, type AnyProjection } from '../../lambda/projection/define-projection';
import { foldProjection } from '../../lambda/projection/projection-fold';
import { projectionCode } from '../../lambda/projection/projection-code';
import { projectMessages, type ProjectorDeps } from '../../lambda/projection/project-messages';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { toReadModelItem } from '../../lambda/store/read-model-item';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { instrument, storeEvents } from '../helpers/store-events';
import { ledgerView, oldLedgerView } from '../helpers/test-projections';

// The projector of a deploy's new code (ledgerView) meets documents that other code built: the
// previous deploy's (oldLedgerView), or code from before documents recorded their code version.
const newCode = eraseProjection(ledgerView);
const oldCode = eraseProjection(oldLedgerView);
let store: EventStoreTable;
let readModel: ReadModelTable;
let deps: ProjectorDeps;
beforeAll(async () => {
  [store, readModel] = await Promise.all([createEventStoreTable('code-version-events'), createReadModelTable('code-version', ['byOwner'])]);
  deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView', log: () => undefined };
});
afterAll(async () => { await Promise.all([store.drop(), readModel.drop()]); });

const documentOf = async (id: string) =>
  (await readModel.doc.send(new GetCommand({ TableName: readModel.tableName, Key: { pk: id, sk: 'LedgerView' }, ConsistentRead: true }))).Item;
/** The item `projection` writes for these events folded in order from the first, with its code version. */
const foldOf = (projection: AnyProjection, events: readonly EventEnvelope[]) => toReadModelItem(projection, 'LedgerView', events[0].aggregateId,
  { ...foldProjection(projection, { version: 0, view: undefined }, events).document, code: projectionCode(projection) });
/** Stored events of an account: opened, deposits, a note (only the old code folds notes), more deposits. */
const account = async (id: string) => {
  const events = envelopes('Ledger', id, [
    { type: 'Opened', data: { owner: 'ann' } }, { type: 'Deposited', data: { amount: 5 } }, { type: 'Noted', data: { text: 'n' } },
    { type: 'Deposited', data: { amount: 7 } }, { type: 'Deposited', data: { amount: 1 } },
  ]);
  await storeEvents(store.doc, store.tableName, events);
  return events;
};
const deliver = (projection: AnyProjection, events: readonly EventEnvelope[], with_: ProjectorDeps = deps) =>
  projectMessages(projection, events.map((e) => queueMessage(e, `${e.aggregateId}@${e.version}`)), with_);

describe('the projector, with documents other code built', () => {
  test('folds a document written before code versions (no code recorded) again from event 1, not extending it; then extends its own with no read more', async () => {
    // GIVEN a document at v3 as code from before this change wrote it: the old view, no code version
    const events = await account('legacy');
    const legacy = toReadModelItem(oldCode, 'LedgerView', 'legacy', foldProjection(oldCode, { version: 0, view: undefined }, events.slice(0, 3)).document);
    expect(legacy).not.toHaveProperty('codeVersion');
    await readModel.doc.send(new PutCommand({ TableName: readModel.tableName, Item: legacy }));
    const client = localDynamoDb();
    const { calls } = instrument(client);
    // WHEN v4 comes
    expect((await deliver(newCode, [events[3]], { ...deps, dynamoDb: documentClient(client) })).batchItemFailures).toEqual([]);
    // THEN the document is the new code's fold of v1..v4 (v1..v3 read from the event store), with its code version
    expect(await documentOf('legacy')).toEqual(foldOf(newCode, events.slice(0, 4)));
    expect(calls).toEqual(['BatchGetItemCommand', 'QueryCommand', 'PutItemCommand']);
    // AND WHEN v5 comes, the document is this code's: one read, one write, as before code versions
    calls.length = 0;
    expect((await deliver(newCode, [events[4]], { ...deps, dynamoDb: documentClient(client) })).batchItemFailures).toEqual([]);
    expect(await documentOf('legacy')).toEqual(foldOf(newCode, events));
    expect(calls).toEqual(['BatchGetItemCommand', 'PutItemCommand']);
    client.destroy();
  });

  test('takes over a document the previous deploy\'s code moved on, even when every event delivered is a duplicate', async () => {
    // GIVEN the old code projected v1..v5
    const events = await account('deployed');
    expect((await deliver(oldCode, events)).batchItemFailures).toEqual([]);
    expect(await documentOf('deployed')).toEqual(foldOf(oldCode, events));
    // WHEN the new code gets a late duplicate of v2
    expect((await deliver(newCode, [events[1]])).batchItemFailures).toEqual([]);
    // THEN the document is the new code's fold at v5
    expect(await documentOf('deployed')).toEqual(foldOf(newCode, events));
  });

  test('old code running on, during a deploy, folds a new-code document again with its own code: no mixed view', async () => {
    // GIVEN the new code projected v1..v3
    const events = await account('rollback');
    expect((await deliver(newCode, events.slice(0, 3))).batchItemFailures).toEqual([]);
    // WHEN an old-code instance still running gets v4
    expect((await deliver(oldCode, [events[3]])).batchItemFailures).toEqual([]);
    // THEN it wrote the old code's fold of v1..v4; the new code takes the document back with v5
    expect(await documentOf('rollback')).toEqual(foldOf(oldCode, events.slice(0, 4)));
    expect((await deliver(newCode, [events[4]])).batchItemFailures).toEqual([]);
    expect(await documentOf('rollback')).toEqual(foldOf(newCode, events));
  });

  test('writes nothing when its fold again stops below the stored version, and fails the messages from the event it cannot fold', async () => {
    // GIVEN the old code projected v1..v3 of an account whose v2 the new code's handler throws on (the old code does not list it)
    const events = envelopes('Ledger', 'unfoldable', [{ type: 'Opened', data: { owner: 'bo' } }, { type: 'Exploded' }, { type: 'Deposited', data: { amount: 2 } }, { type: 'Deposited', data: { amount: 3 } }]);
    await storeEvents(store.doc, store.tableName, events);
    expect((await deliver(oldCode, events.slice(0, 3))).batchItemFailures).toEqual([]);
    const before = await documentOf('unfoldable');
    // WHEN the new code gets a duplicate of v1 and v3, and v4
    const result = await deliver(newCode, [events[0], events[2], events[3]]);
    // THEN the old code's document stays: a new-code fold of v1 alone would move it back from v3
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['unfoldable@3', 'unfoldable@4']);
    expect(await documentOf('unfoldable')).toEqual(before);
  });
});
