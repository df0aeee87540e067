import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { eraseProjection } from '../../lambda/projection/define-projection';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { projectMessages, type ProjectorDeps } from '../../lambda/projection/project-messages';
import type { QueueMessage } from '../../lambda/projection/queue-message';
import type { BatchResponse } from '../../lambda/shared/batch-response';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { expectedItems, prng, readModelDifferences } from '../helpers/read-model-check';
import { instrument, storeEvents, type FaultPlan } from '../helpers/store-events';
import { ledgerView } from '../helpers/test-projections';

const AGGREGATES = 200;
const EVENTS_PER_AGGREGATE = 20;
const BATCH_SIZE = 10;
/** A batch that takes longer than this is a hung projector: the run fails with that cause, not by jest's timeout. */
const BATCH_TIME_LIMIT_MS = 10_000;
const projection = eraseProjection(ledgerView);

let store: EventStoreTable;
const tables: ReadModelTable[] = [];
beforeAll(async () => { store = await createEventStoreTable('projector-delivery-events'); });
afterAll(async () => {
  await Promise.all(tables.map((t) => t.drop()));
  await store.drop();
});

type Step = 'Opened' | 'Deposited' | 'Noted' | 'Closed';
const histories = fc.array(
  fc.array(fc.record({ type: fc.constantFrom<Step>('Opened', 'Deposited', 'Deposited', 'Noted', 'Closed'), amount: fc.integer({ min: 1, max: 99 }) }),
    { minLength: EVENTS_PER_AGGREGATE - 1, maxLength: EVENTS_PER_AGGREGATE - 1 }),
  { minLength: AGGREGATES, maxLength: AGGREGATES },
);

const toEvents = (run: number, steps: readonly { type: Step; amount: number }[][]): EventEnvelope[] =>
  steps.flatMap((history, index) => envelopes('Ledger', `r${run}-a${index}`, [
    { type: 'Opened', data: { owner: `owner-${index % 7}` } },
    ...history.map(({ type, amount }) => ({ type, data: type === 'Opened' ? { owner: `owner-${amount % 7}` } : type === 'Deposited' ? { amount } : type === 'Noted' ? { text: 'n' } : undefined })),
  ]));

const withinTimeLimit = (batch: Promise<BatchResponse>): Promise<BatchResponse> => {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`A projector batch took more than ${BATCH_TIME_LIMIT_MS} ms.`)), BATCH_TIME_LIMIT_MS);
  });
  return Promise.race([batch, limit]).finally(() => clearTimeout(timer));
};

let run = 0;
describe('projector delivery', () => {
  test('the read model equals the sequential fold under duplicates, shuffling, failed batches and two instances at once', async () => {
    await fc.assert(fc.asyncProperty(histories, fc.integer(), fc.constantFrom(8, 300, Number.MAX_SAFE_INTEGER), async (steps, seed, window) => {
      // GIVEN 200 aggregates x 20 events in the event store, delivered with 30% duplicates in a shuffled order
      run += 1;
      const random = prng(seed);
      const events = toEvents(run, steps);
      await storeEvents(store.doc, store.tableName, events);
      const readModel = await createReadModelTable(`projector-delivery-${run}`, ['byOwner']);
      tables.push(readModel);
      // Two projector instances, each with its own client (as two Lambda containers have) and its own faults.
      const instances = [localDynamoDb(), localDynamoDb()].map((client: DynamoDBClient) => {
        const deps: ProjectorDeps = {
          dynamoDb: documentClient(client), readModelTable: readModel.tableName, eventStoreTable: store.tableName,
          projectionName: 'LedgerView', aggregateName: 'Ledger', log: () => undefined,
        };
        return { client, deps, ...instrument(client) };
      });
      // A message moves at most `window` places from its place in publishing order.
      const sent = events.flatMap((event, index) => {
        const copies = random() < 0.3 ? 2 : 1;
        return Array.from({ length: copies }, () => ({ message: queueMessage(event), order: index + random() * window }));
      });
      let queue: QueueMessage[] = sent.sort((a, b) => a.order - b.order).map((s) => s.message);
      // A correct projector drains in about sent/BATCH_SIZE batches, plus the redeliveries of the faulty ones (10%) and of lost races.
      const maxBatches = Math.ceil(sent.length / BATCH_SIZE) * 3;

      // WHEN batches are delivered until none fails; 10% of them fail part-way and their failures come back later;
      // on 30% of the rounds two instances each take a batch and run at once
      let batches = 0;
      try {
        while (queue.length > 0) {
          const together = random() < 0.3 ? 2 : 1;
          if (batches + together > maxBatches) {
            const waiting = queue.slice(0, 3).map((m) => (JSON.parse(m.body) as { detail: EventEnvelope }).detail).map((e) => `${e.aggregateId} v${e.version}`);
            throw new Error(`The queue did not drain in ${maxBatches} batches: ${queue.length} messages are still redelivered, such as ${waiting.join(', ')}.`);
          }
          const round = instances.slice(0, together).map((instance) => {
            const batch = queue.slice(0, BATCH_SIZE);
            queue = queue.slice(BATCH_SIZE);
            batches += 1;
            const faulty = random() < 0.1;
            const plan: FaultPlan | undefined = faulty
              ? { commandName: random() < 0.8 ? 'PutItemCommand' : 'GetItemCommand', call: 1 + Math.floor(random() * 4), when: random() < 0.5 ? 'before' : 'after' }
              : undefined;
            instance.setFault(plan);
            // A crashed invocation (1 in 4 faulty batches) returns nothing: SQS redelivers the whole batch.
            const crashed = faulty && random() < 0.25;
            return { batch, crashed, result: withinTimeLimit(projectMessages(projection, batch, instance.deps)) };
          });
          const answers = await Promise.all(round.map(({ result }) => result));
          for (const [index, { batch, crashed }] of round.entries()) {
            const failedIds = new Set(answers[index].batchItemFailures.map((f) => f.itemIdentifier));
            for (const message of crashed ? batch : batch.filter((m) => failedIds.has(m.messageId))) {
              const at = Math.floor(random() * (queue.length + 1));
              queue = [...queue.slice(0, at), message, ...queue.slice(at)];
            }
          }
        }
      } finally {
        for (const instance of instances) {
          instance.setFault(undefined);
          instance.client.destroy();
        }
      }

      // THEN the read model holds exactly the fold of each aggregate, item for item
      const differences = readModelDifferences(await readModel.scanAll(), expectedItems(projection, 'LedgerView', events));
      if (differences.length > 0) throw new Error(`After ${batches} batches the read model differs from the sequential fold:\n${differences.join('\n')}`);
    }), { numRuns: 2, endOnFailure: true });
    // endOnFailure: a run takes seconds, so shrinking would outlast the timeout; fast-check prints the failing seed, path and counterexample as is.
  }, 120_000);
});
