import { PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { itemBytes, MAX_ITEM_BYTES } from '../../lambda/store/item-size';
import { storableIssues } from '../../lambda/store/storable-value';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';

/**
 * The store refuses an item over 400 KB by its own count before writing (a typed error, nothing written); DynamoDB
 * refuses it by its count. The two must agree: a count that is low lets through an item DynamoDB then refuses as a
 * fault (a number such as 7.5 was counted a byte short); one that is high refuses what DynamoDB would take. So any
 * storable value, padded to exactly 400 KB by our count, is taken by DynamoDB Local, and one byte more is refused.
 */
let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('item-size-limit', { stream: false }); });
afterAll(() => table.drop());

const put = (item: Record<string, unknown>) => table.doc.send(new PutCommand({ TableName: table.tableName, Item: item }));

/** Numbers of every shape a read model or an event may hold: integers, fractions, tiny and large magnitudes. */
const numbers = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }).map((n) => n / 8),
  fc.double({ min: -1e15, max: 1e15, noNaN: true }),
  fc.double({ min: 1e-120, max: 1e-3, noNaN: true }),
  fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: -40, max: 40 })).map(([digits, power]) => digits * 10 ** power),
);
const values = fc.oneof(numbers, fc.array(numbers, { maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string({ minLength: 1, unit: 'grapheme' }), numbers));

test('an item of exactly 400 KB by our count is taken by DynamoDB, and one a byte larger refused', async () => {
  let run = 0;
  await fc.assert(fc.asyncProperty(values.filter((value) => storableIssues(value).length === 0), async (value) => {
    run += 1;
    const item = (padding: number) => ({ pk: `size-${run}`, sk: 1, value, padding: 'p'.repeat(padding) });
    const free = MAX_ITEM_BYTES - itemBytes(item(0));
    expect(itemBytes(item(free))).toBe(MAX_ITEM_BYTES);
    await expect(put(item(free))).resolves.toBeDefined();
    await expect(put(item(free + 1))).rejects.toThrow('Item size has exceeded the maximum allowed size');
  }), { numRuns: 150 });
});
