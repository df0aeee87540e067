import { ValidationError } from '../../lambda/shared/errors';
import {
  checkCommandKeys, idempotencyKey, keyBytes, KEY_LIMITS, lengthPrefixed, sessionEntryFits, sessionEntryPrefix, sessionEntrySortKey, sessionKindPrefix,
} from '../../lambda/store/keys';

/** A string of `bytes` UTF-8 bytes, of 2-byte characters when `wide` (so that bytes and length differ). */
const ofBytes = (bytes: number, wide = false) => (wide ? 'é'.repeat(bytes / 2) : 'a'.repeat(bytes));
const refusal = (check: () => void): ValidationError => {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('accepted');
};

test('the keys as they are stored: length-prefixed parts, the idempotency marker, zero-padded versions', () => {
  expect(lengthPrefixed('a#b', '', 'é')).toBe('3:a#b0:1:é');
  expect(idempotencyKey('c#1', 'cmd')).toBe('#command#3:c#13:cmd');
  expect(sessionKindPrefix('Customer')).toBe('Customer#');
  expect(sessionEntryPrefix('Customer', 'c#1')).toBe('Customer#3:c#1#');
  expect(sessionEntrySortKey('Customer', 'c#1', 42)).toBe('Customer#3:c#1#0000000042');
  expect(sessionEntrySortKey('Customer', 'c', 9_999_999_999)).toBe('Customer#1:c#9999999999');
  expect(keyBytes('é😀')).toBe(6);
});

test('an aggregate id fills a partition key to exactly 2,048 bytes, counted in UTF-8', () => {
  expect(() => checkCommandKeys({ aggregateId: ofBytes(2048) })).not.toThrow();
  expect(() => checkCommandKeys({ aggregateId: ofBytes(2048, true) })).not.toThrow();
  const error = refusal(() => checkCommandKeys({ aggregateId: ofBytes(2050, true) }));
  expect(error.message).toBe('Command envelope: aggregateId makes a partition key of 2050 bytes; DynamoDB keys hold at most 2048. Use shorter ids.');
  expect(error.issues).toEqual([{ message: 'too long for a DynamoDB key (a partition key)', path: ['aggregateId'] }]);
  expect(refusal(() => checkCommandKeys({ aggregateId: ofBytes(2049) }, 'Query GetCustomer')).message)
    .toBe('Query GetCustomer: aggregateId makes a partition key of 2049 bytes; DynamoDB keys hold at most 2048. Use shorter ids.');
});

test('an aggregate id and a command id together fill an idempotency key to exactly 2,048 bytes', () => {
  // '#command#' (9) + '4:' + 4 + ':' (digits of the command id's length) + the command id
  const aggregateId = 'a#b!';
  const overhead = idempotencyKey(aggregateId, 'x'.repeat(2000)).length - 2000;
  expect(() => checkCommandKeys({ aggregateId, commandId: 'x'.repeat(2048 - overhead) })).not.toThrow();
  const error = refusal(() => checkCommandKeys({ aggregateId, commandId: 'x'.repeat(2049 - overhead) }));
  expect(error.message).toBe('Command envelope: aggregateId and commandId make an idempotency key of 2049 bytes; DynamoDB keys hold at most 2048. Use shorter ids.');
  expect(error.issues).toEqual(['aggregateId', 'commandId'].map((field) => ({ message: 'too long for a DynamoDB key (an idempotency key)', path: [field] })));
});

test('a session id fills a partition key, and a session entry key (at the longest version) a sort key, to exactly their limits', () => {
  const session = (sessionId: string) => ({ sessionId, aggregateName: 'Customer' });
  expect(() => checkCommandKeys({ aggregateId: 'c', session: session(ofBytes(2048)) })).not.toThrow();
  expect(refusal(() => checkCommandKeys({ aggregateId: 'c', session: session(ofBytes(2049)) })).message)
    .toBe('Command envelope: sessionId makes a partition key of 2049 bytes; DynamoDB keys hold at most 2048. Use shorter ids.');
  // 'Customer#' (9) + '999:' (the id's length in characters) + the id (1,000 bytes: 998 + a 2-byte character) + '#' + 10 digits
  const fits = `${'i'.repeat(998)}é`;
  expect(keyBytes(sessionEntrySortKey('Customer', fits, 9_999_999_999))).toBe(KEY_LIMITS.sortKeyBytes);
  expect(() => checkCommandKeys({ aggregateId: fits, session: session('s') })).not.toThrow();
  expect(sessionEntryFits(session('s'), fits)).toBe(true);
  const error = refusal(() => checkCommandKeys({ aggregateId: `${fits}i`, session: session('s') }));
  expect(error.message).toBe('Command envelope: aggregateId makes a session entry key of 1026 bytes; DynamoDB keys hold at most 1024. Use shorter ids.');
  expect(error.issues).toEqual([{ message: 'too long for a DynamoDB key (a session entry key)', path: ['aggregateId'] }]);
  expect(sessionEntryFits(session('s'), `${fits}i`)).toBe(false);
  expect(sessionEntryFits(session(ofBytes(2048)), 'c')).toBe(true);
  expect(sessionEntryFits(session(ofBytes(2049)), 'c')).toBe(false);
  // Without a session, the same id is fine
  expect(() => checkCommandKeys({ aggregateId: `${fits}i` })).not.toThrow();
});
