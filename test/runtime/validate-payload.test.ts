import type { AnyAggregate } from '../../lambda/write/define-aggregate';
import { validatePayload } from '../../lambda/write/validate-payload';
import { ValidationError } from '../../lambda/shared/errors';
import type { StandardSchemaV1 } from '../../lambda/shared/standard-schema';

/** A Standard Schema of our own, answering what it is given: a check of validatePayload alone, with no library's wording. */
const schemaAnswering = (answer: (value: unknown) => StandardSchemaV1.Result<unknown>): StandardSchemaV1 => ({
  '~standard': { version: 1, vendor: 'test', validate: answer },
});
const aggregateWith = (schemas: Record<string, unknown>) => ({ schemas } as unknown as AnyAggregate);
const command = (type: string, payload: unknown = { any: 'thing' }) => ({ type, aggregateId: 'a#1', payload });
const failure = async (issues: readonly StandardSchemaV1.Issue[]) => {
  const aggregate = aggregateWith({ Rename: schemaAnswering(() => ({ issues })) });
  const error = await validatePayload(aggregate, command('Rename')).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
};

test('a valid payload is the value the schema gives back (it may transform it); a command with no schema keeps its payload', async () => {
  const aggregate = aggregateWith({ Rename: schemaAnswering((value) => ({ value: { ...(value as object), trimmed: true } })) });
  await expect(validatePayload(aggregate, command('Rename', { name: 'Ann' }))).resolves.toEqual({ name: 'Ann', trimmed: true });
  const payload = { name: ' Bob ' };
  await expect(validatePayload(aggregate, command('Close', payload))).resolves.toBe(payload);
  // Only a Standard Schema (an object whose ~standard has a validate function) is run
  for (const notASchema of [null, 'schema', { '~standard': null }, { '~standard': 'x' }, { '~standard': { validate: 'no' } }, {}]) {
    await expect(validatePayload(aggregateWith({ Close: notASchema }), command('Close', payload))).resolves.toBe(payload);
  }
});

test('a schema is looked up as an own property: constructor, __proto__ and toString are command types like any other', async () => {
  const aggregate = aggregateWith({});
  for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const payload = { type };
    await expect(validatePayload(aggregate, command(type, payload))).resolves.toBe(payload);
  }
  const refusing = aggregateWith(Object.defineProperty({}, 'constructor', { value: schemaAnswering(() => ({ issues: [{ message: 'no' }] })), enumerable: true }));
  await expect(validatePayload(refusing, command('constructor'))).rejects.toThrow('Command constructor: payload no.');
});

test('the message names the command, the first issue\'s path and message, and how many more issues there are', async () => {
  expect((await failure([{ message: 'is required', path: ['email'] }])).message).toBe('Command Rename: payload.email is required.');
  expect((await failure([{ message: 'too long', path: ['lines', { key: 2 }, 'text'] }, { message: 'x' }])).message)
    .toBe('Command Rename: payload.lines.2.text too long (and 1 more issues).');
  expect((await failure([{ message: 'bad', path: [] }, { message: 'x' }, { message: 'y', path: ['z'] }])).message)
    .toBe('Command Rename: payload bad (and 2 more issues).');
  expect((await failure([{ message: 'not an object' }])).message).toBe('Command Rename: payload not an object.');
  expect((await failure([])).message).toBe('Command Rename: payload is invalid.');
});

test('the issues keep each message and path: a segment object gives its key, a number stays a number, anything else becomes a string', async () => {
  const symbol = Symbol('tag');
  const error = await failure([
    { message: 'first', path: ['lines', { key: 0 }, 'sku'] },
    { message: 'second', path: [3, { key: symbol }] },
    { message: 'third' },
  ]);
  expect(error.issues).toEqual([
    { message: 'first', path: ['lines', 0, 'sku'] },
    { message: 'second', path: [3, 'Symbol(tag)'] },
    { message: 'third', path: undefined },
  ]);
});
