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
