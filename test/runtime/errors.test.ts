import { fromErrorAnswer, toErrorAnswer } from '../../lambda/shared/error-answer';
import { ConcurrencyError, DomainError, UnknownCommand, UnknownQuery, ValidationError, isConcurrencyError, isDomainError, isUnknownQuery } from '../../lambda/shared/errors';
import { CONFLICT_RETRY_POLICY, backoffDelayMs } from '../../lambda/shared/retry-policies';
import { parseCommandEnvelope } from '../../lambda/write/command-envelope';

describe('errors', () => {
  test('a ConcurrencyError says both versions and what to do', () => {
    const err = new ConcurrencyError({ aggregateId: 'c-42', expectedVersion: 5, currentVersion: 7, aggregateName: 'Customer' });
    expect(err.message).toBe('Customer c-42 is at version 7; the command expected 5. Reload and retry, or omit expectedVersion.');
  });

  test('guards check the name, so they hold across bundles', () => {
    expect(isDomainError({ name: 'DomainError', message: 'x' })).toBe(true);
    expect(isConcurrencyError(new DomainError('x'))).toBe(false);
    expect(isUnknownQuery({ name: 'UnknownQuery', message: 'x' })).toBe(true);
    expect(isUnknownQuery(new UnknownCommand({ commandType: 'X', knownCommands: [] }))).toBe(false);
  });

  test('an UnknownQuery names the query and the ones the aggregate has', () => {
    expect(new UnknownQuery({ queryType: 'ListAll', knownQueries: ['GetOrder', 'ListOrders'], aggregateName: 'Order' }).message)
      .toBe("Order has no query 'ListAll'. Known queries: GetOrder, ListOrders.");
  });

  test.each([
    new ValidationError('bad', [{ message: 'Required', path: ['email'] }]),
    new DomainError('Customer already exists'),
    new ConcurrencyError({ aggregateId: 'c-1', expectedVersion: 0, currentVersion: 3 }),
    new UnknownCommand({ commandType: 'X', knownCommands: ['A', 'B'] }),
    new UnknownQuery({ queryType: 'Y', knownQueries: ['C'], aggregateName: 'Order' }),
    // Titled by the error's name: `%s` of an error prints its stack, whose paths differ between clones and so made
    // the test a new one to `npm run mutate` on each.
  ].map((err) => [err.name, err] as const))('an answer round-trips to the same typed error (%s)', (_name, err) => {
    const answer = JSON.parse(JSON.stringify(toErrorAnswer(err)));
    const back = fromErrorAnswer(answer);
    expect(back.constructor).toBe(err.constructor);
    expect({ ...back, message: back.message }).toEqual({ ...err, message: err.message });
  });
});

describe('the conflict retry policy', () => {
  test('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelayMs(CONFLICT_RETRY_POLICY, 1, () => 1)).toBe(CONFLICT_RETRY_POLICY.initialDelayMs);
    expect(backoffDelayMs(CONFLICT_RETRY_POLICY, 3, () => 1)).toBe(Math.round(CONFLICT_RETRY_POLICY.initialDelayMs * CONFLICT_RETRY_POLICY.factor ** 2));
    expect(backoffDelayMs(CONFLICT_RETRY_POLICY, 50, () => 1)).toBe(CONFLICT_RETRY_POLICY.maxDelayMs);
    expect(backoffDelayMs(CONFLICT_RETRY_POLICY, 50, () => 0)).toBe(0);
  });
});

describe('command envelopes', () => {
  test('keeps the contract fields', () => {
    const envelope = { type: 'A', aggregateId: 'x', payload: { a: 1 }, expectedVersion: 0, commandId: 'c', sessionId: 's', metadata: { tenantId: 't' } };
    expect(parseCommandEnvelope(envelope)).toEqual(envelope);
  });

  test('fails naming the field that is wrong', () => {
    expect(() => parseCommandEnvelope({ type: 'A', aggregateId: 'x', payload: 1, commandId: 3 })).toThrow(/commandId must be a non-empty string/);
    expect(() => parseCommandEnvelope({ type: 'A', aggregateId: 'x#command#y', payload: 1 })).toThrow(/aggregateId must not contain/);
  });
});
