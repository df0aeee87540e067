import { defineQueries, DomainError, ValidationError } from 'cdk-cqrs/runtime';
import ordersByCustomer, { type OrderSummary } from './orders-by-customer';
import { isStaff } from './staff';

const STATUSES: ReadonlyArray<OrderSummary['status']> = ['PENDING', 'CANCELLED', 'SHIPPED'];

/** The Order aggregate's queries, served by its query function. */
export default defineQueries({
  /** An order, for its customer or staff; nothing for anyone else, as for an order that does not exist (nobody learns which ids do). */
  GetOrder: async ({ orderId }: { orderId: string }, { repository, caller }) => {
    const order = await repository(ordersByCustomer, 'OrdersByCustomer').get(orderId);
    return order && caller && caller.subject !== order.customerId && !isStaff(caller) ? undefined : order;
  },

  /** A customer's orders of one status, newest first, a page at a time. */
  ListOrdersByCustomer: async (params: { customerId: string; status: OrderSummary['status']; limit?: number; cursor?: string }, { repository, caller }) => {
    // A customer lists only their own orders (a caller is known over the HTTP API; a trusted backend may send none).
    if (caller && caller.subject !== params.customerId) throw new DomainError('A customer may list only their own orders');
    if (!STATUSES.includes(params.status)) throw new ValidationError(`status must be one of ${STATUSES.join(', ')} (given ${String(params.status)}).`);
    const page = await repository(ordersByCustomer, 'OrdersByCustomer').query({
      index: 'byCustomer', partition: params.customerId, sortBeginsWith: `${params.status}#`,
      newestFirst: true, limit: Math.min(params.limit ?? 20, 100), cursor: params.cursor,
    });
    return { orders: page.items.map((item) => ({ orderId: item.aggregateId, ...item.view })), cursor: page.cursor };
  },
});
