import { eraseProjection } from '../../lambda/projection/define-projection';
import { foldProjection } from '../../lambda/projection/projection-fold';
import { projectionCode } from '../../lambda/projection/projection-code';
import { mergeSessionEntries } from '../../lambda/sessions/session-read';
import { EventStore } from '../../lambda/store/event-store';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes } from '../helpers/queue-messages';
import { countRequests, type RequestCounter } from '../helpers/request-counts';
import { storeEvents } from '../helpers/store-events';
import { ledgerView } from '../helpers/test-projections';

/**
 * A read-your-writes merge reads the event store only for events its session entries lack: an entry holds every
 * event of its command, including those the stored document already has.
 */
const projection = eraseProjection(ledgerView);
const events = envelopes('Ledger', 'l#1', [{ type: 'Opened', data: { owner: 'o' } }, { type: 'Deposited', data: { amount: 5 } }, { type: 'Deposited', data: { amount: 7 } }]);
// One command wrote events 2 and 3; the projector has folded event 2 only.
const entries = [{ aggregateId: 'l#1', firstVersion: 2, version: 3, events: events.slice(1) }];
const folded = (through: number) => foldProjection(projection, { version: 0, view: undefined }, events.slice(0, through)).document;
let table: EventStoreTable;
let store: EventStore;
let requests: RequestCounter;
beforeAll(async () => {
  table = await createEventStoreTable('session-merge-reads', { stream: false });
  requests = countRequests(table.client);
  const doc = table.doc;
  await storeEvents(doc, table.tableName, events);
  store = new EventStore(doc, table.tableName, 0);
});
afterAll(() => table.drop());
beforeEach(() => { requests.clear(); });

describe('merging a session\'s entries into a stored document', () => {
  test('of this code, folds on from the document with the entry\'s newer events, and reads nothing', async () => {
    const merged = await mergeSessionEntries(projection, { ...folded(2), code: projectionCode(projection) }, entries, 'l#1', store);
    expect(merged.view).toEqual(folded(3).view);
    expect(merged.version).toBe(3);
    expect(requests.total()).toBe(0);
  });

  test('of other code, folds again from event 1, reading the events no entry holds', async () => {
    const merged = await mergeSessionEntries(projection, { ...folded(2), code: 'other code' }, entries, 'l#1', store);
    expect(merged.view).toEqual(folded(3).view);
    expect(merged.version).toBe(3);
    expect(requests.byOperation.get('Query')).toBe(1);
  });

  test('with no document, folds the entries from event 1 and reads nothing when they hold every event', async () => {
    const all = [{ aggregateId: 'l#1', firstVersion: 1, version: 1, events: events.slice(0, 1) }, ...entries];
    const merged = await mergeSessionEntries(projection, { version: 0, view: undefined }, all, 'l#1', store);
    expect(merged.view).toEqual(folded(3).view);
    expect(requests.total()).toBe(0);
  });
});
