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
