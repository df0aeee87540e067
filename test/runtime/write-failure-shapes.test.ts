import { asWriteFailure } from '../../lambda/store/write-failure';

// Which errors are a rejected conditional write (a conflict the caller resolves by reading again),
// and which are faults, whatever fields they happen to carry.

/** An error as the SDK throws it: an Error with a name and the service's fields. */
const sdkError = (name: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(`${name} from the service`), { name, ...fields });

const cancellationReasons = [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { pk: { S: 'a' }, version: { N: '3' } } }];

describe('a rejected conditional write', () => {
  test('is a TransactionCanceledException whose reasons name the failed conditions', () => {
    expect(asWriteFailure(sdkError('TransactionCanceledException', { CancellationReasons: cancellationReasons }), 2)).toEqual({
      failedConditions: [1], transactionConflict: false, existing: new Map([[1, { pk: 'a', version: 3 }]]),
    });
  });

  test.each([
    'ValidationException', 'ThrottlingException', 'InternalServerError', 'TransactionInProgressException', 'ConditionalCheckFailed', 'transactioncanceledexception',
  ])('is not an error named %s, even one that carries CancellationReasons naming a failed condition', (name) => {
    expect(asWriteFailure(sdkError(name, { CancellationReasons: cancellationReasons }), 2)).toBeUndefined();
    expect(asWriteFailure({ name, CancellationReasons: [{ Code: 'TransactionConflict' }] }, 1)).toBeUndefined();
  });

  test('is not a TransactionCanceledException without a list of reasons', () => {
    expect(asWriteFailure(sdkError('TransactionCanceledException'), 2)).toBeUndefined();
    expect(asWriteFailure(sdkError('TransactionCanceledException', { CancellationReasons: { Code: 'ConditionalCheckFailed' } }), 1)).toBeUndefined();
  });
});
