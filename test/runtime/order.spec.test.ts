import { DomainError, ValidationError } from 'cdk-cqrs/runtime';
import { specFor } from 'cdk-cqrs/testing';
import order from '../../bin/domain/order';

const items = [{ sku: 'book', quantity: 2, unitPrice: 1500 }, { sku: 'pen', quantity: 1, unitPrice: 250 }];
const creation = { customerId: 'c-1', items, total: 3250 };
const created = { type: 'OrderCreated', data: creation } as const;

describe('Order', () => {
  test('creates a pending order whose total matches its items', () =>
    specFor(order).given([]).when({ type: 'CreateOrder', payload: creation }).then([created]));

  test('refuses an order whose total does not match its items', () =>
    specFor(order).given([]).when({ type: 'CreateOrder', payload: { ...creation, total: 3000 } }).thenThrows(DomainError, (error) =>
      expect(error.message).toBe('Order total 3000 does not match its items (3250)')));

  test('refuses an order without items', () =>
    specFor(order).given([]).when({ type: 'CreateOrder', payload: { ...creation, items: [], total: 0 } }).thenThrows(DomainError));

  test('refuses a fractional quantity', () =>
    specFor(order).given([]).when({ type: 'CreateOrder', payload: { ...creation, items: [{ sku: 'x', quantity: 0.5, unitPrice: 2 }], total: 1 } })
      .thenThrows(ValidationError));

  test('cancels a pending order with a reason', () =>
    specFor(order).given([created]).when({ type: 'CancelOrder', payload: { reason: 'changed my mind' } })
      .then([{ type: 'OrderCancelled', data: { reason: 'changed my mind' } }]));

  test('refuses to cancel a shipped order', () =>
    specFor(order).given([created, { type: 'OrderShipped', data: { trackingNumber: 'TRK-1' } }])
      .when({ type: 'CancelOrder', payload: { reason: 'too late' } }).thenThrows(DomainError, (error) =>
        expect(error.message).toBe('Only a pending order can be cancelled (this one is SHIPPED)')));

  test('ships a pending order with its tracking number', () =>
    specFor(order).given([created]).when({ type: 'ShipOrder', payload: { trackingNumber: 'TRK-1' } })
      .then([{ type: 'OrderShipped', data: { trackingNumber: 'TRK-1' } }]));

  test('refuses to ship a cancelled order', () =>
    specFor(order).given([created, { type: 'OrderCancelled', data: { reason: 'x' } }])
      .when({ type: 'ShipOrder', payload: { trackingNumber: 'TRK-1' } }).thenThrows(DomainError));
});

describe('the caller in decide', () => {
  const placed = [{ type: 'OrderCreated' as const, data: { customerId: 'c-ann', items: [{ sku: 'tea', quantity: 1, unitPrice: 450 }], total: 450 } }];

  test('the customer who placed an order may cancel it', () =>
    specFor(order).given(placed)
      .when({ type: 'CancelOrder', payload: { reason: 'changed my mind' }, caller: { subject: 'c-ann', claims: {} } })
      .then([{ type: 'OrderCancelled', data: { reason: 'changed my mind' } }]));

  test('another customer may not', () =>
    specFor(order).given(placed)
      .when({ type: 'CancelOrder', payload: { reason: 'mischief' }, caller: { subject: 'c-bob', claims: {} } })
      .thenThrows(DomainError, (error) => expect(error.message).toMatch(/Only the customer who placed this order/)));

  test('a command with an ill-formed caller is refused before decide', () =>
    specFor(order).given(placed)
      .when({ type: 'CancelOrder', payload: { reason: 'x' }, caller: { subject: '', claims: {} } })
      .thenThrows(ValidationError, (error) => expect(error.message).toMatch(/caller must have a subject/)));
});
