import { defineCustomProjection, Repository } from 'cdk-cqrs/runtime';
import account from '../fixtures/evolving/account';
import balances from '../fixtures/evolving/balances';
import { eraseCustomProjection } from '../../lambda/projection/define-custom-projection';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { projectCustomWrites } from '../../lambda/projection/project-custom-writes';
import { projectMessages, type ProjectorDeps } from '../../lambda/projection/project-messages';
import { handleCommand } from '../../lambda/write/handle-command';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { createSessionTable } from '../helpers/create-session-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { storeEvents } from '../helpers/store-events';

// Today's Account (account.ts): Deposited { cents } (version 1 stored { euros }), Opened { owner } (a
// retired OpenedBy { name } is renamed to it), and a retired Migrated that splits into both.
/** Events as older code stored them: each with the schema version it was written at. */
const old = (aggregateId: string, events: readonly { type: string; data: unknown; schemaVersion: number }[]): EventEnvelope[] =>
  envelopes('Account', aggregateId, events).map((event, index) => ({ ...event, metadata: { ...event.metadata, schemaVersion: events[index].schemaVersion } }));

let store: EventStoreTable;
let readModel: ReadModelTable;
let deps: ProjectorDeps;
const logged: string[] = [];
beforeAll(async () => {
  [store, readModel] = await Promise.all([createEventStoreTable('upcast-events'), createReadModelTable('upcast')]);
  deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'Balances', log: (entry) => logged.push(String(entry.message)) };
});
afterAll(async () => { await Promise.all([store.drop(), readModel.drop()]); });

describe('stored events of older schema versions, read by today\'s code', () => {
  const history = old('a-1', [
    { type: 'OpenedBy', data: { name: 'Ann' }, schemaVersion: 1 },
    { type: 'Deposited', data: { euros: 2.5 }, schemaVersion: 1 },
    { type: 'Deposited', data: { cents: 100 }, schemaVersion: 2 },
  ]);

  test('a command decides on the upcast state, and its new events are stamped with today\'s schema version', async () => {
    await storeEvents(store.doc, store.tableName, history);
    const commandDeps = store.deps({ aggregateName: 'Account', eventSource: 'test.Account' });
    // 350 cents: 2.50 euros upcast, and 100 cents; a withdrawal of 351 is refused on that state.
    await expect(handleCommand(account, { type: 'Withdraw', aggregateId: 'a-1', payload: { cents: 351 } }, commandDeps)).rejects.toThrow('Only 350 cents to withdraw');
    const result = await handleCommand(account, { type: 'Deposit', aggregateId: 'a-1', payload: { cents: 50 } }, commandDeps);
    expect(result.events.map((event) => [event.version, event.metadata.schemaVersion])).toEqual([[4, 2]]);
  });

  test('the projector folds the upcast events; a split event applies both parts at its one version', async () => {
    const migrated = old('a-2', [{ type: 'Migrated', data: { name: 'Bo', euros: 3 }, schemaVersion: 1 }, { type: 'Deposited', data: { euros: 1 }, schemaVersion: 1 }]);
    await storeEvents(store.doc, store.tableName, migrated);
    const response = await projectMessages(eraseProjection(balances), [...history, ...migrated].map((event) => queueMessage(event)), deps);
    expect(response.batchItemFailures).toEqual([]);
    const repository = new Repository(balances, { tableName: readModel.tableName, projectionName: 'Balances', dynamoDb: readModel.doc });
    expect(await repository.getDocument('a-1')).toEqual({ aggregateId: 'a-1', version: 3, view: { owner: 'Ann', cents: 350, deposits: 2 } });
    expect(await repository.getDocument('a-2')).toEqual({ aggregateId: 'a-2', version: 2, view: { owner: 'Bo', cents: 400, deposits: 2 } });
  });

  test('an event newer than the code (a rollback) fails only its own aggregate\'s messages, with a message naming the type and both versions', async () => {
    logged.length = 0;
    const newer = old('a-3', [{ type: 'Opened', data: { owner: 'Cy' }, schemaVersion: 1 }, { type: 'Deposited', data: { cents: 5, currency: 'EUR' }, schemaVersion: 3 }]);
    const fine = old('a-4', [{ type: 'Opened', data: { owner: 'Di' }, schemaVersion: 1 }]);
    const messages = [...newer, ...fine].map((event) => queueMessage(event, `m-${event.aggregateId}-${event.version}`));
    const response = await projectMessages(eraseProjection(balances), messages, deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-a-3-2' }]);
    expect(logged.join('\n')).toContain('Event Deposited (version 2 of a-3) has schema version 3, and this code knows Deposited up to version 2');
    const repository = new Repository(balances, { tableName: readModel.tableName, projectionName: 'Balances', dynamoDb: readModel.doc });
    expect(await repository.get('a-4')).toEqual({ owner: 'Di', cents: 0, deposits: 0 });
    // What came before the newer event is applied; the newer one waits for code that knows it.
    expect(await repository.getDocument('a-3')).toMatchObject({ version: 1, view: { owner: 'Cy' } });
  });

  test('a custom projection\'s handlers see today\'s events, one call per part of a split event', async () => {
    const seen: string[] = [];
    const audit = defineCustomProjection(account, {
      events: {
        Opened: (event) => { seen.push(`${event.version} Opened ${event.data.owner} v${event.metadata.schemaVersion}`); },
        Deposited: (event) => { seen.push(`${event.version} Deposited ${event.data.cents} v${event.metadata.schemaVersion}`); },
      },
    });
    const events = old('a-5', [{ type: 'Migrated', data: { name: 'Ed', euros: 1 }, schemaVersion: 1 }, { type: 'Deposited', data: { euros: 0.5 }, schemaVersion: 1 }]);
    const response = await projectCustomWrites(eraseCustomProjection(audit), events.map((event) => queueMessage(event)), deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual(['1 Opened Ed v1', '1 Deposited 100 v2', '2 Deposited 50 v2']);
  });

  test('read-your-writes merges a session\'s pending old-version events upcast', async () => {
    const sessions = await createSessionTable('upcast-sessions');
    try {
      const commandDeps = store.deps({ aggregateName: 'Account', eventSource: 'test.Account', session: { tableName: sessions.tableName, ttlSeconds: 300 } });
      await storeEvents(store.doc, store.tableName, old('a-6', [{ type: 'OpenedBy', data: { name: 'Flo' }, schemaVersion: 1 }, { type: 'Deposited', data: { euros: 1 }, schemaVersion: 1 }]));
      await handleCommand(account, { type: 'Deposit', aggregateId: 'a-6', payload: { cents: 1 }, sessionId: 's-1' }, commandDeps);
      const repository = new Repository(balances, {
        tableName: readModel.tableName, projectionName: 'Balances', dynamoDb: readModel.doc,
        readYourWrites: { sessionTable: sessions.tableName, aggregateName: 'Account', eventStoreTable: store.tableName },
      });
      // Nothing projected yet: the merge folds versions 1..3 from the event store, upcast.
      expect(await repository.getDocument('a-6', { sessionId: 's-1' })).toEqual({ aggregateId: 'a-6', version: 3, view: { owner: 'Flo', cents: 101, deposits: 2 } });
    } finally {
      await sessions.drop();
    }
  });
});
