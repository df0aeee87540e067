import type { InvokeCommand } from '@aws-sdk/client-lambda';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import type { OrderViewTables } from '../../bin/domain/order-view';
import { createSqlProjector, type SqlProjector } from '../../lambda/handlers/sql-projector';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import type { SqlProjectionContext } from '../../lambda/sql/define-sql-projection';
import { defineSqlQueries } from '../../lambda/sql/define-sql-queries';
import { handleSqlQuery } from '../../lambda/sql/handle-sql-query';
import { migrateReadModel } from '../../lambda/sql/migrate-read-model';
import type { SqlRebuildRequest } from '../../lambda/sql/rebuild-sql-projection';
import { allGenerations } from '../../lambda/sql/sql-generations';
import type { Migration } from '../../lambda/sql/sql-migrations';
import { EventStore } from '../../lambda/store/event-store';
import type { QueueMessage } from '../../lambda/projection/queue-message';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { startLocalSql, type LocalSql } from '../helpers/local-sql';
import { assertProperty } from '../helpers/property-report';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { prng } from '../helpers/read-model-check';
import { orderViewFold, orderViewMigrations, orderViewProjection, orderViewRows, storedOrder } from '../helpers/sql-order-view';
import { storeEvents } from '../helpers/store-events';

let local: LocalSql;
beforeAll(async () => { local = await startLocalSql(); });
afterAll(async () => { await local?.stop(); });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;
type Rebuild = SqlRebuildRequest['rebuild'];

/** The query a read model's users run during the rebuild: every order, their count, and the schema read (to tell a generation from a mix). */
const queries = defineSqlQueries<OrderViewTables>()({
  Orders: async (_params: Record<string, never>, { db }) => {
    const { rows } = await sql<{ schema: string; count: number | string }>`SELECT current_schema() AS schema, count(*) AS count FROM orders`.execute(db);
    const orders = await db.selectFrom('orders').selectAll().orderBy('order_id').execute();
    return { schema: rows[0].schema, count: Number(rows[0].count), orders };
  },
});
interface OrdersRead { schema: string; count: number; orders: unknown[] }

/** Two event stores (Order, Customer) of their own: a rebuild scans a whole table. */
async function eventStores(): Promise<{ orders: EventStoreTable; customers: EventStoreTable; drop: () => Promise<void> }> {
  const [orders, customers] = await Promise.all([createEventStoreTable('sql-rebuild-orders', { stream: false }), createEventStoreTable('sql-rebuild-customers', { stream: false })]);
  return { orders, customers, drop: async () => { await Promise.all([orders.drop(), customers.drop()]); } };
}

/** A fake Lambda client: the asynchronous invocations the projector asks for, queued (their payloads decoded). */
function selfInvoker() {
  const queued: Rebuild[] = [];
  return {
    queued,
    lambda: {
      send: async (command: InvokeCommand) => {
        expect(command.input.InvocationType).toBe('Event');
        queued.push((JSON.parse(new TextDecoder().decode(command.input.Payload as Uint8Array)) as SqlRebuildRequest).rebuild);
        return {};
      },
    },
  };
}

let projections = 0;
/** A projection's projector on the order view with fresh event stores, its generation 1 made by the migrator. */
async function orderViewSetup(definition: unknown = orderViewProjection, migrations: Migration[] = orderViewMigrations()) {
  projections += 1;
  const projectionName = `RebuildView${projections}`;
  const stores = await eventStores();
  const { db } = local.connect();
  await migrateReadModel(db, { [projectionName]: migrations });
  const invoker = selfInvoker();
  const progress: Record<string, unknown>[] = [];
  const logs: Record<string, unknown>[] = [];
  const deps = {
    db, projectionName,
    eventStoreOf: (name: string) => (name === 'Order' ? new EventStore(stores.orders.doc, stores.orders.tableName, 0) : name === 'Customer' ? new EventStore(stores.customers.doc, stores.customers.tableName, 0) : undefined),
    sources: new Map([['Order', stores.orders.tableName], ['Customer', stores.customers.tableName]]),
    dynamoDb: stores.orders.doc,
    lambda: invoker.lambda,
    progress: (entry: Record<string, unknown>) => progress.push(entry),
    log: (entry: Record<string, unknown>) => logs.push(entry),
  };
  const projector = createSqlProjector(definition, deps);
  return { projectionName, db, stores, invoker, progress, logs, deps, projector };
}

/** A context with time for one page only (then the segment goes on in a new invocation), or plenty. */
const context = (remaining: () => number = () => 0) => ({ functionName: 'RebuildViewProjector', getRemainingTimeInMillis: remaining });

const generationsOf = async (db: Db, projectionName: string) => (await allGenerations(db, projectionName)).map(({ generation, status }) => ({ generation, status }));
const schemaExists = async (db: Db, schemaName: string) =>
  (await sql`SELECT 1 FROM information_schema.schemata WHERE schema_name = ${schemaName}`.execute(db)).rows.length > 0;

/** Runs the queued invocations, oldest first, until none is left. */
async function drain(projector: SqlProjector, queued: Rebuild[]): Promise<string[]> {
  const outcomes: string[] = [];
  while (queued.length > 0) outcomes.push((await projector({ rebuild: queued.shift()! }, context())).outcome);
  return outcomes;
}

/** Stores events and delivers them live, in batches of 10, each message twice. */
async function storeAndDeliver(setup: Awaited<ReturnType<typeof orderViewSetup>>, events: readonly EventEnvelope[]): Promise<void> {
  await storeEvents(setup.stores.customers.doc, setup.stores.customers.tableName, events.filter((e) => e.aggregateName === 'Customer'));
  await storeEvents(setup.stores.orders.doc, setup.stores.orders.tableName, events.filter((e) => e.aggregateName === 'Order'));
  const messages = events.flatMap((event) => [queueMessage(event), queueMessage(event)]);
  for (let i = 0; i < messages.length; i += 10) {
    expect(await setup.projector({ Records: messages.slice(i, i + 10) })).toEqual({ batchItemFailures: [] });
  }
}

const customerEvents = (id: string, name: string) => envelopes('Customer', id, [{ type: 'CustomerRegistered', data: { name, email: `${name}@example.com` } }]);
const orderEvents = (id: string, customerId: string, shipped = false) => envelopes('Order', id, [
  { type: 'OrderCreated', data: { customerId, items: [{ sku: 'A#1', quantity: 2, unitPrice: 150 }], total: 300 } },
  ...(shipped ? [{ type: 'OrderShipped', data: { trackingNumber: `T-${id}` } }] : []),
]);
const someEvents = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => [
  ...customerEvents(`${prefix}#c${i}`, `Ann${i}`), ...orderEvents(`${prefix}#o${i}`, `${prefix}#c${i}`, i % 2 === 0),
]).flat();

// ---------------------------------------------------------------------------------------------
// The property: a rebuild during live projection
// ---------------------------------------------------------------------------------------------

const CUSTOMERS = 10;
const ORDERS = 20;
const names = fc.constantFrom('Ann', 'Zoë', 'O\'Brien', '李雷', 'a#b');
/** How many of an aggregate's events are stored and projected before the rebuild starts (0: the aggregate is new, all its events come live). */
const cut = fc.integer({ min: 0, max: 4 });
const customerHistory = fc.record({ name: names, emailChanges: fc.integer({ min: 0, max: 3 }), suspended: fc.boolean(), cut });
const orderHistory = fc.record({
  customer: fc.integer({ min: 0, max: CUSTOMERS + 2 }),
  items: fc.array(fc.record({ sku: fc.constantFrom('A', 'B#1', 'ß'), quantity: fc.integer({ min: 1, max: 5 }), unitPrice: fc.integer({ min: 0, max: 100_000 }) }), { minLength: 1, maxLength: 3 }),
  end: fc.constantFrom('open', 'cancel', 'ship'),
  cut,
});
const scenario = fc.record({
  customers: fc.array(customerHistory, { minLength: CUSTOMERS, maxLength: CUSTOMERS }),
  orders: fc.array(orderHistory, { minLength: ORDERS, maxLength: ORDERS }),
  totalSegments: fc.integer({ min: 1, max: 3 }),
  pageSize: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer(),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** Each aggregate's events, split at its cut: those before the rebuild, and those after (new events of known aggregates, and new aggregates). */
function toEvents(run: number, { customers, orders }: Scenario): { before: EventEnvelope[]; after: EventEnvelope[] } {
  const customerId = (index: number) => `r${run}#c${index}`;
  const streams = [
    ...customers.map((history, index) => ({ cut: history.cut, events: envelopes('Customer', customerId(index), [
      { type: 'CustomerRegistered', data: { name: history.name, email: `${index}@example.com` } },
      ...Array.from({ length: history.emailChanges }, (_, change) => ({ type: 'CustomerEmailUpdated', data: { previousEmail: '', email: `${index}.${change}@example.com` } })),
      ...(history.suspended ? [{ type: 'CustomerSuspended', data: { reason: 'r' } }] : []),
    ]) })),
    // The first order is always projected before the rebuild: reads have something to lose.
    ...orders.map((history, index) => ({ cut: index === 0 ? Math.max(1, history.cut) : history.cut, events: envelopes('Order', `r${run}#o${index}`, [
      { type: 'OrderCreated', data: { customerId: customerId(history.customer), items: history.items, total: history.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0) } },
      ...(history.end === 'cancel' ? [{ type: 'OrderCancelled', data: { reason: 'changed my mind' } }] : history.end === 'ship' ? [{ type: 'OrderShipped', data: { trackingNumber: `T-${index}` } }] : []),
    ]) })),
  ];
  return { before: streams.flatMap((s) => s.events.slice(0, s.cut)), after: streams.flatMap((s) => s.events.slice(s.cut)) };
}

let run = 0;
describe('SQL rebuild during live projection', () => {
  test('gives the tables of a sequential fold and switches with no window of empty, stale or mixed reads', async () => {
    const seen = { continuations: 0, duplicates: 0, stale: 0, readsBefore: 0, readsAfter: 0 };
    await assertProperty(fc.asyncProperty(scenario, async (generated) => {
      // GIVEN the order view, generation 1, fed live with a first set of events (every aggregate's first `cut` events)
      run += 1;
      const random = prng(generated.seed);
      const setup = await orderViewSetup();
      const { db, projectionName, projector, invoker } = setup;
      try {
        const { before, after } = toEvents(run, generated);
        const referenceName = `RebuildReference${run}`;
        await migrateReadModel(db, { [referenceName]: orderViewMigrations() });
        const [reference] = await allGenerations(db, referenceName);
        const storedBefore = storedOrder(random, before);
        await storeAndDeliver(setup, storedBefore);
        await orderViewFold(db, reference.schemaName, storedBefore);
        const ordersBefore = (await orderViewRows(db, `${projectionName.toLowerCase()}_g1`)).orders.length;
        expect(ordersBefore).toBeGreaterThan(0);

        // WHEN a rebuild starts (segments of both sources, small pages, little time: many continuations) ...
        expect(await projector({ rebuild: { totalSegments: generated.totalSegments, pageSize: generated.pageSize } }, context()))
          .toEqual({ generation: 2, outcome: 'started', aggregates: 0 });
        expect(invoker.queued).toHaveLength(2 * generated.totalSegments);
        // ... and, in a random order, its invocations run (any queued one; 10% are delivered twice), live batches of new events are stored then delivered (30% duplicates, shuffled), and queries read
        const stored = storedOrder(random, after);
        const batches: EventEnvelope[][] = [];
        for (let i = 0; i < stored.length;) {
          const size = 1 + Math.floor(random() * 6);
          batches.push(stored.slice(i, i + size));
          i += size;
        }
        const read = async () => {
          const answer = await handleSqlQuery(queries, { type: 'Orders', params: {} }, { db, projectionNames: [projectionName] }) as OrdersRead;
          // THEN every read is one whole generation (its orders are those of the schema it read, now)...
          expect(answer.orders).toEqual((await orderViewRows(db, answer.schema)).orders);
          // ... never empty, never fewer orders than before the rebuild, and exactly the fold of every event stored so far (never a generation still being filled)
          expect(answer.count).toBeGreaterThanOrEqual(ordersBefore);
          expect(answer.count).toBe(answer.orders.length);
          expect(answer.orders).toEqual((await orderViewRows(db, reference.schemaName)).orders);
          return answer.schema;
        };
        const schemasRead: string[] = [];
        const duplicated = new Set<Rebuild>();
        while (invoker.queued.length > 0 || batches.length > 0) {
          const choice = random();
          if (invoker.queued.length > 0 && (choice < 0.45 || batches.length === 0)) {
            const index = Math.floor(random() * invoker.queued.length);
            const [request] = invoker.queued.splice(index, 1);
            if (!duplicated.has(request) && random() < 0.1) {
              duplicated.add(request);
              invoker.queued.splice(Math.floor(random() * (invoker.queued.length + 1)), 0, request);
              seen.duplicates += 1;
            }
            const report = await projector({ rebuild: request }, context(() => (random() < 0.7 ? 0 : 60_000)));
            if (report.outcome === 'stale') seen.stale += 1;
            if (request.resumeFrom) seen.continuations += 1;
          } else if (choice < 0.85) {
            const batch = batches.shift()!;
            await storeAndDeliverShuffled(setup, batch, random);
            await orderViewFold(db, reference.schemaName, batch);
          } else {
            schemasRead.push(await read());
          }
        }

        // THEN generation 2 is active, generation 1 retired; generation 2 equals the sequential fold of all events, and reads see it
        expect(await generationsOf(db, projectionName)).toEqual([{ generation: 1, status: 'retired' }, { generation: 2, status: 'active' }]);
        const active = `${projectionName.toLowerCase()}_g2`;
        expect(await orderViewRows(db, active)).toEqual(await orderViewRows(db, reference.schemaName));
        schemasRead.push(await read());
        expect(schemasRead[schemasRead.length - 1]).toBe(active);
        // Reads switched once, from generation 1 to 2, never back
        expect(schemasRead.join(' ')).toMatch(new RegExp(`^(${projectionName.toLowerCase()}_g1 )*(${active} ?)+$`));
        seen.readsBefore += schemasRead.filter((schema) => schema !== active).length;
        seen.readsAfter += schemasRead.filter((schema) => schema === active).length;
        const { rows } = await sql<{ done: boolean }>`SELECT done FROM cdk_cqrs.rebuild_segments WHERE projection = ${projectionName} AND generation = 2`.execute(db);
        expect(rows.map((row) => row.done)).toEqual(Array.from({ length: 2 * generated.totalSegments }, () => true));
      } finally {
        await setup.stores.drop();
      }
    // endOnFailure: a shrink runs whole rebuilds again and again (minutes); the seed replays the failure.
    }), { numRuns: 6, endOnFailure: true });
    // The runs went through what they claim to: continuations, duplicated and stale invocations, reads on both sides of the switch
    expect(Object.values(seen).every((count) => count > 0)).toBe(true);
  }, 300_000);
});

/** Stores a live batch, then delivers it with 30% duplicates, shuffled, to the same projector. */
async function storeAndDeliverShuffled(setup: Awaited<ReturnType<typeof orderViewSetup>>, events: readonly EventEnvelope[], random: () => number): Promise<void> {
  await storeEvents(setup.stores.customers.doc, setup.stores.customers.tableName, events.filter((e) => e.aggregateName === 'Customer'));
  await storeEvents(setup.stores.orders.doc, setup.stores.orders.tableName, events.filter((e) => e.aggregateName === 'Order'));
  const messages: QueueMessage[] = events.flatMap((event) => (random() < 0.3 ? [event, event] : [event])).map((event) => queueMessage(event))
    .map((message) => ({ message, key: random() })).sort((a, b) => a.key - b.key).map(({ message }) => message);
  expect(await setup.projector({ Records: messages })).toEqual({ batchItemFailures: [] });
}

/** The projection of the example tests below, its stores dropped after each. */
let setup: Awaited<ReturnType<typeof orderViewSetup>>;
afterEach(async () => { await setup?.stores.drop(); });
const g = (generation: number) => `${setup.projectionName.toLowerCase()}_g${generation}`;

// ---------------------------------------------------------------------------------------------
// Starting, restarting, failing and refusing
// ---------------------------------------------------------------------------------------------

describe('SQL rebuild', () => {
  test('a second start while one runs reports running and starts nothing', async () => {
    // GIVEN a rebuild under way
    setup = await orderViewSetup();
    await storeAndDeliver(setup, someEvents('run', 3));
    expect((await setup.projector({ rebuild: { totalSegments: 2 } }, context())).outcome).toBe('started');
    const queued = setup.invoker.queued.length;
    // WHEN it is started again
    const report = await setup.projector({ rebuild: { totalSegments: 3 } }, context());
    // THEN it reports the one running, invokes nothing, and changes no generation
    expect(report).toEqual({ generation: 2, outcome: 'running', aggregates: 0 });
    expect(setup.invoker.queued).toHaveLength(queued);
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 1, status: 'active' }, { generation: 2, status: 'building' }]);
    expect(setup.progress[setup.progress.length - 1].message).toContain('"restart": true');
  });

  test('restart drops the building generation and starts a new one; the dropped one\'s segments are stale and write nothing', async () => {
    // GIVEN a rebuild in 2 segments per source, one of its invocations run (a page, then a continuation)
    setup = await orderViewSetup();
    const events = someEvents('restart', 8);
    await storeAndDeliver(setup, events);
    await setup.projector({ rebuild: { totalSegments: 2, pageSize: 2 } }, context());
    const first = setup.invoker.queued.splice(0);
    await setup.projector({ rebuild: first.shift()! }, context());
    const dropped = [...first, ...setup.invoker.queued.splice(0)];
    // WHEN it is restarted in 1 segment per source
    const restarted = await setup.projector({ rebuild: { totalSegments: 1, restart: true } }, context());
    // THEN the first rebuild's generation is gone, and a new one is building
    expect(restarted.outcome).toBe('started');
    const building = restarted.generation;
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 1, status: 'active' }, { generation: building, status: 'building' }]);
    const fresh = setup.invoker.queued.splice(0);
    // WHEN the dropped rebuild's invocations run (they were queued before the restart), and any they invoke
    const expected = dropped.map(() => 'stale');
    const staleOutcomes = await drain(setup.projector, [...dropped]);
    staleOutcomes.push(...await drain(setup.projector, setup.invoker.queued));
    // THEN each reports stale and invokes nothing; the new generation holds nothing and no segment of it is done
    expect(staleOutcomes).toEqual(expected);
    expect((await orderViewRows(setup.db, g(building))).orders).toEqual([]);
    const { rows } = await sql<{ done: boolean }>`SELECT done FROM cdk_cqrs.rebuild_segments WHERE projection = ${setup.projectionName}`.execute(setup.db);
    expect(rows.map((row) => row.done)).toEqual([false, false]);
    // AND the new rebuild finishes and switches, its tables those of generation 1
    expect(await drain(setup.projector, fresh)).toContain('switched');
    expect(await orderViewRows(setup.db, g(building))).toEqual(await orderViewRows(setup.db, g(1)));
    // AND its number was never given before: the dropped generation's schema is gone, not made again
    expect(building).toBe(3);
    expect(await schemaExists(setup.db, g(2))).toBe(false);
  });

  test('a second full rebuild drops the retired generation when it switches, and keeps the one it retires', async () => {
    // GIVEN a projection rebuilt once (generation 2 active, 1 retired)
    setup = await orderViewSetup();
    await storeAndDeliver(setup, someEvents('twice', 4));
    await setup.projector({ rebuild: { totalSegments: 2 } }, context());
    await drain(setup.projector, setup.invoker.queued);
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 1, status: 'retired' }, { generation: 2, status: 'active' }]);
    // WHEN it is rebuilt again
    expect((await setup.projector({ rebuild: { totalSegments: 1 } }, context())).generation).toBe(3);
    // THEN generation 1 is kept while 3 builds, and dropped (schema and all) when 3 switches; 2 is retired and kept
    expect(await schemaExists(setup.db, g(1))).toBe(true);
    expect(await drain(setup.projector, setup.invoker.queued)).toEqual(['segment', 'switched']);
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 2, status: 'retired' }, { generation: 3, status: 'active' }]);
    expect(await schemaExists(setup.db, g(1))).toBe(false);
    expect(await orderViewRows(setup.db, g(3))).toEqual(await orderViewRows(setup.db, g(2)));
  });

  test('a handler that throws during a rebuild fails that invocation, naming the aggregate, the version and the fix', async () => {
    // GIVEN a projection whose handler throws on an event marked to fail, and such an event stored (as version 2 of o#bad)
    const counter = {
      definitionKind: 'sqlProjection' as const,
      aggregates: { Order: {} },
      events: {
        Order: {
          Stepped: async (event: EventEnvelope, { db }: SqlProjectionContext<unknown>) => {
            if ((event.data as { fail?: boolean }).fail) throw new Error('step refused');
            await sql`INSERT INTO counters (id, total) VALUES (${event.aggregateId}, 1) ON CONFLICT (id) DO UPDATE SET total = counters.total + 1`.execute(db);
          },
        },
      },
    };
    setup = await orderViewSetup(counter, [{ name: '001.sql', sql: 'CREATE TABLE counters (id text PRIMARY KEY, total integer NOT NULL);' }]);
    await storeEvents(setup.stores.orders.doc, setup.stores.orders.tableName, envelopes('Order', 'o#bad', [{ type: 'Stepped', data: {} }, { type: 'Stepped', data: { fail: true } }]));
    // WHEN a rebuild runs
    await setup.projector({ rebuild: { totalSegments: 1 } }, context());
    const orderSegment = setup.invoker.queued.find((request) => request.source === 'Order')!;
    // THEN the Order segment's invocation fails (Lambda retries it, then drops it), saying which event, and what to do
    await expect(setup.projector({ rebuild: orderSegment }, context())).rejects.toThrow(
      /the handler of Order o#bad version 2 threw, so the rebuild cannot finish: .*step refused.*Fix the handler, deploy, and start the rebuild again with "restart": true/,
    );
    // AND queries still read generation 1, the rebuild stays building
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 1, status: 'active' }, { generation: 2, status: 'building' }]);
  });

  test.each<[string, Rebuild, RegExp]>([
    ['totalSegments 0', { totalSegments: 0 }, /totalSegments must be an integer from 1 to 1000 \(given 0\)/],
    ['an unknown source', { generation: 2, source: 'Invoice', segment: 0, totalSegments: 1 }, /source must be one of Order, Customer \(given "Invoice"\)/],
    ['a segment out of range', { generation: 2, source: 'Order', segment: 4, totalSegments: 4 }, /segment must be an integer from 0 to 3 \(given 4\)/],
    ['restart not a boolean', { restart: 'yes' as unknown as boolean }, /restart must be true or false/],
  ])('a rebuild request with %s is refused before anything is written', async (_name, rebuild, message) => {
    setup = await orderViewSetup();
    await expect(setup.projector({ rebuild }, context())).rejects.toThrow(message);
    expect(setup.invoker.queued).toEqual([]);
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 1, status: 'active' }]);
  });
});

// ---------------------------------------------------------------------------------------------
// As an outsider would attack it
// ---------------------------------------------------------------------------------------------

describe('SQL rebuild, attacked', () => {
  test('a start whose fan-out fails drops the generation it made and says so, and a new start then runs', async () => {
    // GIVEN a Lambda client that refuses the second invocation (throttled)
    setup = await orderViewSetup();
    await storeAndDeliver(setup, someEvents('fanout', 3));
    const send = setup.invoker.lambda.send;
    let calls = 0;
    setup.invoker.lambda.send = async (command) => {
      calls += 1;
      if (calls === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      return send(command);
    };
    // WHEN a rebuild starts
    await expect(setup.projector({ rebuild: { totalSegments: 1 } }, context())).rejects.toThrow(
      `Rebuild of ${setup.projectionName}: invoking its segments failed (TooManyRequestsException: Rate exceeded), so ${g(2)} was dropped and nothing is being rebuilt; queries read the active generation as before. Start the rebuild again.`,
    );
    // THEN nothing is left building (before, the generation stayed building for good: its refused segment never ran, and every later start answered `running`)
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 1, status: 'active' }]);
    expect(await schemaExists(setup.db, g(2))).toBe(false);
    // AND the invocation that was sent is stale; a new start runs to its switch
    expect(await drain(setup.projector, setup.invoker.queued)).toEqual(['stale']);
    setup.invoker.lambda.send = send;
    expect((await setup.projector({ rebuild: { totalSegments: 1 } }, context())).outcome).toBe('started');
    expect(await drain(setup.projector, setup.invoker.queued)).toEqual(['segment', 'switched']);
    expect(await orderViewRows(setup.db, g(3))).toEqual(await orderViewRows(setup.db, g(1)));
  });

  test('two last segments finishing at once switch exactly once; a source with no events at all finishes at once', async () => {
    // GIVEN orders but no customer event at all
    setup = await orderViewSetup();
    await storeAndDeliver(setup, someEvents('once', 4).filter((event) => event.aggregateName === 'Order'));
    await setup.projector({ rebuild: { totalSegments: 1 } }, context());
    // WHEN the two segments (Order, Customer) run at the same time, with time for every page
    const reports = await Promise.all(setup.invoker.queued.splice(0).map((rebuild) => setup.projector({ rebuild }, context(() => 60_000))));
    // THEN one switches, the other only ends its segment; the tables are those of generation 1
    expect(reports.map((report) => report.outcome).sort()).toEqual(['segment', 'switched']);
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 1, status: 'retired' }, { generation: 2, status: 'active' }]);
    expect(await orderViewRows(setup.db, g(2))).toEqual(await orderViewRows(setup.db, g(1)));
  });

  test('the building generation is made whole or not at all: a start whose migration fails leaves nothing, and live projection goes on', async () => {
    // GIVEN generation 1's recorded migration edited so that it fails when replayed
    setup = await orderViewSetup();
    await sql`UPDATE ${sql.id(g(1), 'cdk_cqrs_migrations')} SET sql = sql || ' SELECT * FROM no_such_table;'`.execute(setup.db);
    // WHEN a rebuild starts
    await expect(setup.projector({ rebuild: { totalSegments: 1 } }, context())).rejects.toThrow(/no_such_table/);
    // THEN no generation, schema or segment is left of it, nothing was invoked, and a live batch is projected into generation 1 alone
    expect(await generationsOf(setup.db, setup.projectionName)).toEqual([{ generation: 1, status: 'active' }]);
    expect(await schemaExists(setup.db, g(2))).toBe(false);
    expect((await sql`SELECT 1 FROM cdk_cqrs.rebuild_segments WHERE projection = ${setup.projectionName}`.execute(setup.db)).rows).toEqual([]);
    expect(setup.invoker.queued).toEqual([]);
    await storeAndDeliver(setup, someEvents('atomic', 2));
    expect((await orderViewRows(setup.db, g(1))).orders).toHaveLength(2);
  });
});

describe('SQL rebuild, attacked in the middle of a live batch', () => {
  test('a live batch whose generations were read just before the switch writes both, and the new generation has its events', async () => {
    // GIVEN a rebuild whose Order segment is done, its Customer segment not yet
    setup = await orderViewSetup();
    await storeAndDeliver(setup, someEvents('late', 3));
    await setup.projector({ rebuild: { totalSegments: 1 } }, context());
    const [orderSegment, customerSegment] = ['Order', 'Customer'].map((source) => setup.invoker.queued.find((request) => request.source === source)!);
    expect((await setup.projector({ rebuild: orderSegment }, context(() => 60_000))).outcome).toBe('segment');
    // AND a second projector instance whose Data API client holds its batch right after it read the generations
    let paused!: () => void;
    const wasPaused = new Promise<void>((resolve) => { paused = resolve; });
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const { db } = local.connect((client) => client.middlewareStack.add((next, ctx) => async (args) => {
      const output = await next(args);
      const input = args.input as { sql?: string; transactionId?: string };
      if (ctx.commandName === 'ExecuteStatementCommand' && !input.transactionId && input.sql?.includes('"generations"')) {
        paused();
        await released;
      }
      return output;
    }, { step: 'initialize', name: 'hold-after-generations' }));
    const instance = createSqlProjector(orderViewProjection, { ...setup.deps, db });
    // WHEN a new order is stored (after the Order segment's Scan) and its batch reads [1 active, 2 building] ...
    const late = orderEvents('late#o-new', 'late#c0', true);
    await storeEvents(setup.stores.orders.doc, setup.stores.orders.tableName, late);
    const delivery = instance({ Records: late.map((event) => queueMessage(event)) });
    await wasPaused;
    // ... then the last segment switches, then the batch goes on
    expect((await setup.projector({ rebuild: customerSegment }, context(() => 60_000))).outcome).toBe('switched');
    release();
    // THEN the batch succeeds, and the new active generation has the new order (only live projection could bring it)
    expect(await delivery).toEqual({ batchItemFailures: [] });
    const active = await orderViewRows(setup.db, g(2));
    expect(active.orders).toEqual(expect.arrayContaining([expect.objectContaining({ order_id: 'late#o-new', status: 'SHIPPED' })]));
    expect(active).toEqual(await orderViewRows(setup.db, g(1)));
  });
});
