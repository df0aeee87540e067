// `npm run bench -- projector`: the deployed projector (createProjector, as the Lambda entry point
// builds it, so whatever projector code is there is what is measured) against a naive per-event
// projector on the same deliveries: 200 aggregates, 20% duplicates, shuffled, SQS batches of 10,
// one warm container each. Both fold the same projection; each is judged by events per second
// (a ratio, measured in the same run, interleaved), DynamoDB requests per delivered message, and
// how many documents differ from the sequential fold of each aggregate's events.
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { defineProjection } from 'cdk-cqrs/runtime';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { judged, median } from './bench-stats';
import { countRequests } from '../test/helpers/request-counts';
import { createProjector } from '../lambda/handlers/projector';
import { eraseProjection, type AnyProjection } from '../lambda/projection/define-projection';
import { foldProjection, type ProjectedDocument } from '../lambda/projection/projection-fold';
import type { QueueMessage } from '../lambda/projection/queue-message';
import type { EventEnvelope } from '../lambda/shared/envelope';
import { fromReadModelItem } from '../lambda/store/read-model-item';
import { createEventStoreTable } from '../test/helpers/create-event-store-table';
import { createReadModelTable, type ReadModelTable } from '../test/helpers/create-read-model-table';
import { envelopes, queueMessage } from '../test/helpers/queue-messages';
import { prng } from '../test/helpers/read-model-check';
import { storeEvents } from '../test/helpers/store-events';
import { counter } from '../test/helpers/test-aggregates';

const AGGREGATES = 200;
const EVENTS_PER_AGGREGATE = 5;
const DUPLICATES = 0.2;
const BATCH_SIZE = 10;
const ROUNDS = 3;
const PROJECTION_NAME = 'CounterTrail';

/** The trail of versions shows any event applied twice, out of order, or not at all. */
const trailView = defineProjection<typeof counter, { total: number; trail: number[] }>(counter, {
  events: { Incremented: (view, e) => ({ total: (view?.total ?? 0) + e.data.by, trail: [...(view?.trail ?? []), e.version] }) },
});

/** One SQS batch in, as a Lambda container gets it; resolves when the batch is done. */
type Container = (batch: readonly QueueMessage[]) => Promise<void>;

/**
 * The naive projector, as a first read model builder is written: for each message in turn,
 * read the document, apply the one event if it is newer than the document, and write it
 * conditional on the version read. An event that arrives before an earlier one is applied
 * anyway (the earlier one is then a "duplicate"), so out-of-order delivery loses events.
 */
function naiveContainer(projection: AnyProjection, doc: DynamoDBDocumentClient, tableName: string): Container {
  return async (batch) => {
    for (const message of batch) {
      const event = (JSON.parse(message.body) as { detail: EventEnvelope }).detail;
      const key = { pk: event.aggregateId, sk: PROJECTION_NAME };
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      const stored: ProjectedDocument = Item ? { version: Item.version as number, view: Item.view } : { version: 0, view: undefined };
      if (event.version <= stored.version) continue;
      const { document } = foldProjection(projection, { ...stored, version: event.version - 1 }, [event]);
      await doc.send(new PutCommand({
        TableName: tableName, Item: { ...key, version: document.version, view: document.view },
        ConditionExpression: 'attribute_not_exists(pk) OR version = :read', ExpressionAttributeValues: { ':read': stored.version },
      }));
    }
  };
}

/** Our projector, built as the Lambda entry point builds it, once: a warm container. */
function oursContainer(projection: AnyProjection, doc: DynamoDBDocumentClient, readModelTable: string, eventStoreTable: string): Container {
  const handler = createProjector(projection, { dynamoDb: doc, readModelTable, eventStoreTable, projectionName: PROJECTION_NAME, log: () => undefined });
  return async (batch) => {
    const { batchItemFailures } = await handler({ Records: batch });
    if (batchItemFailures.length > 0) throw new Error(`the projector failed ${batchItemFailures.length} messages`);
  };
}

/** The deliveries: every event once, 20% of them again, shuffled (a fixed seed, so every run is the same), in batches of 10. */
function deliveries(events: readonly EventEnvelope[]): QueueMessage[][] {
  const random = prng(16);
  const messages = events.map((event) => queueMessage(event));
  const duplicates = messages.filter(() => random() < DUPLICATES).map((message) => ({ ...message, messageId: `${message.messageId}-again` }));
  const all = [...messages, ...duplicates];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return Array.from({ length: Math.ceil(all.length / BATCH_SIZE) }, (_, i) => all.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE));
}

/** Documents that differ from the sequential fold (version or view). */
function wrongDocuments(projection: AnyProjection, events: readonly EventEnvelope[], held: ReadonlyMap<string, ProjectedDocument>): number {
  let wrong = 0;
  for (let a = 0; a < AGGREGATES; a++) {
    const id = `counter-${a}`;
    const expected = foldProjection(projection, { version: 0, view: undefined }, events.filter((e) => e.aggregateId === id)).document;
    const found = held.get(id);
    // Deep equality, whatever the order of keys DynamoDB gives back.
    if (found?.version !== expected.version || !isDeepStrictEqual(found.view, expected.view)) wrong += 1;
  }
  return wrong;
}

interface RunResult { readonly ms: number; readonly requests: number; readonly byOperation: string; readonly wrong: number }

async function run(
  container: (table: ReadModelTable) => Container, read: (item: Record<string, unknown>) => ProjectedDocument | undefined,
  batches: readonly QueueMessage[][], projection: AnyProjection, events: readonly EventEnvelope[], messages: number,
): Promise<RunResult> {
  const table = await createReadModelTable('bench-projector');
  const counts = countRequests(table.client);
  const project = container(table);
  const started = performance.now();
  for (const batch of batches) await project(batch);
  const ms = performance.now() - started;
  const result = { ms, requests: counts.total(), byOperation: counts.describe(messages) };
  const held = new Map<string, ProjectedDocument>();
  for (const item of await table.scanAll()) {
    const document = read(item);
    if (document) held.set(item.pk as string, document);
  }
  await table.drop();
  return { ...result, wrong: wrongDocuments(projection, events, held) };
}

/** Prints ours against the naive projector; DynamoDB Local must be running (DYNAMODB_ENDPOINT). */
export async function benchProjector(): Promise<void> {
  const projection = eraseProjection(trailView);
  const events = Array.from({ length: AGGREGATES }, (_, a) =>
    envelopes('Counter', `counter-${a}`, Array.from({ length: EVENTS_PER_AGGREGATE }, (_e, i) => ({ type: 'Incremented', data: { by: a + i + 1 } })))).flat();
  // The event store holds every event, as it does when the projector runs: ours reads it to fill a gap.
  const store = await createEventStoreTable('bench-projector-events', { stream: false });
  await storeEvents(store.doc, store.tableName, events);
  const batches = deliveries(events);
  const messages = batches.reduce((sum, batch) => sum + batch.length, 0);
  const ours = (table: ReadModelTable) => oursContainer(projection, table.doc, table.tableName, store.tableName);
  const naive = (table: ReadModelTable) => naiveContainer(projection, table.doc, table.tableName);
  const oursRuns: RunResult[] = [];
  const naiveRuns: RunResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    oursRuns.push(await run(ours, (item) => fromReadModelItem(item), batches, projection, events, messages));
    naiveRuns.push(await run(naive, (item) => ({ version: item.version as number, view: item.view }), batches, projection, events, messages));
  }
  await store.drop();

  const perSecond = (runs: RunResult[]) => messages / (median(runs.map((r) => r.ms)) / 1000);
  const speedup = perSecond(oursRuns) / perSecond(naiveRuns);
  const perMessage = (runs: RunResult[]) => runs[runs.length - 1].requests / messages;
  const worst = (runs: RunResult[]) => Math.max(...runs.map((r) => r.wrong));
  console.log(`projector: ${AGGREGATES} aggregates x ${EVENTS_PER_AGGREGATE} events, ${Math.round(DUPLICATES * 100)}% duplicates, shuffled: ${messages} messages in ${batches.length} batches of ${BATCH_SIZE}, one warm container (medians of ${ROUNDS} interleaved runs):`);
  console.log(`  events/s, ours/naive                ${speedup.toFixed(2).padStart(6)}x ${judged(Number(speedup.toFixed(2)), { atLeast: 5 })}   [ours ${Math.round(perSecond(oursRuns))}/s, naive ${Math.round(perSecond(naiveRuns))}/s]`);
  console.log(`  requests/message, ours              ${perMessage(oursRuns).toFixed(2).padStart(6)}  ${judged(Number(perMessage(oursRuns).toFixed(2)), { atMost: 0.6 })}   (${oursRuns[oursRuns.length - 1].byOperation})`);
  console.log(`  requests/message, naive             ${perMessage(naiveRuns).toFixed(2).padStart(6)}   (${naiveRuns[naiveRuns.length - 1].byOperation})`);
  console.log(`  wrong documents of ${AGGREGATES}, ours          ${String(worst(oursRuns)).padStart(6)}  ${judged(worst(oursRuns), { atMost: 0 })}`);
  console.log(`  wrong documents of ${AGGREGATES}, naive         ${String(worst(naiveRuns)).padStart(6)}`);
}
