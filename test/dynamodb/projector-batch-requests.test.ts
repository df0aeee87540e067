import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { projectMessages, type ProjectorDeps } from '../../lambda/projection/project-messages';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { injectProjectorFaults, type ProjectorFault } from '../helpers/projector-faults';
import { instrument, storeEvents } from '../helpers/store-events';
import { ledgerView } from '../helpers/test-projections';

// The projector's batched requests (one BatchGetItem, one TransactWriteItems) and how each of
// their failures stays with the aggregates it concerns, on DynamoDB Local with injected faults.
const projection = eraseProjection(ledgerView);
let store: EventStoreTable;
let readModel: ReadModelTable;
let deps: ProjectorDeps;
beforeAll(async () => {
  [store, readModel] = await Promise.all([createEventStoreTable('batch-requests-events', { stream: false }), createReadModelTable('batch-requests', ['byOwner'])]);
  deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView', log: () => undefined };
});
afterAll(async () => { await Promise.all([store.drop(), readModel.drop()]); });

/** Three stored events of each account (opened, two deposits), their first already projected: each document is at v1. */
async function accountsAtV1(prefix: string, count: number): Promise<EventEnvelope[][]> {
  const accounts = Array.from({ length: count }, (_, index) => envelopes('Ledger', `${prefix}-${index}`, [
    { type: 'Opened', data: { owner: 'ann' } }, { type: 'Deposited', data: { amount: 5 } }, { type: 'Deposited', data: { amount: 7 } },
  ]));
  await storeEvents(store.doc, store.tableName, accounts.flat());
  expect((await projectMessages(projection, accounts.map((events) => queueMessage(events[0])), deps)).batchItemFailures).toEqual([]);
  return accounts;
}

/** A projector whose client injects `faults`; its calls are recorded. */
function faultyProjector(faults: readonly ProjectorFault[]) {
  const client = localDynamoDb();
  const { calls } = instrument(client);
  const { setFaults, fired } = injectProjectorFaults(client);
  setFaults(faults);
  const logged: string[] = [];
  const project = (events: readonly EventEnvelope[]) => projectMessages(projection, events.map((e) => queueMessage(e, `${e.aggregateId}@${e.version}`)),
    { ...deps, dynamoDb: documentClient(client), log: (entry) => logged.push(String(entry.message)) });
  /** Each fault fired, as armed. */
  const allFired = () => expect(fired).toEqual(faults.map((fault) => `${fault.commandName} ${fault.kind}`));
  return { client, calls, logged, project, allFired };
}

const versionsOf = async (ids: readonly string[]) => {
  const { Responses } = await readModel.doc.send(new BatchGetCommand({ RequestItems: { [readModel.tableName]: { Keys: ids.map((pk) => ({ pk, sk: 'LedgerView' })), ConsistentRead: true } } }));
  const byId = new Map((Responses?.[readModel.tableName] ?? []).map((item) => [item.pk as string, item]));
  return ids.map((id) => [id, byId.get(id)?.version, byId.get(id)?.view?.trail]);
};
/** Each account at v3, its trail showing each version applied once, in order. */
const allAtV3 = (accounts: readonly EventEnvelope[][]) => accounts.map(([first]) => [first.aggregateId, 3, [1, 2, 3]]);

describe('the projector\'s batched reads and writes', () => {
  test('asks again for the keys a BatchGetItem left unprocessed: no document is taken for absent', async () => {
    // GIVEN four documents at v1, and a BatchGetItem whose answer leaves half of the keys unprocessed
    const accounts = await accountsAtV1('unprocessed', 4);
    const { client, calls, project, allFired } = faultyProjector([{ commandName: 'BatchGetItemCommand', call: 1, kind: 'unprocessed' }]);
    // WHEN v2 and v3 of each come
    const result = await project(accounts.flatMap((events) => events.slice(1)));
    // THEN the unprocessed keys were read on a second request, and each document extended, none written as new over an existing one
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(await versionsOf(accounts.map(([first]) => first.aggregateId))).toEqual(allAtV3(accounts));
    allFired();
    client.destroy();
  });

  test('fails every message of the read when BatchGetItem is throttled, and writes nothing', async () => {
    const accounts = await accountsAtV1('read-throttled', 2);
    const { client, logged, project, allFired } = faultyProjector([{ commandName: 'BatchGetItemCommand', call: 1, kind: 'throttle' }]);
    const result = await project(accounts.flatMap((events) => events.slice(1)));
    expect(result.batchItemFailures).toHaveLength(4);
    expect(logged).toEqual(accounts.map(([first]) => expect.stringContaining(`${first.aggregateId} not projected; its messages will be redelivered. ThrottlingException`)));
    expect(await versionsOf(accounts.map(([first]) => first.aggregateId))).toEqual(accounts.map(([first]) => [first.aggregateId, 1, [1]]));
    allFired();
    client.destroy();
  });

  test.each<[string, ProjectorFault['kind'], string[]]>([
    ['cancelled by one item\'s condition: that one is read again, the others written alone', 'cancel-one', ['PutItemCommand', 'PutItemCommand', 'BatchGetItemCommand', 'PutItemCommand']],
    ['cancelled by a conflict with another transaction: each written alone', 'conflict-one', ['PutItemCommand', 'PutItemCommand', 'PutItemCommand']],
    ['throttled: each written alone', 'throttle', ['PutItemCommand', 'PutItemCommand', 'PutItemCommand']],
    // It landed; each write alone then fails its condition, and reading again finds the documents done.
    ['applied, with its answer lost and not retried: each found written when read again', 'after', ['PutItemCommand', 'PutItemCommand', 'PutItemCommand', 'BatchGetItemCommand']],
    // The SDK retries with the same client request token: DynamoDB applies the transaction once and answers success.
    ['applied, with its answer lost and retried by the SDK: applied once', 'lose-answer', []],
  ])('a transaction %s; no message fails', async (_, kind, after) => {
    // GIVEN three documents at v1
    const accounts = await accountsAtV1(`tx-${kind}`, 3);
    const { client, calls, project, allFired } = faultyProjector([{ commandName: 'TransactWriteItemsCommand', call: 1, kind }]);
    // WHEN v2 and v3 of each come, and the transaction meets the fault
    const result = await project(accounts.flatMap((events) => events.slice(1)));
    // THEN every document is at v3, each event applied once
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', ...after]);
    expect(await versionsOf(accounts.map(([first]) => first.aggregateId))).toEqual(allAtV3(accounts));
    allFired();
    client.destroy();
  });

  test('a throttled transaction, then a failed write of one document alone: only that aggregate\'s messages fail', async () => {
    const accounts = await accountsAtV1('tx-then-put', 3);
    const { client, project, allFired } = faultyProjector([
      { commandName: 'TransactWriteItemsCommand', call: 1, kind: 'throttle' }, { commandName: 'PutItemCommand', call: 2, kind: 'before' },
    ]);
    const result = await project(accounts.flatMap((events) => events.slice(1)));
    // The puts go at once, so which aggregate the second one wrote is not known in advance: exactly one aggregate failed, whole.
    const failedIds = result.batchItemFailures.map((f) => f.itemIdentifier);
    expect(failedIds).toHaveLength(2);
    const loser = failedIds[0].split('@')[0];
    expect(failedIds).toEqual([`${loser}@2`, `${loser}@3`]);
    expect(await versionsOf(accounts.map(([first]) => first.aggregateId))).toEqual(accounts.map(([first]) => (first.aggregateId === loser ? [loser, 1, [1]] : [first.aggregateId, 3, [1, 2, 3]])));
    allFired();
    client.destroy();
  });

  test('splits the writes into transactions of at most 4 MB, and writes a document that may pass 400 KB alone: only it fails', async () => {
    // GIVEN 13 accounts whose views hold 350 KB each (4.4 MB together), and one whose view passes 400 KB
    const big = (id: string, bytes: number) => envelopes('Ledger', id, [{ type: 'Opened', data: { owner: 'o'.repeat(bytes) } }]);
    const accounts = Array.from({ length: 13 }, (_, index) => big(`large-${index}`, 350 * 1024));
    const oversize = big('oversize', 420 * 1024);
    const client = localDynamoDb();
    const { calls } = instrument(client);
    // WHEN
    const result = await projectMessages(projection, [...accounts, oversize].flat().map((e) => queueMessage(e, e.aggregateId)), { ...deps, dynamoDb: documentClient(client) });
    // THEN two transactions took the 13 (11 fit in 4 MB), and DynamoDB refused the oversize document alone
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'oversize' }]);
    expect(calls.filter((call) => call !== 'BatchGetItemCommand').sort()).toEqual(['PutItemCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect((await versionsOf(accounts.map(([first]) => first.aggregateId))).every(([, version]) => version === 1)).toBe(true);
    client.destroy();
  });
});
