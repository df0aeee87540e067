import fc from 'fast-check';
import { Repository } from 'cdk-cqrs/runtime';
import customer from '../../bin/domain/customer';
import customerView from '../../bin/domain/customer-view';
import { handleCommand } from '../../lambda/write/handle-command';
import { idempotencyKey, sessionEntryPrefix, sessionEntrySortKey } from '../../lambda/store/keys';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { EventStore } from '../../lambda/store/event-store';
import { mergeSessionEntries } from '../../lambda/sessions/session-read';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { createSessionTable } from '../helpers/create-session-table';

let store: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
let readModel: ReadModelTable;
beforeAll(async () => {
  [store, sessions, readModel] = await Promise.all([createEventStoreTable('keys-events'), createSessionTable('keys-sessions'), createReadModelTable('keys-read-model')]);
});
afterAll(async () => { await Promise.all([store.drop(), sessions.drop(), readModel.drop()]); });

const ann = { email: 'ann@example.com', name: 'Ann' };
const withSession = () => store.deps({ session: { tableName: sessions.tableName, ttlSeconds: 300 } });
const customers = () => new Repository(customerView, {
  tableName: readModel.tableName, projectionName: 'CustomerView', dynamoDb: readModel.doc,
  readYourWrites: { sessionTable: sessions.tableName, aggregateName: 'Customer', eventStoreTable: store.tableName },
});

describe('keys built from ids are unambiguous', () => {
  test('a session that wrote to acme#eu sees nothing of it when it reads acme', async () => {
    // GIVEN a session that registered only the customer whose id extends another's with '#'
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'acme#eu', payload: ann, sessionId: 's-1' }, withSession());
    // WHEN it reads acme, which does not exist
    // THEN it sees no customer (acme#eu's events are not merged into acme)
    await expect(customers().get('acme', { sessionId: 's-1' })).resolves.toBeUndefined();
    await expect(customers().get('acme#eu', { sessionId: 's-1' })).resolves.toMatchObject({ email: ann.email });
  });

  test('no two (aggregate, command) pairs share an idempotency key, whatever the ids hold', () => {
    const id = fc.string({ unit: fc.constantFrom('a', '#', ':', '1', 'command', 'é') , minLength: 1, maxLength: 8 });
    fc.assert(fc.property(id, id, id, id, (a1, c1, a2, c2) => {
      fc.pre(a1 !== a2 || c1 !== c2);
      expect(idempotencyKey(a1, c1)).not.toBe(idempotencyKey(a2, c2));
    }), { numRuns: 2000 });
  });

  test('no aggregate\'s session-entry prefix starts another aggregate\'s entry key', () => {
    const id = fc.string({ unit: fc.constantFrom('a', '#', ':', '1', '0', 'é'), minLength: 1, maxLength: 8 });
    fc.assert(fc.property(id, id, fc.integer({ min: 1, max: 1e9 }), (a1, a2, version) => {
      fc.pre(a1 !== a2);
      expect(sessionEntrySortKey('Customer', a2, version).startsWith(sessionEntryPrefix('Customer', a1))).toBe(false);
    }), { numRuns: 2000 });
  });

  test('a merge applies no entry of another aggregate, even one handed to it', async () => {
    // GIVEN the entries of acme#eu, read by mistake for acme
    const eu = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'acme#eu-2', payload: ann, sessionId: 's-2' }, withSession());
    const entries = [{ aggregateId: 'acme#eu-2', firstVersion: 1, version: 1, events: [...eu.events] }];
    const events = new EventStore(store.doc, store.tableName, 0);
    // WHEN / THEN acme stays without a document
    await expect(mergeSessionEntries(eraseProjection(customerView), { version: 0, view: undefined }, entries, 'acme-2', events)).resolves.toEqual({ version: 0, view: undefined });
  });
});

