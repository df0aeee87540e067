import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { projectMessages } from '../../lambda/projection/project-messages';
import { rebuildProjection, type RebuildDeps } from '../../lambda/projection/rebuild-projection';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { storeEvents } from '../helpers/store-events';
import { ledgerView } from '../helpers/test-projections';
import { projectionCode } from '../../lambda/projection/projection-code';

const projection = eraseProjection(ledgerView);
let store: EventStoreTable;
let live: ReadModelTable;
let rebuilt: ReadModelTable;
const deps = (table: ReadModelTable): RebuildDeps => ({ dynamoDb: table.doc, readModelTable: table.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView' });
const sorted = async (table: ReadModelTable) => (await table.scanAll()).sort((a, b) => String(a.pk).localeCompare(String(b.pk)));

// 60 aggregates with 1 to 12 events each: some deleted, some with unprojected events.
const events = Array.from({ length: 60 }, (_, a) => envelopes('Ledger', `l-${a}`, [
  { type: 'Opened', data: { owner: `o-${a % 4}` } },
  ...Array.from({ length: a % 12 }, (_, i) => (i === 6 && a % 5 === 0 ? { type: 'Closed' } : i % 4 === 3 ? { type: 'Noted', data: { text: 't' } } : { type: 'Deposited', data: { amount: i + a } })),
])).flat();

beforeAll(async () => {
  [store, live, rebuilt] = await Promise.all([createEventStoreTable('rebuild-events'), createReadModelTable('rebuild-live'), createReadModelTable('rebuild-new')]);
  await storeEvents(store.doc, store.tableName, events);
  for (let i = 0; i < events.length; i += 10) {
    await projectMessages(projection, events.slice(i, i + 10).map((e) => queueMessage(e)), { ...deps(live), log: () => undefined });
  }
});
afterAll(async () => { await Promise.all([store.drop(), live.drop(), rebuilt.drop()]); });

describe('rebuildProjection', () => {
  test('gives the same read model as live projection', async () => {
    // WHEN
    const result = await rebuildProjection(projection, deps(rebuilt), { totalSegments: 4 });
    // THEN
    expect(result).toEqual({ aggregates: 60, written: 60 });
    expect(await sorted(rebuilt)).toEqual(await sorted(live));
  });

  test('changes nothing when run again over a live read model', async () => {
    // GIVEN
    const before = await sorted(live);
    // WHEN
    const again = await rebuildProjection(projection, deps(live), { totalSegments: 3 });
    // THEN
    expect(again.aggregates).toBe(60);
    expect(await sorted(live)).toEqual(before);
  });

  test('never moves a document of its own code back to an older version', async () => {
    // GIVEN a document the live projector (this code) has moved past what the rebuild will read
    const ahead = { pk: 'l-11', sk: 'LedgerView', version: 99, codeVersion: projectionCode(projection), view: { owner: 'later', balance: 1, trail: [99], openedAt: 'x' } };
    await rebuilt.doc.send(new PutCommand({ TableName: rebuilt.tableName, Item: ahead }));
    // WHEN
    const result = await rebuildProjection(projection, deps(rebuilt), { totalSegments: 2 });
    // THEN nothing is written: the other documents are this code's fold at this version already
    expect(result).toEqual({ aggregates: 60, written: 0 });
    expect((await sorted(rebuilt)).find((item) => item.pk === 'l-11')).toEqual(ahead);
  });

  test('resumes from a saved position, one page per call, to the same result', async () => {
    // GIVEN a fresh read model rebuilt a page at a time, with small pages
    const fresh = await createReadModelTable('rebuild-resumed');
    try {
      let position = undefined as Awaited<ReturnType<typeof rebuildProjection>>['resumeFrom'];
      let calls = 0;
      do {
        const step = await rebuildProjection(projection, deps(fresh), { totalSegments: 2, resumeFrom: position, maxPagesPerSegment: 1, pageSize: 100 });
        position = step.resumeFrom;
        calls += 1;
      } while (position && calls < 1000);
      // THEN
      expect(calls).toBeGreaterThan(1);
      expect(await sorted(fresh)).toEqual(await sorted(live));
    } finally {
      await fresh.drop();
    }
  });
});

describe('rebuildProjection over aggregates the projection never handled', () => {
  test('writes nothing for them, and replaces only a document other code left', async () => {
    // GIVEN accounts with only notes (a type LedgerView has no handler for), one opened account,
    // and a tombstone an earlier code (which folded notes) left for one of the noted accounts
    const [notes, readModel] = await Promise.all([createEventStoreTable('rebuild-unhandled-events'), createReadModelTable('rebuild-unhandled')]);
    try {
      const noted = ['n-1', 'n-2', 'n-3'].flatMap((id) => envelopes('Ledger', id, [{ type: 'Noted', data: { text: 'a' } }, { type: 'Noted', data: { text: 'b' } }]));
      const opened = envelopes('Ledger', 'opened', [{ type: 'Opened', data: { owner: 'o' } }, { type: 'Noted', data: { text: 'c' } }]);
      await storeEvents(notes.doc, notes.tableName, [...noted, ...opened]);
      const earlier = { pk: 'n-2', sk: 'LedgerView', version: 2, codeVersion: 'earlier-code', deleted: true };
      await readModel.doc.send(new PutCommand({ TableName: readModel.tableName, Item: earlier }));
      // WHEN
      const result = await rebuildProjection(projection, { ...deps(readModel), eventStoreTable: notes.tableName }, { totalSegments: 2 });
      // THEN the opened account has its document, n-2 this code's tombstone, n-1 and n-3 nothing
      expect(result).toEqual({ aggregates: 4, written: 2 });
      expect((await sorted(readModel)).map((item) => [item.pk, item.version, item.codeVersion, item.deleted ?? false])).toEqual([
        ['n-2', 2, projectionCode(projection), true], ['opened', 2, projectionCode(projection), false],
      ]);
    } finally {
      await Promise.all([notes.drop(), readModel.drop()]);
    }
  });
});

describe('rebuildProjection over an event its handler throws on', () => {
  test('fails, naming the aggregate, its version and the cause, and writes no document of it', async () => {
    const [exploding, readModel] = await Promise.all([createEventStoreTable('rebuild-throws-events'), createReadModelTable('rebuild-throws')]);
    try {
      await storeEvents(exploding.doc, exploding.tableName, envelopes('Ledger', 'boom#1', [{ type: 'Opened', data: { owner: 'o' } }, { type: 'Exploded' }]));
      await expect(rebuildProjection(projection, { ...deps(readModel), eventStoreTable: exploding.tableName }, { totalSegments: 1 }))
        .rejects.toThrow('Rebuild of LedgerView: the handler of boom#1 version 2 threw: Error: this event cannot be projected');
      expect(await readModel.scanAll()).toEqual([]);
    } finally {
      await Promise.all([exploding.drop(), readModel.drop()]);
    }
  });
});
