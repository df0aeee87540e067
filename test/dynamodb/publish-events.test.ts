import type { DynamoDBRecord } from 'aws-lambda';
import { handleCommand } from '../../lambda/write/handle-command';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { publishStreamRecords, type BusEntry, type PutEventsAnswer } from '../../lambda/write/publish-events';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { readStreamEvent } from '../helpers/stream-records';
import { counter, customer } from '../helpers/test-aggregates';

let table: EventStoreTable;
let records: DynamoDBRecord[];
const returned: EventEnvelope[] = [];
const bus = { eventBusName: 'test-bus', source: 'shop.Customer', sleep: async () => undefined };
const quiet = { ...bus, log: () => undefined };
/** `<aggregateId>/<version>` of a bus entry, or of a stream record's stored event. */
const entryKey = (entry: BusEntry): string => {
  const event = JSON.parse(entry.Detail) as EventEnvelope;
  return `${event.aggregateId}/${event.version}`;
};
const keyOf = (record: DynamoDBRecord): string => `${record.dynamodb?.NewImage?.pk?.S}/${record.dynamodb?.NewImage?.sk?.N}`;
/** A PutEvents answer that fails the entries `refuse` picks and accepts the others. */
const refusing = (entries: readonly BusEntry[], refuse: (key: string) => boolean): PutEventsAnswer => {
  const results = entries.map((entry, i) => (refuse(entryKey(entry)) ? { ErrorCode: 'ThrottlingException' } : { EventId: `e-${i}` }));
  return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
};

const recordingBus = (answer: (entries: readonly BusEntry[], call: number) => PutEventsAnswer = (entries) => ({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${i}` })) })) => {
  const calls: BusEntry[][] = [];
  return { calls, putEvents: async (entries: readonly BusEntry[]) => { calls.push([...entries]); return answer(entries, calls.length); } };
};

beforeAll(async () => {
  table = await createEventStoreTable('publisher');
  const ann = { email: 'ann@example.com', name: 'Ann' };
  const deps = table.deps({ snapshotEvery: 2, aggregateName: 'Customer' });
  for (const command of [
    { type: 'RegisterCustomer', aggregateId: 'c-1', payload: ann, commandId: 'r-1', metadata: { tenantId: 't-1', correlationId: 'corr' } },
    { type: 'RegisterCustomer', aggregateId: 'c-2', payload: ann },
    { type: 'SuspendCustomer', aggregateId: 'c-1', payload: { reason: 'fraud' } },
  ]) returned.push(...(await handleCommand(customer, command, deps)).events);
  returned.push(...(await handleCommand(counter, { type: 'Increment', aggregateId: 'n-1', payload: { by: 1, times: 12 } }, deps)).events);
  records = (await readStreamEvent(table.client, table.tableName)).Records;
});
afterAll(async () => { await table.drop(); });

describe('the outbox publisher', () => {
  test('publishes each stored event once, as the DESIGN envelope, in version order per aggregate', async () => {
    // GIVEN the stream holds events, snapshots and an idempotency record
    expect(records.some((r) => r.dynamodb?.NewImage?.kind?.S === 'snapshot')).toBe(true);
    expect(records.some((r) => r.dynamodb?.NewImage?.kind?.S === 'command')).toBe(true);
    const recorder = recordingBus();
    // WHEN
    const result = await publishStreamRecords(records, { ...bus, putEvents: recorder.putEvents });
    // THEN
    expect(result).toEqual({ batchItemFailures: [] });
    const entries = recorder.calls.flat();
    expect(recorder.calls.every((call) => call.length <= 10)).toBe(true);
    expect(entries.every((e) => e.EventBusName === 'test-bus' && e.Source === 'shop.Customer')).toBe(true);
    const published = entries.map((e) => JSON.parse(e.Detail) as EventEnvelope);
    expect(entries.map((e) => e.DetailType)).toEqual(published.map((e) => e.type));
    const key = (e: EventEnvelope) => `${e.aggregateId}/${e.version}`;
    expect(published.map(key).sort()).toEqual(returned.map(key).sort());
    expect(published.map((e) => JSON.parse(JSON.stringify(returned.find((r) => key(r) === key(e)))))).toEqual(published);
    for (const id of ['c-1', 'c-2', 'n-1']) {
      const versions = published.filter((e) => e.aggregateId === id).map((e) => e.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    }
    expect(published[0].metadata).toMatchObject({ tenantId: 't-1', correlationId: 'corr', commandId: 'r-1', causationId: 'r-1', schemaVersion: 1 });
  });

  test('retries only the entries PutEvents reports as failed', async () => {
    // GIVEN a bus that fails the second entry of the first call once
    const recorder = recordingBus((entries, call) => ({
      FailedEntryCount: call === 1 ? 1 : 0,
      Entries: entries.map((_, i) => (call === 1 && i === 1 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `e-${i}` })),
    }));
    // WHEN
    const result = await publishStreamRecords(records, { ...bus, putEvents: recorder.putEvents });
    // THEN
    expect(result).toEqual({ batchItemFailures: [] });
    expect(recorder.calls[1]).toEqual([recorder.calls[0][1]]);
  });

  test('reports the first unpublished record when an entry keeps failing, and publishes nothing after its request', async () => {
    // GIVEN a bus that always refuses the third event
    const eventRecords = records.filter((r) => r.dynamodb?.NewImage?.kind?.S === 'event');
    const poison = keyOf(eventRecords[2]);
    const recorder = recordingBus((entries) => refusing(entries, (key) => key === poison));
    // WHEN
    const result = await publishStreamRecords(eventRecords, { ...quiet, putEvents: recorder.putEvents });
    // THEN the stream resumes at the poison, and its request's later events were not followed by anything
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: eventRecords[2].dynamodb?.SequenceNumber }] });
    const sent = recorder.calls.map((call) => call.map(entryKey));
    const poisonCall = sent.findIndex((keys) => keys.includes(poison));
    expect(sent.slice(poisonCall + 1)).toEqual([[poison], [poison], [poison]]);
  });

  // Kills the mutant that reports the last failed record of a request instead of the first.
  test('reports the earliest of several records that keep failing in one request', async () => {
    // GIVEN a bus that always refuses the first events of c-1 and c-2, which are in the first request
    const eventRecords = records.filter((r) => r.dynamodb?.NewImage?.kind?.S === 'event');
    const poisons = [keyOf(eventRecords[0]), keyOf(eventRecords[1])];
    expect(poisons).toEqual(['c-1/1', 'c-2/1']);
    const recorder = recordingBus((entries) => refusing(entries, (key) => poisons.includes(key)));
    // WHEN
    const result = await publishStreamRecords(eventRecords, { ...quiet, putEvents: recorder.putEvents });
    // THEN
    expect(recorder.calls[0].map(entryKey)).toEqual(expect.arrayContaining(poisons));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: eventRecords[0].dynamodb?.SequenceNumber }] });
  });

  // Kills the mutant that trusts FailedEntryCount alone: an entry with an ErrorCode is not on the bus, whatever the count says.
  test('retries an entry with an ErrorCode even when the answer has no FailedEntryCount', async () => {
    // GIVEN a bus whose first answer flags c-2's entry but leaves FailedEntryCount out
    const eventRecords = records.filter((r) => r.dynamodb?.NewImage?.kind?.S === 'event');
    const recorder = recordingBus((entries, call) => ({
      Entries: entries.map((entry, i) => (call === 1 && entryKey(entry) === 'c-2/1' ? { ErrorCode: 'InternalFailure' } : { EventId: `e-${i}` })),
    }));
    // WHEN
    const result = await publishStreamRecords(eventRecords, { ...quiet, putEvents: recorder.putEvents });
    // THEN c-2's event went again, alone
    expect(result).toEqual({ batchItemFailures: [] });
    expect(recorder.calls[1].map(entryKey)).toEqual(['c-2/1']);
  });

  test('retries an entry whose answer has no EventId, or an EventId beside an ErrorCode', async () => {
    // GIVEN a first answer with nothing for c-2's entry, and an EventId with an ErrorCode for c-1's
    const eventRecords = records.filter((r) => r.dynamodb?.NewImage?.kind?.S === 'event');
    const recorder = recordingBus((entries, call) => ({
      FailedEntryCount: call === 1 ? 1 : 0,
      Entries: entries.map((entry, i) => {
        if (call === 1 && entryKey(entry) === 'c-2/1') return {};
        if (call === 1 && entryKey(entry) === 'c-1/1') return { EventId: `e-${i}`, ErrorCode: 'InternalFailure' };
        return { EventId: `e-${i}` };
      }),
    }));
    // WHEN
    const result = await publishStreamRecords(eventRecords, { ...quiet, putEvents: recorder.putEvents });
    // THEN both went again, and only they
    expect(result).toEqual({ batchItemFailures: [] });
    expect(recorder.calls[1].map(entryKey).sort()).toEqual(['c-1/1', 'c-2/1']);
  });

  test('sends a request again whole when FailedEntryCount counts failures that no entry shows', async () => {
    // GIVEN a first answer that counts a failure and gives every entry an EventId
    const eventRecords = records.filter((r) => r.dynamodb?.NewImage?.kind?.S === 'event');
    const recorder = recordingBus((entries, call) => ({ FailedEntryCount: call === 1 ? 1 : 0, Entries: entries.map((_, i) => ({ EventId: `e-${i}` })) }));
    // WHEN
    const result = await publishStreamRecords(eventRecords, { ...quiet, putEvents: recorder.putEvents });
    // THEN
    expect(result).toEqual({ batchItemFailures: [] });
    expect(recorder.calls[1]).toEqual(recorder.calls[0]);
  });

  test('backs off only after a failure: a bus that accepts every entry is never waited for', async () => {
    const sleeps: number[] = [];
    const result = await publishStreamRecords(records, { ...bus, putEvents: recordingBus().putEvents, sleep: async (ms: number) => { sleeps.push(ms); } });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sleeps).toEqual([]);
  });

  test('logs the record the stream resumes at, with the error PutEvents kept giving', async () => {
    // GIVEN a bus that always refuses the third event
    const eventRecords = records.filter((r) => r.dynamodb?.NewImage?.kind?.S === 'event');
    const [aggregateId, version] = keyOf(eventRecords[2]).split('/');
    const logs: Record<string, unknown>[] = [];
    const recorder = recordingBus((entries) => refusing(entries, (key) => key === keyOf(eventRecords[2])));
    // WHEN
    await publishStreamRecords(eventRecords, { ...bus, log: (entry) => logs.push(entry), putEvents: recorder.putEvents });
    // THEN one line names it
    expect(logs).toEqual([{
      message: `PutEvents failed for ${aggregateId} version ${version} after 3 retries; the stream resumes at its record.`,
      aggregateId, version: Number(version), errorCode: 'ThrottlingException', sequenceNumber: eventRecords[2].dynamodb?.SequenceNumber,
    }]);
  });

  // The defect: PutEvents failed c-1 v1 and accepted c-1 v2 of the same request; the retry then put v1 on the bus after v2.
  test('never has an aggregate\'s later event accepted before an earlier one, when PutEvents fails only the earlier entry', async () => {
    // GIVEN a bus that refuses c-1 v1 once, and records what it accepts, in order
    const eventRecords = records.filter((r) => r.dynamodb?.NewImage?.kind?.S === 'event');
    const accepted: string[] = [];
    let refused = false;
    const putEvents = async (entries: readonly BusEntry[]): Promise<PutEventsAnswer> => {
      const results = entries.map((entry, i) => {
        if (entryKey(entry) === 'c-1/1' && !refused) {
          refused = true;
          return { ErrorCode: 'ThrottlingException' };
        }
        accepted.push(entryKey(entry));
        return { EventId: `e-${i}` };
      });
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    };
    // WHEN
    const result = await publishStreamRecords(eventRecords, { ...quiet, putEvents });
    // THEN every event is on the bus, each aggregate's in version order
    expect(result).toEqual({ batchItemFailures: [] });
    expect(refused).toBe(true);
    expect(accepted.filter((key) => key.startsWith('c-1/'))).toEqual(['c-1/1', 'c-1/2']);
    expect(accepted.filter((key) => key.startsWith('n-1/'))).toEqual(Array.from({ length: 12 }, (_, i) => `n-1/${i + 1}`));
  });
});

// Kills the mutant that drops the 256 KB limit when it groups entries into requests.
describe('the outbox publisher, given events of 100 KB', () => {
  let big: EventStoreTable;
  beforeAll(async () => { big = await createEventStoreTable('publisher-big'); });
  afterAll(async () => { await big.drop(); });

  test('puts no more than 256 KB in one PutEvents request', async () => {
    // GIVEN three aggregates with one event of about 100 KB each: all three would fit in 10 entries, not in 256 KB
    const deps = big.deps({ snapshotEvery: 0, aggregateName: 'Counter' });
    for (const id of ['b-1', 'b-2', 'b-3']) await handleCommand(counter, { type: 'Increment', aggregateId: id, payload: { by: 1, padding: 100_000 } }, deps);
    const bigRecords = (await readStreamEvent(big.client, big.tableName)).Records;
    const recorder = recordingBus();
    // WHEN
    const result = await publishStreamRecords(bigRecords, { ...quiet, putEvents: recorder.putEvents });
    // THEN
    expect(result).toEqual({ batchItemFailures: [] });
    const requestBytes = recorder.calls.map((call) => call.reduce((sum, e) => sum + Buffer.byteLength(e.Detail) + Buffer.byteLength(e.DetailType) + Buffer.byteLength(e.Source), 0));
    expect(requestBytes.every((bytes) => bytes <= 256 * 1024)).toBe(true);
    expect(recorder.calls.map((call) => call.length)).toEqual([2, 1]);
  });
});
