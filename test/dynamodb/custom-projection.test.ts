import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { defineCustomProjection } from 'cdk-cqrs/runtime';
import { eraseCustomProjection } from '../../lambda/projection/define-custom-projection';
import { createProjector } from '../../lambda/handlers/projector';
import { projectCustomWrites } from '../../lambda/projection/project-custom-writes';
import type { ProjectorDeps } from '../../lambda/projection/project-messages';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { ledger } from '../helpers/test-projections';

const calls: string[] = [];
// One item per deposit, keyed by aggregate and version: writing it again changes nothing.
const deposits = defineCustomProjection(ledger, {
  events: {
    Deposited: async (event, { dynamoDb, readModelTable }) => {
      calls.push(`${event.aggregateId}@${event.version}`);
      await dynamoDb.send(new PutCommand({
        TableName: readModelTable, Item: { pk: `${event.aggregateId}#${event.version}`, sk: 'Deposits', amount: event.data.amount },
      }));
    },
    Exploded: () => { throw new Error('this event cannot be written'); },
  },
});

let store: EventStoreTable;
let readModel: ReadModelTable;
let deps: ProjectorDeps;
beforeAll(async () => {
  [store, readModel] = await Promise.all([createEventStoreTable('custom-events'), createReadModelTable('custom')]);
  deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'Deposits', log: () => undefined };
});
afterAll(async () => { await Promise.all([store.drop(), readModel.drop()]); });

describe('a projection with custom writes', () => {
  test('calls each handler once per version, in version order per aggregate, despite duplicates and shuffling', async () => {
    // GIVEN two accounts' events, shuffled, with duplicates
    const events = [
      ...envelopes('Ledger', 'a-1', [{ type: 'Opened', data: { owner: 'ann' } }, { type: 'Deposited', data: { amount: 5 } }, { type: 'Deposited', data: { amount: 7 } }]),
      ...envelopes('Ledger', 'a-2', [{ type: 'Opened', data: { owner: 'bob' } }, { type: 'Deposited', data: { amount: 1 } }]),
    ];
    const delivered = [events[2], events[4], events[1], events[2], events[0], events[3], events[4]].map((e) => queueMessage(e));
    // WHEN
    const result = await projectCustomWrites(eraseCustomProjection(deposits), delivered, deps);
    // THEN
    expect(result.batchItemFailures).toEqual([]);
    expect(calls.filter((c) => c.startsWith('a-1'))).toEqual(['a-1@2', 'a-1@3']);
    expect(calls.filter((c) => c.startsWith('a-2'))).toEqual(['a-2@2']);
    expect((await readModel.scanAll()).map((item) => [item.pk, item.amount]).sort()).toEqual([['a-1#2', 5], ['a-1#3', 7], ['a-2#2', 1]]);
  });

  test('fails the message whose handler throws and the later ones of its aggregate, and no other', async () => {
    const a3 = envelopes('Ledger', 'a-3', [{ type: 'Deposited', data: { amount: 2 } }, { type: 'Exploded' }, { type: 'Deposited', data: { amount: 3 } }]);
    const a4 = envelopes('Ledger', 'a-4', [{ type: 'Deposited', data: { amount: 4 } }]);
    const messages = [...a3, ...a4].map((e, i) => queueMessage(e, `m-${i}`));
    const logged: Record<string, unknown>[] = [];
    const result = await projectCustomWrites(eraseCustomProjection(deposits), messages, { ...deps, log: (entry) => { logged.push(entry); } });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    expect(calls).toContain('a-4@1');
    expect(calls).toContain('a-3@1');
    expect(calls).not.toContain('a-3@3');
    // The log names the projection, the aggregate, the version and the cause, and says what happens next
    expect(logged).toEqual([{
      message: 'Projection Deposits: the handler of a-3 version 2 threw; that message and the later ones of a-3 will be redelivered. Error: this event cannot be written',
      aggregateId: 'a-3', version: 2,
    }]);
  });

  test('the Lambda handler fails the invocation when every message failed, and returns the failures of a partly failed batch', async () => {
    const projector = createProjector(deposits, deps);
    const [opened, exploded] = envelopes('Ledger', 'a-5', [{ type: 'Opened', data: { owner: 'cy' } }, { type: 'Exploded' }]);
    // Every message failed (one malformed, one whose handler throws): the function errs, with the count and the first cause.
    await expect(projector({ Records: [{ messageId: 'garbled', body: '{' }, queueMessage(exploded)] }))
      .rejects.toThrow(/^Projection Deposits: all 2 messages of the batch failed; the first cause: Projection Deposits: message garbled is malformed: the body is not JSON/);
    // One of two failed: its failure is returned.
    await expect(projector({ Records: [queueMessage(opened, 'fine'), queueMessage(exploded, 'thrown')] })).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'thrown' }] });
  });

  test('fails a rebuild request: its handlers decide what they write', async () => {
    const projector = createProjector(deposits, { ...deps, lambda: { send: async () => ({}) } });
    await expect(projector({ rebuild: { totalSegments: 2 } }, { functionName: 'f', getRemainingTimeInMillis: () => 60_000 }))
      .rejects.toThrow('a projection with custom writes cannot be rebuilt');
  });
});
