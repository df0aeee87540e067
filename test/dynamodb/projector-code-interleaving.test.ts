import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { eraseProjection, type AnyProjection } from '../../lambda/projection/define-projection';
import { projectMessages, type ProjectorDeps } from '../../lambda/projection/project-messages';
import type { QueueMessage } from '../../lambda/projection/queue-message';
import { rebuildProjection } from '../../lambda/projection/rebuild-projection';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { createEventStoreTable, documentClient } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable } from '../helpers/create-read-model-table';
import { expectedItems, prng, readModelDifferences } from '../helpers/read-model-check';
import { storeEvents } from '../helpers/store-events';
import { injectProjectorFaults, type ProjectorFault, type ProjectorFaultKind } from '../helpers/projector-faults';
import { assertProperty } from '../helpers/property-report';
import { ledgerView, oldLedgerView } from '../helpers/test-projections';

// A deploy that changes the projection's code, on DynamoDB Local: projector instances of the old
// code (oldLedgerView) and of the new (ledgerView), two at once on some steps, and rebuilds with
// the new code race over shuffled, duplicated deliveries, with faults, while commands go on:
// each step stores some aggregates' next events and publishes them. Then the old code is gone
// and the new code alone drains the queue. Each aggregate's last event is stored and published
// only then (commands go on after the deploy), so the new code touches every document.
const codes: Record<'old' | 'new', AnyProjection> = { old: eraseProjection(oldLedgerView), new: eraseProjection(ledgerView) };
const PROJECTION = 'LedgerView';
const DRAIN_BOUND = 500;

const histories = fc.array(
  fc.array(fc.constantFrom('Deposited', 'Deposited', 'Noted', 'Closed', 'Opened'), { minLength: 1, maxLength: 6 }),
  { minLength: 3, maxLength: 6 },
);
const steps = fc.array(fc.record({
  actors: fc.constantFrom<readonly ('old' | 'new')[]>(['old'], ['new'], ['old', 'new'], ['old', 'new'], ['new', 'new'], ['old', 'old']),
  size: fc.integer({ min: 1, max: 6 }),
  rebuild: fc.constantFrom(false, false, false, true),
  fault: fc.option(fc.oneof(
    ...([
      ['TransactWriteItemsCommand', ['before', 'after', 'lose-answer', 'throttle', 'cancel-one', 'conflict-one']],
      ['PutItemCommand', ['before', 'after', 'lose-answer', 'throttle']],
      ['BatchGetItemCommand', ['before', 'throttle', 'unprocessed']],
      ['QueryCommand', ['before', 'throttle']],
    ] as const).map(([commandName, kinds]) => fc.record({
      commandName: fc.constant(commandName), call: fc.integer({ min: 1, max: 3 }), kind: fc.constantFrom<ProjectorFaultKind>(...kinds),
    })),
  ), { freq: 4, nil: undefined }),
}), { minLength: 4, maxLength: 16 });

const toEvents = (run: number, all: readonly (readonly string[])[]): EventEnvelope[] => all.flatMap((types, index) => envelopes('Ledger', `r${run}-a${index}`, [
  { type: 'Opened', data: { owner: `owner-${index % 3}` } },
  ...types.map((type, i) => ({ type, data: type === 'Opened' ? { owner: `owner-${i % 3}` } : type === 'Deposited' ? { amount: i + 1 } : type === 'Noted' ? { text: 'n' } : undefined })),
]));

/** A client of its own per instance, as separate Lambda containers have, that delays each request a little (so that concurrent requests interleave) and injects a fault when told. */
function instance(random: () => number): { client: DynamoDBClient; setFault: (fault?: ProjectorFault) => void } {
  const client = localDynamoDb();
  const { setFaults } = injectProjectorFaults(client);
  const setFault = (fault?: ProjectorFault) => setFaults(fault ? [fault] : []);
  client.middlewareStack.add((next) => async (args) => {
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));
    return next(args);
  }, { step: 'initialize', name: 'jitter' });
  return { client, setFault };
}

let run = 0;
describe('projection code changes during a deploy', () => {
  test('old- and new-code projectors and new-code rebuilds racing, then the new code alone: every document is the new code\'s fold, with its code version', async () => {
    await assertProperty(fc.asyncProperty(histories, steps, fc.integer(), async (history, plan, seed) => {
      run += 1;
      const random = prng(seed);
      const events = toEvents(run, history);
      const [store, readModel] = await Promise.all([createEventStoreTable(`interleaving-events-${run}`, { stream: false }), createReadModelTable(`interleaving-${run}`, ['byOwner'])]);
      const instances = [instance(random), instance(random), instance(random)];
      try {
        const depsOf = (index: number): ProjectorDeps => ({
          dynamoDb: documentClient(instances[index].client), readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: PROJECTION, log: () => undefined,
        });
        let queue: QueueMessage[] = [];
        const requeue = (messages: readonly QueueMessage[]) => {
          for (const message of messages) {
            const at = Math.floor(random() * (queue.length + 1));
            queue = [...queue.slice(0, at), message, ...queue.slice(at)];
          }
        };
        // The events not stored yet, per aggregate, oldest first; storing one publishes it once, 30% of them twice.
        const unstored = history.map((_, index) => events.filter((event) => event.aggregateId === `r${run}-a${index}`));
        const publish = async (batch: readonly EventEnvelope[]) => {
          await storeEvents(store.doc, store.tableName, batch);
          requeue(batch.flatMap((event) => (random() < 0.3 ? [event, event] : [event])).map((event) => queueMessage(event)));
        };
        const commands = () => publish(unstored.flatMap((pending) => (pending.length > 1 && random() < 0.5 ? [pending.shift() as EventEnvelope] : [])));
        await commands();
        const deliver = async (code: 'old' | 'new', index: number, size: number, fault?: ProjectorFault) => {
          const batch = queue.slice(0, size);
          queue = queue.slice(batch.length);
          instances[index].setFault(fault);
          const { batchItemFailures } = await projectMessages(codes[code], batch, depsOf(index));
          instances[index].setFault(undefined);
          const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
          requeue(batch.filter((m) => failed.has(m.messageId)));
        };

        // WHEN the two codes and the new code's rebuild run against each other
        for (const step of plan) {
          await commands();
          const running = step.actors.map((code, index) => deliver(code, index, step.size, index === 0 ? step.fault : undefined));
          if (step.rebuild) running.push(rebuildProjection(codes.new, depsOf(2), { totalSegments: 2 }).then(() => undefined));
          await Promise.all(running);
        }
        // AND the new code alone drains the queue, with the events stored and published after the deploy
        await publish(unstored.flat());
        for (let batches = 0; queue.length > 0; batches += 1) {
          if (batches >= DRAIN_BOUND) throw new Error(`The new code did not drain the queue in ${DRAIN_BOUND} batches; ${queue.length} messages left.`);
          await deliver('new', batches % 2, 1 + Math.floor(random() * 6));
        }

        // THEN every document is the new code's sequential fold of all the aggregate's events, with the new code's version
        const differences = readModelDifferences(await readModel.scanAll(), expectedItems(codes.new, PROJECTION, events));
        if (differences.length > 0) throw new Error(`The read model differs from the new code's fold:\n${differences.join('\n')}`);
      } finally {
        for (const { client } of instances) client.destroy();
        await Promise.all([store.drop(), readModel.drop()]);
      }
    }), { numRuns: 25, endOnFailure: true });
    // endOnFailure: a run takes a second or so, and shrinking would take many; a failure names its seed, path and cause (assertProperty).
  }, 180_000);
});
