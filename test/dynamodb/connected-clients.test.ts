import { CommandClient, QueryClient, Repository, ValidationError, type CommandOf } from 'cdk-cqrs/runtime';
import customer from '../../bin/domain/customer';
import customerView from '../../bin/domain/customer-view';
import { handleCommand } from '../../lambda/write/handle-command';
import { clientEnvName, type ClientEnvPart } from '../../lib/private/runtime-contract';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { createSessionTable } from '../helpers/create-session-table';

// What a function given `customers.connect(fn)` sees: the variables the construct sets (their
// names and values are pinned by test/lib/connect.test.ts), read by the clients made with { aggregateName }.
let store: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
let readModel: ReadModelTable;
const saved = { ...process.env };

beforeAll(async () => {
  [store, sessions, readModel] = await Promise.all([
    createEventStoreTable('connected-events'), createSessionTable('connected-sessions'), createReadModelTable('connected-read-model'),
  ]);
});
afterAll(async () => { await Promise.all([store.drop(), sessions.drop(), readModel.drop()]); });
afterEach(() => { process.env = { ...saved }; });

const connectAs = (parts: Partial<Record<ClientEnvPart, string>>) => {
  for (const [part, value] of Object.entries(parts)) process.env[clientEnvName('Customer', part as ClientEnvPart)] = value;
};

describe('clients made with { aggregateName }', () => {
  test('a Repository reads the connected read model, with the session\'s own writes when the aggregate has readYourWrites', async () => {
    // GIVEN a registration sent in session s-1, not yet projected
    const ann = { email: 'ann@example.com', name: 'Ann' };
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-1', payload: ann, sessionId: 's-1' }, store.deps({ session: { tableName: sessions.tableName, ttlSeconds: 300 } }));
    connectAs({ readModelTable: readModel.tableName, sessionTable: sessions.tableName, eventStoreTable: store.tableName });
    // WHEN
    const customers = new Repository(customerView, { aggregateName: 'Customer', projectionName: 'CustomerView', dynamoDb: readModel.doc });
    // THEN the session sees its write; a read without it sees the (empty) read model
    expect(await customers.get('c-1', { sessionId: 's-1' })).toEqual({ ...ann, status: 'ACTIVE' });
    expect(await customers.get('c-1')).toBeUndefined();
  });

  test('a Repository of an aggregate without readYourWrites reads the read model, and a sessionId names the fix', async () => {
    connectAs({ readModelTable: readModel.tableName });
    const customers = new Repository(customerView, { aggregateName: 'Customer', projectionName: 'CustomerView', dynamoDb: readModel.doc });
    expect(await customers.get('c-nobody')).toBeUndefined();
    await expect(customers.get('c-nobody', { sessionId: 's-1' })).rejects.toThrow(ValidationError);
    await expect(customers.get('c-nobody', { sessionId: 's-1' })).rejects.toThrow(/aggregate\.connect\(fn\)` on an aggregate with readYourWrites/);
  });

  test('a client in a function that was not connected fails when made, naming the variable and the fix', () => {
    expect(() => new Repository(customerView, { aggregateName: 'Customer', projectionName: 'CustomerView' }))
      .toThrow(/Repository of CustomerView of aggregate 'Customer': environment variable CQRS_Customer_READ_MODEL_TABLE is not set.*aggregate\.connect\(fn\).*or pass tableName/);
    expect(() => new CommandClient({ aggregateName: 'Customer' }))
      .toThrow(/CommandClient of aggregate 'Customer': environment variable CQRS_Customer_COMMAND_FUNCTION is not set.*or pass functionName/);
    // A JavaScript caller that gives neither
    expect(() => new CommandClient({} as never)).toThrow(/CommandClient needs \{ aggregateName \}.*or \{ functionName \}/);
  });

  test('a CommandClient and a QueryClient use the connected functions; an explicit functionName wins', () => {
    connectAs({ commandFunction: 'shop-CustomersCommandHandler-1a2b', queryFunction: 'shop-CustomersQueryHandler-3c4d' });
    expect(new CommandClient<CommandOf<typeof customer>>({ aggregateName: 'Customer' }).functionName).toBe('shop-CustomersCommandHandler-1a2b');
    expect(new QueryClient({ aggregateName: 'Customer' }).functionName).toBe('shop-CustomersQueryHandler-3c4d');
    expect(new CommandClient({ functionName: 'other' }).functionName).toBe('other');
    expect(new QueryClient({ functionName: 'other' }).functionName).toBe('other');
  });

  test('a QueryClient in a function that was not connected to queries names the variable', () => {
    connectAs({ commandFunction: 'shop-CustomersCommandHandler-1a2b' });
    expect(() => new QueryClient({ aggregateName: 'Customer' }))
      .toThrow(/QueryClient of aggregate 'Customer': environment variable CQRS_Customer_QUERY_FUNCTION is not set/);
  });
});
