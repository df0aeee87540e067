import { defineCustomProjection, defineProjection, type ViewOf } from 'cdk-cqrs/runtime';
import { projectionSpecFor } from 'cdk-cqrs/testing';
import customer from '../../bin/domain/customer';
import order from '../../bin/domain/order';

interface CustomerView { email: string; name: string; status: 'ACTIVE' | 'SUSPENDED' }

// The DESIGN.md example, with the view type given.
export const customerView = defineProjection<typeof customer, CustomerView>(customer, {
  events: {
    CustomerRegistered: (_view, e) => ({ email: e.data.email, name: e.data.name, status: 'ACTIVE' }),
    CustomerSuspended: (view) => view && { ...view, status: 'SUSPENDED' },
  },
});
export const view: ViewOf<typeof customerView> = { email: 'a@example.com', name: 'A', status: 'ACTIVE' };

// The DESIGN.md example exactly as written compiles too; its view type is then unknown.
export const asWritten = defineProjection(customer, {
  events: {
    CustomerRegistered: (_view, e) => ({ email: e.data.email, status: 'ACTIVE' }),
    CustomerSuspended: (view) => view && { ...view, status: 'SUSPENDED' },
  },
});

// Inferred from the first handler's view parameter.
export const inferred = defineProjection(order, {
  events: {
    OrderCreated: (_view: { customerId: string; total: number } | undefined, e) => ({ customerId: e.data.customerId, total: e.data.total }),
    OrderCancelled: () => null,
  },
  indexes: { byCustomer: (v) => ({ pk: v.customerId, sk: String(v.total) }) },
});
export const total: number = ({} as ViewOf<typeof inferred>).total;

defineProjection<typeof customer, CustomerView>(customer, {
  // @ts-expect-error CustomerDeleted is not an event of Customer
  events: { CustomerDeleted: (v: CustomerView | undefined) => v ?? null },
});

defineProjection<typeof customer, CustomerView>(customer, {
  // @ts-expect-error CustomerRegistered's data has email and name, not emailAddress
  events: { CustomerRegistered: (_view, e) => ({ email: e.data.emailAddress, name: e.data.name, status: 'ACTIVE' }) },
});

defineProjection<typeof customer, CustomerView>(customer, {
  // @ts-expect-error the view has no `reason`, and `status` must be one of the view's statuses
  events: { CustomerSuspended: (v, e) => v && { ...v, status: 'GONE', reason: e.data.reason } },
});

defineProjection<typeof order, { customerId: string }>(order, {
  events: { OrderCreated: (_v, e) => ({ customerId: e.data.customerId }) },
  // @ts-expect-error an index key needs pk and sk as strings
  indexes: { byCustomer: (v) => ({ pk: v.customerId, sk: 5 }) },
});

// @ts-expect-error a projection belongs to a defined aggregate
defineProjection({ events: {} }, { events: {} });

// Custom writes: the handlers' events are typed by the aggregate.
defineCustomProjection(order, {
  events: {
    OrderCreated: (e) => { const total: number = e.data.total; void total; },
    // @ts-expect-error OrderLost is not an event of Order
    OrderLost: () => undefined,
  },
});
defineCustomProjection(order, {
  // @ts-expect-error OrderShipped has a trackingNumber, not a carrier
  events: { OrderShipped: (e) => { void e.data.carrier; } },
});

// The projection spec's events and view are typed by the projection.
// @ts-expect-error CustomerDeleted is not an event of Customer
projectionSpecFor(customerView).given([{ type: 'CustomerDeleted', data: {} }]);
// @ts-expect-error GONE is not one of the view's statuses
projectionSpecFor(customerView).given([]).then({ email: 'a@example.com', name: 'A', status: 'GONE' });
