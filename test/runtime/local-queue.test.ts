import { LocalClock, LocalQueue, type LocalQueueSettings } from '../../lambda/local/local-queue';

const T0 = 1_700_000_000_000;
const ARN = 'arn:aws:sqs:us-east-1:000000000000:ViewQueue';

// The wall clock is frozen, so that only LocalClock.advanceTo moves time and no boundary is flaky.
beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(T0));
afterEach(() => jest.restoreAllMocks());

const newQueue = (clock: LocalClock, settings: Partial<LocalQueueSettings> = {}) =>
  new LocalQueue({ name: 'ViewQueue', arn: ARN, visibilityTimeoutSeconds: 30, ...settings }, clock);

describe('LocalQueue', () => {
  test('hands out a message as Lambda\'s SQS event source does', () => {
    const clock = new LocalClock();
    const queue = newQueue(clock);
    const messageId = queue.send('{"n":1}');

    expect(queue.receive(10)).toEqual([{
      messageId,
      receiptHandle: expect.any(String),
      body: '{"n":1}',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(T0), ApproximateFirstReceiveTimestamp: String(T0) },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: ARN,
    }]);
  });

  test('a received message is invisible until its visibility timeout passes, then comes back with ApproximateReceiveCount 2', () => {
    // GIVEN
    const clock = new LocalClock();
    const queue = newQueue(clock, { visibilityTimeoutSeconds: 30 });
    const messageId = queue.send('a');
    const [first] = queue.receive(10);

    // WHEN the visibility timeout has not quite passed
    expect(queue.receive(10)).toEqual([]);
    clock.advanceTo(T0 + 29_999);

    // THEN
    expect(queue.receive(10)).toEqual([]);
    expect(queue.hasVisible()).toBe(false);

    // WHEN it has
    clock.advanceTo(T0 + 30_000);

    // THEN
    const [second] = queue.receive(10);
    expect(second).toMatchObject({ messageId, body: 'a' });
    expect(second.attributes).toEqual({ ApproximateReceiveCount: '2', SentTimestamp: String(T0), ApproximateFirstReceiveTimestamp: String(T0) });
    expect(second.receiptHandle).not.toBe(first.receiptHandle);
  });

  test('a message sent with a delay is not visible before the delay has passed', () => {
    const clock = new LocalClock();
    const queue = newQueue(clock);
    queue.send('later', 1);

    expect(queue.receive(10)).toEqual([]);
    expect(queue.nextVisibleAtMs()).toBe(T0 + 1000);
    clock.advanceTo(T0 + 1000);
    expect(queue.receive(10).map((m) => m.body)).toEqual(['later']);
  });

  test('uses SQS\'s default visibility timeout of 30 seconds when none is set', () => {
    const clock = new LocalClock();
    const queue = new LocalQueue({ name: 'ViewQueue', arn: ARN }, clock);
    queue.send('a');
    queue.receive(10);

    expect(queue.nextVisibleAtMs()).toBe(T0 + 30_000);
  });

  test('a deleted message never comes back', () => {
    const clock = new LocalClock();
    const queue = newQueue(clock);
    queue.send('a');
    const [record] = queue.receive(10);

    queue.delete(record.receiptHandle);
    clock.advanceTo(T0 + 3_600_000);

    expect(queue.receive(10)).toEqual([]);
    expect(queue.size).toBe(0);
    expect(queue.nextVisibleAtMs()).toBeUndefined();
  });

  test('a receipt handle from an earlier receive does not delete the message', () => {
    // GIVEN a message received twice
    const clock = new LocalClock();
    const queue = newQueue(clock);
    queue.send('a');
    const [first] = queue.receive(10);
    clock.advanceTo(T0 + 30_000);
    expect(queue.receive(10)).toHaveLength(1);

    // WHEN
    queue.delete(first.receiptHandle);

    // THEN
    expect(queue.size).toBe(1);
    clock.advanceTo(T0 + 60_000);
    expect(queue.receive(10).map((r) => r.body)).toEqual(['a']);
  });

  test('after maxReceiveCount receives, the next receive moves the message to the dead-letter queue instead of delivering it', () => {
    // GIVEN a message received maxReceiveCount (2) times and never deleted
    const clock = new LocalClock();
    const deadLetterQueue = newQueue(clock, { name: 'ViewDeadLetterQueue' });
    const queue = newQueue(clock, { redrive: { deadLetterQueue, maxReceiveCount: 2 } });
    const body = JSON.stringify({ detail: { aggregateId: 'c-42', version: 3 } });
    queue.send(body);
    expect(queue.receive(10)).toHaveLength(1);
    clock.advanceTo(T0 + 30_000);
    expect(queue.receive(10)[0].attributes.ApproximateReceiveCount).toBe('2');
    clock.advanceTo(T0 + 60_000);

    // WHEN
    const received = queue.receive(10);

    // THEN
    expect(received).toEqual([]);
    expect(queue.size).toBe(0);
    expect(deadLetterQueue.peekBodies()).toEqual([body]);
    expect(deadLetterQueue.receive(10).map((r) => r.body)).toEqual([body]);
  });

  test('a message moved to the dead-letter queue does not hold back the next one', () => {
    const clock = new LocalClock();
    const deadLetterQueue = newQueue(clock, { name: 'ViewDeadLetterQueue' });
    const queue = newQueue(clock, { redrive: { deadLetterQueue, maxReceiveCount: 1 } });
    queue.send('poison');
    queue.receive(10);
    clock.advanceTo(T0 + 30_000);
    queue.send('next');

    expect(queue.receive(1).map((r) => r.body)).toEqual(['next']);
    expect(deadLetterQueue.peekBodies()).toEqual(['poison']);
  });

  test('receive hands out at most maxMessages, oldest first', () => {
    const clock = new LocalClock();
    const queue = newQueue(clock);
    for (const body of ['a', 'b', 'c']) queue.send(body);

    expect(queue.receive(2).map((r) => r.body)).toEqual(['a', 'b']);
    expect(queue.receive(2).map((r) => r.body)).toEqual(['c']);
    expect(queue.receive(2)).toEqual([]);
  });

  test('a message that comes back is handed out before messages sent after it', () => {
    const clock = new LocalClock();
    const queue = newQueue(clock);
    queue.send('a');
    queue.receive(10);
    queue.send('b');
    clock.advanceTo(T0 + 30_000);

    expect(queue.receive(10).map((r) => r.body)).toEqual(['a', 'b']);
  });

  test('nextVisibleAtMs is when the earliest in-flight message becomes visible, and undefined when none is in flight', () => {
    const clock = new LocalClock();
    const queue = newQueue(clock, { visibilityTimeoutSeconds: 30 });
    queue.send('a');
    expect(queue.nextVisibleAtMs()).toBeUndefined();

    queue.receive(10);
    clock.advanceTo(T0 + 10_000);
    queue.send('b');
    queue.receive(10);
    expect(queue.nextVisibleAtMs()).toBe(T0 + 30_000);

    clock.advanceTo(T0 + 30_000);
    expect(queue.nextVisibleAtMs()).toBe(T0 + 40_000);

    clock.advanceTo(T0 + 40_000);
    expect(queue.nextVisibleAtMs()).toBeUndefined();
    expect(queue.hasVisible()).toBe(true);
  });
});

describe('LocalClock', () => {
  test('advanceTo jumps forward and never back', () => {
    const clock = new LocalClock();
    clock.advanceTo(T0 + 5_000);
    clock.advanceTo(T0 + 1_000);

    expect(clock.now()).toBe(T0 + 5_000);
  });
});
