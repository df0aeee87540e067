import { DomainError, ValidationError } from 'cdk-cqrs/runtime';
import { specFor } from 'cdk-cqrs/testing';
import customer from '../../bin/domain/customer';

const ann = { email: 'ann@example.com', name: 'Ann' };
const registered = { type: 'CustomerRegistered', data: ann } as const;

describe('Customer', () => {
  test('registers a new customer', () =>
    specFor(customer).given([]).when({ type: 'RegisterCustomer', payload: ann }).then([registered]));

  test('refuses to register a customer twice', () =>
    specFor(customer).given([registered]).when({ type: 'RegisterCustomer', payload: ann }).thenThrows(DomainError, (error) =>
      expect(error.message).toBe('Customer already exists')));

  test('refuses an email that is not an email', () =>
    specFor(customer).given([]).when({ type: 'RegisterCustomer', payload: { email: 'ann', name: 'Ann' } }).thenThrows(ValidationError));

  test('changes the email of an active customer, remembering the previous one', () =>
    specFor(customer).given([registered]).when({ type: 'UpdateEmail', payload: { email: 'ann@example.org' } })
      .then([{ type: 'CustomerEmailUpdated', data: { previousEmail: 'ann@example.com', email: 'ann@example.org' } }]));

  test('does nothing when the email is unchanged', () =>
    specFor(customer).given([registered]).when({ type: 'UpdateEmail', payload: { email: ann.email } }).thenNothingHappened());

  test('refuses to change the email of a suspended customer', () =>
    specFor(customer).given([registered, { type: 'CustomerSuspended', data: { reason: 'fraud' } }])
      .when({ type: 'UpdateEmail', payload: { email: 'ann@example.org' } }).thenThrows(DomainError));

  test('suspends an active customer', () =>
    specFor(customer).given([registered]).when({ type: 'SuspendCustomer', payload: { reason: 'fraud' } })
      .then([{ type: 'CustomerSuspended', data: { reason: 'fraud' } }]));

  test('refuses to suspend a customer that is not registered', () =>
    specFor(customer).given([]).when({ type: 'SuspendCustomer', payload: { reason: 'fraud' } }).thenThrows(DomainError));
});
