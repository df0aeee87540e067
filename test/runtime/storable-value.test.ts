import fc from 'fast-check';
import { rejectUnstorable, STORABLE, storableIssues } from '../../lambda/store/storable-value';

/** A value nested `levels` deep: each level an object (or an array) holding the next; the innermost holds `leaf`. */
const nested = (levels: number, leaf: unknown, kind: 'object' | 'array' = 'object'): unknown => {
  let value = leaf;
  for (let level = 0; level < levels; level += 1) value = kind === 'object' ? { n: value } : [value];
  return value;
};

/** JSON values DynamoDB stores exactly: safe integers, doubles of at least 1e-130 in magnitude, well-formed strings and keys. */
const { storable } = fc.letrec((tie) => ({
  storable: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.constant(null), fc.boolean(), fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => n === 0 || (Math.abs(n) >= STORABLE.minMagnitude && (!Number.isInteger(n) || Number.isSafeInteger(n)))),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('storable'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1 }), tie('storable'), { maxKeys: 4 }),
  ),
}));

test('JSON values that DynamoDB stores exactly have no issues', () => {
  fc.assert(fc.property(storable, (value) => {
    expect(storableIssues(value)).toEqual([]);
  }));
  for (const value of [undefined, null, true, false, 0, -1.5, 2 ** 53 - 1, -(2 ** 53 - 1), STORABLE.minMagnitude, -STORABLE.minMagnitude, '', 'é😀', { a: undefined }, Object.create(null), { toString: 'x', hasOwnProperty: 1, prototype: {} }]) {
    expect(storableIssues(value)).toEqual([]);
  }
});

test('numbers that do not round-trip are issues naming the number', () => {
  const issue = (value: number) => storableIssues({ amount: value });
  expect(issue(NaN)).toEqual([{ message: 'NaN is not a finite number', path: ['amount'] }]);
  expect(issue(Infinity)).toEqual([{ message: 'Infinity is not a finite number', path: ['amount'] }]);
  expect(issue(-Infinity)).toEqual([{ message: '-Infinity is not a finite number', path: ['amount'] }]);
  expect(issue(2 ** 53)).toEqual([{ message: '9007199254740992 is an integer beyond 2^53 - 1, which does not round-trip exactly', path: ['amount'] }]);
  expect(issue(-(2 ** 53))).toEqual([{ message: '-9007199254740992 is an integer beyond 2^53 - 1, which does not round-trip exactly', path: ['amount'] }]);
  expect(issue(1e-131)).toEqual([{ message: "1e-131 is smaller in magnitude than DynamoDB's 1e-130", path: ['amount'] }]);
  expect(issue(-1e-131)).toEqual([{ message: "-1e-131 is smaller in magnitude than DynamoDB's 1e-130", path: ['amount'] }]);
});

test('strings and keys must be well-formed Unicode, and keys not empty; the issue is at the value, or at the object holding the key', () => {
  expect(storableIssues({ name: 'a\ud800b' })).toEqual([{ message: 'is not well-formed Unicode (a lone surrogate)', path: ['name'] }]);
  expect(storableIssues({ tags: ['ok', '\udc00'] })).toEqual([{ message: 'is not well-formed Unicode (a lone surrogate)', path: ['tags', 1] }]);
  expect(storableIssues({ inner: { '': 1 } })).toEqual([{ message: 'has an empty key, which DynamoDB refuses as an attribute name', path: ['inner'] }]);
  expect(storableIssues({ inner: { 'k\ud800': 1 } })).toEqual([{ message: 'has a key that is not well-formed Unicode (a lone surrogate)', path: ['inner'] }]);
  // A bad key's value is not looked into
  expect(storableIssues({ '': { deep: NaN } })).toEqual([{ message: 'has an empty key, which DynamoDB refuses as an attribute name', path: [] }]);
});

test('keys the AWS SDK misreads are issues at the object holding them: __proto__ (set as a prototype) and constructor (read as a type)', () => {
  expect(storableIssues(JSON.parse('{"a": {"__proto__": 1}}'))).toEqual([
    { message: 'has a key named __proto__, which the AWS SDK sets as a prototype instead of storing it: rename the field', path: ['a'] },
  ]);
  expect(storableIssues([{ constructor: { name: 'String' } }])).toEqual([
    { message: "has a key named constructor, which the AWS SDK reads as the object's type and stores the object as something else: rename the field", path: [0] },
  ]);
});

test('only plain objects, arrays and JSON scalars are values', () => {
  class Money { amount = 1; }
  expect(storableIssues({ at: new Date(0) })).toEqual([{ message: 'is a Date, not a JSON object', path: ['at'] }]);
  expect(storableIssues({ money: new Money() })).toEqual([{ message: 'is a Money, not a JSON object', path: ['money'] }]);
  expect(storableIssues([new Map()])).toEqual([{ message: 'is a Map, not a JSON object', path: [0] }]);
  expect(storableIssues(Object.create(Object.create(null) as object))).toEqual([{ message: 'is a non-plain object, not a JSON object', path: [] }]);
  expect(storableIssues({ f: () => 1 })).toEqual([{ message: 'is a function, which is not a JSON value', path: ['f'] }]);
  expect(storableIssues({ s: Symbol('s') })).toEqual([{ message: 'is a symbol, which is not a JSON value', path: ['s'] }]);
  expect(storableIssues({ b: 1n })).toEqual([{ message: 'is a bigint, which is not a JSON value', path: ['b'] }]);
});

test('nesting: 32 levels of objects or arrays are stored, a 33rd is an issue at the level that is too deep', () => {
  for (const kind of ['object', 'array'] as const) {
    expect(storableIssues(nested(STORABLE.maxDepth, 1, kind))).toEqual([]);
    const issues = storableIssues(nested(STORABLE.maxDepth + 1, 1, kind));
    expect(issues).toEqual([{ message: "nests deeper than DynamoDB's 32 levels", path: Array(STORABLE.maxDepth).fill(kind === 'object' ? 'n' : 0) }]);
  }
  // A scalar at the deepest level is fine; nothing deeper is looked into
  expect(storableIssues(nested(STORABLE.maxDepth, NaN))).toHaveLength(1);
  expect(storableIssues(nested(STORABLE.maxDepth + 2, NaN))).toEqual([{ message: "nests deeper than DynamoDB's 32 levels", path: Array(STORABLE.maxDepth).fill('n') }]);
});

test('the issues are given under the path passed in, in the order met, at most `limit` of them (10 unless given)', () => {
  expect(storableIssues({ a: NaN, b: [Infinity] }, ['payload'])).toEqual([
    { message: 'NaN is not a finite number', path: ['payload', 'a'] },
    { message: 'Infinity is not a finite number', path: ['payload', 'b', 0] },
  ]);
  const many = Array.from({ length: 50 }, () => NaN);
  expect(storableIssues(many)).toHaveLength(10);
  expect(storableIssues(many).map((issue) => issue.path)).toEqual(Array.from({ length: 10 }, (_, index) => [index]));
  expect(storableIssues(many, [], 3)).toHaveLength(3);
  expect(storableIssues({ a: { b: NaN, c: NaN }, d: NaN }, [], 1)).toEqual([{ message: 'NaN is not a finite number', path: ['a', 'b'] }]);
  // A huge bad input costs little: visiting stops at the limit
  let visited = 0;
  const counting = new Proxy({}, { ownKeys: () => { visited += 1; return Array.from({ length: 1000 }, (_, index) => `k${index}`); }, getOwnPropertyDescriptor: () => ({ value: NaN, enumerable: true, configurable: true }), get: () => NaN });
  expect(storableIssues([counting, counting, counting], [], 2)).toHaveLength(2);
  expect(visited).toBe(1);
});

test('rejectUnstorable: no issues pass; issues throw a ValidationError led by the first, at its path or else the thing named, counting the rest', () => {
  expect(() => rejectUnstorable([], 'state')).not.toThrow();
  expect(() => rejectUnstorable([{ message: 'is odd' }], 'state')).toThrow('state cannot be stored exactly: state is odd.');
  expect(() => rejectUnstorable([{ message: 'is odd', path: ['x'] }, { message: 'y' }], 'state')).toThrow('state cannot be stored exactly: x is odd (and 1 more issues).');
  expect(() => rejectUnstorable([{ message: 'is odd' }], 'state')).toThrow(expect.objectContaining({ name: 'ValidationError', issues: [{ message: 'is odd' }] }));
});

test('a list cannot hold undefined, nor a hole: the AWS SDK would drop it and move the rest down; each is an issue at its index, at most `limit`', () => {
  expect(storableIssues({ tags: [1, undefined, 3, , 5] })).toEqual([
    { message: 'is undefined, which a DynamoDB list cannot hold (the AWS SDK drops it and moves the rest down): use null', path: ['tags', 1] },
    { message: 'is undefined, which a DynamoDB list cannot hold (the AWS SDK drops it and moves the rest down): use null', path: ['tags', 3] },
  ]);
  expect(storableIssues([[undefined]], ['data'])).toEqual([expect.objectContaining({ path: ['data', 0, 0] })]);
  expect(storableIssues(new Array(1_000_000), [], 3)).toHaveLength(3);
  expect(storableIssues([undefined, NaN], [], 1)).toHaveLength(1);
  expect(storableIssues({ a: undefined, list: [null] })).toEqual([]);
});
