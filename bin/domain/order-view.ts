import { defineSqlProjection } from 'cdk-cqrs/runtime';
import customer from './customer';
import order from './order';

/** The tables of bin/sql/order-view/*.sql, as Kysely sees them. */
export interface OrderViewTables {
  customers: { customer_id: string; name: string; email: string; status: string };
  orders: {
    order_id: string;
    customer_id: string;
    customer_name: string | null;
    customer_email: string | null;
    status: string;
    total_cents: number;
    item_count: number;
    tracking_number: string | null;
    cancel_reason: string | null;
    /** timestamptz: written as a Date, read as PostgreSQL's text. */
    created_at: Date | string;
    updated_at: Date | string;
  };
  order_items: { order_id: string; line: number; sku: string; quantity: number; unit_price_cents: number };
}

/**
 * Seed 004's order view in SQL: orders with their customer's name and email, items, totals and
 * status, fed by the Order and Customer aggregates. Its handlers commute across aggregates, which
 * makes the tables exact whatever order the two aggregates' events come in: an order copies its
 * customer's name and email as projected so far, and each customer event updates their orders.
 */
export default defineSqlProjection<OrderViewTables>()({
  aggregates: { Order: order, Customer: customer },
  events: {
    Customer: {
      CustomerRegistered: async ({ aggregateId, data }, { db }) => {
        await db.insertInto('customers').values({ customer_id: aggregateId, name: data.name, email: data.email, status: 'ACTIVE' })
          .onConflict((oc) => oc.column('customer_id').doUpdateSet({ name: data.name, email: data.email, status: 'ACTIVE' })).execute();
        await db.updateTable('orders').set({ customer_name: data.name, customer_email: data.email }).where('customer_id', '=', aggregateId).execute();
      },
      CustomerEmailUpdated: async ({ aggregateId, data }, { db }) => {
        await db.updateTable('customers').set({ email: data.email }).where('customer_id', '=', aggregateId).execute();
        await db.updateTable('orders').set({ customer_email: data.email }).where('customer_id', '=', aggregateId).execute();
      },
      CustomerSuspended: async ({ aggregateId }, { db }) => {
        await db.updateTable('customers').set({ status: 'SUSPENDED' }).where('customer_id', '=', aggregateId).execute();
      },
    },
    Order: {
      OrderCreated: async ({ aggregateId, data, metadata }, { db }) => {
        const customer = await db.selectFrom('customers').select(['name', 'email']).where('customer_id', '=', data.customerId).executeTakeFirst();
        const at = new Date(metadata.occurredAt);
        await db.insertInto('orders').values({
          order_id: aggregateId, customer_id: data.customerId, customer_name: customer?.name ?? null, customer_email: customer?.email ?? null,
          status: 'PENDING', total_cents: data.total, item_count: data.items.reduce((sum, item) => sum + item.quantity, 0),
          tracking_number: null, cancel_reason: null, created_at: at, updated_at: at,
        }).execute();
        if (data.items.length > 0) {
          await db.insertInto('order_items').values(data.items.map((item, index) => ({
            order_id: aggregateId, line: index + 1, sku: item.sku, quantity: item.quantity, unit_price_cents: item.unitPrice,
          }))).execute();
        }
      },
      OrderCancelled: async ({ aggregateId, data, metadata }, { db }) => {
        await db.updateTable('orders').set({ status: 'CANCELLED', cancel_reason: data.reason, updated_at: new Date(metadata.occurredAt) }).where('order_id', '=', aggregateId).execute();
      },
      OrderShipped: async ({ aggregateId, data, metadata }, { db }) => {
        await db.updateTable('orders').set({ status: 'SHIPPED', tracking_number: data.trackingNumber, updated_at: new Date(metadata.occurredAt) }).where('order_id', '=', aggregateId).execute();
      },
    },
  },
});
