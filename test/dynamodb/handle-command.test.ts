import { CommandClient, type CommandOf, isConcurrencyError, isDomainError, isUnknownCommand, isValidationError, ConcurrencyError, DomainError } from 'cdk-cqrs/runtime';
import { createCommandHandler } from '../../lambda/handlers/command-handler';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { inProcessLambda } from '../helpers/in-process-lambda';
import { customer } from '../helpers/test-aggregates';

let table: EventStoreTable;
let handler: ReturnType<typeof createCommandHandler>;
let client: CommandClient<CommandOf<typeof customer>>;
beforeAll(async () => {
  table = await createEventStoreTable('command-handler');
  handler = createCommandHandler(customer, table.deps());
  client = new CommandClient<CommandOf<typeof customer>>({ functionName: 'customer-commands', lambda: inProcessLambda(handler) });
});
afterAll(async () => { await table.drop(); });

const ann = { email: 'ann@example.com', name: 'Ann' };

describe('the command Lambda handler and its client', () => {
  test('answers a rejected command with { error } instead of throwing', async () => {
    await handler({ type: 'RegisterCustomer', aggregateId: 'c-1', payload: ann });
    await expect(handler({ type: 'RegisterCustomer', aggregateId: 'c-1', payload: ann })).resolves.toEqual({
      error: { name: 'DomainError', message: 'Customer already exists' },
    });
    await expect(handler({ type: 'SuspendCustomer', aggregateId: 'c-1', payload: { reason: 'x' }, expectedVersion: 0 })).resolves.toEqual({
      error: expect.objectContaining({ name: 'ConcurrencyError', aggregateId: 'c-1', expectedVersion: 0, currentVersion: 1 }),
    });
  });

  test('the client returns the CommandResult of a successful command', async () => {
    const result = await client.send({ type: 'RegisterCustomer', aggregateId: 'c-2', payload: ann });
    expect(result).toMatchObject({ aggregateId: 'c-2', version: 1, events: [{ type: 'CustomerRegistered', data: ann }] });
  });

  test('fails with the typed errors, rebuilt by the client from the answers', async () => {
    await client.send({ type: 'RegisterCustomer', aggregateId: 'c-3', payload: ann });
    const domain = await client.send({ type: 'RegisterCustomer', aggregateId: 'c-3', payload: ann }).catch((err: unknown) => err);
    expect(isDomainError(domain) && domain instanceof DomainError).toBe(true);
    const conflict = await client.send({ type: 'SuspendCustomer', aggregateId: 'c-3', payload: { reason: 'x' }, expectedVersion: 5 }).catch((err: unknown) => err);
    expect(isConcurrencyError(conflict) && conflict instanceof ConcurrencyError).toBe(true);
    expect(conflict).toMatchObject({ currentVersion: 1, expectedVersion: 5, message: 'Customer c-3 is at version 1; the command expected 5. Reload and retry, or omit expectedVersion.' });
    const invalid = await client.send({ type: 'RegisterCustomer', aggregateId: 'c-4', payload: { email: 'x', name: 'X' } }).catch((err: unknown) => err);
    expect(isValidationError(invalid) && invalid.issues[0].path).toEqual(['email']);
    const unknown = await handler({ type: 'Nope', aggregateId: 'c-4', payload: {} });
    expect(unknown).toMatchObject({ error: { name: 'UnknownCommand', commandType: 'Nope' } });
    expect(isUnknownCommand(await client.send({ type: 'Nope', aggregateId: 'c-4', payload: {} } as unknown as CommandOf<typeof customer>).catch((e: unknown) => e))).toBe(true);
  });

  test('fails at init when the module does not default-export an aggregate', () => {
    expect(() => createCommandHandler({ commands: {} })).toThrow("the command handler's module must have defineAggregate(...) as its default export; it has not a definition (object).");
  });

  test('fails on its first command when an environment variable is missing', async () => {
    const fromEnv = createCommandHandler(customer);
    await expect(fromEnv({ type: 'RegisterCustomer', aggregateId: 'x', payload: ann })).rejects.toThrow('Environment variable CQRS_EVENT_STORE_TABLE is not set');
  });
});
