import type { InvokeCommand, InvokeCommandInput } from '@aws-sdk/client-lambda';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { createProjector, type ProjectorHandlerDeps } from '../../lambda/handlers/projector';
import { projectMessages } from '../../lambda/projection/project-messages';
import type { RebuildContext, RebuildRequest } from '../../lambda/projection/rebuild-request';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { storeEvents } from '../helpers/store-events';
import { ledgerView } from '../helpers/test-projections';

let store: EventStoreTable;
let live: ReadModelTable;
const sorted = async (table: ReadModelTable) => (await table.scanAll()).sort((a, b) => String(a.pk).localeCompare(String(b.pk)));

// 40 aggregates with 1 to 12 events each: some deleted, some with unprojected events.
const events = Array.from({ length: 40 }, (_, a) => envelopes('Ledger', `r-${a}`, [
  { type: 'Opened', data: { owner: `o-${a % 4}` } },
  ...Array.from({ length: a % 12 }, (_, i) => (i === 6 && a % 5 === 0 ? { type: 'Closed' } : i % 4 === 3 ? { type: 'Noted', data: { text: 't' } } : { type: 'Deposited', data: { amount: i + a } })),
])).flat();

/** A projector whose self-invocations are recorded, not sent. */
function projectorOn(table: ReadModelTable) {
  const sent: InvokeCommandInput[] = [];
  const logged: Record<string, unknown>[] = [];
  const deps: ProjectorHandlerDeps = {
    dynamoDb: table.doc, readModelTable: table.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView',
    lambda: { send: async (command: InvokeCommand) => { sent.push(command.input); } },
    log: (entry) => { logged.push(entry); },
  };
  return { handler: createProjector(ledgerView, deps), sent, logged };
}

const context = (remainingMillis: number): RebuildContext => ({ functionName: 'ledger-projector', getRemainingTimeInMillis: () => remainingMillis });
const payloadOf = (input: InvokeCommandInput): RebuildRequest => JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));

beforeAll(async () => {
  [store, live] = await Promise.all([createEventStoreTable('rebuild-handler-events'), createReadModelTable('rebuild-handler-live')]);
  await storeEvents(store.doc, store.tableName, events);
  for (let i = 0; i < events.length; i += 10) {
    await projectMessages(eraseProjection(ledgerView), events.slice(i, i + 10).map((e) => queueMessage(e)), {
      dynamoDb: live.doc, readModelTable: live.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView', log: () => undefined,
    });
  }
});
afterAll(async () => { await Promise.all([store.drop(), live.drop()]); });

describe('the projector, given a rebuild request', () => {
  let rebuilt: ReadModelTable;
  beforeEach(async () => { rebuilt = await createReadModelTable('rebuild-handler-new'); });
  afterEach(async () => { await rebuilt.drop(); });

  test('fans out: one asynchronous invocation of itself per segment, and writes nothing yet', async () => {
    // GIVEN
    const { handler, sent } = projectorOn(rebuilt);
    // WHEN
    const report = await handler({ rebuild: { totalSegments: 3 } }, context(60_000));
    // THEN
    expect(report).toEqual({ segments: [0, 1, 2], aggregates: 0, written: 0 });
    expect(sent.map((input) => [input.FunctionName, input.InvocationType])).toEqual(Array(3).fill(['ledger-projector', 'Event']));
    expect(sent.map(payloadOf)).toEqual([0, 1, 2].map((segment) => ({ rebuild: { totalSegments: 3, segment, pageSize: 100 } })));
    expect(await rebuilt.scanAll()).toEqual([]);
  });

  test('fans out in 4 segments by default, the command\'s payload', async () => {
    const { handler, sent } = projectorOn(rebuilt);
    await handler({ rebuild: {} }, context(60_000));
    expect(sent.map((input) => payloadOf(input).rebuild.segment)).toEqual([0, 1, 2, 3]);
  });

  test('short of time, invokes itself to resume where its Scan stopped; the continuations give the live read model', async () => {
    // GIVEN a projector that always has less time left than its margin, and small pages
    const { handler, sent, logged } = projectorOn(rebuilt);
    await handler({ rebuild: { totalSegments: 2, pageSize: 25 } }, context(1_000));
    // WHEN each invocation is run, as Lambda would, until none is left
    let invocations = 0;
    let continued = 0;
    while (sent.length > 0 && invocations < 1000) {
      const report = await handler(payloadOf(sent.shift() as InvokeCommandInput), context(1_000));
      invocations += 1;
      if ('continuedFrom' in report && report.continuedFrom) {
        continued += 1;
        // THEN it goes on from its Scan position, in the same segment
        expect(payloadOf(sent[sent.length - 1])).toEqual({ rebuild: { totalSegments: 2, segment: report.segments[0], resumeFrom: report.continuedFrom, pageSize: 25 } });
      }
    }
    expect(continued).toBeGreaterThan(0);
    expect(invocations).toBe(2 + continued);
    expect(await sorted(rebuilt)).toEqual(await sorted(live));
    expect(logged.filter((entry) => entry.done === true).map((entry) => entry.segment).sort()).toEqual([0, 1]);
  });

  test('with time enough, rebuilds its segment in one invocation', async () => {
    // GIVEN
    const { handler, sent } = projectorOn(rebuilt);
    // WHEN both segments run with a minute left each
    const reports = [await handler({ rebuild: { totalSegments: 2, segment: 0 } }, context(60_000)), await handler({ rebuild: { totalSegments: 2, segment: 1 } }, context(60_000))];
    // THEN
    expect(sent).toEqual([]);
    // (an aggregate whose events span two of its calls of rebuildProjection is folded, and counted, twice)
    expect(reports.reduce((sum, r) => sum + r.aggregates, 0)).toBeGreaterThanOrEqual(40);
    expect(await sorted(rebuilt)).toEqual(await sorted(live));
  });

  test('run again over a rebuilt read model, changes nothing', async () => {
    // GIVEN
    const { handler } = projectorOn(live);
    const before = await sorted(live);
    // WHEN
    const report = await handler({ rebuild: { totalSegments: 1, segment: 0 } }, context(60_000));
    // THEN
    expect(report.aggregates).toBeGreaterThanOrEqual(40);
    expect(await sorted(live)).toEqual(before);
  });

  test('fails on a malformed request, and invokes nothing', async () => {
    const { handler, sent } = projectorOn(rebuilt);
    await expect(handler({ rebuild: { totalSegments: 2, segment: 2 } }, context(60_000))).rejects.toThrow(/segment must be an integer from 0 to totalSegments - 1 \(1\) \(given 2\)/);
    await expect(handler({ rebuild: { totalSegments: 0 } }, context(60_000))).rejects.toThrow(/totalSegments must be an integer from 1/);
    await expect(handler({ rebuild: { resumeFrom: { pk: 'x' } } }, context(60_000))).rejects.toThrow(/resumeFrom must be an object, with a segment/);
    await expect(handler({ rebuild: { totalSegments: 1, pageSize: 0 } }, context(60_000))).rejects.toThrow(/pageSize must be an integer of 1 or more \(given 0\)/);
    // A caller without the types (a test harness, another runtime) may leave the context out.
    await expect(handler({ rebuild: { totalSegments: 1 } }, undefined as unknown as RebuildContext)).rejects.toThrow('cdk-cqrs: a rebuild request needs the Lambda context (its function name and remaining time).');
    expect(sent).toEqual([]);
  });
});
