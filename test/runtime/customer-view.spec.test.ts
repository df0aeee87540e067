import { projectionSpecFor } from 'cdk-cqrs/testing';
import customerView from '../../bin/domain/customer-view';

const ann = { email: 'ann@example.com', name: 'Ann' };
const registered = { type: 'CustomerRegistered', data: ann } as const;
const suspended = { type: 'CustomerSuspended', data: { reason: 'fraud' } } as const;

describe('CustomerView', () => {
  test('shows a registered customer as active, with its email and name', () =>
    projectionSpecFor(customerView).given([registered]).then({ email: 'ann@example.com', name: 'Ann', status: 'ACTIVE' }));

  test('shows the new email after an email change', () =>
    projectionSpecFor(customerView).given([registered, { type: 'CustomerEmailUpdated', data: { previousEmail: ann.email, email: 'ann@example.org' } }])
      .then({ email: 'ann@example.org', name: 'Ann', status: 'ACTIVE' }));

  test('shows a suspended customer as suspended', () =>
    projectionSpecFor(customerView).given([registered, suspended]).then({ email: 'ann@example.com', name: 'Ann', status: 'SUSPENDED' }));

  test('creates no document for a customer suspended before it registered', () =>
    projectionSpecFor(customerView).given([suspended]).thenDeleted());
});
