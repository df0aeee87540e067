import type { InvokeCommand, InvokeCommandInput } from '@aws-sdk/client-lambda';
import type { DynamoDBRecord } from 'aws-lambda';
import { createPublisher } from '../../lambda/handlers/publisher';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { handleCommand } from '../../lambda/write/handle-command';
import type { BusEntry, PutEventsAnswer } from '../../lambda/write/publish-events';
import type { RepublishContext, RepublishReport, RepublishRequest } from '../../lambda/write/republish-request';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { readStreamEvent } from '../helpers/stream-records';
import { counter } from '../helpers/test-aggregates';

/**
 * The way back for events the stream dropped: events stored by the command handler on DynamoDB
 * Local, the stream records of a time window "lost" (never published, as when their batch went to
 * the publisher's DLQ and the stream trimmed them), then a republish request to the real publisher.
 */

let table: EventStoreTable;
/** Events stored before, in, and after the lost window, and the window's ends. */
const stored: EventEnvelope[][] = [[], [], []];
let window: { from: string; to: string };
let records: DynamoDBRecord[];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keyOf = (e: { aggregateId: string; version: number }) => `${e.aggregateId}/${e.version}`;

beforeAll(async () => {
  table = await createEventStoreTable('republish');
  // Snapshots every 4 events and idempotency records are in the store too: neither may reach the bus.
  const deps = table.deps({ aggregateName: 'Counter', eventSource: 'shop.Counter', snapshotEvery: 4 });
  const commands = (phase: number) => Array.from({ length: 12 }, (_, i) => ({
    type: 'Increment', aggregateId: `n-${i % 5}`, commandId: `p${phase}-c${i}`,
    payload: { by: 1, times: i === 3 ? 13 : 1 + (i % 3) },
  }));
  const times: string[] = [];
  for (const phase of [0, 1, 2]) {
    if (phase > 0) await pause(5);
    times.push(new Date().toISOString());
    for (const command of commands(phase)) stored[phase].push(...(await handleCommand(counter, command, deps)).events);
    await pause(5);
  }
  window = { from: times[1], to: new Date(Date.parse(times[2]) - 3).toISOString() };
  records = (await readStreamEvent(table.client, table.tableName)).Records;
});
afterAll(async () => { await table.drop(); });

/** The real publisher on a recording bus, with its self-invocations queued (not sent) to be run as Lambda would. */
function publisherOn(answer: (entries: readonly BusEntry[]) => PutEventsAnswer = (entries) => ({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${i}` })) })) {
  const requests: BusEntry[][] = [];
  const queued: InvokeCommandInput[] = [];
  const logged: Record<string, unknown>[] = [];
  const handler = createPublisher({
    eventBusName: 'shop-bus', source: 'shop.Counter', sleep: async () => undefined, log: (entry) => { logged.push(entry); },
    putEvents: async (entries) => { requests.push([...entries]); return answer(entries); },
    dynamoDb: table.doc, eventStoreTable: table.tableName,
    lambda: { send: async (command: InvokeCommand) => { queued.push(command.input); } },
  });
  const accepted = () => requests.flat().map((entry) => JSON.parse(entry.Detail) as EventEnvelope);
  return { handler, requests, queued, logged, accepted };
}

const context = (remainingMillis: number): RepublishContext => ({ functionName: 'counter-publisher', getRemainingTimeInMillis: () => remainingMillis });
const payloadOf = (input: InvokeCommandInput): RepublishRequest => JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));

/** Runs the queued asynchronous invocations (and those they queue) until none is left. */
async function drain(publisher: ReturnType<typeof publisherOn>, remainingMillis: number): Promise<RepublishReport[]> {
  const reports: RepublishReport[] = [];
  while (publisher.queued.length > 0 && reports.length < 500) {
    const input = publisher.queued.shift() as InvokeCommandInput;
    expect([input.FunctionName, input.InvocationType]).toEqual(['counter-publisher', 'Event']);
    reports.push(await publisher.handler(payloadOf(input), context(remainingMillis)));
  }
  return reports;
}

/**
 * No aggregate's event reached the bus before every earlier one had (those of `before` went by the
 * stream earlier), and the requests kept their limits.
 */
function expectBusOrder(publisher: ReturnType<typeof publisherOn>, before: readonly EventEnvelope[] = []) {
  const seen = new Set<string>(before.map(keyOf));
  for (const event of publisher.accepted()) {
    for (let v = 1; v < event.version; v += 1) if (!seen.has(keyOf({ aggregateId: event.aggregateId, version: v }))) seen.add(`missing ${event.aggregateId}/${v}`);
    seen.add(keyOf(event));
  }
  expect([...seen].filter((key) => key.startsWith('missing'))).toEqual([]);
  expectRequestsWithinLimits(publisher.requests);
}

function expectRequestsWithinLimits(requests: readonly BusEntry[][]) {
  for (const request of requests) {
    const ids = request.map((entry) => (JSON.parse(entry.Detail) as EventEnvelope).aggregateId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(request.length).toBeLessThanOrEqual(10);
    expect(request.reduce((sum, e) => sum + Buffer.byteLength(e.Detail) + Buffer.byteLength(e.DetailType) + Buffer.byteLength(e.Source), 0)).toBeLessThanOrEqual(256 * 1024);
  }
}

const inWindow = (events: readonly EventEnvelope[], ids?: readonly string[]) => events.filter((e) => e.metadata.occurredAt >= window.from && e.metadata.occurredAt <= window.to && (!ids || ids.includes(e.aggregateId)));
const sortedKeys = (events: readonly { aggregateId: string; version: number }[]) => events.map(keyOf).sort();

describe('the publisher, given a republish request', () => {
  test('puts exactly the events of the window back on the bus, each aggregate\'s in version order, after the rest went by the stream', async () => {
    // GIVEN the stream's records published, except those of the window: their batch was lost
    expect(inWindow(stored.flat()).map(keyOf)).toEqual(stored[1].map(keyOf));
    expect(stored[1].length).toBeGreaterThan(20);
    const publisher = publisherOn();
    const lost = new Set(stored[1].map(keyOf));
    const kept = records.filter((r) => !lost.has(`${r.dynamodb?.NewImage?.pk?.S}/${r.dynamodb?.NewImage?.sk?.N}`));
    expect(await publisher.handler({ Records: kept }, context(60_000))).toEqual({ batchItemFailures: [] });
    const byStream = publisher.accepted().length;
    // WHEN the window is republished: one invocation per segment, each with time enough
    const started = await publisher.handler({ republish: window }, context(60_000));
    const reports = await drain(publisher, 60_000);
    // THEN
    expect(started).toEqual({ segments: [0, 1, 2, 3], aggregates: 0, events: 0, continued: false });
    expect(publisher.queued).toEqual([]);
    expect(reports.map((r) => r.continued)).toEqual([false, false, false, false]);
    const republished = publisher.accepted().slice(byStream);
    expect(republished.map(keyOf).sort()).toEqual(sortedKeys(stored[1]));
    // As the command handler answered them, field for field.
    const byKey = (events: readonly EventEnvelope[]) => JSON.parse(JSON.stringify([...events].sort((a, b) => keyOf(a).localeCompare(keyOf(b))))) as unknown;
    expect(byKey(republished)).toEqual(byKey(stored[1]));
    expect(publisher.accepted().map(keyOf).sort()).toEqual(sortedKeys(stored.flat()));
    for (const id of ['n-0', 'n-1', 'n-2', 'n-3', 'n-4']) {
      const versions = republished.filter((e) => e.aggregateId === id).map((e) => e.version);
      expect(versions).toEqual(stored[1].filter((e) => e.aggregateId === id).map((e) => e.version));
    }
    // (The stream had put the later events on the bus before: that is what the lost batch did to the order.)
    expectRequestsWithinLimits(publisher.requests);
    expect(publisher.logged.filter((entry) => entry.done === true).map((entry) => entry.segment).sort()).toEqual([0, 1, 2, 3]);
  });

  test('short of time, hands over to itself, and still puts every event of the window on the bus in order', async () => {
    // GIVEN a publisher that always has less time left than its margin, and small pages
    const publisher = publisherOn();
    await publisher.handler({ republish: { ...window, totalSegments: 2, pageSize: 3 } }, context(60_000));
    // WHEN each invocation does one step and invokes the next
    const reports = await drain(publisher, 1_000);
    // THEN
    expect(reports.filter((r) => r.continued).length).toBeGreaterThan(5);
    expect([...new Set(publisher.accepted().map(keyOf))].sort()).toEqual(sortedKeys(stored[1]));
    expectBusOrder(publisher, stored[0]);
  });

  test('republishes the given aggregates\' events (in the window, when one is given) in this invocation', async () => {
    // GIVEN
    const all = publisherOn();
    const windowed = publisherOn();
    // WHEN
    const report = await all.handler({ republish: { aggregateIds: ['n-3', 'n-1', 'n-3'] } }, context(60_000));
    await windowed.handler({ republish: { ...window, aggregateIds: ['n-3'], pageSize: 4 } }, context(60_000));
    // THEN
    expect(report).toEqual({ segments: [], aggregates: 2, events: stored.flat().filter((e) => ['n-1', 'n-3'].includes(e.aggregateId)).length, continued: false });
    expect(all.queued).toEqual([]);
    expect(all.accepted().map(keyOf).sort()).toEqual(sortedKeys(stored.flat().filter((e) => ['n-1', 'n-3'].includes(e.aggregateId))));
    expectBusOrder(all);
    expect(windowed.accepted().map(keyOf)).toEqual(inWindow(stored[1], ['n-3']).map(keyOf));
  });

  test('refuses a request with a bad field, naming it, and publishes and invokes nothing', async () => {
    const publisher = publisherOn();
    const refusal = (republish: unknown) => publisher.handler({ republish } as RepublishRequest, context(60_000));
    await expect(refusal({ from: 'yesterday', to: window.to })).rejects.toMatchObject({
      name: 'ValidationError', issues: [{ path: ['republish', 'from'] }], message: expect.stringMatching(/request's from must be an ISO 8601 time with a zone/),
    });
    await expect(refusal({ form: window.from, to: window.to })).rejects.toMatchObject({ name: 'ValidationError', issues: [{ path: ['republish', 'form'] }] });
    await expect(refusal({ from: window.to, to: window.from })).rejects.toThrow(/request's to must not be before from/);
    await expect(refusal({ from: '2026-01-01T00:00:00' , to: window.to })).rejects.toThrow(/request's from must be an ISO 8601 time with a zone/);
    await expect(refusal({ from: window.from })).rejects.toThrow(/request's to must be given with the other end of the window/);
    await expect(refusal({ aggregateIds: [] })).rejects.toThrow(/request's aggregateIds must be a list of 1 to 100 non-empty strings/);
    await expect(refusal({ aggregateIds: ['n-1'], segment: 0 })).rejects.toThrow(/request's segment must be an integer/);
    await expect(refusal({ ...window, totalSegments: 0 })).rejects.toThrow(/request's totalSegments must be an integer from 1 to 1000/);
    await expect(refusal({})).rejects.toThrow(/request's from and to \(a window\), or aggregateIds, must be given/);
    await expect(refusal('now')).rejects.toThrow(/request's body must be an object/);
    expect(publisher.requests).toEqual([]);
    expect(publisher.queued).toEqual([]);
  });

  test('fails, naming the event, when the bus keeps refusing it; nothing later of its aggregate goes out', async () => {
    // GIVEN a bus that always refuses n-3's first event of the window
    const poison = stored[1].find((e) => e.aggregateId === 'n-3') as EventEnvelope;
    const publisher = publisherOn((entries) => {
      const results = entries.map((entry, i) => (keyOf(JSON.parse(entry.Detail) as EventEnvelope) === keyOf(poison) ? { ErrorCode: 'InternalFailure' } : { EventId: `e-${i}` }));
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    });
    // WHEN
    const failed = publisher.handler({ republish: { ...window, aggregateIds: ['n-3'] } }, context(60_000));
    // THEN
    await expect(failed).rejects.toMatchObject({ name: 'RepublishFailed', aggregateId: 'n-3', version: poison.version, errorCode: 'InternalFailure' });
    expect(publisher.accepted().filter((e) => e.aggregateId === 'n-3' && e.version > poison.version)).toEqual([]);
  });
});
