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

  test('reports the first unpublished record when an entry keeps failing, and publishes nothing after it', async () => {
    // GIVEN a bus that always refuses the third event
    const eventRecords = records.filter((r) => r.dynamodb?.NewImage?.kind?.S === 'event');
    const poison = JSON.stringify(eventRecords[2].dynamodb?.NewImage?.sk);
    const recorder = recordingBus((entries) => {
      const bad = entries.map((e) => JSON.stringify({ N: String((JSON.parse(e.Detail) as EventEnvelope).version) }) === poison
        && (JSON.parse(e.Detail) as EventEnvelope).aggregateId === eventRecords[2].dynamodb?.NewImage?.pk?.S);
      return { FailedEntryCount: bad.filter(Boolean).length, Entries: bad.map((b, i) => (b ? { ErrorCode: 'ThrottlingException' } : { EventId: `e-${i}` })) };
    });
    // WHEN
    const result = await publishStreamRecords(eventRecords, { ...bus, putEvents: recorder.putEvents });
    // THEN
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: eventRecords[2].dynamodb?.SequenceNumber }] });
    expect(recorder.calls.length).toBe(4);
  });
});
