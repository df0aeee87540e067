import fc from 'fast-check';
import { handleCommand, type CommandHandlerDeps } from '../../lambda/write/handle-command';
import { WarmCache } from '../../lambda/write/warm-cache';
import { EventStore } from '../../lambda/store/event-store';
import type { CommandResult } from '../../lambda/shared/envelope';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { faultyDynamoDb, type Fault } from '../helpers/fault-injection';
import { counter } from '../helpers/test-aggregates';

/**
 * The command handler against a reference model: several containers with their own warm caches
 * take commands for a few aggregates, with expectedVersions right and wrong, commandIds new and
 * repeated (with the same or another payload), and faults: an answer lost after the write landed
 * (the SDK retries), a throttled first call. After every command the answer must be the one the
 * model gives and the store must hold exactly the model's events: no command doubled, lost or
 * misreported.
 */

let table: EventStoreTable;
beforeAll(async () => { table = await createEventStoreTable('command-model', { stream: false }); });
afterAll(() => table.drop());

interface Model {
  /** Per aggregate, the `by` of each stored event, in version order. */
  readonly events: Map<string, number[]>;
  /** Per aggregate and commandId, what it was and what it answered. */
  readonly commands: Map<string, { readonly fingerprint: string; readonly version: number; readonly firstVersion: number }>;
}

interface Real {
  readonly containers: CommandHandlerDeps[];
  readonly faulty: ReturnType<typeof faultyDynamoDb>;
  readonly store: EventStore;
  readonly prefix: string;
}

type Expected = 'current' | 'wrong' | 'none';

class Send implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly container: number, readonly aggregate: string, readonly by: number, readonly times: number,
    readonly expected: Expected, readonly commandId: string | undefined, readonly fault: Fault | 'none',
  ) {}

  check = () => true;

  async run(model: Model, real: Real): Promise<void> {
    const aggregateId = `${real.prefix}-${this.aggregate}`;
    const stored = model.events.get(aggregateId) ?? [];
    const current = stored.length;
    const expectedVersion = this.expected === 'none' ? undefined : this.expected === 'current' ? current : current + 7;
    const key = this.commandId && `${aggregateId}|${this.commandId}`;
    const previous = key ? model.commands.get(key) : undefined;
    const fingerprint = `${this.by}x${this.times}`;
    if (this.fault === 'throttle') real.faulty.inject('*', 'throttle');
    if (this.fault === 'lose-answer') real.faulty.inject(['PutItemCommand', 'TransactWriteItemsCommand'], 'lose-answer');
    let result: CommandResult | undefined;
    let error: { name?: string; currentVersion?: number } | undefined;
    try {
      result = await handleCommand(counter, {
        type: 'Increment', aggregateId, payload: { by: this.by, times: this.times }, expectedVersion, commandId: this.commandId,
      }, real.containers[this.container]);
    } catch (caught) {
      error = caught as typeof error;
    } finally {
      real.faulty.clear();
    }

    if (this.fault === 'throttle') {
      // The first call failed before reaching DynamoDB: a fault, and nothing happened.
      expect(error?.name).toBe('ThrottlingException');
    } else if (previous && previous.fingerprint === fingerprint) {
      expect(error).toBeUndefined();
      expect(result?.version).toBe(previous.version);
      expect(result?.events.map((e) => e.version)).toEqual(range(previous.firstVersion, previous.version));
    } else if (previous) {
      expect(error?.name).toBe('IdempotencyKeyReused');
    } else if (expectedVersion !== undefined && expectedVersion !== current) {
      expect(error).toMatchObject({ name: 'ConcurrencyError', currentVersion: current });
    } else {
      expect(error).toBeUndefined();
      expect(result?.version).toBe(current + this.times);
      expect(result?.events.map((e) => [e.version, (e.data as { by: number }).by])).toEqual(range(current + 1, current + this.times).map((v) => [v, this.by]));
      model.events.set(aggregateId, [...stored, ...Array<number>(this.times).fill(this.by)]);
      if (key) model.commands.set(key, { fingerprint, version: current + this.times, firstVersion: current + 1 });
    }
    // The store holds exactly the model's events, whatever the answer was.
    const events = await real.store.readRange(aggregateId, 1, Number.MAX_SAFE_INTEGER);
    expect(events.map((e) => (e.data as { by: number }).by)).toEqual(model.events.get(aggregateId) ?? []);
  }

  toString = () => `Send(container ${this.container}, ${this.aggregate}, by ${this.by} x${this.times}, expected ${this.expected}, commandId ${this.commandId ?? '-'}, fault ${this.fault})`;
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

const send = fc.tuple(
  fc.integer({ min: 0, max: 2 }), fc.constantFrom('a', 'b'), fc.integer({ min: 1, max: 3 }), fc.constantFrom(1, 1, 2),
  fc.constantFrom<Expected>('none', 'none', 'current', 'wrong'), fc.option(fc.constantFrom('c1', 'c2', 'c3'), { freq: 2 }),
  fc.constantFrom<Fault | 'none'>('none', 'none', 'none', 'lose-answer', 'throttle'),
).map(([container, aggregate, by, times, expected, commandId, fault]) => new Send(container, aggregate, by, times, expected, commandId ?? undefined, fault));

test('no command is doubled, lost or misreported, whatever the containers, caches and faults', async () => {
  let run = 0;
  await fc.assert(fc.asyncProperty(fc.commands([send], { maxCommands: 25 }), async (commands) => {
    const faulty = faultyDynamoDb();
    const dynamoDb = documentClient(faulty.client);
    const real: Real = {
      faulty,
      containers: [0, 1, 2].map(() => table.deps({ dynamoDb, cache: new WarmCache(), aggregateName: 'Counter', snapshotEvery: 3, maxConflictRetries: 2 })),
      store: new EventStore(dynamoDb, table.tableName, 0),
      prefix: `run-${run += 1}`,
    };
    try {
      await fc.asyncModelRun(() => ({ model: { events: new Map(), commands: new Map() }, real }), commands);
    } finally {
      faulty.client.destroy();
    }
  }), { numRuns: 40 });
});
