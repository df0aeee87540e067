import { handleCommand } from '../../lambda/write/handle-command';
import { EventStore } from '../../lambda/store/event-store';
import { toSnapshotItem } from '../../lambda/store/event-items';
import { itemBytes, MAX_ITEM_BYTES } from '../../lambda/store/item-size';
import { stateCodeVersion } from '../../lambda/write/code-fingerprint';
import type { AnyAggregate } from '../../lambda/write/define-aggregate';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { faultyDynamoDb } from '../helpers/fault-injection';
import { counter } from '../helpers/test-aggregates';
import { defineAggregate } from 'cdk-cqrs/runtime';

/**
 * The snapshot a command writes apart from its events, after them: written up to DynamoDB's item limit exactly, and
 * reported (never thrown) when it is not written, whether it is too large or its write fails; a written one is not
 * reported. (snapshots.test.ts has the loads that snapshots shorten and a state that outgrows the limit.)
 */
const code = stateCodeVersion(counter as unknown as AnyAggregate);
let table: EventStoreTable;
let store: EventStore;
beforeAll(async () => {
  table = await createEventStoreTable('snapshot-write', { stream: false });
  store = new EventStore(table.doc, table.tableName, 2);
});
afterAll(() => table.drop());

const snapshots = async (aggregateId: string) => (await table.scanAll())
  .filter((item) => item.pk === aggregateId && item.kind === 'snapshot').map((item) => item.version);

/** A snapshot of `aggregateId` whose item is `bytes` bytes: its state's padding fills what the rest of the item leaves. */
function snapshotOf(aggregateId: string, bytes: number) {
  const bare = { version: 7, state: { padding: '' }, codeVersion: code };
  const padding = 'p'.repeat(bytes - itemBytes(toSnapshotItem(aggregateId, bare)));
  return { ...bare, state: { padding } };
}

describe('writing a snapshot', () => {
  test('writes one of exactly 400 KB, and leaves one a byte larger unwritten, saying its size', async () => {
    const largest = snapshotOf('exact', MAX_ITEM_BYTES);
    expect(itemBytes(toSnapshotItem('exact', largest))).toBe(MAX_ITEM_BYTES);
    await expect(store.writeSnapshot('exact', largest)).resolves.toEqual({ written: true, bytes: MAX_ITEM_BYTES });
    expect(await snapshots('exact')).toEqual([7]);

    const over = snapshotOf('over', MAX_ITEM_BYTES + 1);
    await expect(store.writeSnapshot('over', over)).resolves.toEqual({ written: false, bytes: MAX_ITEM_BYTES + 1 });
    expect(await snapshots('over')).toEqual([]);
  });

  test('a command that writes its snapshot reports nothing', async () => {
    const logs: unknown[] = [];
    const deps = table.deps({ snapshotEvery: 2, aggregateName: 'Counter', log: (entry) => logs.push(entry) });
    await handleCommand(counter, { type: 'Increment', aggregateId: 'quiet', payload: { by: 1, times: 3 } }, deps);
    expect(await snapshots('quiet')).toEqual([3]);
    expect(logs).toEqual([]);
  });

  test('a snapshot whose write fails is reported with its version, and the command still succeeds', async () => {
    const faulty = faultyDynamoDb();
    try {
      const logs: Record<string, unknown>[] = [];
      const deps = table.deps({ dynamoDb: documentClient(faulty.client), snapshotEvery: 2, aggregateName: 'Counter', log: (entry) => logs.push(entry) });
      // The events go in one transaction (a commandId), so the only PutItem is the snapshot's.
      faulty.inject('PutItemCommand', 'throttle');
      const command = { type: 'Increment', aggregateId: 'throttled', commandId: 'c-1', payload: { by: 1, times: 2 } };
      await expect(handleCommand(counter, command, deps)).resolves.toMatchObject({ version: 2 });
      expect(await snapshots('throttled')).toEqual([]);
      expect(logs).toEqual([{
        message: expect.stringMatching(/^Counter throttled: the snapshot at version 2 was not written \(the command succeeded\)\. .*ThrottlingException/),
        aggregateId: 'throttled', version: 2,
      }]);
    } finally {
      faulty.client.destroy();
    }
  });

  test('with no log given, an unwritten snapshot is reported on stderr as one JSON line', async () => {
    const faulty = faultyDynamoDb();
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      faulty.inject('PutItemCommand', 'throttle');
      const deps = table.deps({ dynamoDb: documentClient(faulty.client), snapshotEvery: 1, aggregateName: 'Counter' });
      await handleCommand(counter, { type: 'Increment', aggregateId: 'stderr', commandId: 'c-1', payload: { by: 1 } }, deps);
      expect(stderr.mock.calls).toEqual([[expect.any(String)]]);
      expect(JSON.parse(String(stderr.mock.calls[0][0]))).toEqual({
        message: expect.stringContaining('Counter stderr: the snapshot at version 1 was not written'), aggregateId: 'stderr', version: 1,
      });
    } finally {
      stderr.mockRestore();
      faulty.client.destroy();
    }
  });

  test('a state that cannot be stored exactly is not snapshotted, and is reported: the next command decides on the state its events fold to', async () => {
    // A state holding undefined in a list: stored, it would load as [1] and the next decision would count one step.
    const steps = defineAggregate({
      initialState: () => ({ steps: [] as (number | undefined)[] }),
      commands: {
        Step: (cmd: { value: number | null }, state) => [{ type: 'Stepped', data: { value: cmd.value, count: state.steps.length } }],
      },
      events: { Stepped: (state, data) => ({ steps: [...state.steps, data.value ?? undefined] }) },
    });
    const logs: Record<string, unknown>[] = [];
    const deps = table.deps({ snapshotEvery: 2, aggregateName: 'Steps', log: (entry) => logs.push(entry) });
    await handleCommand(steps, { type: 'Step', aggregateId: 'holes', payload: { value: 1 } }, deps);
    await handleCommand(steps, { type: 'Step', aggregateId: 'holes', payload: { value: null } }, deps);
    expect(await snapshots('holes')).toEqual([]);
    expect(logs).toEqual([{
      message: 'Steps holes: no snapshot at version 2: the state cannot be stored exactly (state.steps.1 is undefined, which a DynamoDB list cannot hold (the AWS SDK drops it and moves the rest down): use null). Loads fold the events instead.',
      aggregateId: 'holes', version: 2,
    }]);
    const third = await handleCommand(steps, { type: 'Step', aggregateId: 'holes', payload: { value: 3 } }, deps);
    expect(third.events[0].data).toEqual({ value: 3, count: 2 });
  });
});
