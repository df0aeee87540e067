import { defineProjection } from 'cdk-cqrs/runtime';
import order from './order';
import { isStaff } from './staff';

/** An order as its customer's order list shows it. */
export interface OrderSummary {
  customerId: string;
  status: 'PENDING' | 'CANCELLED' | 'SHIPPED';
  /** In cents. */
  total: number;
  /** ISO 8601: when the order was created. */
  createdAt: string;
  trackingNumber?: string;
}

/**
 * OrdersByCustomer: one document per order, in the `byCustomer` index under its customer.
 *
 * The index sort key starts with the status, so one Query reads a customer's orders of one
 * status, newest first (`sortBeginsWith: 'PENDING#'`, `newestFirst: true`); the order id
 * keeps two orders created in the same millisecond apart.
 */
export default defineProjection<typeof order, OrderSummary>(order, {
  events: {
    OrderCreated: (_view, e) => ({ customerId: e.data.customerId, status: 'PENDING', total: e.data.total, createdAt: e.metadata.occurredAt }),
    OrderCancelled: (view) => view && { ...view, status: 'CANCELLED' },
    OrderShipped: (view, e) => view && { ...view, status: 'SHIPPED', trackingNumber: e.data.trackingNumber },
  },
  indexes: {
    byCustomer: (view, orderId) => ({ pk: view.customerId, sk: `${view.status}#${view.createdAt}#${orderId}` }),
  },
  // Over the HTTP API: an order is read by its customer, and by staff.
  readableBy: (view, { caller }) => caller !== undefined && (caller.subject === view.customerId || isStaff(caller)),
});
