import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Repository, ValidationError, defineProjection, type DocumentClientLike } from 'cdk-cqrs/runtime';
import customer from '../../bin/domain/customer';
import customerView, { type CustomerView } from '../../bin/domain/customer-view';
import { handleCommand } from '../../lambda/write/handle-command';
import { eraseProjection } from '../../lambda/projection/define-projection';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { projectMessages } from '../../lambda/projection/project-messages';
import { countingClient } from '../helpers/counting-client';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { createSessionTable } from '../helpers/create-session-table';
import { counter } from '../helpers/test-aggregates';

const ann = { email: 'ann@example.com', name: 'Ann' };
let store: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
let readModel: ReadModelTable;

beforeAll(async () => {
  [store, sessions, readModel] = await Promise.all([
    createEventStoreTable('repo-ryw-events'), createSessionTable('repo-ryw-sessions'), createReadModelTable('repo-ryw-read-model'),
  ]);
});
afterAll(async () => { await Promise.all([store.drop(), sessions.drop(), readModel.drop()]); });

/** One command of the Customer aggregate, with a session entry when a sessionId is given. */
const send = async (aggregateId: string, type: string, payload: unknown, sessionId?: string, ttlSeconds = 300): Promise<readonly EventEnvelope[]> =>
  (await handleCommand(customer, { type, aggregateId, payload, sessionId }, store.deps({ session: { tableName: sessions.tableName, ttlSeconds } }))).events;

/** Runs the projector on events, as their SQS messages deliver them. */
const project = async (events: readonly EventEnvelope[]) => {
  const deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'CustomerView' };
  expect((await projectMessages(eraseProjection(customerView), events.map((e) => queueMessage(e)), deps)).batchItemFailures).toEqual([]);
};

/** The view the projector wrote, read straight from the table. */
const projectedView = async (aggregateId: string) =>
  (await readModel.doc.send(new GetCommand({ TableName: readModel.tableName, Key: { pk: aggregateId, sk: 'CustomerView' }, ConsistentRead: true }))).Item?.view;

/** The read model's client, counting its calls. */
const counting = () => countingClient(readModel.doc);

const repository = (dynamoDb: DocumentClientLike = readModel.doc) => new Repository(customerView, {
  tableName: readModel.tableName, projectionName: 'CustomerView', dynamoDb,
  readYourWrites: { sessionTable: sessions.tableName, aggregateName: 'Customer', eventStoreTable: store.tableName },
});

describe('Repository.get with a sessionId', () => {
  test('shows the session its own writes at once, as the view the projector later writes', async () => {
    // GIVEN the projector held back
    const customers = repository();
    // WHEN
    const registered = await send('c-own', 'RegisterCustomer', ann, 's-own');
    const afterRegister = await customers.get('c-own', { sessionId: 's-own' });
    const updated = await send('c-own', 'UpdateEmail', { email: 'ann@new.example.com' }, 's-own');
    const afterUpdate = await customers.get('c-own', { sessionId: 's-own' });
    // THEN
    expect(afterRegister).toEqual({ ...ann, status: 'ACTIVE' });
    expect(afterUpdate).toEqual({ email: 'ann@new.example.com', name: 'Ann', status: 'ACTIVE' });
    expect(await projectedView('c-own')).toBeUndefined();
    await project(registered);
    expect(await projectedView('c-own')).toEqual(afterRegister);
    await project(updated);
    expect(await projectedView('c-own')).toEqual(afterUpdate);
  });

  test('does not show a session\'s pending write to another session, nor to a read without a session', async () => {
    // GIVEN a projected customer, and a pending email change of session A
    await project(await send('c-other', 'RegisterCustomer', ann));
    await send('c-other', 'UpdateEmail', { email: 'ann@new.example.com' }, 's-other-a');
    const customers = repository();
    // WHEN / THEN
    expect(await customers.get('c-other', { sessionId: 's-other-a' })).toEqual({ email: 'ann@new.example.com', name: 'Ann', status: 'ACTIVE' });
    expect(await customers.get('c-other', { sessionId: 's-other-b' })).toEqual({ ...ann, status: 'ACTIVE' });
    expect(await customers.get('c-other')).toEqual({ ...ann, status: 'ACTIVE' });
  });

  test('does not show a pending first write of a customer to another session, nor to a read without a session', async () => {
    // GIVEN
    await send('c-new', 'RegisterCustomer', ann, 's-new-a');
    const customers = repository();
    // WHEN / THEN
    expect(await customers.get('c-new', { sessionId: 's-new-a' })).toEqual({ ...ann, status: 'ACTIVE' });
    expect(await customers.get('c-new', { sessionId: 's-new-b' })).toBeUndefined();
    expect(await customers.get('c-new')).toBeUndefined();
  });

  test('gives the same view with and without the session once the projector has run', async () => {
    // GIVEN two pending writes of a session
    const events = [
      ...await send('c-caught-up', 'RegisterCustomer', ann, 's-caught-up'),
      ...await send('c-caught-up', 'SuspendCustomer', { reason: 'fraud' }, 's-caught-up'),
    ];
    const customers = repository();
    const pending = await customers.get('c-caught-up', { sessionId: 's-caught-up' });
    // WHEN
    await project(events);
    // THEN the session entries are still there, and change nothing
    expect(await sessions.entries('s-caught-up')).toHaveLength(2);
    const withSession = await customers.get('c-caught-up', { sessionId: 's-caught-up' });
    expect(withSession).toEqual(await customers.get('c-caught-up'));
    expect(withSession).toEqual(pending);
    expect(withSession).toEqual({ ...ann, status: 'SUSPENDED' });
  });

  test('ignores the session\'s entries at or below the document version: they are not applied again', async () => {
    // GIVEN a session's registration, projected, then a later change by another writer, projected
    await project(await send('c-below', 'RegisterCustomer', ann, 's-below'));
    await project(await send('c-below', 'SuspendCustomer', { reason: 'fraud' }));
    // WHEN
    const seen = await repository().get('c-below', { sessionId: 's-below' });
    // THEN the registration (which would make the customer ACTIVE again) is not folded on top
    expect(seen).toEqual({ ...ann, status: 'SUSPENDED' });
  });

  test('ignores an expired entry', async () => {
    // GIVEN a write whose session entry expires as it is written (ttl 0 s: expiresAt = now, in seconds)
    await send('c-expired', 'RegisterCustomer', ann, 's-expired', 0);
    const [entry] = await sessions.entries('s-expired');
    expect(entry.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // WHEN / THEN DynamoDB has not deleted the entry, and the read does not use it
    expect(await repository().get('c-expired', { sessionId: 's-expired' })).toBeUndefined();
  });

  test('reads another session\'s write between the session\'s own from the event store: the view is the fold of all of them', async () => {
    // GIVEN session A writes v1, session B v2, session A v3; the projector held back
    const events = [
      ...await send('c-interleaved', 'RegisterCustomer', ann, 's-interleaved-a'),
      ...await send('c-interleaved', 'UpdateEmail', { email: 'ann@b.example.com' }, 's-interleaved-b'),
      ...await send('c-interleaved', 'SuspendCustomer', { reason: 'fraud' }, 's-interleaved-a'),
    ];
    expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect((await sessions.entries('s-interleaved-a')).map((e) => e.version)).toEqual([1, 3]);
    const { client, calls } = counting();
    const customers = repository(client);
    // WHEN
    const seenByA = await customers.get('c-interleaved', { sessionId: 's-interleaved-a' });
    const seenByB = await customers.get('c-interleaved', { sessionId: 's-interleaved-b' });
    // THEN A sees v1..v3 (v2 from the event store), B sees v1..v2 (v1 from the event store)
    expect(calls.filter((call) => call === `QueryCommand ${store.tableName}`)).toHaveLength(2);
    expect(seenByA).toEqual({ email: 'ann@b.example.com', name: 'Ann', status: 'SUSPENDED' });
    expect(seenByB).toEqual({ email: 'ann@b.example.com', name: 'Ann', status: 'ACTIVE' });
    await project(events);
    expect(await projectedView('c-interleaved')).toEqual(seenByA);
  });

  test('reads the events of an entry that kept only its versions from the event store', async () => {
    // GIVEN an entry as a command over the entry limit leaves it: versions, no events
    await send('c-versions-only', 'RegisterCustomer', ann, 's-versions-only');
    const [entry] = await sessions.entries('s-versions-only');
    await readModel.doc.send(new UpdateCommand({ TableName: sessions.tableName, Key: { pk: entry.pk, sk: entry.sk }, UpdateExpression: 'REMOVE events' }));
    const [trimmed] = await sessions.entries('s-versions-only');
    expect(trimmed).toMatchObject({ firstVersion: 1, version: 1 });
    expect(trimmed).not.toHaveProperty('events');
    const { client, calls } = counting();
    // WHEN
    const seen = await repository(client).get('c-versions-only', { sessionId: 's-versions-only' });
    // THEN
    expect(seen).toEqual({ ...ann, status: 'ACTIVE' });
    expect(calls).toContain(`QueryCommand ${store.tableName}`);
  });
});

describe('Repository.get with a sessionId, over a document other projection code built', () => {
  // The previous deploy's code: it kept names upper case. The projector of today's code folds its
  // documents again from event 1 rather than extending them; the merge must show that view.
  const oldCustomerView = defineProjection<typeof customer, CustomerView>(customer, {
    events: { ...customerView.events, CustomerRegistered: (_view, e) => ({ email: e.data.email, name: e.data.name.toUpperCase(), status: 'ACTIVE' }) },
  });

  test('folds the aggregate from event 1 with one event-store read, and shows the view the projector then writes', async () => {
    // GIVEN a customer projected by the old code, and a pending email change of the session
    const registered = await send('c-old-code', 'RegisterCustomer', ann);
    const deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'CustomerView' };
    expect((await projectMessages(eraseProjection(oldCustomerView), registered.map((e) => queueMessage(e)), deps)).batchItemFailures).toEqual([]);
    expect(await projectedView('c-old-code')).toEqual({ ...ann, name: 'ANN', status: 'ACTIVE' });
    const updated = await send('c-old-code', 'UpdateEmail', { email: 'ann@new.example.com' }, 's-old-code');
    const { client, calls } = counting();
    // WHEN
    const seen = await repository(client).get('c-old-code', { sessionId: 's-old-code' });
    // THEN the session sees today's code's fold of v1..v2 (v1 read from the event store), not the old view extended
    expect(seen).toEqual({ email: 'ann@new.example.com', name: 'Ann', status: 'ACTIVE' });
    expect(calls.filter((call) => call === `QueryCommand ${store.tableName}`)).toHaveLength(1);
    await project(updated);
    expect(await projectedView('c-old-code')).toEqual(seen);
  });
});

describe('Repository.get calls to DynamoDB', () => {
  test('one GetItem without a session; GetItem and the session Query in parallel with one; one event-store Query more for a gap', async () => {
    const document = `GetCommand ${readModel.tableName}`;
    const sessionQuery = `QueryCommand ${sessions.tableName}`;
    const eventStoreQuery = `QueryCommand ${store.tableName}`;
    // GIVEN a session's registration, pending
    await send('c-calls', 'RegisterCustomer', ann, 's-calls');

    // WHEN read without a session
    let counter = counting();
    expect(await repository(counter.client).get('c-calls')).toBeUndefined();
    // THEN
    expect(counter.calls).toEqual([document]);

    // WHEN read with the session, whose entries hold every event
    counter = counting();
    expect(await repository(counter.client).get('c-calls', { sessionId: 's-calls' })).toEqual({ ...ann, status: 'ACTIVE' });
    // THEN
    expect([...counter.calls].sort()).toEqual([document, sessionQuery].sort());
    expect(counter.maxInFlight()).toBe(2);

    // WHEN another writer's command (v2) lies between the read model and the session's next entry (v3)
    await send('c-calls', 'UpdateEmail', { email: 'ann@other.example.com' });
    await send('c-calls', 'SuspendCustomer', { reason: 'fraud' }, 's-calls');
    counter = counting();
    expect(await repository(counter.client).get('c-calls', { sessionId: 's-calls' })).toEqual({ email: 'ann@other.example.com', name: 'Ann', status: 'SUSPENDED' });
    // THEN
    expect(counter.calls).toHaveLength(3);
    expect([...counter.calls.slice(0, 2)].sort()).toEqual([document, sessionQuery].sort());
    expect(counter.calls[2]).toBe(eventStoreQuery);
    expect(counter.maxInFlight()).toBe(2);
  });
});

describe('Repository.get without readYourWrites', () => {
  test('fails with a ValidationError when given a sessionId, before calling DynamoDB', async () => {
    // GIVEN
    const { client, calls } = counting();
    const customers = new Repository(customerView, { tableName: readModel.tableName, projectionName: 'CustomerView', dynamoDb: client });
    // WHEN / THEN
    const read = customers.get('c-own', { sessionId: 's-own' });
    await expect(read).rejects.toThrow(ValidationError);
    await expect(read).rejects.toMatchObject({ name: 'ValidationError', issues: [{ path: ['sessionId'] }] });
    expect(calls).toEqual([]);
  });

  test('sees all its writes when its entries for one aggregate pass the 1 MB of one Query page', async () => {
    const counterView = defineProjection<typeof counter, { count: number; total: number }>(counter, {
      events: { Incremented: (view, e) => ({ count: (view?.count ?? 0) + 1, total: (view?.total ?? 0) + e.data.by }) },
    });
    // Five entries of about 280 KB: a Query page (1 MB) holds the oldest three.
    for (let i = 0; i < 5; i += 1) {
      await handleCommand(counter, { type: 'Increment', aggregateId: 'n-big', payload: { by: 1, times: 2, padding: 140_000 }, sessionId: 's-big' },
        store.deps({ aggregateName: 'Counter', session: { tableName: sessions.tableName, ttlSeconds: 300 } }));
    }
    const counters = new Repository(counterView, {
      tableName: readModel.tableName, projectionName: 'CounterView', dynamoDb: readModel.doc,
      readYourWrites: { sessionTable: sessions.tableName, aggregateName: 'Counter', eventStoreTable: store.tableName },
    });

    expect(await counters.get('n-big', { sessionId: 's-big' })).toEqual({ count: 10, total: 10 });
  });
});
