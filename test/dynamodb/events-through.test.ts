import type { EventEnvelope } from '../../lambda/shared/envelope';
import { EventStore } from '../../lambda/store/event-store';
import { eventsThrough } from '../../lambda/projection/projection-fold';
import { handleCommand } from '../../lambda/write/handle-command';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { countRequests, type RequestCounter } from '../helpers/request-counts';
import { counter } from '../helpers/test-aggregates';

/**
 * The gap fill every projector and read-your-writes merge uses: the events after a version up to a target, from
 * those at hand when they are complete, else from the store. Its data is asserted here, and its requests counted:
 * a wrong bound must show in the events, not only as a BETWEEN DynamoDB refuses.
 */
let table: EventStoreTable;
let store: EventStore;
let requests: RequestCounter;
let stored: EventEnvelope[];
beforeAll(async () => {
  table = await createEventStoreTable('events-through', { stream: false });
  requests = countRequests(table.client);
  const doc = table.doc;
  await handleCommand(counter, { type: 'Increment', aggregateId: 'a#1', payload: { by: 2, times: 6 } }, table.deps({ dynamoDb: doc, aggregateName: 'Counter' }));
  store = new EventStore(doc, table.tableName, 0);
  stored = await store.readRange('a#1', 1, 6);
});
afterAll(() => table.drop());
beforeEach(() => { requests.clear(); });

const versions = (events: readonly EventEnvelope[]) => events.map((event) => event.version);

test('events at hand that run from after + 1 to the target are used as they are, with no read', async () => {
  const atHand = stored.slice(2, 5);
  const events = await eventsThrough(store, 'a#1', 2, 5, atHand);
  expect(events).toBe(atHand);
  expect(requests.total()).toBe(0);
});

test('nothing after the target is nothing, with no read', async () => {
  expect(await eventsThrough(store, 'a#1', 4, 4, [])).toEqual([]);
  expect(requests.total()).toBe(0);
});

test('a hole, a missing first or last event, or events past the target are filled from the store: exactly after + 1 to the target', async () => {
  for (const atHand of [[stored[2], stored[4]], stored.slice(3, 5), stored.slice(2, 4), stored.slice(2, 6), []]) {
    requests.clear();
    const events = await eventsThrough(store, 'a#1', 2, 5, atHand);
    expect(versions(events)).toEqual([3, 4, 5]);
    expect(events).toEqual(stored.slice(2, 5));
    expect(requests.total()).toBe(1);
  }
  expect(versions(await eventsThrough(store, 'a#1', 0, 1, []))).toEqual([1]);
  expect(versions(await eventsThrough(store, 'a#1', 5, 6, []))).toEqual([6]);
});

test('events the store does not have either are an error naming the range, never a silent skip', async () => {
  await expect(eventsThrough(store, 'a#1', 4, 8, [])).rejects.toThrow('the event store has no contiguous events 5..8 of a#1.');
  await expect(eventsThrough(store, 'other', 0, 1, [])).rejects.toThrow('the event store has no contiguous events 1..1 of other.');
});
