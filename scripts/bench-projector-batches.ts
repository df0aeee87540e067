// `npm run bench:projector` (beside `npm run bench -- projector`, which compares with a naive projector): what an exact projector costs per delivered message, in DynamoDB
// requests and time, at batch size 10 against a per-event projector (batches of 1), on
// DynamoDB Local on loopback. 200 aggregates x 20 events published in rounds (each aggregate's
// first event, then each one's second...), 20% delivered twice, shuffled.
// Figures are for comparing, not AWS latencies.
import { performance } from 'node:perf_hooks';
import { eraseProjection } from '../lambda/projection/define-projection';
import { projectMessages } from '../lambda/projection/project-messages';
import type { QueueMessage } from '../lambda/projection/queue-message';
import type { EventEnvelope } from '../lambda/shared/envelope';
import { startDynamoDbLocal, stopDynamoDbLocal } from '../test/helpers/shared-dynamodb-local';
import { countRequests } from '../test/helpers/request-counts';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../test/helpers/create-event-store-table';
import { createReadModelTable } from '../test/helpers/create-read-model-table';
import { envelopes, queueMessage } from '../test/helpers/queue-messages';
import { expectedItems, prng, readModelDifferences } from '../test/helpers/read-model-check';
import { storeEvents } from '../test/helpers/store-events';
import { ledgerView } from '../test/helpers/test-projections';

const AGGREGATES = 200;
const EVENTS_PER_AGGREGATE = 20;
const DUPLICATES = 0.2;
const projection = eraseProjection(ledgerView);

/** Each event once, 20% twice, each message at most `window` places from its place in publishing order. */
function deliveries(events: readonly EventEnvelope[], window: number, random: () => number): QueueMessage[] {
  const sent = events.flatMap((event, index) => Array.from({ length: random() < DUPLICATES ? 2 : 1 }, () => ({ message: queueMessage(event), order: index + random() * window })));
  return sent.sort((a, b) => a.order - b.order).map((s) => s.message);
}

async function bench(store: EventStoreTable, events: readonly EventEnvelope[], scenario: string, window: number, batchSize: number): Promise<number> {
  const readModel = await createReadModelTable('bench-projector', ['byOwner']);
  const counts = countRequests(readModel.client);
  const deps = { dynamoDb: documentClient(readModel.client), readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView', log: () => undefined };
  let queue = deliveries(events, window, prng(7));
  const delivered = queue.length;
  let redelivered = 0;
  const started = performance.now();
  while (queue.length > 0) {
    const batch = queue.slice(0, batchSize);
    queue = queue.slice(batchSize);
    const failed = new Set((await projectMessages(projection, batch, deps)).batchItemFailures.map((f) => f.itemIdentifier));
    redelivered += failed.size;
    queue.push(...batch.filter((m) => failed.has(m.messageId)));
  }
  const seconds = (performance.now() - started) / 1000;
  const requests = counts.total();
  const byOperation = counts.describe(delivered, 3);
  const differences = readModelDifferences(await readModel.scanAll(), expectedItems(projection, 'LedgerView', events));
  if (differences.length > 0) throw new Error(`${scenario}: the read model differs from the fold:\n${differences.join('\n')}`);
  console.log(`${scenario.padEnd(40)} ${(requests / delivered).toFixed(3)} requests/message (${byOperation}); ${Math.round(delivered / seconds)} messages/s; ${redelivered} redelivered`);
  await readModel.drop();
  return delivered / seconds;
}

async function main(): Promise<void> {
  const running = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = running.endpoint;
  try {
    const store = await createEventStoreTable('bench-projector-events', { stream: false });
    const histories = Array.from({ length: AGGREGATES }, (_, a) => envelopes('Ledger', `bench-${a}`, [
      { type: 'Opened', data: { owner: `owner-${a % 7}` } },
      ...Array.from({ length: EVENTS_PER_AGGREGATE - 1 }, (_, i) => ({ type: 'Deposited', data: { amount: 1 + (i % 9) } })),
    ]));
    // Published as commands on all the aggregates at once give them: each aggregate's first event, then each one's second...
    const events = Array.from({ length: EVENTS_PER_AGGREGATE }, (_, v) => histories.map((history) => history[v])).flat();
    await storeEvents(store.doc, store.tableName, events);
    console.log(`${AGGREGATES} aggregates x ${EVENTS_PER_AGGREGATE} events, ${DUPLICATES * 100}% delivered twice; one projector instance, batches in a row`);
    const windows = [['shuffled within 8 places', 8], ['shuffled within 300 places', 300], ['shuffled across the whole stream', Number.MAX_SAFE_INTEGER]] as const;
    // The machine's load moves the rates: each scenario runs twice, alternating, and the better rate of each counts.
    await bench(store, events.slice(0, 500), 'warm-up', 8, 10);
    for (const [shuffle, window] of windows) {
      const rates = { 1: 0, 10: 0 };
      for (let round = 0; round < 2; round += 1) {
        for (const size of [1, 10] as const) rates[size] = Math.max(rates[size], await bench(store, events, `${shuffle}, batches of ${size}`, window, size));
      }
      console.log(`${''.padEnd(40)} batches of 10: ${(rates[10] / rates[1]).toFixed(1)}x the messages/s of batches of 1 (the better of two runs each)`);
    }
    await store.drop();
  } finally {
    await stopDynamoDbLocal(running);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
