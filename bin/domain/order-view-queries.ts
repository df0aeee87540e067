import { sql } from 'kysely';
import { defineSqlQueries, DomainError, ValidationError, type Caller } from 'cdk-cqrs/runtime';
import type { OrderViewTables } from './order-view';
import { isStaff } from './staff';

const STATUSES = ['PENDING', 'CANCELLED', 'SHIPPED'] as const;
type Status = typeof STATUSES[number];

/** Over the HTTP API a caller is known: a customer reads only their own orders, staff read all. A trusted backend may send no caller. */
function mayRead(caller: Caller | undefined, customerId: string): boolean {
  return !caller || caller.subject === customerId || isStaff(caller);
}

/** Where a page ended: the last order's creation time and id (keyset pagination, stable under new orders). */
interface Cursor { readonly createdAt: string; readonly orderId: string }

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify([cursor.createdAt, cursor.orderId]), 'utf8').toString('base64url');

function decodeCursor(text: string): Cursor {
  try {
    const [createdAt, orderId] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof orderId === 'string' && !Number.isNaN(Date.parse(createdAt))) return { createdAt, orderId };
  } catch {
    // Reported below.
  }
  throw new ValidationError('cursor is not one this query returned.', [{ message: 'not a cursor of ListOrders', path: ['cursor'] }]);
}

/** The order view's queries (seed 004's ListOrdersQuery and a join a document per aggregate cannot answer), served by the read model's query function. */
export default defineSqlQueries<OrderViewTables>()({
  /** A customer's orders, newest first, optionally of one status, a page at a time. */
  ListOrders: async (params: { customerId: string; status?: Status; limit?: number; cursor?: string }, { db, caller }) => {
    if (typeof params.customerId !== 'string' || params.customerId === '') throw new ValidationError('customerId is required.', [{ message: 'required', path: ['customerId'] }]);
    if (params.status !== undefined && !STATUSES.includes(params.status)) throw new ValidationError(`status must be one of ${STATUSES.join(', ')}.`, [{ message: 'unknown status', path: ['status'] }]);
    if (!mayRead(caller, params.customerId)) throw new DomainError('A customer may list only their own orders');
    const limit = Math.min(Math.max(Math.trunc(Number(params.limit ?? 20)) || 20, 1), 100);
    let query = db.selectFrom('orders')
      .select(['order_id', 'customer_id', 'customer_name', 'customer_email', 'status', 'total_cents', 'item_count', 'tracking_number', 'created_at'])
      .where('customer_id', '=', params.customerId);
    if (params.status) query = query.where('status', '=', params.status);
    if (params.cursor) {
      const after = decodeCursor(params.cursor);
      query = query.where(sql<boolean>`(created_at, order_id) < (${after.createdAt}::timestamptz, ${after.orderId})`);
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('order_id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { orders: page, cursor: rows.length > limit && last ? encodeCursor({ createdAt: String(last.created_at), orderId: last.order_id }) : undefined };
  },

  /** One order with its items, for its customer or staff; nothing for anyone else, as for an order that does not exist. */
  GetOrderDetails: async ({ orderId }: { orderId: string }, { db, caller }) => {
    if (typeof orderId !== 'string' || orderId === '') throw new ValidationError('orderId is required.', [{ message: 'required', path: ['orderId'] }]);
    const order = await db.selectFrom('orders').selectAll().where('order_id', '=', orderId).executeTakeFirst();
    if (!order || !mayRead(caller, order.customer_id)) return undefined;
    const items = await db.selectFrom('order_items').select(['line', 'sku', 'quantity', 'unit_price_cents']).where('order_id', '=', orderId).orderBy('line').execute();
    return { ...order, items };
  },

  /** Revenue per customer (orders not cancelled), highest first: staff only. A join across aggregates, which a document per aggregate cannot answer. */
  RevenueByCustomer: async (params: { limit?: number }, { db, caller }) => {
    if (caller && !isStaff(caller)) throw new DomainError('Only staff may see revenue per customer');
    const limit = Math.min(Math.max(Math.trunc(Number(params.limit ?? 10)) || 10, 1), 100);
    return db.selectFrom('customers as c')
      .leftJoin('orders as o', 'o.customer_id', 'c.customer_id')
      .select([
        'c.customer_id', 'c.name', 'c.email',
        sql<number>`count(o.order_id) FILTER (WHERE o.status <> 'CANCELLED')::bigint`.as('orders'),
        sql<number>`COALESCE(SUM(o.total_cents) FILTER (WHERE o.status <> 'CANCELLED'), 0)::bigint`.as('revenue_cents'),
      ])
      .groupBy(['c.customer_id', 'c.name', 'c.email'])
      .orderBy('revenue_cents', 'desc').orderBy('c.customer_id')
      .limit(limit)
      .execute();
  },
});
