// `npm run bench -- commands`: what a command costs in DynamoDB requests and time, cold and warm,
// and how fast the outbox publisher turns stream records into PutEvents entries.
// Runs against DynamoDB Local on loopback; figures are for comparing, not AWS latencies.
import { performance } from 'node:perf_hooks';
import { percentile } from './bench-stats';
import { countRequests } from '../test/helpers/request-counts';
import { handleCommand } from '../lambda/write/handle-command';
import { publishStreamRecords, type BusEntry } from '../lambda/write/publish-events';
import { WarmCache } from '../lambda/write/warm-cache';
import { createEventStoreTable } from '../test/helpers/create-event-store-table';
import { readStreamEvent } from '../test/helpers/stream-records';
import { counter } from '../test/helpers/test-aggregates';

const AGGREGATES = 20;
const COMMANDS_PER_AGGREGATE = 10;

async function benchCommands(scenario: string, options: { warm: boolean; withCommandId: boolean }): Promise<void> {
  const table = await createEventStoreTable('bench');
  const counts = countRequests(table.client);
  const cache = options.warm ? new WarmCache() : undefined;
  const latencies: number[] = [];
  for (let round = 0; round < COMMANDS_PER_AGGREGATE; round++) {
    for (let a = 0; a < AGGREGATES; a++) {
      const started = performance.now();
      await handleCommand(counter, {
        type: 'Increment', aggregateId: `counter-${a}`, payload: { by: 1 },
        commandId: options.withCommandId ? `cmd-${a}-${round}` : undefined,
      }, table.deps({ aggregateName: 'Counter', eventSource: 'bench.Counter', snapshotEvery: 50, cache }));
      latencies.push(performance.now() - started);
    }
  }
  const commands = AGGREGATES * COMMANDS_PER_AGGREGATE;
  latencies.sort((x, y) => x - y);
  console.log(`${scenario.padEnd(34)} ${(counts.total() / commands).toFixed(2).padStart(5)} requests/command (${counts.describe(commands)}); p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms`);
  await table.drop();
}

/**
 * One hot aggregate in a warm container: the first command loads it, the next 200 are counted.
 * Every 50th also writes its snapshot, apart from the command's write: about 1.02 requests.
 */
async function benchHotAggregate(): Promise<void> {
  const table = await createEventStoreTable('bench-hot');
  const counts = countRequests(table.client);
  const deps = table.deps({ aggregateName: 'Counter', eventSource: 'bench.Counter', snapshotEvery: 50, cache: new WarmCache() });
  await handleCommand(counter, { type: 'Increment', aggregateId: 'hot', payload: { by: 1 } }, deps);
  counts.clear();
  const commands = 200;
  for (let i = 0; i < commands; i++) await handleCommand(counter, { type: 'Increment', aggregateId: 'hot', payload: { by: 1 } }, deps);
  console.log(`${'hot aggregate, warm (goal <= 1.05)'.padEnd(34)} ${(counts.total() / commands).toFixed(3).padStart(5)} requests/command (${counts.describe(commands, 3)})`);
  await table.drop();
}

/** Creations: `expectedVersion: 0` says the aggregate is new, so the command writes without reading first (goal 1 request). */
async function benchCreation(): Promise<void> {
  const table = await createEventStoreTable('bench-create', { stream: false });
  const counts = countRequests(table.client);
  const deps = table.deps({ aggregateName: 'Counter', eventSource: 'bench.Counter', snapshotEvery: 50, cache: new WarmCache() });
  const commands = 200;
  for (let i = 0; i < commands; i++) await handleCommand(counter, { type: 'Increment', aggregateId: `new-${i}`, payload: { by: 1 }, expectedVersion: 0 }, deps);
  console.log(`${'creation, expectedVersion 0 (goal 1)'.padEnd(34)} ${(counts.total() / commands).toFixed(2).padStart(5)} requests/command (${counts.describe(commands)})`);
  await table.drop();
}

async function benchPublisher(): Promise<void> {
  const table = await createEventStoreTable('bench-publisher');
  for (let a = 0; a < 50; a++) {
    await handleCommand(counter, { type: 'Increment', aggregateId: `counter-${a}`, payload: { by: 1, times: 10 } },
      table.deps({ aggregateName: 'Counter', eventSource: 'bench.Counter', snapshotEvery: 0 }));
  }
  const streamEvent = await readStreamEvent(table.client, table.tableName);
  let calls = 0;
  let entries = 0;
  const putEvents = async (batch: readonly BusEntry[]) => {
    calls += 1;
    entries += batch.length;
    return { FailedEntryCount: 0, Entries: batch.map((_, i) => ({ EventId: String(i) })) };
  };
  const started = performance.now();
  const result = await publishStreamRecords(streamEvent.Records, { putEvents, eventBusName: 'bench', source: 'bench.Counter' });
  const ms = performance.now() - started;
  console.log(`publisher: ${streamEvent.Records.length} stream records -> ${entries} entries in ${calls} PutEvents calls, ${ms.toFixed(1)} ms (${Math.round(entries / (ms / 1000))} events/s in-process), ${result.batchItemFailures.length} failures`);
  await table.drop();
}

/** Prints the command and publisher figures; DynamoDB Local must be running (DYNAMODB_ENDPOINT). */
export async function benchCommandCosts(): Promise<void> {
  console.log(`${AGGREGATES} aggregates x ${COMMANDS_PER_AGGREGATE} commands, one event each, sequential:`);
  await benchCommands('cold container (no cache)', { warm: false, withCommandId: false });
  await benchCommands('warm container (cached state)', { warm: true, withCommandId: false });
  await benchCommands('warm, with commandId (transaction)', { warm: true, withCommandId: true });
  await benchHotAggregate();
  await benchCreation();
  await benchPublisher();
}
