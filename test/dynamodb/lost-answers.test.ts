import { defineAggregate, DomainError } from 'cdk-cqrs/runtime';
import { handleCommand } from '../../lambda/write/handle-command';
import { WarmCache } from '../../lambda/write/warm-cache';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { faultyDynamoDb } from '../helpers/fault-injection';
import { counter } from '../helpers/test-aggregates';

let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('lost-answers', { stream: false }); });
afterAll(() => table.drop());

const eventVersions = async (aggregateId: string) => (await table.scanAll())
  .filter((item) => item.pk === aggregateId && item.kind === 'event').map((item) => item.sk).sort((a, b) => Number(a) - Number(b));

describe('an answer lost after DynamoDB applied the write (the SDK retries it)', () => {
  test('stores a command without expectedVersion once, and answers its version', async () => {
    const faulty = faultyDynamoDb();
    const deps = table.deps({ dynamoDb: documentClient(faulty.client), aggregateName: 'Counter' });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'lost-1', payload: { by: 1 } }, deps);
    // WHEN the conditional PutItem of the next command lands but its answer is lost
    faulty.inject('PutItemCommand', 'lose-answer');
    const result = await handleCommand(counter, { type: 'Increment', aggregateId: 'lost-1', payload: { by: 2 } }, deps);
    // THEN the SDK's retry found our own event in the slot: one event, not two
    expect(faulty.attempts.filter((c) => c === 'PutItemCommand')).toHaveLength(3);
    expect(result.version).toBe(2);
    expect(await eventVersions('lost-1')).toEqual([1, 2]);
    faulty.client.destroy();
  });

  test('answers a command with expectedVersion with its success, not a ConcurrencyError for its own write', async () => {
    const faulty = faultyDynamoDb();
    const deps = table.deps({ dynamoDb: documentClient(faulty.client), aggregateName: 'Counter' });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'lost-2', payload: { by: 1 } }, deps);
    faulty.inject('PutItemCommand', 'lose-answer');
    await expect(handleCommand(counter, { type: 'Increment', aggregateId: 'lost-2', payload: { by: 2 }, expectedVersion: 1 }, deps))
      .resolves.toMatchObject({ version: 2 });
    expect(await eventVersions('lost-2')).toEqual([1, 2]);
    faulty.client.destroy();
  });

  test('stores a command with a commandId (a transaction) once, and answers its first result', async () => {
    const faulty = faultyDynamoDb();
    const deps = table.deps({ dynamoDb: documentClient(faulty.client), aggregateName: 'Counter' });
    faulty.inject('TransactWriteItemsCommand', 'lose-answer');
    const result = await handleCommand(counter, { type: 'Increment', aggregateId: 'lost-3', payload: { by: 5, times: 2 }, commandId: 'cmd-1' }, deps);
    expect(result.version).toBe(2);
    expect(result.events.map((e) => e.version)).toEqual([1, 2]);
    expect(await eventVersions('lost-3')).toEqual([1, 2]);
    faulty.client.destroy();
  });
});

describe('a throttled write', () => {
  test('fails the command as a fault and leaves the warm cache at the stored version, so the next command leaves no gap', async () => {
    const faulty = faultyDynamoDb();
    const cache = new WarmCache();
    const deps = table.deps({ dynamoDb: documentClient(faulty.client), cache, aggregateName: 'Counter' });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'throttled', payload: { by: 1 } }, deps);
    faulty.inject('PutItemCommand', 'throttle');
    await expect(handleCommand(counter, { type: 'Increment', aggregateId: 'throttled', payload: { by: 2 } }, deps)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(cache.get('throttled')?.version).toBe(1);
    const next = await handleCommand(counter, { type: 'Increment', aggregateId: 'throttled', payload: { by: 3 } }, deps);
    expect(next.version).toBe(2);
    expect(await eventVersions('throttled')).toEqual([1, 2]);
    faulty.client.destroy();
  });
});

/** A door that refuses to open twice, and a command that opens it only when it is closed. */
const door = defineAggregate({
  initialState: () => ({ open: false }),
  commands: {
    Open: (_cmd: Record<string, never>, state) => {
      if (state.open) throw new DomainError('The door is already open');
      return [{ type: 'Opened' }];
    },
    Close: (_cmd: Record<string, never>, state) => {
      if (!state.open) throw new DomainError('The door is already closed');
      return [{ type: 'Closed' }];
    },
    EnsureOpen: (_cmd: Record<string, never>, state) => (state.open ? [] : [{ type: 'Opened' }]),
  },
  events: {
    Opened: () => ({ open: true }),
    Closed: () => ({ open: false }),
  },
});

describe('a warm cache another container has moved past', () => {
  const twoContainers = () => ({
    a: table.deps({ cache: new WarmCache(), aggregateName: 'Door' }),
    b: table.deps({ cache: new WarmCache(), aggregateName: 'Door' }),
  });

  test('does not refuse a command that the stored state allows', async () => {
    const { a, b } = twoContainers();
    await handleCommand(door, { type: 'Open', aggregateId: 'door-1', payload: {} }, a);
    await handleCommand(door, { type: 'Close', aggregateId: 'door-1', payload: {} }, b);
    // WHEN A, whose cache says open, is asked to open the door that B closed
    await expect(handleCommand(door, { type: 'Open', aggregateId: 'door-1', payload: {} }, a)).resolves.toMatchObject({ version: 3 });
  });

  test('does not answer "nothing to do" at a stale version when the stored state needs the effect', async () => {
    const { a, b } = twoContainers();
    await handleCommand(door, { type: 'Open', aggregateId: 'door-2', payload: {} }, a);
    await handleCommand(door, { type: 'Close', aggregateId: 'door-2', payload: {} }, b);
    const result = await handleCommand(door, { type: 'EnsureOpen', aggregateId: 'door-2', payload: {} }, a);
    expect(result.version).toBe(3);
    expect(result.events.map((e) => e.type)).toEqual(['Opened']);
  });

  test('still refuses, at one extra read, a command the stored state refuses too', async () => {
    const { a } = twoContainers();
    await handleCommand(door, { type: 'Open', aggregateId: 'door-3', payload: {} }, a);
    await expect(handleCommand(door, { type: 'Open', aggregateId: 'door-3', payload: {} }, a)).rejects.toMatchObject({ name: 'DomainError' });
  });
});
