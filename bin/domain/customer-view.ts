import { defineProjection } from 'cdk-cqrs/runtime';
import customer from './customer';
import { isStaff } from './staff';

/** What a customer page shows. */
export interface CustomerView {
  email: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
}

/** CustomerView: one document per customer. */
export default defineProjection<typeof customer, CustomerView>(customer, {
  events: {
    CustomerRegistered: (_view, e) => ({ email: e.data.email, name: e.data.name, status: 'ACTIVE' }),
    CustomerEmailUpdated: (view, e) => view && { ...view, email: e.data.email },
    CustomerSuspended: (view) => view && { ...view, status: 'SUSPENDED' },
  },
  // Over the HTTP API: a customer reads their own page (its id is their user id), staff any.
  readableBy: (_view, { aggregateId, caller }) => caller !== undefined && (caller.subject === aggregateId || isStaff(caller)),
});
