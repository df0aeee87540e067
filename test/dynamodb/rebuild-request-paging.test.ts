import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InvokeCommand, InvokeCommandInput } from '@aws-sdk/client-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eraseProjection } from '../../lambda/projection/define-projection';
import {
  REBUILD_DEFAULTS, handleRebuildRequest, isRebuildRequest, logToStdout,
  type RebuildContext, type RebuildRequest, type RebuildRequestDeps,
} from '../../lambda/projection/rebuild-request';
import { createEventStoreTable, documentClient, type EventStoreTable } from '../helpers/create-event-store-table';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { envelopes } from '../helpers/queue-messages';
import { localDynamoDb } from '../helpers/dynamodb-client';
import { storeEvents } from '../helpers/store-events';
import { ledgerView } from '../helpers/test-projections';

// 10 ledgers of 2 events each: with a page size of 1, each ledger spans two Scan pages, and the
// one segment has 20 pages (an aggregate's items are stored, and scanned, together).
const events = Array.from({ length: 10 }, (_, a) => envelopes('Ledger', `p-${a}`, [
  { type: 'Opened', data: { owner: `o-${a}` } },
  { type: 'Deposited', data: { amount: a + 1 } },
])).flat();

/** Each Scan page takes this long on the fake clock; nothing else does. */
const MILLIS_PER_PAGE = 1_000;
const projection = eraseProjection(ledgerView);

let store: EventStoreTable;
let rebuilt: ReadModelTable;
/** The rebuild's client: each Scan page it reads takes MILLIS_PER_PAGE on the fake clock. */
let client: DynamoDBClient;
let paged: DynamoDBDocumentClient;
let now: number;
/** `S` for each Scan page read, `R` for each look at the time left: the pages of a step are between two `R`. */
let trace: string[];

beforeAll(async () => {
  store = await createEventStoreTable('rebuild-paging-events', { stream: false });
  await storeEvents(store.doc, store.tableName, events);
});
afterAll(async () => { await store.drop(); });

beforeEach(async () => {
  rebuilt = await createReadModelTable('rebuild-paging-new');
  now = Date.now();
  trace = [];
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  client = localDynamoDb();
  client.middlewareStack.add((next, context) => async (args) => {
    const output = await next(args);
    if (context.commandName === 'ScanCommand') {
      trace.push('S');
      now += MILLIS_PER_PAGE;
    }
    return output;
  }, { step: 'initialize', name: 'scanPageTakesTime' });
  paged = documentClient(client);
});
afterEach(async () => {
  jest.restoreAllMocks();
  client.destroy();
  await rebuilt.drop();
});

/** An invocation's context with `remainingMillis` left now, on the fake clock. */
const contextWith = (remainingMillis: number): RebuildContext => {
  const deadline = now + remainingMillis;
  return {
    functionName: 'ledger-projector',
    getRemainingTimeInMillis: () => {
      // A rebuild that reads no page goes on with no end: fail rather than fill the memory.
      if (trace.length > 1_000) throw new Error('the rebuild went on for over 1,000 pages and looks at the time left');
      trace.push('R');
      return deadline - now;
    },
  };
};

/** Deps whose self-invocations and log entries are recorded, not sent. */
function depsOf(options: { log?: boolean } = {}) {
  const sent: InvokeCommandInput[] = [];
  const logged: Record<string, unknown>[] = [];
  const deps: RebuildRequestDeps = {
    dynamoDb: paged, readModelTable: rebuilt.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView',
    lambda: { send: async (command: InvokeCommand) => { sent.push(command.input); } },
    ...(options.log === false ? {} : { log: (entry: Record<string, unknown>) => { logged.push(entry); } }),
  };
  return { deps, sent, logged };
}

const payloadOf = (input: InvokeCommandInput): RebuildRequest => JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
/** The pages each call of the rebuild read, in order. */
const pagesPerStep = () => trace.join('').split('R').filter((pages) => pages.length > 0).map((pages) => pages.length);

describe('a rebuild of one segment, paced by the time left', () => {
  test('reads as many pages per step as fit in half the time left over the margin, and hands over exactly at the margin', async () => {
    // GIVEN 20 s left, a 10 s margin and pages of 1 s
    expect(REBUILD_DEFAULTS.marginMillis).toBe(10_000);
    const { deps, sent, logged } = depsOf();
    const context = contextWith(20_000);
    // WHEN
    const report = await handleRebuildRequest(projection, { rebuild: { totalSegments: 1, segment: 0, pageSize: 1 } }, context, deps);
    // THEN one page to time a page, then half of what is left over the margin each step:
    // 9 s over → 4 pages, 5 s → 2, 3 s → 1, 2 s → 1, 1 s → at least 1; then 10 s are left: no page more.
    expect(pagesPerStep()).toEqual([1, 4, 2, 1, 1, 1]);
    expect(context.getRemainingTimeInMillis()).toBe(10_000);
    // 10 pages hold 5 ledgers; the steps split 4 of them, which are folded again but written once.
    expect(report.aggregates).toBe(9);
    expect(report.written).toBe(5);
    expect(report.segments).toEqual([0]);
    expect(report.continuedFrom).toBeDefined();
    expect(sent.map(payloadOf)).toEqual([{ rebuild: { totalSegments: 1, segment: 0, resumeFrom: report.continuedFrom, pageSize: 1 } }]);
    expect(logged).toEqual([{
      message: 'Rebuild of LedgerView: segment 0 goes on in a new invocation.',
      projection: 'LedgerView', totalSegments: 1, segment: 0, aggregates: 9, written: 5, done: false,
    }]);
    expect((await rebuilt.scanAll()).length).toBe(5);
  });

  test('paces its steps by the time a page took so far', async () => {
    // GIVEN 30 s left, a 10 s margin and pages of 1 s
    const { deps } = depsOf();
    const context = contextWith(30_000);
    // WHEN
    await handleRebuildRequest(projection, { rebuild: { totalSegments: 1, segment: 0, pageSize: 1 } }, context, deps);
    // THEN 19 s over → 9 pages, 10 s → 5, 5 s → 2, 3 s → 1, 2 s → 1, 1 s → 1: 20 pages, all of the segment
    expect(pagesPerStep()).toEqual([1, 9, 5, 2, 1, 1, 1]);
    expect(context.getRemainingTimeInMillis()).toBe(10_000);
  });

  test('resumed with time enough, finishes its segment in one more step, and says it is done', async () => {
    // GIVEN an invocation that ran out of time
    const first = depsOf();
    const handedOver = await handleRebuildRequest(projection, { rebuild: { totalSegments: 1, segment: 0, pageSize: 1 } }, contextWith(20_000), first.deps);
    trace = [];
    // WHEN its continuation runs with a minute left
    const { deps, sent, logged } = depsOf();
    const report = await handleRebuildRequest(projection, payloadOf(first.sent[0]), contextWith(60_000), deps);
    // THEN it times one page, then reads the rest (10 pages, maybe an empty last one) in one step
    const steps = pagesPerStep();
    expect(steps[0]).toBe(1);
    expect(steps.length).toBe(2);
    expect(steps[1]).toBeGreaterThanOrEqual(9);
    expect(sent).toEqual([]);
    expect(report).toEqual({ segments: [0], aggregates: 6, written: 5 });
    expect(logged).toEqual([{
      message: 'Rebuild of LedgerView: segment 0 done.',
      projection: 'LedgerView', totalSegments: 1, segment: 0, aggregates: 6, written: 5, done: true,
    }]);
    expect(handedOver.written + report.written).toBe(10);
    expect((await rebuilt.scanAll()).length).toBe(10);
  });
});

describe('a rebuild request', () => {
  test('that starts a rebuild logs what it started, with the projection and the number of segments', async () => {
    const { deps, sent, logged } = depsOf();
    const report = await handleRebuildRequest(projection, { rebuild: { totalSegments: 3 } }, contextWith(60_000), deps);
    expect(report).toEqual({ segments: [0, 1, 2], aggregates: 0, written: 0 });
    expect(sent.length).toBe(3);
    expect(logged).toEqual([{ message: 'Rebuild of LedgerView started: 3 segments.', projection: 'LedgerView', totalSegments: 3 }]);
  });

  test('logs one JSON line on stdout per entry when no log is given', async () => {
    // GIVEN
    const print = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { deps } = depsOf({ log: false });
    // WHEN
    await handleRebuildRequest(projection, { rebuild: { totalSegments: 2 } }, contextWith(60_000), deps);
    // THEN
    expect(print.mock.calls).toEqual([[JSON.stringify({ message: 'Rebuild of LedgerView started: 2 segments.', projection: 'LedgerView', totalSegments: 2 })]]);
    print.mockClear();
    logToStdout({ message: 'm', segment: 1 });
    expect(print.mock.calls).toEqual([['{"message":"m","segment":1}']]);
  });

  test('is an object with a rebuild object, and never an SQS batch', () => {
    expect(isRebuildRequest({ rebuild: {} })).toBe(true);
    expect(isRebuildRequest({ rebuild: { totalSegments: 2 } })).toBe(true);
    expect(isRebuildRequest({ Records: [], rebuild: {} })).toBe(false);
    expect(isRebuildRequest({ Records: [] })).toBe(false);
    expect(isRebuildRequest({ rebuild: 4 })).toBe(false);
    expect(isRebuildRequest(null)).toBe(false);
  });
});
