import { sql } from 'kysely';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import type { SqlProjectionContext } from '../../lambda/sql/define-sql-projection';
import { EventStore } from '../../lambda/store/event-store';
import { projectSqlMessages } from '../../lambda/sql/project-sql-messages';
import { createGeneration, ensureRegistry, type Generation } from '../../lambda/sql/sql-generations';
import { applyMigrations } from '../../lambda/sql/sql-migrations';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { startLocalSql, type LocalSql } from '../helpers/local-sql';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { orderViewMigrations, orderViewProjection, orderViewRows } from '../helpers/sql-order-view';
import { storeEvents } from '../helpers/store-events';

let local: LocalSql;
let orders: EventStoreTable;
let customers: EventStoreTable;
beforeAll(async () => {
  [local, orders, customers] = await Promise.all([startLocalSql(), createEventStoreTable('sql-orders', { stream: false }), createEventStoreTable('sql-customers', { stream: false })]);
});
afterAll(async () => {
  await Promise.all([local?.stop(), orders?.drop(), customers?.drop()]);
});

let projectionCount = 0;
async function freshGeneration(): Promise<{ generation: Generation; projectionName: string }> {
  const { db } = local.connect();
  projectionCount += 1;
  const projectionName = `OrderView${projectionCount}`;
  await ensureRegistry(db);
  const generation = await db.transaction().execute((trx) => createGeneration(trx, projectionName, 'active', 'test'));
  await applyMigrations(db, generation, orderViewMigrations());
  return { generation, projectionName };
}

const deps = (projectionName: string, log: (entry: Record<string, unknown>) => void = () => undefined) => {
  const { db } = local.connect();
  return {
    db, projectionName, log,
    eventStoreOf: (name: string) => (name === 'Order' ? new EventStore(orders.doc, orders.tableName, 0) : name === 'Customer' ? new EventStore(customers.doc, customers.tableName, 0) : undefined),
  };
};

describe('SQL projector', () => {
  test('an order placed before its customer is projected gets their name and email when they come, and follows an email change', async () => {
    // GIVEN a customer and an order of theirs in the event stores
    const { generation, projectionName } = await freshGeneration();
    const customerEvents = envelopes('Customer', 'c#1', [
      { type: 'CustomerRegistered', data: { name: 'Ann', email: 'ann@example.com' } },
      { type: 'CustomerEmailUpdated', data: { previousEmail: 'ann@example.com', email: 'ann@new.example' } },
    ]);
    const orderEvents = envelopes('Order', 'o#1', [
      { type: 'OrderCreated', data: { customerId: 'c#1', items: [{ sku: 'A', quantity: 2, unitPrice: 150 }], total: 300 } },
      { type: 'OrderShipped', data: { trackingNumber: 'T-1' } },
    ]);
    await storeEvents(customers.doc, customers.tableName, customerEvents);
    await storeEvents(orders.doc, orders.tableName, orderEvents);
    // WHEN the order's events come first, then the customer's registration, then (only) their email change with a duplicate
    const first = await projectSqlMessages(orderViewProjection, orderEvents.map((e) => queueMessage(e)), deps(projectionName));
    const second = await projectSqlMessages(orderViewProjection, [queueMessage(customerEvents[0])], deps(projectionName));
    const third = await projectSqlMessages(orderViewProjection, [queueMessage(customerEvents[1]), queueMessage(customerEvents[1]), queueMessage(orderEvents[0])], deps(projectionName));
    // THEN every batch succeeds and the order carries the customer's current name and email
    expect([first, second, third]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }, { batchItemFailures: [] }]);
    const rows = await orderViewRows(local.connect().db, generation.schemaName);
    expect(rows.orders).toEqual([expect.objectContaining({ order_id: 'o#1', customer_id: 'c#1', customer_name: 'Ann', customer_email: 'ann@new.example', status: 'SHIPPED', total_cents: 300, item_count: 2, tracking_number: 'T-1' })]);
    expect(rows.order_items).toEqual([{ order_id: 'o#1', line: 1, sku: 'A', quantity: 2, unit_price_cents: 150 }]);
    expect(rows.customers).toEqual([{ customer_id: 'c#1', name: 'Ann', email: 'ann@new.example', status: 'ACTIVE' }]);
  });

  test('a gap is filled from the event store, and a handler that throws fails its message and the later ones, keeping the events before it', async () => {
    // GIVEN a counter projection whose handler throws on a step marked to fail, and 4 stored events of one aggregate
    const { db } = local.connect();
    projectionCount += 1;
    const projectionName = `Counter${projectionCount}`;
    await ensureRegistry(db);
    const generation = await db.transaction().execute((trx) => createGeneration(trx, projectionName, 'active', 'test'));
    await applyMigrations(db, generation, [{ name: '001.sql', sql: 'CREATE TABLE counters (id text PRIMARY KEY, total integer NOT NULL);' }]);
    const counter = {
      definitionKind: 'sqlProjection' as const,
      aggregates: { Order: {} },
      events: {
        Order: {
          Stepped: async (event: EventEnvelope, { db: trx }: SqlProjectionContext<unknown>) => {
            const { by, fail } = event.data as { by: number; fail?: boolean };
            await sql`INSERT INTO counters (id, total) VALUES (${event.aggregateId}, ${by}) ON CONFLICT (id) DO UPDATE SET total = counters.total + EXCLUDED.total`.execute(trx);
            if (fail) throw new Error('step refused');
          },
        },
      },
    };
    const stepped = envelopes('Order', 'o-gap', [1, 2, 4, 8].map((by) => ({ type: 'Stepped', data: { by, fail: by === 4 } })));
    await storeEvents(orders.doc, orders.tableName, stepped);
    const logs: Record<string, unknown>[] = [];
    // WHEN versions 2, 3 and 4 are delivered (version 1 is a gap)
    const answer = await projectSqlMessages(counter, stepped.slice(1).map((event) => queueMessage(event, `m${event.version}`)), deps(projectionName, (entry) => logs.push(entry)));
    // THEN version 1 came from the store; 1 and 2 are applied and checkpointed; 3's effects are rolled back, and m3 and m4 fail with the cause logged
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }, { itemIdentifier: 'm4' }] });
    expect(logs).toEqual([expect.objectContaining({ aggregateName: 'Order', aggregateId: 'o-gap', version: 3, message: expect.stringContaining('step refused') })]);
    const read = async () => ({
      total: (await sql<{ total: number }>`SELECT total FROM ${sql.id(generation.schemaName, 'counters')}`.execute(db)).rows.map((r) => r.total),
      checkpoint: (await sql<{ version: number }>`SELECT version FROM ${sql.id(generation.schemaName, 'cdk_cqrs_checkpoints')}`.execute(db)).rows.map((r) => Number(r.version)),
    });
    expect(await read()).toEqual({ total: [3], checkpoint: [2] });
  });
});
