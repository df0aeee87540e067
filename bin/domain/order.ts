import { z } from 'zod';
import { defineAggregate, DomainError } from 'cdk-cqrs/runtime';
import { isStaff } from './staff';

type OrderStatus = 'NEW' | 'PENDING' | 'CANCELLED' | 'SHIPPED';
/** A line of an order. Exported: the types of the aggregate and its projections name it. */
export interface OrderItem { sku: string; quantity: number; unitPrice: number }

const itemsTotal = (items: OrderItem[]) => items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);

/** An order is created pending; it can be cancelled while pending, or shipped with a tracking number. */
export default defineAggregate({
  initialState: () => ({ status: 'NEW' as OrderStatus, customerId: '', total: 0, trackingNumber: '' }),
  commands: {
    CreateOrder: (cmd: { customerId: string; items: OrderItem[]; total: number }, state, { caller }) => {
      // Over the HTTP API, a customer places orders in their own name only.
      if (caller && caller.subject !== cmd.customerId) throw new DomainError('A customer may place orders only in their own name');
      if (state.status !== 'NEW') throw new DomainError('Order already exists');
      if (cmd.items.length === 0) throw new DomainError('An order needs at least one item');
      // Totals are in cents, so the sum is exact.
      if (itemsTotal(cmd.items) !== cmd.total) throw new DomainError(`Order total ${cmd.total} does not match its items (${itemsTotal(cmd.items)})`);
      return [{ type: 'OrderCreated', data: cmd }];
    },
    // The caller, when one is known (a command over the HTTP API; a trusted backend may send none):
    // only the customer who placed an order may cancel it.
    CancelOrder: (cmd: { reason: string }, state, { caller }) => {
      if (caller && caller.subject !== state.customerId) throw new DomainError('Only the customer who placed this order may cancel it');
      if (state.status !== 'PENDING') throw new DomainError(`Only a pending order can be cancelled (this one is ${state.status})`);
      return [{ type: 'OrderCancelled', data: cmd }];
    },
    ShipOrder: (cmd: { trackingNumber: string }, state, { caller }) => {
      if (caller && !isStaff(caller)) throw new DomainError('Only staff may ship an order');
      if (state.status !== 'PENDING') throw new DomainError(`Only a pending order can be shipped (this one is ${state.status})`);
      return [{ type: 'OrderShipped', data: cmd }];
    },
  },
  events: {
    OrderCreated: (state, data) => ({ ...state, status: 'PENDING' as OrderStatus, customerId: data.customerId, total: data.total }),
    OrderCancelled: (state) => ({ ...state, status: 'CANCELLED' as OrderStatus }),
    OrderShipped: (state, data) => ({ ...state, status: 'SHIPPED' as OrderStatus, trackingNumber: data.trackingNumber }),
  },
  schemas: {
    CreateOrder: z.object({
      customerId: z.string().min(1),
      items: z.array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive(), unitPrice: z.number().int().nonnegative() })),
      total: z.number().int().nonnegative(),
    }),
    CancelOrder: z.object({ reason: z.string().min(1) }),
    ShipOrder: z.object({ trackingNumber: z.string().min(1) }),
  },
});
