import { itemBytes, MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES, valueBytes } from '../../lambda/store/item-size';
import { asWriteFailure } from '../../lambda/store/write-failure';

describe('DynamoDB item sizes, as AWS documents them', () => {
  test('the limits: 400 KB an item, 4 MB a transaction', () => {
    expect(MAX_ITEM_BYTES).toBe(409_600);
    expect(MAX_TRANSACTION_BYTES).toBe(4_194_304);
  });

  test('scalars: nothing for undefined, 1 for null and booleans, UTF-8 bytes for strings', () => {
    expect([undefined, null, true, false, '', 'abc', 'é', '😀'].map(valueBytes)).toEqual([0, 1, 1, 1, 0, 3, 2, 4]);
  });

  test('numbers: 1 byte per pair of significant digits aligned on the decimal point, plus 1, plus 1 when negative; zero is 1', () => {
    const cases: [number, number][] = [
      [0, 1], [-0, 1], [7, 2], [12, 2], [123, 3], [-123, 4], [100, 2], [1.5, 3], [12.5, 3], [123.5, 4], [0.5, 2], [0.001, 2], [-0.25, 3], [-7.5, 4],
      [3.14159, 5], [99.99, 3], [12345678901, 7], [2 ** 53 - 1, 9], [1.2345e-100, 4], [1.2345e-101, 4], [1e21, 2],
    ];
    expect(cases.map(([value]) => [value, valueBytes(value)])).toEqual(cases);
  });

  test('lists and maps: 3 bytes plus 1 per element, and a map\'s keys; undefined elements are left out', () => {
    expect(valueBytes([])).toBe(3);
    expect(valueBytes([1, 'ab'])).toBe(3 + (1 + 2) + (1 + 2));
    expect(valueBytes([undefined, true])).toBe(3 + 1 + 1);
    expect(valueBytes({})).toBe(3);
    expect(valueBytes({ a: 1, bé: 'x', gone: undefined })).toBe(3 + (1 + 1 + 2) + (1 + 3 + 1));
    expect(valueBytes({ list: [{}] })).toBe(3 + 1 + 4 + (3 + 1 + 3));
  });

  test('a value DynamoDB cannot store is not free: its text counts', () => {
    expect(valueBytes(12n)).toBe(2);
    expect(valueBytes(Symbol('ab'))).toBe('Symbol(ab)'.length);
  });

  test('an item: each attribute\'s name and value; undefined attributes are left out', () => {
    expect(itemBytes({})).toBe(0);
    expect(itemBytes({ pk: 'a#1', sk: 12, gone: undefined, kind: 'event' })).toBe((2 + 3) + (2 + 2) + (4 + 5));
  });
});

describe('a failed conditional write', () => {
  test('a single Put\'s ConditionalCheckFailedException: every item failed, with the old item when returned', () => {
    expect(asWriteFailure({ name: 'ConditionalCheckFailedException', Item: { pk: { S: 'a' }, sk: { N: '3' } } }, 1)).toEqual({
      failedConditions: [0], transactionConflict: false, existing: new Map([[0, { pk: 'a', sk: 3 }]]),
    });
    expect(asWriteFailure({ name: 'ConditionalCheckFailedException' }, 2)).toEqual({ failedConditions: [0, 1], transactionConflict: false, existing: new Map() });
  });

  test('a cancelled transaction: the items whose condition failed, with their old items, and whether it met another transaction', () => {
    const err = {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { pk: { S: 'b' } } }, null, { Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }],
    };
    expect(asWriteFailure(err, 5)).toEqual({ failedConditions: [1, 3], transactionConflict: true, existing: new Map([[1, { pk: 'b' }]]) });
    expect(asWriteFailure({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] }, 2))
      .toEqual({ failedConditions: [], transactionConflict: true, existing: new Map() });
    expect(asWriteFailure({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }, 1))
      .toEqual({ failedConditions: [0], transactionConflict: false, existing: new Map() });
  });

  test('anything else is not a failed condition: an infrastructure fault for the caller to throw', () => {
    for (const err of [
      undefined, 'ConditionalCheckFailedException', new Error('boom'), { name: 'ProvisionedThroughputExceededException' },
      { name: 'TransactionCanceledException' }, { name: 'TransactionCanceledException', CancellationReasons: 'x' },
      { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }] },
    ]) {
      expect(asWriteFailure(err, 1)).toBeUndefined();
    }
  });
});
