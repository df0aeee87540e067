import { specFor, type ErrorClass } from 'cdk-cqrs/testing';
import { DomainError, UnknownCommand, ValidationError } from 'cdk-cqrs/runtime';
import { handleCommand } from '../../lambda/write/handle-command';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { counter, customer } from '../helpers/test-aggregates';

let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('spec-matches-handler', { stream: false }); });
afterAll(() => table.drop());

/** Sends one command to the deployed handler's code on a new aggregate: the error name it is refused with, or undefined. */
async function handlerRefusal(aggregate: typeof customer | typeof counter, command: Record<string, unknown>): Promise<string | undefined> {
  const aggregateId = `agg-${Math.random().toString(36).slice(2)}`;
  try {
    await handleCommand(aggregate, { aggregateId, ...command }, table.deps());
    return undefined;
  } catch (error) {
    return (error as Error).name;
  }
}

// Each command is sent to the deployed handler (DynamoDB Local) and to a spec given no events: both refuse it, with the same error.
const refused: [string, typeof customer | typeof counter, Record<string, unknown>, ErrorClass][] = [
  ['an unknown command', customer, { type: 'DeleteCustomer', payload: {} }, UnknownCommand],
  ['a command named like an Object member', customer, { type: 'constructor', payload: { type: 'CustomerRegistered' } }, UnknownCommand],
  ['an event over EventBridge\'s 256 KB entry limit', counter, { type: 'Increment', payload: { by: 1, padding: 260 * 1024 } }, ValidationError],
  ['more events than one write holds', counter, { type: 'Increment', payload: { by: 1, times: 99 } }, ValidationError],
  ['a payload that fails its schema', customer, { type: 'RegisterCustomer', payload: { email: 'no', name: 'A' } }, ValidationError],
  ['an envelope without a payload', customer, { type: 'RegisterCustomer' }, ValidationError],
  ['a command its aggregate refuses', customer, { type: 'SuspendCustomer', payload: { reason: 'late' } }, DomainError],
];

describe('a spec refuses exactly what the deployed handler refuses', () => {
  test.each(refused)('fails %s in both', async (_label, aggregate, command, errorClass) => {
    expect(await handlerRefusal(aggregate, command)).toBe(errorClass.name);
    await specFor(aggregate as typeof counter).given([]).when(command as never).thenThrows(errorClass);
  });

  test('accepts the largest command that fits, in both', async () => {
    const command = { type: 'Increment', payload: { by: 1, times: 98 } } as const;
    expect(await handlerRefusal(counter, command)).toBeUndefined();
    await specFor(counter).given([]).when(command).then(Array.from({ length: 98 }, () => ({ type: 'Incremented' as const, data: { by: 1, padding: '' } })));
  });
});
