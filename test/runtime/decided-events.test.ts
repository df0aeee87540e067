import { MAX_EVENT_ENTRY_BYTES } from '../../lib/private/runtime-contract';
import { ValidationError } from '../../lambda/shared/errors';
import { buildEnvelopes, entryBytes, MAX_COMMAND_EVENT_BYTES, MAX_EVENT_TYPE_LENGTH, toDecidedEvents } from '../../lambda/write/build-events';
import { itemBytes, MAX_ITEM_BYTES } from '../../lambda/store/item-size';
import { toEventItem } from '../../lambda/store/event-store';

/** What a command's decide function may return, normalised to a list of { type, data }. */
test('nothing, one event or an array: no events, that one, or each in order', () => {
  expect(toDecidedEvents(undefined, 'Close')).toEqual([]);
  expect(toDecidedEvents([], 'Close')).toEqual([]);
  expect(toDecidedEvents({ type: 'Closed', data: { at: 1 } }, 'Close')).toEqual([{ type: 'Closed', data: { at: 1 } }]);
  expect(toDecidedEvents([{ type: 'A' }, { type: 'B', data: 2, extra: true }], 'Close')).toEqual([{ type: 'A', data: undefined }, { type: 'B', data: 2 }]);
});

test('anything else is an error naming the command and the index of the event without a type', () => {
  for (const [decision, index] of [[null, 0], ['Closed', 0], [{ data: 1 }, 0], [{ type: '' }, 0], [[{ type: 'A' }, { type: 7 }], 1], [[{ type: 'A' }, { type: 'B' }, undefined], 2]] as const) {
    expect(() => toDecidedEvents(decision, 'Close'))
      .toThrow(`Command Close returned an event without a type at index ${index}: return { type, data } or an array of them.`);
  }
});

describe('buildEnvelopes', () => {
  const command = { type: 'Increment', aggregateId: 'n#1', payload: {} };
  const context = { aggregateName: 'Counter', eventSource: 'app.Counter', now: () => new Date(0) };

  test('an event over the bus entry limit is refused naming its type, its size and its index among the command\'s events', () => {
    // GIVEN a command on version 5 whose second event is over 256 KB on the bus (though under DynamoDB's 400 KB)
    const decided = [{ type: 'Small', data: {} }, { type: 'Large', data: { padding: 'x'.repeat(MAX_EVENT_ENTRY_BYTES) } }, { type: 'Small', data: {} }];
    let error: unknown;
    try {
      buildEnvelopes(command, decided, 5, context);
    } catch (caught) {
      error = caught;
    }
    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    const { message, issues } = error as ValidationError;
    const bytes = Number(/^Event Large is (\d+) bytes on the bus/.exec(message)?.[1]);
    expect(bytes).toBeGreaterThan(MAX_EVENT_ENTRY_BYTES);
    expect(message).toBe(`Event Large is ${bytes} bytes on the bus; an EventBridge entry holds at most ${MAX_EVENT_ENTRY_BYTES}. Store large data elsewhere (S3) and put its key in the event.`);
    expect(issues).toEqual([{ message: `entry is ${bytes} bytes`, path: ['events', 1] }]);
  });

  test('an event of exactly the bus entry limit is taken, one byte more is refused', () => {
    const padded = (length: number) => buildEnvelopes(command, [{ type: 'Exact', data: { padding: 'x'.repeat(length) } }], 5, context);
    const length = MAX_EVENT_ENTRY_BYTES - entryBytes(padded(0)[0], context.eventSource);
    expect(entryBytes(padded(length)[0], context.eventSource)).toBe(MAX_EVENT_ENTRY_BYTES);
    expect(() => padded(length + 1)).toThrow(`Event Exact is ${MAX_EVENT_ENTRY_BYTES + 1} bytes on the bus`);
  });

  test('events of exactly the command limit in all are taken, one byte more is refused naming the total', () => {
    // 13 events of at most 240 KB on the bus each; the last one takes what is left of the limit.
    const count = 13;
    const build = (paddings: readonly number[]) => buildEnvelopes(command, paddings.map((length) => ({ type: 'Part', data: { padding: 'x'.repeat(length) } })), 5, context);
    // Each event's size without padding (a version of two digits is a byte more than one of one digit).
    const bare = build(Array.from({ length: count }, () => 0)).map((envelope) => entryBytes(envelope, context.eventSource));
    const paddings = bare.map((bytes) => 240 * 1024 - bytes);
    const last = paddings[count - 1] + MAX_COMMAND_EVENT_BYTES - count * 240 * 1024;
    paddings[count - 1] = last;
    const exact = build(paddings);
    expect(exact.reduce((sum, envelope) => sum + entryBytes(envelope, context.eventSource), 0)).toBe(MAX_COMMAND_EVENT_BYTES);
    expect(() => build([...paddings.slice(0, -1), last + 1]))
      .toThrow(`Command Increment decided ${count} events of ${MAX_COMMAND_EVENT_BYTES + 1} bytes in all; one write holds at most ${MAX_COMMAND_EVENT_BYTES}. Split the command.`);
  });

  test('an event whose DynamoDB item is exactly 400 KB is taken, one byte more is refused, though both are under 256 KB on the bus', () => {
    // Lists of an empty list are 8 bytes an element in DynamoDB and 5 in JSON: the item outgrows the entry.
    const build = (padding: number) => buildEnvelopes(command, [{ type: 'Listed', data: { lists: Array.from({ length: 50_000 }, () => [[]]), padding: 'x'.repeat(padding) } }], 5, context);
    const padding = MAX_ITEM_BYTES - itemBytes(toEventItem(build(0)[0]));
    const [exact] = build(padding);
    expect(itemBytes(toEventItem(exact))).toBe(MAX_ITEM_BYTES);
    expect(entryBytes(exact, context.eventSource)).toBeLessThan(MAX_EVENT_ENTRY_BYTES);
    expect(() => build(padding + 1)).toThrow(`as a DynamoDB item; an item holds at most ${MAX_ITEM_BYTES}`);
  });

  test('events are numbered on from the version the command decided on', () => {
    const envelopes = buildEnvelopes(command, [{ type: 'A', data: 1 }, { type: 'B', data: 2 }], 5, context);
    expect(envelopes.map((envelope) => [envelope.version, envelope.type, envelope.data])).toEqual([[6, 'A', 1], [7, 'B', 2]]);
    expect(envelopes.map((envelope) => envelope.metadata.occurredAt)).toEqual(['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z']);
  });
});

test('an entry\'s size on the bus is its detail (the envelope\'s JSON), detail-type and source, in UTF-8 bytes', () => {
  const [envelope] = buildEnvelopes({ type: 'Rename', aggregateId: 'c#1', payload: {} }, [{ type: 'Renamé', data: { name: 'Zoë' } }], 0, { aggregateName: 'Customer', eventSource: 'app' });
  const detail = Buffer.byteLength(JSON.stringify(envelope), 'utf8');
  expect(entryBytes(envelope, 'app.Customér')).toBe(detail + 7 + 13);
  expect(entryBytes(envelope, '')).toBe(detail + 7);
});

describe('an event that could be stored but not published, or not stored exactly, is refused with its index', () => {
  const command = { type: 'Act', aggregateId: 'a#1', payload: {} };
  const context = { aggregateName: 'Thing', eventSource: 'app.Thing' };
  const refusal = (decided: { type: string; data?: unknown }[]): ValidationError => {
    try {
      buildEnvelopes(command, decided.map((event) => ({ data: {}, ...event })), 3, context);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return error as ValidationError;
    }
    throw new Error('accepted');
  };

  test('an event type of at most 128 well-formed characters', () => {
    expect(buildEnvelopes(command, [{ type: 'T'.repeat(MAX_EVENT_TYPE_LENGTH), data: {} }], 0, context)).toHaveLength(1);
    const long = `${'L'.repeat(40)}${'x'.repeat(MAX_EVENT_TYPE_LENGTH - 39)}`;
    const error = refusal([{ type: 'Fine' }, { type: long }]);
    expect(error.message).toBe(`Event type ${'L'.repeat(40)}... cannot be published: EventBridge takes a detail-type of at most 128 well-formed characters (it has 129). Name the event shorter.`);
    expect(error.issues).toEqual([{ message: 'must be at most 128 well-formed characters', path: ['events', 1, 'type'] }]);
    expect(refusal([{ type: 'Bad\ud800' }]).issues).toEqual([{ message: 'must be at most 128 well-formed characters', path: ['events', 0, 'type'] }]);
  });

  test('data that cannot be stored exactly', () => {
    const error = refusal([{ type: 'Fine' }, { type: 'Fine' }, { type: 'Odd', data: { amount: NaN } }]);
    expect(error.message).toBe('Event Odd cannot be stored exactly: events.2.data.amount NaN is not a finite number.');
    expect(error.issues).toEqual([{ message: 'NaN is not a finite number', path: ['events', 2, 'data', 'amount'] }]);
  });

  test('an event over DynamoDB\'s 400 KB item', () => {
    const error = refusal([{ type: 'Fine' }, { type: 'Huge', data: { padding: 'x'.repeat(MAX_ITEM_BYTES) } }]);
    const bytes = Number(/^Event Huge is (\d+) bytes as a DynamoDB item/.exec(error.message)?.[1]);
    expect(bytes).toBeGreaterThan(MAX_ITEM_BYTES);
    expect(error.message).toBe(`Event Huge is ${bytes} bytes as a DynamoDB item; an item holds at most ${MAX_ITEM_BYTES}. Store large data elsewhere (S3) and put its key in the event.`);
    expect(error.issues).toEqual([{ message: `item is ${bytes} bytes`, path: ['events', 1] }]);
  });
});
