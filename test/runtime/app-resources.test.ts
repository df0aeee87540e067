import { AppResources, localNames } from '../../lambda/local/app-resources';
import type { EnvValue, FunctionResource, LocalTopology, QueueResource, TableResource } from '../../lambda/local/cloud-assembly';

// Small topologies written by hand, as readCloudAssembly answers them: no synth, no files.

type Environment = Record<string, string | { ref: string }>;

const fn = (logicalId: string, environment: Environment, stack = 'Shop'): FunctionResource => ({
  key: `${stack}/${logicalId}`, logicalId, path: `${stack}/${logicalId}/Resource`,
  codeDirectory: '/assets/unused', handler: 'index.handler', timeoutSeconds: 3,
  environment: Object.fromEntries(Object.entries(environment).map(([name, value]): [string, EnvValue] =>
    [name, typeof value === 'string' ? { literal: value } : { ref: `${stack}/${value.ref}` }])),
});
const table = (logicalId: string, stack = 'Shop'): TableResource => ({ key: `${stack}/${logicalId}`, logicalId, path: `${stack}/${logicalId}`, properties: {} });
const queue = (logicalId: string, path: string): QueueResource => ({ key: `Shop/${logicalId}`, logicalId, path });

function resources(parts: { functions: FunctionResource[]; tables?: TableResource[]; queues?: QueueResource[] }): AppResources {
  const topology: LocalTopology = { tables: parts.tables ?? [], functions: parts.functions, queues: parts.queues ?? [], buses: [], rules: [], mappings: [], apis: [], named: [], sqlMigrations: [] };
  return new AppResources(topology, localNames(topology, 'test-'));
}

/** The functions CqrsAggregate makes for `aggregate`, with their roles and what each is told. */
const aggregateFunctions = (aggregate: string, options: { projection?: string; stack?: string; sessions?: boolean; queries?: boolean } = {}) => [
  fn(`${aggregate}CommandHandler`, {
    CQRS_FUNCTION_ROLE: 'command-handler', CQRS_AGGREGATE_NAME: aggregate, CQRS_SNAPSHOT_EVERY: '100',
    CQRS_EVENT_STORE_TABLE: { ref: `${aggregate}EventStore` }, ...(options.sessions ? { CQRS_SESSION_TABLE: { ref: `${aggregate}Sessions` } } : {}),
  }, options.stack),
  fn(`${aggregate}Publisher`, { CQRS_FUNCTION_ROLE: 'publisher', CQRS_AGGREGATE_NAME: aggregate, CQRS_EVENT_STORE_TABLE: { ref: `${aggregate}EventStore` } }, options.stack),
  ...(options.projection ? [fn(`${options.projection}Projector`, {
    CQRS_FUNCTION_ROLE: 'projector', CQRS_AGGREGATE_NAME: aggregate, CQRS_PROJECTION_NAME: options.projection,
    CQRS_READ_MODEL_TABLE: { ref: `${aggregate}ReadModel` }, CQRS_EVENT_STORE_TABLE: { ref: `${aggregate}EventStore` },
  }, options.stack)] : []),
  ...(options.queries ? [fn(`${aggregate}Queries`, {
    CQRS_FUNCTION_ROLE: 'query-handler', CQRS_AGGREGATE_NAME: aggregate, CQRS_READ_MODEL_TABLE: { ref: `${aggregate}ReadModel` },
  }, options.stack)] : []),
];
const aggregateTables = (aggregate: string) => [table(`${aggregate}EventStore`), table(`${aggregate}ReadModel`), table(`${aggregate}Sessions`)];

describe('AppResources: the command handler of an aggregate', () => {
  test('is the function whose role is command-handler and whose CQRS_AGGREGATE_NAME is the aggregate\'s name', () => {
    // GIVEN a publisher and a projector told the same aggregate name, and another aggregate
    const app = resources({
      functions: [...aggregateFunctions('Customer', { projection: 'CustomerView', sessions: true }), ...aggregateFunctions('Order')],
      tables: [...aggregateTables('Customer'), ...aggregateTables('Order')],
    });

    // THEN
    expect(app.commandHandlerOf('Customer').key).toBe('Shop/CustomerCommandHandler');
    expect(app.commandHandlerName('Customer')).toBe('CustomerCommandHandler');
    expect(app.commandHandlerName('Order')).toBe('OrderCommandHandler');
    expect(app.eventStoreTableName('Customer')).toBe('test-CustomerEventStore');
    expect(app.sessionTableName('Customer')).toBe('test-CustomerSessions');
  });

  test('is found by its role alone: a command handler without CQRS_SNAPSHOT_EVERY is still one', () => {
    const app = resources({ functions: [fn('Handler', { CQRS_FUNCTION_ROLE: 'command-handler', CQRS_AGGREGATE_NAME: 'Customer' })] });

    expect(app.commandHandlerName('Customer')).toBe('Handler');
  });

  test.each([
    ['another role', { CQRS_FUNCTION_ROLE: 'publisher' }],
    ['no role', {}],
  ])('is not a function with CQRS_SNAPSHOT_EVERY and %s', (_what, role) => {
    // GIVEN a function told an aggregate's name and a snapshot interval, which is not a command handler
    const app = resources({ functions: [...aggregateFunctions('Order'), fn('Snapshotter', { ...role, CQRS_AGGREGATE_NAME: 'Customer', CQRS_SNAPSHOT_EVERY: '100' })] });

    // THEN it is not taken for Customer's command handler, nor listed among the aggregates
    expect(() => app.commandHandlerOf('Customer')).toThrow("cdk-cqrs local: the app has no aggregate 'Customer'. Its aggregates: Order.");
  });

  test('an unknown aggregate is an error that lists the aggregates the app has', () => {
    const app = resources({ functions: [...aggregateFunctions('Customer'), ...aggregateFunctions('Order')] });

    expect(() => app.commandHandlerName('Account')).toThrow("cdk-cqrs local: the app has no aggregate 'Account'. Its aggregates: Customer, Order.");
  });

  test('an aggregate defined in two stacks of the assembly is an error, as the app has two command handlers of that name', () => {
    const app = resources({ functions: [...aggregateFunctions('Customer', { stack: 'Blue' }), ...aggregateFunctions('Customer', { stack: 'Green' })] });

    expect(() => app.commandHandlerName('Customer'))
      .toThrow("cdk-cqrs local: the app has 2 aggregates named 'Customer' (in different stacks?); run an assembly that has one.");
  });

  test('an assembly whose functions state no role is an error that says to synthesize it again', () => {
    const app = resources({ functions: [fn('Handler', { CQRS_AGGREGATE_NAME: 'Customer', CQRS_SNAPSHOT_EVERY: '100' })] });

    expect(() => app.commandHandlerName('Customer')).toThrow(
      "cdk-cqrs local: the app has no aggregate 'Customer'. Its aggregates: none. None of its functions sets CQRS_FUNCTION_ROLE (synthesized with an older cdk-cqrs?): run `cdk synth` again.");
  });

  test('an aggregate without readYourWrites has no session table, and the error says what to set', () => {
    const app = resources({ functions: aggregateFunctions('Customer'), tables: aggregateTables('Customer') });

    expect(() => app.sessionTableName('Customer'))
      .toThrow("cdk-cqrs local: aggregate 'Customer' has no session table: set readYourWrites on its CqrsAggregate.");
  });
});

describe('AppResources: the query function of an aggregate', () => {
  test('is the function whose role is query-handler and whose CQRS_AGGREGATE_NAME is the aggregate\'s name', () => {
    const app = resources({ functions: [...aggregateFunctions('Customer', { queries: true, projection: 'CustomerView' }), ...aggregateFunctions('Order', { queries: true })] });

    expect(app.queryHandlerOf('Customer').key).toBe('Shop/CustomerQueries');
    expect(app.queryHandlerName('Order')).toBe('OrderQueries');
  });

  test('an aggregate without queries is an error that says to set them; an unknown aggregate lists the aggregates', () => {
    const app = resources({ functions: [...aggregateFunctions('Customer'), ...aggregateFunctions('Order', { queries: true })] });

    expect(() => app.queryHandlerName('Customer')).toThrow(
      "cdk-cqrs local: aggregate 'Customer' has no query function: set queries: { entry } on its CqrsAggregate, to a module whose default export is defineQueries(...).");
    expect(() => app.queryHandlerName('Account')).toThrow("cdk-cqrs local: the app has no aggregate 'Account'. Its aggregates: Customer, Order.");
  });

  test('a query function that does not say its aggregate (an older synth) is an error that says to synthesize again', () => {
    const app = resources({ functions: [...aggregateFunctions('Customer'), fn('Queries', { CQRS_FUNCTION_ROLE: 'query-handler' })] });

    expect(() => app.queryHandlerName('Customer')).toThrow(/has no query function: .* run `cdk synth` again\.$/);
  });
});

describe('AppResources: the projector of a projection', () => {
  test('is the function whose role is projector and whose CQRS_PROJECTION_NAME is the projection\'s name; its read model is the table it writes', () => {
    const app = resources({
      functions: [...aggregateFunctions('Customer', { projection: 'CustomerView' }), ...aggregateFunctions('Order', { projection: 'OrdersByCustomer' })],
      tables: [...aggregateTables('Customer'), ...aggregateTables('Order')],
    });

    expect(app.projectorOf('OrdersByCustomer').key).toBe('Shop/OrdersByCustomerProjector');
    expect(app.readModelTableName('CustomerView')).toBe('test-CustomerReadModel');
  });

  test('is not a function with CQRS_PROJECTION_NAME and another role', () => {
    const app = resources({
      functions: [
        ...aggregateFunctions('Customer', { projection: 'CustomerView' }),
        fn('Queries', { CQRS_FUNCTION_ROLE: 'query-handler', CQRS_PROJECTION_NAME: 'Totals', CQRS_READ_MODEL_TABLE: { ref: 'CustomerReadModel' } }),
      ],
      tables: aggregateTables('Customer'),
    });

    expect(() => app.readModelTableName('Totals')).toThrow("cdk-cqrs local: the app has no projection 'Totals'. Its projections: CustomerView.");
  });

  test('an unknown projection is an error that lists the projections the app has', () => {
    const app = resources({ functions: [...aggregateFunctions('Customer', { projection: 'CustomerView' }), ...aggregateFunctions('Order', { projection: 'OrdersByCustomer' })] });

    expect(() => app.projectorOf('Customers')).toThrow("cdk-cqrs local: the app has no projection 'Customers'. Its projections: CustomerView, OrdersByCustomer.");
  });
});

describe('AppResources: functions and queues by name', () => {
  const app = resources({
    functions: aggregateFunctions('Customer', { projection: 'CustomerView' }),
    queues: [queue('ViewQueue', 'Shop/Customers/CustomerView/Queue/Resource'), queue('ViewDlq', 'Shop/Customers/CustomerView/DeadLetterQueue/Resource')],
  });

  test.each([
    ['its logical ID', 'CustomerPublisher'],
    ['its resource key', 'Shop/CustomerPublisher'],
    ['its construct path', 'Shop/CustomerPublisher/Resource'],
    ['a unique part of its construct path', 'Publisher'],
    ['its ARN', 'arn:aws:lambda:us-east-1:000000000000:function:CustomerPublisher'],
    ['its ARN with a qualifier', 'arn:aws:lambda:us-east-1:000000000000:function:CustomerPublisher:$LATEST'],
  ])('finds a function by %s', (_how, name) => {
    expect(app.findFunction(name).key).toBe('Shop/CustomerPublisher');
  });

  test('a name that points at no function, or at several, is an error that lists the functions', () => {
    const functions = 'Functions: CustomerCommandHandler, CustomerPublisher, CustomerViewProjector.';
    expect(() => app.findFunction('Nope')).toThrow(`cdk-cqrs local: 0 functions match 'Nope'. ${functions}`);
    expect(() => app.findFunction('Customer')).toThrow(`cdk-cqrs local: 3 functions match 'Customer'. ${functions}`);
  });

  test('finds a queue by its logical ID or a unique part of its construct path', () => {
    expect(app.findQueue('ViewDlq').key).toBe('Shop/ViewDlq');
    expect(app.findQueue('DeadLetterQueue').key).toBe('Shop/ViewDlq');
    expect(() => app.findQueue('CustomerView')).toThrow("cdk-cqrs local: 2 queues match 'CustomerView'; give a construct path that names one.");
  });
});

describe('AppResources: a function\'s environment', () => {
  test('is its template\'s, with each Ref turned into the local name of the resource', () => {
    const app = resources({ functions: aggregateFunctions('Customer'), tables: aggregateTables('Customer') });

    expect(app.environmentOf(app.findFunction('CustomerPublisher'))).toEqual({
      CQRS_FUNCTION_ROLE: 'publisher', CQRS_AGGREGATE_NAME: 'Customer', CQRS_EVENT_STORE_TABLE: 'test-CustomerEventStore',
    });
  });

  test('a Ref to a resource local runs do not provide is an error that names the variable', () => {
    const app = resources({ functions: [fn('Handler', { SECRET_NAME: { ref: 'Secret' } })] });

    expect(() => app.environmentOf(app.findFunction('Handler')))
      .toThrow('cdk-cqrs local: Shop/Handler/Resource sets SECRET_NAME to a resource (Shop/Secret) that local runs do not provide.');
  });
});

describe('localNames', () => {
  test('names tables by the prefix and their logical ID, buses by their own name, functions by their logical ID', () => {
    const topology: LocalTopology = {
      tables: [table('EventStore')], functions: [fn('Handler', {})], queues: [], rules: [], mappings: [], apis: [], named: [], sqlMigrations: [],
      buses: [{ key: 'Shop/Bus', logicalId: 'Bus', path: 'Shop/Bus', name: 'shop-events' }],
    };

    expect(Object.fromEntries(localNames(topology, 'run1-'))).toEqual({ 'Shop/EventStore': 'run1-EventStore', 'Shop/Bus': 'shop-events', 'Shop/Handler': 'Handler' });
  });
});

describe('environment values joined from parts', () => {
  const withEnvironment = (environment: Record<string, EnvValue>): { resources: AppResources; handler: FunctionResource } => {
    const handler: FunctionResource = { ...fn('SqlProjector', {}), environment };
    const topology: LocalTopology = {
      tables: [table('OrderEvents')], functions: [handler], queues: [], buses: [], rules: [], mappings: [], apis: [],
      named: [{ key: 'Shop/Cluster', logicalId: 'Cluster', path: 'Shop/Cluster' }], sqlMigrations: [],
    };
    return { resources: new AppResources(topology, localNames(topology, 'run-'), { 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '000000000000', 'AWS::Partition': 'aws' }), handler };
  };

  test('an ARN and a JSON map of table names resolve part by part: pseudo parameters, named resources and tables by their local names', () => {
    const { resources, handler } = withEnvironment({
      CLUSTER: { separator: '', join: [{ literal: 'arn:' }, { pseudo: 'AWS::Partition' }, { literal: ':rds:' }, { pseudo: 'AWS::Region' }, { literal: ':' }, { pseudo: 'AWS::AccountId' }, { literal: ':cluster:' }, { ref: 'Shop/Cluster' }] },
      SOURCES: { separator: '', join: [{ literal: '{"Order":"' }, { ref: 'Shop/OrderEvents' }, { literal: '"}' }] },
      LIST: { separator: ',', join: [{ literal: 'a' }, { literal: 'b' }] },
    });
    expect(resources.environmentOf(handler)).toEqual({
      CLUSTER: 'arn:aws:rds:eu-west-1:000000000000:cluster:Cluster', SOURCES: '{"Order":"run-OrderEvents"}', LIST: 'a,b',
    });
  });

  test('a pseudo parameter local runs do not know, even one named like an own property of objects, is an error that names it', () => {
    for (const pseudo of ['AWS::NotificationARNs', 'constructor', '__proto__']) {
      const { resources, handler } = withEnvironment({ X: { separator: '', join: [{ pseudo }] } });
      expect(() => resources.resolve(handler, 'X')).toThrow(`cdk-cqrs local: Shop/SqlProjector/Resource sets X to the pseudo parameter ${pseudo}, which local runs do not provide.`);
    }
  });
});
