import { projectionSpecFor } from 'cdk-cqrs/testing';
import ordersByCustomer from '../../bin/domain/orders-by-customer';

const created = {
  type: 'OrderCreated' as const,
  data: { customerId: 'c-42', items: [{ sku: 'book', quantity: 2, unitPrice: 1250 }], total: 2500 },
  metadata: { occurredAt: '2026-03-01T10:00:00.000Z' },
};
const pending = { customerId: 'c-42', status: 'PENDING', total: 2500, createdAt: '2026-03-01T10:00:00.000Z' } as const;

describe('OrdersByCustomer', () => {
  test('lists a new order as pending under its customer, with its total and when it was created', () =>
    projectionSpecFor(ordersByCustomer).given([created]).then(pending));

  test('shows a cancelled order as cancelled', () =>
    projectionSpecFor(ordersByCustomer).given([created, { type: 'OrderCancelled', data: { reason: 'changed my mind' } }])
      .then({ ...pending, status: 'CANCELLED' }));

  test('shows a shipped order as shipped, with its tracking number', () =>
    projectionSpecFor(ordersByCustomer).given([created, { type: 'OrderShipped', data: { trackingNumber: 'TRK-1' } }])
      .then({ ...pending, status: 'SHIPPED', trackingNumber: 'TRK-1' }));

  test('keeps the creation time of the order, not of its later events', () =>
    projectionSpecFor(ordersByCustomer)
      .given([created, { type: 'OrderShipped', data: { trackingNumber: 'TRK-1' }, metadata: { occurredAt: '2026-03-02T09:00:00.000Z' } }])
      .then({ ...pending, status: 'SHIPPED', trackingNumber: 'TRK-1' }));

  test('creates no document for an order shipped before it was created', () =>
    projectionSpecFor(ordersByCustomer).given([{ type: 'OrderShipped', data: { trackingNumber: 'TRK-1' } }]).thenDeleted());
});
