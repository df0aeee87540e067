import { defineAggregate } from 'cdk-cqrs/runtime';
import { handleCommand } from '../../lambda/write/handle-command';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { createSessionTable } from '../helpers/create-session-table';
import { counter, customer } from '../helpers/test-aggregates';

let table: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
beforeAll(async () => {
  table = await createEventStoreTable('bad-input');
  sessions = await createSessionTable('bad-input-sessions');
  await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-1', payload: { email: 'a@example.com', name: 'A' } }, table.deps());
});
afterAll(async () => { await Promise.all([table.drop(), sessions.drop()]); });

async function expectRejectedWithoutWrites(aggregate: Parameters<typeof handleCommand>[0], input: unknown, expected: Record<string, unknown>) {
  const before = await table.scanAll();
  await expect(handleCommand(aggregate, input, table.deps())).rejects.toMatchObject(expected);
  expect(await table.scanAll()).toEqual(before);
}

describe('a rejected command writes nothing', () => {
  test('fails with UnknownCommand for a command the aggregate does not have', () =>
    expectRejectedWithoutWrites(customer, { type: 'DeleteCustomer', aggregateId: 'c-1', payload: {} }, {
      name: 'UnknownCommand', commandType: 'DeleteCustomer', knownCommands: ['RegisterCustomer', 'SuspendCustomer', 'TouchCustomer'],
    }));

  test('fails with ValidationError and its issues when the payload fails its schema', () =>
    expectRejectedWithoutWrites(customer, { type: 'RegisterCustomer', aggregateId: 'c-2', payload: { email: 'not-an-email', name: '' } }, {
      name: 'ValidationError',
      issues: expect.arrayContaining([expect.objectContaining({ path: ['email'] }), expect.objectContaining({ path: ['name'] })]),
    }));

  test.each([
    ['no object', 'hello', /must be an object/],
    ['no type', { aggregateId: 'c-1', payload: {} }, /type must be a non-empty string/],
    ['no aggregateId', { type: 'RegisterCustomer', payload: {} }, /aggregateId must be a non-empty string/],
    ['no payload', { type: 'RegisterCustomer', aggregateId: 'c-1' }, /payload is required/],
    ['a negative expectedVersion', { type: 'RegisterCustomer', aggregateId: 'c-1', payload: {}, expectedVersion: -1 }, /expectedVersion must be an integer/],
  ])('fails with ValidationError for an envelope with %s', (_label, input, message) =>
    expectRejectedWithoutWrites(customer, input, { name: 'ValidationError', message: expect.stringMatching(message) }));

  test('fails with ValidationError naming the event that is over the 256 KB entry limit', () =>
    expectRejectedWithoutWrites(counter, { type: 'Increment', aggregateId: 'n-1', payload: { by: 1, padding: 300_000 } }, {
      name: 'ValidationError', message: expect.stringMatching(/^Event Incremented is \d+ bytes/),
    }));

  test('fails with DomainError thrown by decide', () =>
    expectRejectedWithoutWrites(customer, { type: 'RegisterCustomer', aggregateId: 'c-1', payload: { email: 'b@example.com', name: 'B' } }, {
      name: 'DomainError', message: 'Customer already exists',
    }));

  test('fails with ValidationError when a command decides more than 98 events', () =>
    expectRejectedWithoutWrites(counter, { type: 'Increment', aggregateId: 'n-2', payload: { by: 1, times: 99 } }, {
      name: 'ValidationError', message: expect.stringMatching(/decided 99 events; at most 98/),
    }));

  test('fails with ValidationError when a command\'s events together pass what one write holds', () =>
    expectRejectedWithoutWrites(counter, { type: 'Increment', aggregateId: 'n-4', payload: { by: 1, times: 16, padding: 200_000 } }, {
      name: 'ValidationError', message: expect.stringMatching(/^Command Increment decided 16 events of \d+ bytes in all; one write holds at most 3145728/),
    }));

  test('fails with ConcurrencyError carrying the current version when expectedVersion is outdated', () =>
    expectRejectedWithoutWrites(customer, { type: 'SuspendCustomer', aggregateId: 'c-1', payload: { reason: 'x' }, expectedVersion: 0 }, {
      name: 'ConcurrencyError', currentVersion: 1, expectedVersion: 0,
      message: 'Customer c-1 is at version 1; the command expected 0. Reload and retry, or omit expectedVersion.',
    }));

  test('a command that decides no events succeeds and writes nothing', async () => {
    const before = await table.scanAll();
    await expect(handleCommand(customer, { type: 'TouchCustomer', aggregateId: 'c-1', payload: {} }, table.deps()))
      .resolves.toEqual({ aggregateId: 'c-1', version: 1, events: [] });
    expect(await table.scanAll()).toEqual(before);
  });

  test('98 events fit in one write with an idempotency record and a session entry', async () => {
    const result = await handleCommand(counter, { type: 'Increment', aggregateId: 'n-3', payload: { by: 2, times: 98 }, commandId: 'big', sessionId: 's-1' },
      table.deps({ session: { tableName: sessions.tableName, ttlSeconds: 300 } }));
    expect(result.version).toBe(98);
  });
});

describe('input that cannot be stored exactly is refused before any write', () => {
  const loneSurrogate = 'id-\uD800';
  test.each([
    ['a payload that is a string', customer, { type: 'RegisterCustomer', aggregateId: 'x-1', payload: 'a@example.com' }, /payload must be an object/],
    ['a payload that is an array', customer, { type: 'TouchCustomer', aggregateId: 'x-1', payload: [] }, /payload must be an object/],
    ['a payload that is null', customer, { type: 'TouchCustomer', aggregateId: 'x-1', payload: null }, /payload must be an object/],
    ['an integer past 2^53', counter, { type: 'Increment', aggregateId: 'x-2', payload: { by: 2 ** 60 } }, /payload.by \d+ is an integer beyond 2\^53 - 1/],
    ['a number smaller than DynamoDB stores', counter, { type: 'Increment', aggregateId: 'x-2', payload: { by: 1e-200 } }, /smaller in magnitude than DynamoDB's 1e-130/],
    ['an aggregateId with a lone surrogate', customer, { type: 'TouchCustomer', aggregateId: loneSurrogate, payload: {} }, /aggregateId must be well-formed Unicode/],
    ['a commandId with a lone surrogate', customer, { type: 'TouchCustomer', aggregateId: 'x-3', payload: {}, commandId: '\uDC00' }, /commandId must be well-formed Unicode/],
    ['a sessionId with a lone surrogate', customer, { type: 'TouchCustomer', aggregateId: 'x-3', payload: {}, sessionId: loneSurrogate }, /sessionId must be well-formed Unicode/],
    ['an aggregateId past 2,048 bytes', customer, { type: 'TouchCustomer', aggregateId: 'é'.repeat(1025), payload: {} }, /aggregateId makes a partition key of 2050 bytes/],
    ['an aggregateId and commandId past 2,048 bytes together', customer,
      { type: 'TouchCustomer', aggregateId: 'a'.repeat(1500), payload: {}, commandId: 'c'.repeat(600) }, /aggregateId and commandId make an idempotency key of \d+ bytes/],
    ['an expectedVersion past 2^53', customer, { type: 'TouchCustomer', aggregateId: 'x-4', payload: {}, expectedVersion: 2 ** 60 }, /expectedVersion must be an integer >= 0/],
    ['a caller that is not an object', customer, { type: 'TouchCustomer', aggregateId: 'x-6', payload: {}, caller: 'ann' }, /caller must be an object/],
    ['a caller with no subject', customer, { type: 'TouchCustomer', aggregateId: 'x-6', payload: {}, caller: { claims: {} } }, /caller must have a subject/],
    ['a caller whose subject has a lone surrogate', customer, { type: 'TouchCustomer', aggregateId: 'x-6', payload: {}, caller: { subject: loneSurrogate } }, /caller must have a subject/],
    ['a caller whose claims are a list', customer, { type: 'TouchCustomer', aggregateId: 'x-6', payload: {}, caller: { subject: 'u', claims: [] } }, /caller must have claims that are an object/],
    ['a payload whose key has a lone surrogate', customer, { type: 'TouchCustomer', aggregateId: 'x-5', payload: { ['\uD800']: 1 } }, /not well-formed Unicode/],
    // The AWS SDK dropped a __proto__ field and stored { constructor: { name: 'String' } } as "[object Object]".
    ['a payload with a __proto__ key (as JSON.parse makes it)', customer, { type: 'TouchCustomer', aggregateId: 'x-7', payload: JSON.parse('{"note": {"__proto__": 1}}') }, /key named __proto__/],
    ['a payload with a constructor key', customer, { type: 'TouchCustomer', aggregateId: 'x-7', payload: { note: { constructor: { name: 'String' } } } }, /key named constructor/],
  ])('fails with ValidationError for %s', (_label, aggregate, input, message) =>
    expectRejectedWithoutWrites(aggregate, input, { name: 'ValidationError', message: expect.stringMatching(message) }));

  test('fails with ValidationError for an aggregateId too long for its session entry key, with read-your-writes', async () => {
    const before = await table.scanAll();
    await expect(handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'a'.repeat(1010), payload: { email: 'a@example.com', name: 'A' }, sessionId: 's-long' },
      table.deps({ session: { tableName: sessions.tableName, ttlSeconds: 300 } }))).rejects.toMatchObject({
      name: 'ValidationError', message: expect.stringMatching(/aggregateId makes a session entry key of \d+ bytes; DynamoDB keys hold at most 1024/),
    });
    expect(await table.scanAll()).toEqual(before);
  });

  test('without read-your-writes, ignores a sessionId: an aggregateId too long for a session entry key is accepted', async () => {
    const aggregateId = 'a'.repeat(1010);
    const result = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId, payload: { email: 'a@example.com', name: 'A' }, sessionId: 's-long' }, table.deps());
    expect(result.events[0].aggregateId).toBe(aggregateId);
  });

  test('accepts ids at the limit and stores them exactly', async () => {
    const aggregateId = 'ü'.repeat(1024);
    const result = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId, payload: { email: 'a@example.com', name: 'A' } }, table.deps());
    expect(result.events[0].aggregateId).toBe(aggregateId);
  });
});

/** An aggregate whose events are what its payload says, to reach the limits of what an event may hold. */
const echo = defineAggregate({
  initialState: () => ({ seen: 0 }),
  commands: {
    Emit: (cmd: { type: string; size?: number; shape?: 'empty-lists' | 'date' | 'deep' | 'empty-key' | 'undefined-in-list' }, _state) => {
      const data = cmd.shape === 'empty-lists' ? { lists: Array.from({ length: cmd.size ?? 0 }, () => [[]]) }
        : cmd.shape === 'date' ? { at: new Date(0) }
          : cmd.shape === 'deep' ? JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown
            : cmd.shape === 'empty-key' ? { '': 1 }
              : cmd.shape === 'undefined-in-list' ? { steps: [1, undefined, 3] } : {};
      return [{ type: cmd.type as 'Echoed', data }];
    },
  },
  events: { Echoed: (state: { seen: number }) => ({ seen: state.seen + 1 }) },
});

describe('events that could not be stored or published are refused before any write', () => {
  test.each([
    ['an event type longer than EventBridge\'s 128-character detail-type', { type: 'E'.repeat(129) }, /EventBridge takes a detail-type of at most 128/],
    ['an event whose DynamoDB item is over 400 KB though its JSON is under 256 KB', { type: 'Echoed', shape: 'empty-lists', size: 52_000 }, /as a DynamoDB item; an item holds at most 409600/],
    ['event data that is no JSON value (a Date)', { type: 'Echoed', shape: 'date' }, /data.at is a Date, not a JSON object/],
    ['event data nested deeper than DynamoDB takes', { type: 'Echoed', shape: 'deep' }, /nests deeper than DynamoDB's 32 levels/],
    ['event data with an empty key', { type: 'Echoed', shape: 'empty-key' }, /empty key, which DynamoDB refuses/],
    ['event data with undefined in a list (stored, it would be [1, 3] where the answer said [1, undefined, 3])', { type: 'Echoed', shape: 'undefined-in-list' }, /data\.steps\.1 is undefined, which a DynamoDB list cannot hold/],
  ])('fails with ValidationError for %s', (_label, payload, message) =>
    expectRejectedWithoutWrites(echo as never, { type: 'Emit', aggregateId: 'echo-1', payload }, { name: 'ValidationError', message: expect.stringMatching(message) }));
});

