import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { toEventItem } from '../../lambda/store/event-store';
import { MARSHALL_OPTIONS } from '../../lambda/store/document-client';
import { publishStreamRecords, type BusEntry, type PutEventsAnswer, type StreamRecord } from '../../lambda/write/publish-events';

/**
 * The outbox under faults, as a property: random streams of several interleaved aggregates with
 * entries up to 256 KB, random per-entry failures and whole-call throws, replayed as Lambda does.
 * The stream records are the event store's items marshalled as DynamoDB streams carries them;
 * the bus is a fake `putEvents` that injects the faults and records what it accepts.
 */

const SOURCE = 'shop.Ledger';
const MAX_BYTES = 256 * 1024;
/** The event source mapping's batch size (PUBLISHER_STREAM.batchSize). */
const BATCH_SIZE = 10;

type Size = 'small' | 'medium' | 'nearMax';
/** What one PutEvents call does: accept all, fail some entries, or throw before or after the bus took them. */
type Fault = { kind: 'ok' } | { kind: 'throwBefore' } | { kind: 'throwAfter' } | { kind: 'entries'; failed: boolean[] };

const sizeBytes = (size: Size, jitter: number): number =>
  size === 'small' ? 100 + jitter % 900 : size === 'medium' ? 40_000 + jitter % 60_000 : MAX_BYTES - jitter % 200;

const entryBytes = (entry: BusEntry): number =>
  Buffer.byteLength(entry.Detail) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Source);

/** An event whose bus entry is `bytes` long (the command handler lets nothing past 256 KB through). */
function eventOfSize(aggregateId: string, version: number, bytes: number): EventEnvelope {
  const event = (pad: string): EventEnvelope => ({
    aggregateName: 'Ledger', aggregateId, version, type: 'Noted', data: { pad },
    metadata: { eventId: `${aggregateId}-${version}`, correlationId: aggregateId, occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion: 1 },
  });
  const base = Buffer.byteLength(JSON.stringify(event(''))) + 'Noted'.length + SOURCE.length;
  return event('x'.repeat(Math.max(0, bytes - base)));
}

const streamRecord = (event: EventEnvelope, index: number): StreamRecord => ({
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: String(1_000_000 + index), NewImage: marshall(toEventItem(event), MARSHALL_OPTIONS) },
});

const sizes = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Size>('small') },
  { weight: 2, arbitrary: fc.constant<Size>('medium') },
  { weight: 1, arbitrary: fc.constant<Size>('nearMax') },
);
/** 1 to 4 aggregates of 1 to 8 events, and the order in which their events interleave in the stream. */
const streams = fc.record({
  histories: fc.array(fc.array(fc.tuple(sizes, fc.nat()), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
  picks: fc.array(fc.nat(), { minLength: 32, maxLength: 32 }),
});
/** The faults of the calls in order, each for 1 to 5 calls in a row: 4 in a row outlast the publisher's retries. */
const faults = fc.array(fc.tuple(fc.oneof(
  { weight: 3, arbitrary: fc.constant<Fault>({ kind: 'ok' }) },
  { weight: 1, arbitrary: fc.constant<Fault>({ kind: 'throwBefore' }) },
  { weight: 1, arbitrary: fc.constant<Fault>({ kind: 'throwAfter' }) },
  { weight: 5, arbitrary: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }).map((failed): Fault => ({ kind: 'entries', failed })) },
), fc.integer({ min: 1, max: 5 })), { maxLength: 30 }).map((runs) => runs.flatMap(([fault, times]) => Array<Fault>(times).fill(fault)));

const batchSizes = fc.array(fc.oneof(fc.constant(BATCH_SIZE), fc.integer({ min: 1, max: BATCH_SIZE })), { minLength: 1, maxLength: 5 });

/** The stream: each aggregate's events in version order, interleaved as `picks` says. */
function buildStream({ histories, picks }: { histories: [Size, number][][]; picks: number[] }): EventEnvelope[] {
  const next = histories.map(() => 0);
  const stream: EventEnvelope[] = [];
  for (let i = 0; next.some((n, a) => n < histories[a].length); i += 1) {
    const open = histories.map((_, a) => a).filter((a) => next[a] < histories[a].length);
    const a = open[picks[i % picks.length] % open.length];
    const [size, jitter] = histories[a][next[a]];
    next[a] += 1;
    stream.push(eventOfSize(`agg-${a}`, next[a], sizeBytes(size, jitter)));
  }
  return stream;
}

/** A bus that plays the faults in order (then accepts everything), and checks what it accepts. */
function faultyBus(plan: readonly Fault[]) {
  const accepted = new Set<string>();
  const violations: string[] = [];
  let calls = 0;
  const accept = (entry: BusEntry) => {
    const { aggregateId, version } = JSON.parse(entry.Detail) as EventEnvelope;
    // Never a later version before every earlier one is on the bus; a duplicate is fine.
    for (let v = 1; v < version; v += 1) if (!accepted.has(`${aggregateId}/${v}`)) violations.push(`${aggregateId}/${version} accepted before ${aggregateId}/${v}`);
    accepted.add(`${aggregateId}/${version}`);
  };
  const putEvents = async (entries: readonly BusEntry[]): Promise<PutEventsAnswer> => {
    const fault = plan[calls] ?? { kind: 'ok' };
    calls += 1;
    const bytes = entries.reduce((sum, entry) => sum + entryBytes(entry), 0);
    if (entries.length > 10 || bytes > MAX_BYTES) violations.push(`a request of ${entries.length} entries and ${bytes} bytes`);
    if (fault.kind === 'throwBefore') throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    const results = entries.map((entry, i) => {
      if (fault.kind === 'entries' && fault.failed[i]) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
      accept(entry);
      return { EventId: `id-${calls}-${i}` };
    });
    if (fault.kind === 'throwAfter') throw Object.assign(new Error('the answer was lost'), { name: 'TimeoutError' });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };
  return { putEvents, accepted, violations };
}

/**
 * Lambda's event source mapping on one shard: batches of up to 10 records (fewer when fewer had
 * arrived: `batchSizes`) from the checkpoint; a reported item failure moves the checkpoint to that
 * record and the batch is retried from there; a function error retries the batch, bisected.
 */
async function replayAsLambda(records: readonly StreamRecord[], batchSizes: readonly number[], deps: Parameters<typeof publishStreamRecords>[1]): Promise<void> {
  let checkpoint = 0;
  let size = batchSizes[0];
  for (let invocations = 1; checkpoint < records.length; invocations += 1) {
    if (invocations > 1000) throw new Error(`The stream is stuck at record ${checkpoint}.`);
    const batch = records.slice(checkpoint, checkpoint + size);
    let failures: { itemIdentifier: string }[];
    try {
      failures = (await publishStreamRecords(batch, deps)).batchItemFailures;
    } catch {
      size = Math.max(1, Math.ceil(size / 2));
      continue;
    }
    if (failures.length === 0) {
      checkpoint += batch.length;
      size = batchSizes[invocations % batchSizes.length];
      continue;
    }
    const at = batch.findIndex((record) => record.dynamodb?.SequenceNumber === failures[0].itemIdentifier);
    if (at < 0) throw new Error(`Reported ${failures[0].itemIdentifier}, which is not in the batch.`);
    checkpoint += at;
  }
}

describe('the outbox publisher under faults, replayed as Lambda does', () => {
  test('puts every event on the bus, each aggregate\'s in version order, in requests of at most 10 entries and 256 KB', async () => {
    await fc.assert(fc.asyncProperty(streams, faults, batchSizes, async (shape, plan, sizesOfBatches) => {
      // GIVEN a stream of interleaved aggregates, and a bus that fails as planned
      const events = buildStream(shape);
      const records = events.map(streamRecord);
      const bus = faultyBus(plan);
      // WHEN Lambda feeds it to the publisher until the checkpoint passes the last record
      await replayAsLambda(records, sizesOfBatches, { eventBusName: 'bus', source: SOURCE, putEvents: bus.putEvents, sleep: async () => undefined, log: () => undefined });
      // THEN
      expect(bus.violations).toEqual([]);
      expect([...bus.accepted].sort()).toEqual(events.map((e) => `${e.aggregateId}/${e.version}`).sort());
    }), { numRuns: 150 });
  });
});
