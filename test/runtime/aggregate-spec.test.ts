import { DomainError } from 'cdk-cqrs/runtime';
import { specFor, SpecFailure } from 'cdk-cqrs/testing';
import { customer } from '../helpers/test-aggregates';

const ann = { email: 'ann@example.com', name: 'Ann' };

describe('a failing aggregate spec', () => {
  test('fails with a message naming the scenario and showing the difference', async () => {
    const failure = specFor(customer).given([{ type: 'CustomerRegistered', data: ann }])
      .when({ type: 'SuspendCustomer', payload: { reason: 'late' } })
      .then([{ type: 'CustomerSuspended', data: { reason: 'early' } }]);
    await expect(failure).rejects.toBeInstanceOf(SpecFailure);
    await expect(failure).rejects.toThrow(/^Given CustomerRegistered, when SuspendCustomer:\nthe events differ from those expected:\n\+ actual - expected/);
    await expect(failure).rejects.toThrow(/\+\s+reason: 'late'\n-\s+reason: 'early'/);
  });

  test('fails when the command is rejected but events were expected', () =>
    expect(specFor(customer).given([]).when({ type: 'SuspendCustomer', payload: { reason: 'x' } }).then([]))
      .rejects.toThrow('Given no events, when SuspendCustomer:\nexpected events, but the command was rejected: DomainError: Can only suspend active customers'));

  test('fails when another error than the expected one is thrown', () =>
    expect(specFor(customer).given([]).when({ type: 'RegisterCustomer', payload: { email: 'no', name: 'Ann' } }).thenThrows(DomainError))
      .rejects.toThrow(/^Given no events, when RegisterCustomer:\nexpected DomainError, but got ValidationError: /));

  test('fails when the command is accepted but an error was expected', () =>
    expect(specFor(customer).given([]).when({ type: 'RegisterCustomer', payload: ann }).thenThrows(DomainError))
      .rejects.toThrow('expected DomainError, but the command decided [{"type":"CustomerRegistered","data":{"email":"ann@example.com","name":"Ann"}}]'));
});
