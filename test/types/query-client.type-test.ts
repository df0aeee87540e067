import { QueryClient, defineQueries } from 'cdk-cqrs/runtime';
import type orderQueries from '../../bin/domain/order-queries';
import type { OrderSummary } from '../../bin/domain/orders-by-customer';

// The example's queries (bin/domain/order-queries.ts), typed by their module.
const orders = new QueryClient<typeof orderQueries>({ functionName: 'order-queries' });

export async function resultsFlow(): Promise<unknown[]> {
  // GetOrder answers the view, or null when there is none (a handler's undefined arrives as null)
  const order = await orders.query('GetOrder', { orderId: 'o-1' });
  const found: OrderSummary | null = order;
  // @ts-expect-error the order may not exist
  const always: OrderSummary = order;

  const page = await orders.query('ListOrdersByCustomer', { customerId: 'c-1', status: 'PENDING', limit: 10 });
  const ids: string[] = page.orders.map((o) => o.orderId);
  const cursor: string | undefined = page.cursor;
  // @ts-expect-error a page has orders and a cursor, no items
  const items = page.items;
  return [found, ids, cursor];
}

export async function wrongCallsDoNotCompile(): Promise<void> {
  // @ts-expect-error ListOrders is not one of the queries
  await orders.query('ListOrders', { customerId: 'c-1' });
  // @ts-expect-error GetOrder takes orderId, not id
  await orders.query('GetOrder', { id: 'o-1' });
  // @ts-expect-error status is one of the order statuses
  await orders.query('ListOrdersByCustomer', { customerId: 'c-1', status: 'LOST' });
  // @ts-expect-error GetOrder needs its params
  await orders.query('GetOrder');
}

// A query that takes no params may be called without them.
const health = defineQueries({ Ping: () => 'pong' as const });
export const pong: Promise<'pong'> = new QueryClient<typeof health>({ functionName: 'health' }).query('Ping');

// Without the queries' type, any name, any params, an unknown result.
export const anything: Promise<unknown> = new QueryClient({ functionName: 'queries' }).query('Whatever', { any: 1 });
