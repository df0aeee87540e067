import { PUBLISH_RETRY_POLICY } from '../../lambda/shared/retry-policies';
import {
  entrySize, nextRequest, publishInOrder, publishStreamRecords, PUT_EVENTS_LIMITS, toBusEntry, type BusEntry, type Publishable, type PutEventsAnswer, type PublisherDeps,
} from '../../lambda/write/publish-events';

// The publisher's own arithmetic and bookkeeping, apart from DynamoDB: request sizes, which
// failure is reported, and with what error code (the DynamoDB Local tests cover the stream).
const entry = (aggregateId: string, version: number, detail = '{}'): Publishable => ({
  aggregateId, version, entry: { EventBusName: 'bus', Source: 'shop.Order', DetailType: 'OrderPlaced', Detail: detail },
});
const accepted = (entries: readonly BusEntry[]): PutEventsAnswer => ({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${i}` })) });
const deps = (putEvents: PublisherDeps['putEvents'], extra: Partial<PublisherDeps> = {}): PublisherDeps => ({ putEvents, eventBusName: 'bus', source: 'shop.Order', sleep: async () => undefined, log: () => undefined, ...extra });

describe('the size of an entry, as EventBridge counts it', () => {
  test('is the bytes of its detail, detail-type and source, in UTF-8', () => {
    expect(entrySize({ EventBusName: 'ignored', Source: 'é', DetailType: 'ab', Detail: '€' })).toBe(2 + 2 + 3);
  });
});

describe('the next PutEvents request', () => {
  test('holds at most 10 entries', () => {
    const items = Array.from({ length: 12 }, (_, i) => entry(`a-${i}`, 1));
    expect(nextRequest(items, items.keys())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('fills up to exactly 256 KB, and not a byte more', () => {
    const overhead = entrySize(entry('x', 1).entry) - 2;
    const half = (extra: number) => `"${'x'.repeat(PUT_EVENTS_LIMITS.maxBytes / 2 - overhead - 2 + extra)}"`;
    const exactly = [entry('a', 1, half(0)), entry('b', 1, half(0))];
    expect(exactly.map((item) => entrySize(item.entry)).reduce((a, b) => a + b)).toBe(PUT_EVENTS_LIMITS.maxBytes);
    expect(nextRequest(exactly, exactly.keys())).toEqual([0, 1]);
    const oneOver = [entry('a', 1, half(0)), entry('b', 1, half(1)), entry('c', 1)];
    expect(nextRequest(oneOver, oneOver.keys())).toEqual([0, 2]);
  });

  test('takes an entry too large for a request alone, so that PutEvents says why it fails, rather than never sending it', () => {
    const huge = [entry('a', 1, `"${'x'.repeat(PUT_EVENTS_LIMITS.maxBytes)}"`), entry('b', 1)];
    expect(nextRequest(huge, huge.keys())).toEqual([0]);
  });
});

describe('what a failed publication reports', () => {
  test('the earliest item not accepted, with the error code of the entry that failed', async () => {
    // A1 and B1 go in the first request; B1 is throttled every time. A2 was never sent: it is the
    // earliest not accepted (the stream resumes there), and the code is B1's.
    const items = [entry('A', 1), entry('A', 2), entry('B', 1)];
    const failure = await publishInOrder(items, deps(async (entries) => ({
      FailedEntryCount: 1,
      Entries: entries.map((e, i) => (e === items[2].entry ? { ErrorCode: 'ThrottlingException' } : { EventId: `e-${i}` })),
    })));
    expect(failure).toEqual({ index: 1, errorCode: 'ThrottlingException' });
  });

  test('an entry answered with neither an event id nor an error code is NoEventId; a failed count with no entry to show is FailedEntryCount', async () => {
    const items = [entry('A', 1)];
    expect(await publishInOrder(items, deps(async () => ({ FailedEntryCount: 0, Entries: [{}] })))).toEqual({ index: 0, errorCode: 'NoEventId' });
    expect(await publishInOrder(items, deps(async (entries) => ({ ...accepted(entries), FailedEntryCount: 1 })))).toEqual({ index: 0, errorCode: 'FailedEntryCount' });
  });

  test('retries wait as the policy says, the delays growing with each attempt', async () => {
    const waits: number[] = [];
    const random = jest.spyOn(Math, 'random').mockReturnValue(1);
    try {
      await publishInOrder([entry('A', 1)], deps(async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] }), { sleep: async (ms) => { waits.push(ms); } }));
    } finally {
      random.mockRestore();
    }
    const { initialDelayMs, factor, maxDelayMs, maxRetries } = PUBLISH_RETRY_POLICY;
    expect(waits).toEqual(Array.from({ length: maxRetries }, (_, n) => Math.min(maxDelayMs, initialDelayMs * factor ** n)));
  });

  test('is written to stdout as one JSON line when no log is given', async () => {
    const lines: string[] = [];
    const print = jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
    try {
      const record = { eventName: 'INSERT', dynamodb: { SequenceNumber: '7', NewImage: { pk: { S: 'A' }, sk: { N: '1' }, kind: { S: 'event' }, aggregateName: { S: 'Order' }, type: { S: 'OrderPlaced' }, data: { M: {} }, metadata: { M: { eventId: { S: 'e' }, correlationId: { S: 'c' }, occurredAt: { S: '2026-01-01T00:00:00.000Z' }, schemaVersion: { N: '1' } } } } } };
      const answer = await publishStreamRecords([record], { putEvents: async () => { throw new Error('down'); }, eventBusName: 'bus', source: 'shop.Order', sleep: async () => undefined });
      expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '7' }] });
    } finally {
      print.mockRestore();
    }
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([expect.objectContaining({ aggregateId: 'A', version: 1, sequenceNumber: '7', errorCode: expect.stringContaining('down') })]);
  });
});

describe('what the publisher puts on the bus from a stream record', () => {
  const image = { pk: { S: 'A' }, sk: { N: '1' }, kind: { S: 'event' }, aggregateName: { S: 'Order' }, type: { S: 'OrderPlaced' }, data: { M: {} }, metadata: { M: { eventId: { S: 'e' }, correlationId: { S: 'c' }, occurredAt: { S: '2026-01-01T00:00:00.000Z' }, schemaVersion: { N: '1' } } } };
  const bus = { eventBusName: 'bus', source: 'shop.Order' };

  test('an inserted event, and nothing else: not a modified or removed item, nor an insert without its image', () => {
    expect(toBusEntry({ eventName: 'INSERT', dynamodb: { NewImage: image } }, bus)).toMatchObject({ DetailType: 'OrderPlaced', Source: 'shop.Order' });
    expect(toBusEntry({ eventName: 'MODIFY', dynamodb: { NewImage: image } }, bus)).toBeUndefined();
    expect(toBusEntry({ eventName: 'REMOVE', dynamodb: {} }, bus)).toBeUndefined();
    expect(toBusEntry({ eventName: 'INSERT', dynamodb: {} }, bus)).toBeUndefined();
  });
});
