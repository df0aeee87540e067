import fc from 'fast-check';
import { defineCustomProjection, defineProjection, type EventEnvelope } from 'cdk-cqrs/runtime';
import { createCommandHandler } from '../../lambda/handlers/command-handler';
import { createProjectionReader } from '../../lambda/handlers/projection-reader';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { projectMessages } from '../../lambda/projection/project-messages';
import type { CommandResult } from '../../lambda/shared/envelope';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { createSessionTable } from '../helpers/create-session-table';
import { httpAnswer, httpApiEvent } from '../helpers/http-api-events';
import { queueMessage } from '../helpers/queue-messages';
import { countRequests, type RequestCounter } from '../helpers/request-counts';
import { ledger, ledgerView, oldLedgerView, type LedgerView } from '../helpers/test-projections';

// GET /{resource}/{aggregateId}/{projectionName}: the projection reader on DynamoDB Local, with the
// command handler answering the same API, so read-your-writes is shown from the caller's own POST.
let store: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
let readModel: ReadModelTable;
let commands: (event: unknown) => Promise<unknown>;
let reader: (event: unknown) => Promise<unknown>;
let readerRequests: RequestCounter;

beforeAll(async () => {
  [store, sessions, readModel] = await Promise.all([
    createEventStoreTable('http-read-events'), createSessionTable('http-read-sessions'), createReadModelTable('http-read-model'),
  ]);
  commands = createCommandHandler(ledger, store.deps({ aggregateName: 'Ledger', eventSource: 'test.Ledger', session: { tableName: sessions.tableName, ttlSeconds: 300 } }));
  readerRequests = countRequests(readModel.client);
  reader = createProjectionReader({ LedgerView: ledgerView, 'Old view': oldLedgerView }, {
    readModelTable: readModel.tableName, aggregateName: 'Ledger', dynamoDb: readModel.doc,
    readYourWrites: { sessionTable: sessions.tableName, aggregateName: 'Ledger', eventStoreTable: store.tableName },
  });
});
afterAll(async () => { await Promise.all([store.drop(), sessions.drop(), readModel.drop()]); });

/** A command over the HTTP API by `sub` (null: anonymous); its result, which must be a 200 or 201. */
const post = async (ledgerId: string, commandType: string, payload: unknown, sub: string | null, headers: Record<string, string> = {}): Promise<CommandResult> => {
  const answer = await httpAnswer(commands, httpApiEvent({
    method: 'POST', route: '/ledgers/{aggregateId}/{commandType}', pathParameters: { aggregateId: ledgerId, commandType },
    headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload), sub,
  }));
  expect([200, 201]).toContain(answer.statusCode);
  return answer.json as unknown as CommandResult;
};

/** A GET of a projection's view by `sub` (null: anonymous). */
const get = (ledgerId: string, projectionName: string, sub: string | null, headers: Record<string, string> = {}) => httpAnswer(reader, httpApiEvent({
  method: 'GET', route: '/ledgers/{aggregateId}/{projectionName}', pathParameters: { aggregateId: ledgerId, projectionName }, headers, sub,
}));

/** Runs the LedgerView projector on the events of `results`, as their SQS messages deliver them. */
const project = async (...results: readonly CommandResult[]) => {
  const events: EventEnvelope[] = results.flatMap((result) => result.events);
  const deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView' };
  expect((await projectMessages(eraseProjection(ledgerView), events.map((e) => queueMessage(e)), deps)).batchItemFailures).toEqual([]);
};

const viewOf = (owner: string, balance: number, trail: number[]) => ({ owner, balance, trail, openedAt: expect.any(String) });

describe('a projection\'s view over the HTTP API', () => {
  test('is a 200 with the document, its version as ETag, never cached; the ETag sent back as If-Match is the version a command expects', async () => {
    await project(await post('l-1', 'Open', { owner: 'ann' }, null), await post('l-1', 'Deposit', { amount: 5 }, null));
    const answer = await get('l-1', 'LedgerView', null, { 'x-correlation-id': 'corr-r1' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toEqual({ 'content-type': 'application/json', 'etag': '"2"', 'x-correlation-id': 'corr-r1', 'cache-control': 'no-store' });
    expect(answer.json).toEqual({ aggregateId: 'l-1', version: 2, view: viewOf('ann', 5, [1, 2]) });
    const next = await post('l-1', 'Deposit', { amount: 1 }, null, { 'if-match': answer.headers.etag });
    expect(next.version).toBe(3);
  });

  test('shows a caller their own command at once, before any projector ran; not another caller, nor an anonymous one', async () => {
    await post('l-ryw', 'Open', { owner: 'ann' }, 'ann');
    const ann = await get('l-ryw', 'LedgerView', 'ann');
    expect(ann.statusCode).toBe(200);
    expect(ann.headers.etag).toBe('"1"');
    expect(ann.json).toEqual({ aggregateId: 'l-ryw', version: 1, view: viewOf('ann', 0, [1]) });
    for (const other of ['bob', null]) {
      const answer = await get('l-ryw', 'LedgerView', other);
      expect(answer.statusCode).toBe(404);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:not-found', status: 404 });
    }
  });

  test('merges the caller\'s pending writes onto the projected view; others see the projected view, at its version', async () => {
    await project(await post('l-pending', 'Open', { owner: 'ann' }, 'ann'));
    await post('l-pending', 'Deposit', { amount: 7 }, 'ann');
    expect(await get('l-pending', 'LedgerView', 'ann')).toMatchObject({ statusCode: 200, headers: { etag: '"2"' }, json: { version: 2, view: viewOf('ann', 7, [1, 2]) } });
    for (const other of ['bob', null]) {
      expect(await get('l-pending', 'LedgerView', other)).toMatchObject({ statusCode: 200, headers: { etag: '"1"' }, json: { version: 1, view: viewOf('ann', 0, [1]) } });
    }
  });

  test('the merged version is the caller\'s last write, another caller\'s write between and an unprojected event included, and a command may expect it', async () => {
    // GIVEN ann's Open (v1), bob's Deposit (v2), ann's Note (v3, an event LedgerView does not handle); no projector ran
    await post('l-mixed', 'Open', { owner: 'ann' }, 'ann');
    await post('l-mixed', 'Deposit', { amount: 3 }, 'bob');
    await post('l-mixed', 'Note', { text: 'hello' }, 'ann');
    // WHEN / THEN ann sees v1..v3 (v2 from the event store), bob v1..v2 (v1 from the event store)
    const ann = await get('l-mixed', 'LedgerView', 'ann');
    expect(ann).toMatchObject({ headers: { etag: '"3"' }, json: { version: 3, view: viewOf('ann', 3, [1, 2]) } });
    expect(await get('l-mixed', 'LedgerView', 'bob')).toMatchObject({ headers: { etag: '"2"' }, json: { version: 2, view: viewOf('ann', 3, [1, 2]) } });
    expect((await post('l-mixed', 'Deposit', { amount: 1 }, 'ann', { 'if-match': ann.headers.etag })).version).toBe(4);
  });

  test('the ETag is the version of the last event the view includes: after an event the view does not show, a command expecting it is a 409 with the current version', async () => {
    // GIVEN ann's Open (v1) and Note (v2, an event LedgerView does not handle, so its rule never delivers it), projected
    const opened = await post('l-note', 'Open', { owner: 'ann' }, 'ann');
    await post('l-note', 'Note', { text: 'hello' }, 'ann');
    await project(opened);
    // WHEN bob reads the view: it is at version 1, the aggregate at 2
    const read = await get('l-note', 'LedgerView', 'bob');
    expect(read).toMatchObject({ statusCode: 200, headers: { etag: '"1"' }, json: { view: viewOf('ann', 0, [1]) } });
    // THEN a command sent with it as If-Match is told where the aggregate is (docs/http-api.md: the ETag is the view's)
    const deposit = await httpAnswer(commands, httpApiEvent({
      method: 'POST', route: '/ledgers/{aggregateId}/{commandType}', pathParameters: { aggregateId: 'l-note', commandType: 'Deposit' },
      headers: { 'content-type': 'application/json', 'if-match': read.headers.etag }, body: JSON.stringify({ amount: 1 }), sub: 'bob',
    }));
    expect(deposit).toMatchObject({ statusCode: 409, json: { currentVersion: 2 } });
  });

  test('readableBy decides who reads a document; refused is the 404 of no document, pending writes merged or not', async () => {
    const ownersOnly = createProjectionReader({
      LedgerView: defineProjection<typeof ledger, LedgerView>(ledger, { events: ledgerView.events, readableBy: (view, { caller }) => caller?.subject === view.owner }),
    }, { readModelTable: readModel.tableName, aggregateName: 'Ledger', dynamoDb: readModel.doc, readYourWrites: { sessionTable: sessions.tableName, aggregateName: 'Ledger', eventStoreTable: store.tableName } });
    const read = (sub: string | null) => httpAnswer(ownersOnly, httpApiEvent({
      method: 'GET', route: '/ledgers/{aggregateId}/{projectionName}', pathParameters: { aggregateId: 'l-own', projectionName: 'LedgerView' }, sub,
    }));
    await project(await post('l-own', 'Open', { owner: 'ann' }, 'ann'));
    await post('l-own', 'Deposit', { amount: 4 }, 'ann');
    expect(await read('ann')).toMatchObject({ statusCode: 200, json: { view: viewOf('ann', 4, [1, 2]) } });
    for (const other of ['bob', null]) {
      expect(await read(other)).toMatchObject({ statusCode: 404, json: { type: 'urn:cdk-cqrs:problem:not-found' } });
    }
    expect(() => createProjectionReader({ LedgerView: defineProjection<typeof ledger, LedgerView>(ledger, { events: ledgerView.events }) }))
      .toThrow(/projection LedgerView has no readableBy, so no document of it may be read over HTTP/);
  });

  test('no two subjects share a session, whatever separators they hold', async () => {
    const subject = fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom('a', '1', '#', ':', 'é') });
    let run = 0;
    await fc.assert(fc.asyncProperty(subject, subject, async (writer, other) => {
      fc.pre(writer !== other);
      const ledgerId = `l-subjects-${run++}`;
      await post(ledgerId, 'Open', { owner: writer }, writer);
      expect((await get(ledgerId, 'LedgerView', writer)).statusCode).toBe(200);
      expect((await get(ledgerId, 'LedgerView', other)).statusCode).toBe(404);
    }), { numRuns: 25, examples: [['a#1', '1:a'], ['1:a', '3:1:a'], ['a', '1:a'], ['1:a#1', 'a#1']] });
  });

  test('a deleted view (a tombstone) is a 404, projected or pending', async () => {
    await project(await post('l-closed', 'Open', { owner: 'ann' }, null), await post('l-closed', 'Close', {}, null));
    expect(await get('l-closed', 'LedgerView', null)).toMatchObject({ statusCode: 404, json: { type: 'urn:cdk-cqrs:problem:not-found' } });
    await post('l-closing', 'Open', { owner: 'ann' }, 'ann');
    await post('l-closing', 'Close', {}, 'ann');
    expect(await get('l-closing', 'LedgerView', 'ann')).toMatchObject({ statusCode: 404, json: { type: 'urn:cdk-cqrs:problem:not-found' } });
  });

  test.each(['Nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'ledgerview'])('projection %j, not exposed, is a 404 problem naming those that are, with nothing read', async (name) => {
    readerRequests.clear();
    const answer = await get('l-1', name, 'ann');
    expect(answer.statusCode).toBe(404);
    expect(answer.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:unknown-projection', status: 404, knownProjections: ['LedgerView', 'Old view'] });
    expect(readerRequests.total()).toBe(0);
  });

  test('a projection is found by the name it is exposed under, whatever that name holds', async () => {
    await project(await post('l-old', 'Open', { owner: 'ann' }, null));
    // Old view was never projected here: the name reaches its own documents, of which there are none.
    expect(await get('l-old', 'Old view', null)).toMatchObject({ statusCode: 404, json: { type: 'urn:cdk-cqrs:problem:not-found' } });
    expect((await get('l-old', 'LedgerView', null)).statusCode).toBe(200);
  });

  test.each([
    ['an empty id', ''],
    ['an id over a partition key', 'x'.repeat(2049)],
    ['an id with a lone surrogate', 'l-\uD800'],
    ['an id with the idempotency marker', 'l#command#1'],
  ])('%s is a 400 problem, with nothing read', async (_label, ledgerId) => {
    readerRequests.clear();
    const answer = await get(ledgerId, 'LedgerView', 'ann');
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:validation-error', issues: [expect.objectContaining({ path: ['aggregateId'] })] });
    expect(readerRequests.total()).toBe(0);
  });

  test('an id too long for a session entry key is read from the read model alone: no session can hold an entry of it', async () => {
    // 1,000 characters fit a partition key, but not the session entry key `Ledger#1000:<id>#<10 digits>` (1,024 bytes at most).
    const longId = 'l'.repeat(1000);
    await project(await post(longId, 'Open', { owner: 'ann' }, null));
    expect(await get(longId, 'LedgerView', 'ann')).toMatchObject({ statusCode: 200, json: { version: 1, view: viewOf('ann', 0, [1]) } });
  });

  test('a verified token without a subject is a 403', async () => {
    const event = httpApiEvent({ method: 'GET', route: '/ledgers/{aggregateId}/{projectionName}', pathParameters: { aggregateId: 'l-1', projectionName: 'LedgerView' }, sub: 'ann' });
    const noSub = { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims: { client_id: 'machine-1' }, scopes: null } } } };
    expect(await httpAnswer(reader, noSub)).toMatchObject({ statusCode: 403, json: { type: 'urn:cdk-cqrs:problem:forbidden' } });
  });
});

describe('the projection reader', () => {
  test('refuses, when it is created, a custom projection, naming it: it has no document per aggregate to read', () => {
    const custom = defineCustomProjection(ledger, { events: { Opened: () => undefined } });
    expect(() => createProjectionReader({ LedgerView: ledgerView, Audit: custom })).toThrow(/projection Audit is a defineCustomProjection\(\.\.\.\)/);
    expect(() => createProjectionReader({ Ledger: ledger })).toThrow(/projection Ledger of the projection reader must be defineProjection\(\.\.\.\); it is defineAggregate\(\.\.\.\)/);
  });

  test('answers HTTP API events only, before it reads its environment', async () => {
    const bare = createProjectionReader({ LedgerView: ledgerView });
    await expect(bare({ aggregateId: 'l-1', projectionName: 'LedgerView' })).rejects.toThrow(/answers only API Gateway HTTP API events/);
  });

  test('without read-your-writes, reads the read model alone, for a verified caller too', async () => {
    const plain = createProjectionReader({ LedgerView: ledgerView }, { readModelTable: readModel.tableName, aggregateName: 'Ledger', dynamoDb: readModel.doc });
    await post('l-plain', 'Open', { owner: 'ann' }, 'ann');
    const event = httpApiEvent({ method: 'GET', route: '/ledgers/{aggregateId}/{projectionName}', pathParameters: { aggregateId: 'l-plain', projectionName: 'LedgerView' }, sub: 'ann' });
    expect(await httpAnswer(plain, event)).toMatchObject({ statusCode: 404, json: { type: 'urn:cdk-cqrs:problem:not-found' } });
  });
});
