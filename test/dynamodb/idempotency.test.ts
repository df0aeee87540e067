import { handleCommand } from '../../lambda/write/handle-command';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { customer } from '../helpers/test-aggregates';

let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('idempotency'); });
afterAll(async () => { await table.drop(); });

const ann = { email: 'ann@example.com', name: 'Ann' };

describe('a command sent twice with the same commandId', () => {
  test('returns the first result and writes nothing more', async () => {
    // GIVEN
    const command = { type: 'RegisterCustomer', aggregateId: 'c-1', payload: ann, commandId: 'cmd-1' };
    const first = await handleCommand(customer, command, table.deps());
    const itemsAfterFirst = (await table.scanAll()).length;
    // WHEN
    const second = await handleCommand(customer, command, table.deps());
    // THEN
    expect(second).toEqual(first);
    expect((await table.scanAll()).length).toBe(itemsAfterFirst);
  });

  test('returns the first result when the retry would be refused by decide', async () => {
    // GIVEN a registration, then another command moved the customer on
    const command = { type: 'SuspendCustomer', aggregateId: 'c-2', payload: { reason: 'fraud' }, commandId: 'cmd-2' };
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-2', payload: ann }, table.deps());
    const first = await handleCommand(customer, command, table.deps());
    const items = (await table.scanAll()).length;
    // WHEN the suspension is retried: decide alone would throw "Can only suspend active customers"
    const second = await handleCommand(customer, command, table.deps());
    // THEN
    expect(second).toEqual(first);
    expect((await table.scanAll()).length).toBe(items);
  });

  test('returns the first result when the retry carries an expectedVersion now outdated', async () => {
    // GIVEN
    const command = { type: 'RegisterCustomer', aggregateId: 'c-3', payload: ann, commandId: 'cmd-3', expectedVersion: 0 };
    const first = await handleCommand(customer, command, table.deps());
    const items = (await table.scanAll()).length;
    // WHEN
    const second = await handleCommand(customer, command, table.deps());
    // THEN
    expect(second).toEqual(first);
    expect(first.version).toBe(1);
    expect((await table.scanAll()).length).toBe(items);
  });

  test('a different commandId is a new command', async () => {
    // GIVEN
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-4', payload: ann, commandId: 'a' }, table.deps());
    // WHEN / THEN
    await expect(handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-4', payload: ann, commandId: 'b' }, table.deps()))
      .rejects.toMatchObject({ name: 'DomainError', message: 'Customer already exists' });
  });
});

describe('a commandId is one command', () => {
  test('fails with IdempotencyKeyReused when it comes again with another payload, and writes nothing', async () => {
    const first = { type: 'RegisterCustomer', aggregateId: 'c-reuse', payload: ann, commandId: 'cmd-reuse' };
    await handleCommand(customer, first, table.deps());
    const before = await table.scanAll();
    await expect(handleCommand(customer, { ...first, payload: { ...ann, name: 'Anne' } }, table.deps()))
      .rejects.toMatchObject({ name: 'IdempotencyKeyReused', commandId: 'cmd-reuse', aggregateId: 'c-reuse' });
    expect(await table.scanAll()).toEqual(before);
  });

  test('fails with IdempotencyKeyReused when it comes again with another command type that would succeed', async () => {
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-reuse-2', payload: ann, commandId: 'cmd-r2' }, table.deps());
    const before = await table.scanAll();
    await expect(handleCommand(customer, { type: 'SuspendCustomer', aggregateId: 'c-reuse-2', payload: { reason: 'x' }, commandId: 'cmd-r2' }, table.deps()))
      .rejects.toMatchObject({ name: 'IdempotencyKeyReused' });
    expect(await table.scanAll()).toEqual(before);
  });

  test('answers the same command again with its first result whatever the order of the payload\'s fields', async () => {
    const first = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-order', payload: ann, commandId: 'cmd-order' }, table.deps());
    await expect(handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-order', payload: { name: ann.name, email: ann.email }, commandId: 'cmd-order' }, table.deps()))
      .resolves.toEqual(first);
  });

  test.each([
    ['a', 'command#c', 'a#command', 'c'],
    ['x#', '#y', 'x', '##y'],
    ['1:a', 'b', '1', ':ab'],
  ])('is kept apart per aggregate: %s + %s and %s + %s are two commands', async (id1, cmd1, id2, cmd2) => {
    // GIVEN two aggregates whose ids and commandIds join to the same text
    const one = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: id1, payload: ann, commandId: cmd1 }, table.deps());
    const two = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: id2, payload: ann, commandId: cmd2 }, table.deps());
    // THEN each is stored: the second was not taken for a retry of the first
    expect(one.events).toHaveLength(1);
    expect(two.events).toHaveLength(1);
    expect(two.events[0].aggregateId).toBe(id2);
  });
});

