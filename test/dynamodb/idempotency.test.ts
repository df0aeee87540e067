import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EVENT_STORE } from '../../lib/private/runtime-contract';
import { idempotencyRecordKey } from '../../lambda/store/event-items';
import { handleCommand } from '../../lambda/write/handle-command';
import { WarmCache } from '../../lambda/write/warm-cache';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { recordCommands } from '../helpers/request-counts';
import { counter, customer } from '../helpers/test-aggregates';

let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('idempotency'); });
afterAll(async () => { await table.drop(); });

const ann = { email: 'ann@example.com', name: 'Ann' };

describe('a command sent twice with the same commandId', () => {
  test('returns the first result and writes nothing more', async () => {
    // GIVEN
    const command = { type: 'RegisterCustomer', aggregateId: 'c-1', payload: ann, commandId: 'cmd-1' };
    const first = await handleCommand(customer, command, table.deps());
    const itemsAfterFirst = (await table.scanAll()).length;
    // WHEN
    const second = await handleCommand(customer, command, table.deps());
    // THEN
    expect(second).toEqual(first);
    expect((await table.scanAll()).length).toBe(itemsAfterFirst);
  });

  test('returns the first result when the retry would be refused by decide', async () => {
    // GIVEN a registration, then another command moved the customer on
    const command = { type: 'SuspendCustomer', aggregateId: 'c-2', payload: { reason: 'fraud' }, commandId: 'cmd-2' };
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-2', payload: ann }, table.deps());
    const first = await handleCommand(customer, command, table.deps());
    const items = (await table.scanAll()).length;
    // WHEN the suspension is retried: decide alone would throw "Can only suspend active customers"
    const second = await handleCommand(customer, command, table.deps());
    // THEN
    expect(second).toEqual(first);
    expect((await table.scanAll()).length).toBe(items);
  });

  test('returns the first result when the retry carries an expectedVersion now outdated', async () => {
    // GIVEN
    const command = { type: 'RegisterCustomer', aggregateId: 'c-3', payload: ann, commandId: 'cmd-3', expectedVersion: 0 };
    const first = await handleCommand(customer, command, table.deps());
    const items = (await table.scanAll()).length;
    // WHEN
    const second = await handleCommand(customer, command, table.deps());
    // THEN
    expect(second).toEqual(first);
    expect(first.version).toBe(1);
    expect((await table.scanAll()).length).toBe(items);
  });

  test('a different commandId is a new command', async () => {
    // GIVEN
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-4', payload: ann, commandId: 'a' }, table.deps());
    // WHEN / THEN
    await expect(handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-4', payload: ann, commandId: 'b' }, table.deps()))
      .rejects.toMatchObject({ name: 'DomainError', message: 'Customer already exists' });
  });
});

describe('a commandId is one command', () => {
  test('fails with IdempotencyKeyReused when it comes again with another payload, and writes nothing', async () => {
    const first = { type: 'RegisterCustomer', aggregateId: 'c-reuse', payload: ann, commandId: 'cmd-reuse' };
    await handleCommand(customer, first, table.deps());
    const before = await table.scanAll();
    await expect(handleCommand(customer, { ...first, payload: { ...ann, name: 'Anne' } }, table.deps()))
      .rejects.toMatchObject({ name: 'IdempotencyKeyReused', commandId: 'cmd-reuse', aggregateId: 'c-reuse' });
    expect(await table.scanAll()).toEqual(before);
  });

  test('fails with IdempotencyKeyReused when it comes again with another command type that would succeed', async () => {
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-reuse-2', payload: ann, commandId: 'cmd-r2' }, table.deps());
    const before = await table.scanAll();
    await expect(handleCommand(customer, { type: 'SuspendCustomer', aggregateId: 'c-reuse-2', payload: { reason: 'x' }, commandId: 'cmd-r2' }, table.deps()))
      .rejects.toMatchObject({ name: 'IdempotencyKeyReused' });
    expect(await table.scanAll()).toEqual(before);
  });

  test('answers the same command again with its first result whatever the order of the payload\'s fields', async () => {
    const first = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-order', payload: ann, commandId: 'cmd-order' }, table.deps());
    await expect(handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-order', payload: { name: ann.name, email: ann.email }, commandId: 'cmd-order' }, table.deps()))
      .resolves.toEqual(first);
  });

  test.each([
    ['a', 'command#c', 'a#command', 'c'],
    ['x#', '#y', 'x', '##y'],
    ['1:a', 'b', '1', ':ab'],
  ])('is kept apart per aggregate: %s + %s and %s + %s are two commands', async (id1, cmd1, id2, cmd2) => {
    // GIVEN two aggregates whose ids and commandIds join to the same text
    const one = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: id1, payload: ann, commandId: cmd1 }, table.deps());
    const two = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: id2, payload: ann, commandId: cmd2 }, table.deps());
    // THEN each is stored: the second was not taken for a retry of the first
    expect(one.events).toHaveLength(1);
    expect(two.events).toHaveLength(1);
    expect(two.events[0].aggregateId).toBe(id2);
  });
});


describe('an idempotency record', () => {
  test('expires idempotencyTtlSeconds after the command, in epoch seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-ttl', payload: ann, commandId: 'cmd-ttl' }, table.deps({ idempotencyTtlSeconds: 3600 }));
    const after = Math.floor(Date.now() / 1000);
    const { Item: record } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: idempotencyRecordKey('c-ttl', 'cmd-ttl') }));
    expect(record?.[EVENT_STORE.ttlAttribute]).toBeGreaterThanOrEqual(before + 3600);
    expect(record?.[EVENT_STORE.ttlAttribute]).toBeLessThanOrEqual(after + 3600);
  });

  test('written before fingerprints were kept answers its command with the first result, whatever the payload', async () => {
    // GIVEN a command's record without its fingerprint, as older versions wrote it
    const command = { type: 'RegisterCustomer', aggregateId: 'c-legacy', payload: ann, commandId: 'cmd-legacy' };
    const first = await handleCommand(customer, command, table.deps());
    await table.doc.send(new UpdateCommand({ TableName: table.tableName, Key: idempotencyRecordKey('c-legacy', 'cmd-legacy'), UpdateExpression: 'REMOVE fingerprint' }));
    // WHEN / THEN
    await expect(handleCommand(customer, command, table.deps())).resolves.toEqual(first);
    await expect(handleCommand(customer, { ...command, payload: { ...ann, name: 'Other' } }, table.deps())).resolves.toEqual(first);
  });

  test('met by a container deciding the same command on stale cached state answers the first result with its one failed write, no retries', async () => {
    // GIVEN container B has cached the counter at version 1, then container A handles a command
    const cacheB = new WarmCache();
    const client = localDynamoDb();
    const calls = recordCommands(client);
    const deps = (cache?: WarmCache) => table.deps({ aggregateName: 'Counter', cache, maxConflictRetries: 3 });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'n-dup', payload: { by: 1 } }, deps(cacheB));
    const command = { type: 'Increment', aggregateId: 'n-dup', payload: { by: 5 }, commandId: 'cmd-dup' };
    const first = await handleCommand(counter, command, deps());
    // WHEN B is handed the same command (a redelivery)
    const again = await handleCommand(counter, command, { ...deps(cacheB), dynamoDb: documentClient(client) });
    // THEN the first result, from one write that met the command's own record
    expect(again).toEqual(first);
    expect(calls.filter((call) => call === 'PutItemCommand' || call === 'TransactWriteItemsCommand')).toEqual(['TransactWriteItemsCommand']);
    client.destroy();
  });
});
