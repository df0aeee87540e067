import fc from 'fast-check';
import { isCommandRejection } from '../../lambda/shared/errors';
import { handleCommand } from '../../lambda/write/handle-command';
import { EventStore } from '../../lambda/store/event-store';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { createSessionTable } from '../helpers/create-session-table';
import { faultyDynamoDb } from '../helpers/fault-injection';
import { counter, customer } from '../helpers/test-aggregates';

/**
 * Generated envelopes, most of them hostile: names of Object's members as command types, ids
 * with separators, lone surrogates, ids past DynamoDB's key limits, payloads of every JSON shape
 * and numbers DynamoDB cannot hold. Each must end in a typed rejection with no write sent to
 * DynamoDB, or in a success whose events are exactly the stored ones: never a fault.
 */

// One event store per aggregate type, as deployed: a customer and a counter may share an id.
let counters: EventStoreTable;
let customers: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
beforeAll(async () => {
  [counters, customers, sessions] = await Promise.all([
    createEventStoreTable('fuzz-counters', { stream: false }), createEventStoreTable('fuzz-customers', { stream: false }), createSessionTable('fuzz-sessions'),
  ]);
});
afterAll(async () => { await Promise.all([counters.drop(), customers.drop(), sessions.drop()]); });

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineSetter__'];
const odd = fc.constantFrom('#', '#command#', ':', '\uD800', '\uDFFF', '\u0000', 'é', '😀', ' ', '');
const id = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), odd), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.integer({ min: 1000, max: 2600 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(undefined, null, 42, {}, []),
);
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 53, -(2 ** 60), 1e-200, 1e200, Number.MAX_VALUE, Number.MIN_VALUE, NaN, -0));
const payload = fc.oneof(
  { depthSize: 'small' },
  fc.record({ by: number, times: fc.option(fc.integer({ min: -2, max: 120 }), { nil: undefined }) }, { requiredKeys: ['by'] }),
  fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()), name: fc.string() }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.oneof(fc.string(), odd, fc.constantFrom(...PROTOTYPE_NAMES)), fc.oneof(number, fc.string({ maxLength: 4 }))),
  fc.constantFrom('a string', 7, null, [], [1, 2]),
);
const type = fc.oneof(fc.constantFrom('Increment', 'RegisterCustomer', 'SuspendCustomer', 'TouchCustomer'), fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 10 }));
const envelope = fc.record({
  type,
  aggregateId: id,
  payload,
  expectedVersion: fc.constantFrom(undefined, 0, 1, -1, 1.5, 2 ** 60, '1'),
  commandId: fc.oneof(fc.constant(undefined), id),
  sessionId: fc.oneof(fc.constant(undefined), id),
  metadata: fc.constantFrom(undefined, {}, { correlationId: 'c' }, { correlationId: 7 }, 'meta', { tenantId: '\uD800' }),
}, { requiredKeys: ['type', 'aggregateId'] });

/** Well-formed commands with ids that hold separators: they must succeed (or be refused by the domain) and be stored exactly. */
const plausibleId = fc.array(fc.constantFrom('a', 'b', '#', ':', '1', 'é', '😀', '#command'), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
const plausible = fc.oneof(
  fc.record({ type: fc.constant('Increment'), aggregateId: plausibleId, payload: fc.record({ by: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e100, max: 1e100 })), times: fc.integer({ min: 0, max: 3 }) }), commandId: fc.option(plausibleId, { nil: undefined }), sessionId: fc.option(plausibleId, { nil: undefined }) }).map((input) => [true, input] as const),
  fc.record({ type: fc.constantFrom('RegisterCustomer', 'SuspendCustomer', 'TouchCustomer'), aggregateId: plausibleId, payload: fc.record({ email: fc.emailAddress(), name: fc.string({ minLength: 1, maxLength: 8 }), reason: fc.string({ maxLength: 5 }) }), commandId: fc.option(plausibleId, { nil: undefined }) }).map((input) => [false, input] as const),
);
const anyEnvelope = fc.oneof(plausible, fc.tuple(fc.boolean(), envelope));

test('every generated envelope is a typed rejection that writes nothing, or a success that stored exactly its events', async () => {
  const faulty = faultyDynamoDb();
  const dynamoDb = documentClient(faulty.client);
  const sides = [counters, customers].map((table) => ({
    store: new EventStore(dynamoDb, table.tableName, 0),
    deps: table.deps({ dynamoDb, session: { tableName: sessions.tableName, ttlSeconds: 60 } }),
  }));
  const outcomes: Record<string, number> = {};
  const writes = () => faulty.attempts.filter((call) => call === 'PutItemCommand' || call === 'TransactWriteItemsCommand').length;
  await fc.assert(fc.asyncProperty(anyEnvelope, async ([isCounter, input]) => {
    const before = writes();
    const { store, deps } = sides[isCounter ? 0 : 1];
    try {
      const result = await handleCommand(isCounter ? counter : customer, input, deps);
      outcomes.success = (outcomes.success ?? 0) + 1;
      // A success: what it answers is what is stored
      if (result.events.length === 0) expect(writes()).toBe(before);
      else expect(await store.readRange(result.aggregateId, result.version - result.events.length + 1, result.version)).toEqual(JSON.parse(JSON.stringify(result.events)));
    } catch (error) {
      outcomes[(error as Error).name] = (outcomes[(error as Error).name] ?? 0) + 1;
      if (!isCommandRejection(error)) throw new Error(`A fault instead of a typed rejection for ${JSON.stringify(input)}: ${String(error)}`);
      // A rejection after the write was tried is a conflict or a reused key, which write nothing either
      if (!['ConcurrencyError', 'IdempotencyKeyReused'].includes(error.name)) expect(writes()).toBe(before);
    }
  }), { numRuns: 1000 });
  faulty.client.destroy();
  // Not vacuous: the generators reach successes and each kind of rejection.
  expect(outcomes).toMatchObject({ success: expect.any(Number), ValidationError: expect.any(Number), UnknownCommand: expect.any(Number), DomainError: expect.any(Number) });
  expect(outcomes.success).toBeGreaterThan(50);
});
