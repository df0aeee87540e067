import type { EventPattern } from '../../lambda/local/event-pattern';
import { queuePoller, streamPoller, type StreamMappingSettings } from '../../lambda/local/event-source-mappings';
import type { Invocation } from '../../lambda/local/function-host';
import { LocalClock, LocalQueue, type LocalQueueRecord } from '../../lambda/local/local-queue';
import type { LambdaStreamRecord, StreamReader } from '../../lambda/local/stream-reader';

const T0 = 1_700_000_000_000;
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/events/stream/2024-01-01T00:00:00.000';
const SHARD_ID = 'shardId-00000001700000000000-0000aaaa';

// The wall clock is frozen, so that only LocalClock.advanceTo moves time.
beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(T0));
afterEach(() => jest.restoreAllMocks());

const succeeded = (batchItemFailures: string[] = []): Invocation =>
  ({ ok: true, result: { batchItemFailures: batchItemFailures.map((itemIdentifier) => ({ itemIdentifier })) } });
const threw: Invocation = { ok: false, error: { errorType: 'Error', errorMessage: 'read model unavailable' } };

/** A fake function: answers with `answer(records)` and keeps every batch it was invoked with. */
function fakeFunction<R>(answer: (records: R[]) => Invocation) {
  const batches: R[][] = [];
  const invoke = async (_functionKey: string, event: unknown) => {
    const { Records } = event as { Records: R[] };
    batches.push(Records);
    return answer(Records);
  };
  return { invoke, batches };
}

describe('queuePoller', () => {
  const viewQueue = (clock: LocalClock, deadLetterQueue?: LocalQueue) => new LocalQueue({
    name: 'ViewQueue', arn: 'arn:aws:sqs:us-east-1:000000000000:ViewQueue', visibilityTimeoutSeconds: 30,
    redrive: deadLetterQueue ? { deadLetterQueue, maxReceiveCount: 2 } : undefined,
  }, clock);
  const bodies = (batches: LocalQueueRecord[][]) => batches.map((batch) => batch.map((record) => record.body));

  test('deletes the messages that succeeded; a reported failure stays and comes back after the visibility timeout', async () => {
    // GIVEN
    const clock = new LocalClock();
    const queue = viewQueue(clock);
    for (const body of ['a', 'b', 'c']) queue.send(body);
    const fn = fakeFunction<LocalQueueRecord>((records) => succeeded(records.filter((r) => r.body === 'b').map((r) => r.messageId)));
    const poll = queuePoller({ functionKey: 'Shop/Projector', queue, batchSize: 10, reportBatchItemFailures: true }, fn.invoke);

    // WHEN
    const delivered = await poll();

    // THEN
    expect(delivered).toBe(3);
    expect(queue.size).toBe(1);
    expect(await poll()).toBe(0);

    // WHEN the visibility timeout has passed
    clock.advanceTo(T0 + 30_000);
    await poll();

    // THEN
    expect(bodies(fn.batches)).toEqual([['a', 'b', 'c'], ['b']]);
    expect(fn.batches[1][0].attributes.ApproximateReceiveCount).toBe('2');
  });

  test('a function that throws leaves every message of the batch in the queue', async () => {
    const clock = new LocalClock();
    const queue = viewQueue(clock);
    for (const body of ['a', 'b']) queue.send(body);
    const fn = fakeFunction<LocalQueueRecord>(() => threw);
    const poll = queuePoller({ functionKey: 'Shop/Projector', queue, batchSize: 10, reportBatchItemFailures: true }, fn.invoke);

    await poll();
    expect(queue.size).toBe(2);
    clock.advanceTo(T0 + 30_000);
    await poll();

    expect(bodies(fn.batches)).toEqual([['a', 'b'], ['a', 'b']]);
  });

  test('without ReportBatchItemFailures, a function that returns deletes the whole batch, whatever it answers', async () => {
    const clock = new LocalClock();
    const queue = viewQueue(clock);
    queue.send('a');
    const fn = fakeFunction<LocalQueueRecord>((records) => succeeded(records.map((r) => r.messageId)));
    const poll = queuePoller({ functionKey: 'Shop/Projector', queue, batchSize: 10, reportBatchItemFailures: false }, fn.invoke);

    await poll();

    expect(queue.size).toBe(0);
  });

  test('hands the function batches of at most batchSize, oldest first', async () => {
    const clock = new LocalClock();
    const queue = viewQueue(clock);
    for (const body of ['a', 'b', 'c', 'd', 'e']) queue.send(body);
    const fn = fakeFunction<LocalQueueRecord>(() => succeeded());
    const poll = queuePoller({ functionKey: 'Shop/Projector', queue, batchSize: 2, reportBatchItemFailures: true }, fn.invoke);

    expect(await poll()).toBe(5);

    expect(bodies(fn.batches)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(queue.size).toBe(0);
  });

  test('a message that keeps failing goes to the dead-letter queue by its queue\'s redrive policy', async () => {
    // GIVEN a queue with maxReceiveCount 2, and a function that always fails
    const clock = new LocalClock();
    const deadLetterQueue = new LocalQueue({ name: 'ViewDeadLetterQueue', arn: 'arn:aws:sqs:us-east-1:000000000000:ViewDeadLetterQueue' }, clock);
    const queue = viewQueue(clock, deadLetterQueue);
    queue.send('poison');
    const fn = fakeFunction<LocalQueueRecord>((records) => succeeded(records.map((r) => r.messageId)));
    const poll = queuePoller({ functionKey: 'Shop/Projector', queue, batchSize: 10, reportBatchItemFailures: true }, fn.invoke);

    // WHEN
    for (const at of [T0, T0 + 30_000, T0 + 60_000]) {
      clock.advanceTo(at);
      await poll();
    }

    // THEN
    expect(fn.batches).toHaveLength(2);
    expect(queue.size).toBe(0);
    expect(deadLetterQueue.peekBodies()).toEqual(['poison']);
  });

  test('with a visibility timeout of 0, a failing message reaches the function maxReceiveCount times before the dead-letter queue', async () => {
    // GIVEN a failed message is visible again at once; the poll must not receive it again (and count it) without delivering it
    const clock = new LocalClock();
    const deadLetterQueue = new LocalQueue({ name: 'ViewDeadLetterQueue', arn: 'arn:aws:sqs:us-east-1:000000000000:ViewDeadLetterQueue' }, clock);
    const queue = new LocalQueue({ name: 'ViewQueue', arn: 'arn:aws:sqs:us-east-1:000000000000:ViewQueue', visibilityTimeoutSeconds: 0, redrive: { deadLetterQueue, maxReceiveCount: 3 } }, clock);
    queue.send('poison');
    const fn = fakeFunction<LocalQueueRecord>(() => threw);
    const poll = queuePoller({ functionKey: 'Shop/Projector', queue, batchSize: 10, reportBatchItemFailures: true }, fn.invoke);

    // WHEN
    for (let i = 0; i < 5; i += 1) await poll();

    // THEN
    expect(fn.batches.map(([record]) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(deadLetterQueue.peekBodies()).toEqual(['poison']);
  });

  test('with filter patterns, a message that matches none is deleted without reaching the function; a JSON body is matched as its object', async () => {
    const queue = viewQueue(new LocalClock());
    for (const body of [JSON.stringify({ kind: 'keep', n: 1 }), JSON.stringify({ kind: 'drop', n: 2 }), 'plain text', 'keep as text']) queue.send(body);
    const fn = fakeFunction<LocalQueueRecord>(() => succeeded());
    const filterPatterns: EventPattern[] = [{ body: { kind: ['keep'] } }, { body: [{ prefix: 'keep' }] }];
    const poll = queuePoller({ functionKey: 'Shop/Projector', queue, batchSize: 10, reportBatchItemFailures: true, filterPatterns }, fn.invoke);

    await poll();

    expect(bodies(fn.batches)).toEqual([[JSON.stringify({ kind: 'keep', n: 1 }), 'keep as text']]);
    expect(queue.size).toBe(0);
  });

  test.each([
    ['batchItemFailures is not a list', { batchItemFailures: {} }],
    ['an entry is null', { batchItemFailures: [null] }],
    ['an itemIdentifier is empty', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['an itemIdentifier is not in the batch', { batchItemFailures: [{ itemIdentifier: 'elsewhere' }] }],
  ])('an answer Lambda cannot read fails the whole batch: %s', async (_case, result) => {
    const queue = viewQueue(new LocalClock());
    for (const body of ['a', 'b']) queue.send(body);
    const fn = fakeFunction<LocalQueueRecord>(() => ({ ok: true, result }));
    const poll = queuePoller({ functionKey: 'Shop/Projector', queue, batchSize: 10, reportBatchItemFailures: true }, fn.invoke);

    expect(await poll()).toBe(2);

    expect(queue.size).toBe(2);
  });
});

describe('streamPoller', () => {
  const record = (sequenceNumber: string, { eventName = 'INSERT', kind = 'event' } = {}): LambdaStreamRecord => ({
    eventID: `event-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      Keys: { pk: { S: 'Customer#c-42' }, sk: { N: sequenceNumber } },
      NewImage: { pk: { S: 'Customer#c-42' }, sk: { N: sequenceNumber }, kind: { S: kind } },
      SequenceNumber: sequenceNumber,
      StreamViewType: 'NEW_IMAGE',
    },
  });
  const records = (...sequenceNumbers: string[]) => sequenceNumbers.map((n) => record(n));
  /** A reader of one shard that hands out each given read once, then nothing. */
  const readerOf = (...reads: LambdaStreamRecord[][]) => ({ read: async () => [{ shardId: SHARD_ID, records: reads.shift() ?? [] }] }) as unknown as StreamReader;
  const sequenceNumbers = (batches: LambdaStreamRecord[][]) => batches.map((batch) => batch.map((r) => r.dynamodb.SequenceNumber));
  const settings = (overrides: Partial<StreamMappingSettings> & Pick<StreamMappingSettings, 'reader'>): StreamMappingSettings =>
    // 10 retries, as the construct's publisher mapping sets.
    ({ functionKey: 'Shop/Publisher', batchSize: 10, reportBatchItemFailures: true, filterPatterns: [], maximumRetryAttempts: 10, ...overrides });
  const onlyEvents: EventPattern = { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['event'] } } } };

  test('drops the records that match none of the filter patterns', async () => {
    const reader = readerOf([record('1'), record('2', { eventName: 'MODIFY' }), record('3', { kind: 'snapshot' }), record('4')]);
    const fn = fakeFunction<LambdaStreamRecord>(() => succeeded());
    const poll = streamPoller(settings({ reader, filterPatterns: [onlyEvents] }), fn.invoke);

    expect(await poll()).toBe(2);

    expect(sequenceNumbers(fn.batches)).toEqual([['1', '4']]);
  });

  test('keeps a record that matches any one of the filter patterns', async () => {
    const reader = readerOf([record('1'), record('2', { eventName: 'MODIFY' }), record('3', { eventName: 'REMOVE' })]);
    const fn = fakeFunction<LambdaStreamRecord>(() => succeeded());
    const poll = streamPoller(settings({ reader, filterPatterns: [onlyEvents, { eventName: ['REMOVE'] }] }), fn.invoke);

    await poll();

    expect(sequenceNumbers(fn.batches)).toEqual([['1', '3']]);
  });

  test('keeps every record when there are no filter patterns', async () => {
    const reader = readerOf([record('1'), record('2', { eventName: 'MODIFY' })]);
    const fn = fakeFunction<LambdaStreamRecord>(() => succeeded());
    const poll = streamPoller(settings({ reader }), fn.invoke);

    await poll();

    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2']]);
  });

  test('hands the function batches of at most batchSize, in sequence order', async () => {
    const reader = readerOf(records('1', '2', '3'), records('4'));
    const fn = fakeFunction<LambdaStreamRecord>(() => succeeded());
    const poll = streamPoller(settings({ reader, batchSize: 2 }), fn.invoke);

    expect(await poll()).toBe(3);
    expect(await poll()).toBe(1);

    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2'], ['3'], ['4']]);
  });

  test('a batch holds the records of one shard only', async () => {
    const reader = { read: async () => [{ shardId: 'shard-a', records: records('1', '2') }, { shardId: 'shard-b', records: records('3') }] } as unknown as StreamReader;
    const fn = fakeFunction<LambdaStreamRecord>(() => succeeded());
    await streamPoller(settings({ reader }), fn.invoke)();

    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2'], ['3']]);
  });

  test('a failure at record k is retried from k, and the records before k are not sent again', async () => {
    // GIVEN a function that fails at record 3 the first time only
    const reader = readerOf(records('1', '2', '3', '4'));
    let calls = 0;
    const fn = fakeFunction<LambdaStreamRecord>(() => (calls++ === 0 ? succeeded(['3']) : succeeded()));
    const poll = streamPoller(settings({ reader }), fn.invoke);

    // WHEN
    await poll();

    // THEN
    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2', '3', '4'], ['3', '4']]);
  });

  test('with several failures reported, retries from the earliest', async () => {
    const reader = readerOf(records('1', '2', '3', '4'));
    let calls = 0;
    const fn = fakeFunction<LambdaStreamRecord>(() => (calls++ === 0 ? succeeded(['4', '2']) : succeeded()));
    const poll = streamPoller(settings({ reader }), fn.invoke);

    await poll();

    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2', '3', '4'], ['2', '3', '4']]);
  });

  test('a function that throws has its whole batch retried', async () => {
    const reader = readerOf(records('1', '2'));
    let calls = 0;
    const fn = fakeFunction<LambdaStreamRecord>(() => (calls++ === 0 ? threw : succeeded()));
    const poll = streamPoller(settings({ reader }), fn.invoke);

    await poll();

    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2'], ['1', '2']]);
  });

  test('after maximumRetryAttempts, the failed records go to the on-failure queue as a record of the batch, and reading moves on', async () => {
    // GIVEN a function that always fails at record 1, and 2 retries allowed
    const clock = new LocalClock();
    const onFailure = new LocalQueue({ name: 'PublisherDeadLetterQueue', arn: 'arn:aws:sqs:us-east-1:000000000000:PublisherDeadLetterQueue' }, clock);
    const reader = readerOf(records('1', '2', '3', '4'), records('5'));
    const fn = fakeFunction<LambdaStreamRecord>((batch) => succeeded(batch.some((r) => r.dynamodb.SequenceNumber === '1') ? ['1'] : []));
    const poll = streamPoller(settings({ reader, batchSize: 2, maximumRetryAttempts: 2, onFailure }), fn.invoke);

    // WHEN
    await poll();

    // THEN the first try and 2 retries, then the rest of the stream
    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2'], ['1', '2'], ['1', '2'], ['3', '4']]);
    const [body] = onFailure.peekBodies();
    expect(JSON.parse(body)).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      DDBStreamBatchInfo: { shardId: SHARD_ID, startSequenceNumber: '1', endSequenceNumber: '2', batchSize: 2, streamArn: STREAM_ARN },
    });
    expect(body).not.toContain('NewImage');
    expect(onFailure.size).toBe(1);

    // WHEN more is written
    await poll();

    // THEN
    expect(sequenceNumbers(fn.batches).slice(4)).toEqual([['5']]);
  });

  test('with maximumRetryAttempts -1 (Lambda\'s default), a failing batch is kept and retried on the next poll', async () => {
    const reader = readerOf(records('1', '2'));
    let calls = 0;
    const fn = fakeFunction<LambdaStreamRecord>(() => (calls++ === 0 ? succeeded(['1']) : succeeded()));
    const poll = streamPoller(settings({ reader, maximumRetryAttempts: -1 }), fn.invoke);

    await poll();
    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2']]);
    await poll();
    expect(sequenceNumbers(fn.batches)).toEqual([['1', '2'], ['1', '2']]);
  });

  test('after maximumRetryAttempts, the failed records are dropped when there is no on-failure destination', async () => {
    const reader = readerOf(records('1', '2'));
    const fn = fakeFunction<LambdaStreamRecord>(() => threw);
    const poll = streamPoller(settings({ reader, maximumRetryAttempts: 0 }), fn.invoke);

    expect(await poll()).toBe(2);

    expect(fn.batches).toHaveLength(1);
    expect(await poll()).toBe(0);
  });
});
