import { eraseProjection } from '../../lambda/projection/define-projection';
import { rebuildProjection, type RebuildDeps } from '../../lambda/projection/rebuild-projection';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { envelopes } from '../helpers/queue-messages';
import { recordCommands } from '../helpers/request-counts';
import { storeEvents } from '../helpers/store-events';
import { ledgerView } from '../helpers/test-projections';

/**
 * How a rebuild pages through the event store: an aggregate whose events span several Scan pages is folded once, and a
 * call reads at most `maxPagesPerSegment` pages of its segment before it hands back where to resume.
 */
const projection = eraseProjection(ledgerView);
let store: EventStoreTable;
let readModel: ReadModelTable;
// 3 aggregates of 5 events each: with pages of 2 items, each aggregate's events span 3 pages.
const events = ['a', 'b', 'c'].flatMap((id) => envelopes('Ledger', id, [
  { type: 'Opened', data: { owner: id } }, ...[1, 2, 3, 4].map((amount) => ({ type: 'Deposited', data: { amount } })),
]));
beforeAll(async () => {
  [store, readModel] = await Promise.all([createEventStoreTable('rebuild-pages-events', { stream: false }), createReadModelTable('rebuild-pages')]);
  await storeEvents(store.doc, store.tableName, events);
});
afterAll(() => Promise.all([store.drop(), readModel.drop()]));

const depsWith = (client = readModel.client): RebuildDeps => ({ dynamoDb: documentClient(client), readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView' });

test('an aggregate whose events span several pages is folded and counted once: its events are read once', async () => {
  const client = localDynamoDb();
  const commands = recordCommands(client);
  try {
    await expect(rebuildProjection(projection, depsWith(client), { totalSegments: 1, pageSize: 2 })).resolves.toEqual({ aggregates: 3, written: 3 });
    expect((await readModel.scanAll()).map((item) => [item.pk, item.version]).sort()).toEqual([['a', 5], ['b', 5], ['c', 5]]);
    // One Query of each aggregate's events (5 fit in a page); folding one again per page would read it again.
    expect(commands.filter((name) => name === 'QueryCommand')).toHaveLength(3);
  } finally {
    client.destroy();
  }
});

test.each([1, 2, 3])('with maxPagesPerSegment %i, a call reads exactly that many Scan pages and says where to resume', async (maxPages) => {
  const client = localDynamoDb();
  const commands = recordCommands(client);
  try {
    const result = await rebuildProjection(projection, depsWith(client), { totalSegments: 1, pageSize: 2, maxPagesPerSegment: maxPages });
    expect(commands.filter((name) => name === 'ScanCommand')).toHaveLength(maxPages);
    expect(result.resumeFrom?.[0]).toBeDefined();
  } finally {
    client.destroy();
  }
});
