import { ValidationError } from '../../lambda/shared/errors';
import { idProblem, parseCommandEnvelope } from '../../lambda/write/command-envelope';

/** The ValidationError an envelope is refused with. */
const refusal = (input: unknown): ValidationError => {
  try {
    parseCommandEnvelope(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
};
const valid = { type: 'Rename', aggregateId: 'c#1', payload: { name: 'Ann' } };

test('something other than an object is refused, saying what it was', () => {
  for (const [input, given] of [[null, 'null'], [[valid], 'an array'], ['Rename', 'string'], [7, 'number'], [undefined, 'undefined'], [true, 'boolean']] as const) {
    expect(refusal(input).message).toBe(`Command envelope must be an object with type, aggregateId and payload (given ${given}).`);
  }
});

test('each wrong field is named with its rule and what was given (shortened past 80 characters), and as an issue', () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ ...valid, type: '' }, 'type', 'type must be a non-empty string (given "")'],
    [{ ...valid, type: 3 }, 'type', 'type must be a non-empty string (given 3)'],
    [{ ...valid, aggregateId: undefined }, 'aggregateId', 'aggregateId must be a non-empty string (given undefined)'],
    [{ ...valid, aggregateId: 'a\ud800' }, 'aggregateId', 'aggregateId must be well-formed Unicode (it holds a lone surrogate, which no key can store exactly) (given "a\\ud800")'],
    [{ ...valid, aggregateId: 'x#command#y' }, 'aggregateId', "aggregateId must not contain '#command#', which marks idempotency records (given \"x#command#y\")"],
    [{ ...valid, commandId: '' }, 'commandId', 'commandId must be a non-empty string (given "")'],
    [{ ...valid, sessionId: 5 }, 'sessionId', 'sessionId must be a non-empty string (given 5)'],
    [{ type: 'Rename', aggregateId: 'c#1' }, 'payload', 'payload is required (given undefined)'],
    [{ ...valid, payload: [1] }, 'payload', 'payload must be an object (given [1])'],
    [{ ...valid, payload: 'x'.repeat(100) }, 'payload', `payload must be an object (given "${'x'.repeat(76)}...)`],
    [{ ...valid, expectedVersion: -1 }, 'expectedVersion', 'expectedVersion must be an integer >= 0 (given -1)'],
    [{ ...valid, expectedVersion: 1.5 }, 'expectedVersion', 'expectedVersion must be an integer >= 0 (given 1.5)'],
    [{ ...valid, expectedVersion: 2 ** 53 }, 'expectedVersion', 'expectedVersion must be an integer >= 0 (given 9007199254740992)'],
    [{ ...valid, expectedVersion: '1' }, 'expectedVersion', 'expectedVersion must be an integer >= 0 (given "1")'],
    [{ ...valid, metadata: 'm' }, 'metadata', 'metadata must be an object (given "m")'],
    [{ ...valid, caller: 'ann' }, 'caller', 'caller must be an object { subject, claims } (given "ann")'],
  ];
  for (const [input, field, text] of cases) {
    const error = refusal(input);
    expect(error.message).toBe(`Command envelope: ${text}.`);
    expect(error.issues).toEqual([{ message: text.slice(field.length + 1, text.lastIndexOf(' (given')), path: [field] }]);
  }
  // What is shown is 80 characters at most: a JSON text of 80 as it is, one of 81 shortened to 77 and '...'
  expect(refusal({ ...valid, payload: 'x'.repeat(78) }).message).toContain(`(given "${'x'.repeat(78)}")`);
  expect(refusal({ ...valid, payload: 'x'.repeat(79) }).message).toContain(`(given "${'x'.repeat(76)}...)`);
});

test('metadata fields that are carried must be well-formed strings', () => {
  for (const field of ['correlationId', 'tenantId']) {
    for (const value of [7, 'a\udc00']) {
      const error = refusal({ ...valid, metadata: { [field]: value } });
      expect(error.message).toBe(`Command envelope: metadata.${field} must be a well-formed string (given ${JSON.stringify(value)}).`);
      expect(error.issues).toEqual([{ message: 'must be a well-formed string', path: ['metadata', field] }]);
    }
  }
  expect(parseCommandEnvelope({ ...valid, metadata: { correlationId: 'c', tenantId: 't', other: 1 } }).metadata).toEqual({ correlationId: 'c', tenantId: 't', other: 1 });
});

test('a valid envelope keeps its fields, optional ones only when given, and the caller with its claims', () => {
  expect(parseCommandEnvelope(valid)).toEqual({ ...valid, expectedVersion: undefined, commandId: undefined, sessionId: undefined, metadata: undefined });
  expect(parseCommandEnvelope(valid)).not.toHaveProperty('caller');
  expect(parseCommandEnvelope({ ...valid, expectedVersion: 0 }).expectedVersion).toBe(0);
  expect(parseCommandEnvelope({ ...valid, caller: { subject: 'ann' } }).caller).toEqual({ subject: 'ann', claims: {} });
  expect(parseCommandEnvelope({ ...valid, caller: { subject: 'ann', claims: { groups: ['staff'] } } }).caller).toEqual({ subject: 'ann', claims: { groups: ['staff'] } });
});

test('a payload that cannot be stored exactly is refused with its first issue and how many more', () => {
  expect(refusal({ ...valid, payload: { amount: NaN } }).message).toBe('payload cannot be stored exactly: payload.amount NaN is not a finite number.');
  const many = refusal({ ...valid, payload: { a: NaN, b: Infinity, c: 2 ** 53 } });
  expect(many.message).toBe('payload cannot be stored exactly: payload.a NaN is not a finite number (and 2 more issues).');
  expect(many.issues).toHaveLength(3);
});

test('idProblem: a non-empty, well-formed string; only an aggregateId may not hold the idempotency marker', () => {
  expect(idProblem('c#1', 'aggregateId')).toBeUndefined();
  expect(idProblem('x#command#y', 'commandId')).toBeUndefined();
  expect(idProblem('x#command#y', 'aggregateId')).toMatch(/^must not contain/);
  expect(idProblem('', 'commandId')).toBe('must be a non-empty string');
  expect(idProblem(1, 'commandId')).toBe('must be a non-empty string');
});
