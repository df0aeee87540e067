import { UNPROCESSED_KEYS_RETRY_POLICY } from '../../lambda/shared/retry-policies';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { Repository, type DocumentClientLike } from 'cdk-cqrs/runtime';
import { handleCommand } from '../../lambda/write/handle-command';
import { eraseProjection } from '../../lambda/projection/define-projection';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { projectMessages } from '../../lambda/projection/project-messages';
import { countingClient } from '../helpers/counting-client';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { createSessionTable } from '../helpers/create-session-table';
import { ledger, ledgerView, oldLedgerView, type LedgerView } from '../helpers/test-projections';

// Lists of LedgerView by owner (index byOwner: pk owner, sk zero-padded balance + id; Closed deletes the view).
let store: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
let readModel: ReadModelTable;
let ledgers: Repository<typeof ledger, LedgerView>;
const readYourWrites = () => ({ sessionTable: sessions.tableName, aggregateName: 'Ledger', eventStoreTable: store.tableName });

beforeAll(async () => {
  [store, sessions, readModel] = await Promise.all([
    createEventStoreTable('ryw-lists-events'), createSessionTable('ryw-lists-sessions'), createReadModelTable('ryw-lists-read-model', ['byOwner']),
  ]);
  ledgers = new Repository(ledgerView, { tableName: readModel.tableName, projectionName: 'LedgerView', dynamoDb: readModel.doc, readYourWrites: readYourWrites() });
});
afterAll(async () => { await Promise.all([store.drop(), sessions.drop(), readModel.drop()]); });

/** One command of the Ledger aggregate, with a session entry when a sessionId is given. */
const send = async (aggregateId: string, type: string, payload: unknown, sessionId?: string, ttlSeconds = 300): Promise<readonly EventEnvelope[]> =>
  (await handleCommand(ledger, { type, aggregateId, payload, sessionId }, store.deps({ aggregateName: 'Ledger', session: { tableName: sessions.tableName, ttlSeconds } }))).events;

/** Runs the projector on events, as their SQS messages deliver them. */
const project = async (events: readonly EventEnvelope[]) => {
  const deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView' };
  expect((await projectMessages(eraseProjection(ledgerView), events.map((e) => queueMessage(e)), deps)).batchItemFailures).toEqual([]);
};

/** An account of `owner` with `balance`, projected. */
const projectedAccount = async (aggregateId: string, owner: string, balance: number) =>
  project([...await send(aggregateId, 'Open', { owner }), ...await send(aggregateId, 'Deposit', { amount: balance })]);

const listed = async (owner: string, options: { sessionId?: string; sortBeginsWith?: string } = {}) =>
  (await ledgers.query({ index: 'byOwner', partition: owner, ...options })).items.map((item) => [item.aggregateId, item.view.balance]);

describe('Repository.query with a session', () => {
  test('prepends a pending new document to its list, for its own session only', async () => {
    await projectedAccount('l-old', 'ann', 3);
    await send('l-new', 'Open', { owner: 'ann' }, 's-ann');
    await send('l-new', 'Deposit', { amount: 10 }, 's-ann');

    expect(await listed('ann', { sessionId: 's-ann' })).toEqual([['l-new', 10], ['l-old', 3]]);
    expect(await listed('ann', { sessionId: 's-other' })).toEqual([['l-old', 3]]);
    expect(await listed('ann')).toEqual([['l-old', 3]]);
  });

  test('replaces a listed document the session changed, with the view the projector will write', async () => {
    await projectedAccount('l-chg', 'bo', 5);
    const pending = await send('l-chg', 'Deposit', { amount: 7 }, 's-bo');

    const [withSession] = (await ledgers.query({ index: 'byOwner', partition: 'bo', sessionId: 's-bo' })).items;
    expect(withSession).toMatchObject({ aggregateId: 'l-chg', version: 3, view: { balance: 12, trail: [1, 2, 3] } });
    expect(await listed('bo')).toEqual([['l-chg', 5]]);

    await project(pending);
    expect((await ledgers.query({ index: 'byOwner', partition: 'bo' })).items).toEqual([withSession]);
  });

  test('leaves out a listed document the session deleted', async () => {
    await projectedAccount('l-del', 'cy', 4);
    await send('l-del', 'Close', {}, 's-cy');

    expect(await listed('cy', { sessionId: 's-cy' })).toEqual([]);
    expect(await listed('cy')).toEqual([['l-del', 4]]);
  });

  test('leaves out a document whose change moves it out of the list\'s sort-key prefix, and prepends it where it moved', async () => {
    await projectedAccount('l-mov', 'di', 5);
    await send('l-mov', 'Deposit', { amount: 1 }, 's-di');

    expect(await listed('di', { sortBeginsWith: '00000005#', sessionId: 's-di' })).toEqual([]);
    expect(await listed('di', { sortBeginsWith: '00000006#', sessionId: 's-di' })).toEqual([['l-mov', 6]]);
  });

  test('prepends to the first page only, so that no page repeats a pending document', async () => {
    await projectedAccount('l-p1', 'ed', 1);
    await projectedAccount('l-p2', 'ed', 2);
    await send('l-p3', 'Open', { owner: 'ed' }, 's-ed');
    await send('l-p3', 'Deposit', { amount: 3 }, 's-ed');

    const first = await ledgers.query({ index: 'byOwner', partition: 'ed', limit: 1, sessionId: 's-ed' });
    const second = await ledgers.query({ index: 'byOwner', partition: 'ed', limit: 1, sessionId: 's-ed', cursor: first.cursor });
    expect(first.items.map((i) => i.aggregateId)).toEqual(['l-p3', 'l-p1']);
    expect(second.items.map((i) => i.aggregateId)).toEqual(['l-p2']);
  });

  test('prepends the session\'s new documents newest write first', async () => {
    // GIVEN three accounts opened in one session, one after another: an entry expires a fixed time after its write,
    // so a later expiry stands for a later write (expiries are whole seconds, so each write here expires 60 s later)
    await projectedAccount('l-ord-old', 'ola', 1);
    for (const [index, id] of ['l-ord-a', 'l-ord-b', 'l-ord-c'].entries()) {
      await send(id, 'Open', { owner: 'ola' }, 's-ola', 300 + 60 * index);
      await send(id, 'Deposit', { amount: 1 }, 's-ola', 300 + 60 * index);
    }
    // THEN the newest comes first, then the older ones, then the projected list
    expect((await listed('ola', { sessionId: 's-ola' })).map(([id]) => id)).toEqual(['l-ord-c', 'l-ord-b', 'l-ord-a', 'l-ord-old']);
  });

  test('orders new documents by each one\'s latest write, not its first', async () => {
    // GIVEN p opened first, then q, then p written again last: p's latest write is the session's newest
    await send('l-last-p', 'Open', { owner: 'pia' }, 's-pia', 300);
    await send('l-last-q', 'Open', { owner: 'pia' }, 's-pia', 360);
    await send('l-last-q', 'Deposit', { amount: 1 }, 's-pia', 360);
    await send('l-last-p', 'Deposit', { amount: 1 }, 's-pia', 420);
    // THEN
    expect((await listed('pia', { sessionId: 's-pia' })).map(([id]) => id)).toEqual(['l-last-p', 'l-last-q']);
  });

  test('prepends only the session\'s documents of the queried partition that pass the list\'s filter', async () => {
    // GIVEN one session opens accounts of two owners, with two balances
    for (const [id, owner, amount, ttl] of [['l-flt-q5', 'quin', 5, 300], ['l-flt-r5', 'rae', 5, 360], ['l-flt-q7', 'quin', 7, 420]] as const) {
      await send(id, 'Open', { owner }, 's-flt', ttl);
      await send(id, 'Deposit', { amount }, 's-flt', ttl);
    }
    const ids = async (partition: string, filter?: Record<string, number>) =>
      (await ledgers.query({ index: 'byOwner', partition, sessionId: 's-flt', filter })).items.map((item) => item.aggregateId);
    // THEN
    expect(await ids('quin')).toEqual(['l-flt-q7', 'l-flt-q5']);
    expect(await ids('rae')).toEqual(['l-flt-r5']);
    expect(await ids('quin', { balance: 5 })).toEqual(['l-flt-q5']);
    expect(await ids('quin', { balance: 6 })).toEqual([]);
  });

  test('a document the session changed on a later page is not prepended to the first: each page shows it once, where it is listed', async () => {
    // GIVEN two projected accounts (listed by balance), and the session's pending deposit to the second
    await projectedAccount('l-pg-a', 'ula', 1);
    await projectedAccount('l-pg-b', 'ula', 5);
    await send('l-pg-b', 'Deposit', { amount: 1 }, 's-ula');
    // WHEN the list is read a page of one at a time
    const first = await ledgers.query({ index: 'byOwner', partition: 'ula', sessionId: 's-ula', limit: 1 });
    const second = await ledgers.query({ index: 'byOwner', partition: 'ula', sessionId: 's-ula', limit: 1, cursor: first.cursor });
    // THEN
    expect(first.items.map((item) => [item.aggregateId, item.view.balance])).toEqual([['l-pg-a', 1]]);
    expect(second.items.map((item) => [item.aggregateId, item.view.balance])).toEqual([['l-pg-b', 6]]);
  });

  test('gives the same list with and without the session once the projector has run', async () => {
    await projectedAccount('l-eq', 'fay', 2);
    const pending = [...await send('l-eq2', 'Open', { owner: 'fay' }, 's-fay'), ...await send('l-eq2', 'Deposit', { amount: 9 }, 's-fay'), ...await send('l-eq', 'Deposit', { amount: 1 }, 's-fay')];
    const beforeProjection = await ledgers.query({ index: 'byOwner', partition: 'fay', sessionId: 's-fay' });

    await project(pending);

    const withSession = await ledgers.query({ index: 'byOwner', partition: 'fay', sessionId: 's-fay' });
    const without = await ledgers.query({ index: 'byOwner', partition: 'fay' });
    expect(withSession).toEqual(without);
    // Before, the pending new document came first; the same documents, each as the projector wrote it.
    const byId = (items: typeof without.items) => [...items].sort((a, b) => a.aggregateId.localeCompare(b.aggregateId));
    expect(byId(beforeProjection.items)).toEqual(byId(without.items));
  });

  test('ignores an expired entry', async () => {
    // GIVEN an account opened in a session whose entries expire as they are written (ttl 0 s)
    await projectedAccount('l-exp-old', 'gil', 1);
    await send('l-exp', 'Open', { owner: 'gil' }, 's-gil', 0);
    await send('l-exp', 'Deposit', { amount: 2 }, 's-gil', 0);
    await send('l-exp-old', 'Deposit', { amount: 5 }, 's-gil', 0);
    // THEN the list is the projected one
    expect(await listed('gil', { sessionId: 's-gil' })).toEqual([['l-exp-old', 1]]);
  });
});

describe('Repository.query with a session, over documents other projection code built', () => {
  test('a listed document of other code is read again and folded from event 1 when any of the session\'s entries is newer than it', async () => {
    // GIVEN an account the previous deploy's code projected up to the session's first deposit, and the session's second deposit pending
    const deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView' };
    const projectOld = async (events: readonly EventEnvelope[]) =>
      expect((await projectMessages(eraseProjection(oldLedgerView), events.map((e) => queueMessage(e)), deps)).batchItemFailures).toEqual([]);
    await projectOld([...await send('l-old-mixed', 'Open', { owner: 'lev' }), ...await send('l-old-mixed', 'Deposit', { amount: 3 })]);
    await projectOld(await send('l-old-mixed', 'Deposit', { amount: 1 }, 's-lev'));
    await send('l-old-mixed', 'Deposit', { amount: 4 }, 's-lev');
    // WHEN / THEN today's code's fold of v1..v4, not the old view extended
    const page = await ledgers.query({ index: 'byOwner', partition: 'lev', sessionId: 's-lev' });
    expect(page.items).toEqual([{ aggregateId: 'l-old-mixed', version: 4, view: expect.objectContaining({ balance: 8, trail: [1, 2, 3, 4] }) }]);
  });

  test('folds a listed document the session changed from event 1, as the projector will, reading it again for its code', async () => {
    // GIVEN an account projected by the previous deploy's code (negative trail, doubled deposits), and a pending deposit of the session
    const events = [...await send('l-old-code', 'Open', { owner: 'kai' }), ...await send('l-old-code', 'Deposit', { amount: 3 })];
    const deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'LedgerView' };
    expect((await projectMessages(eraseProjection(oldLedgerView), events.map((e) => queueMessage(e)), deps)).batchItemFailures).toEqual([]);
    expect(await listed('kai')).toEqual([['l-old-code', 6]]);
    const pending = await send('l-old-code', 'Deposit', { amount: 4 }, 's-kai');
    const counter = countingClient(readModel.doc);
    const repository = new Repository(ledgerView, { tableName: readModel.tableName, projectionName: 'LedgerView', dynamoDb: counter.client, readYourWrites: readYourWrites() });
    // WHEN
    const page = await repository.query({ index: 'byOwner', partition: 'kai', sessionId: 's-kai' });
    // THEN the session sees today's code's fold of v1..v3, not the old view extended; v1..v2 come from one event-store read
    expect(page.items).toEqual([{ aggregateId: 'l-old-code', version: 3, view: expect.objectContaining({ balance: 7, trail: [1, 2, 3] }) }]);
    expect(counter.calls.filter((call) => call === `BatchGetCommand ${readModel.tableName}`)).toHaveLength(1);
    expect(counter.calls.filter((call) => call === `QueryCommand ${store.tableName}`)).toHaveLength(1);
    // AND once the projector has run, the list without the session is the same
    await project(pending);
    expect((await ledgers.query({ index: 'byOwner', partition: 'kai' })).items).toEqual(page.items);
  });
});

describe('Repository.query calls to DynamoDB', () => {
  const countedLedgers = (doc: DocumentClientLike = readModel.doc) => {
    const counter = countingClient(doc);
    return { counter, repository: new Repository(ledgerView, { tableName: readModel.tableName, projectionName: 'LedgerView', dynamoDb: counter.client, readYourWrites: readYourWrites() }) };
  };

  test('once the projector has applied the session\'s writes, a list reads no document again; a newer write reads it again for its code', async () => {
    // GIVEN a session's deposit to a listed account, projected
    await projectedAccount('l-caught-up', 'iris', 2);
    await project(await send('l-caught-up', 'Deposit', { amount: 1 }, 's-iris'));
    // WHEN
    const { counter, repository } = countedLedgers();
    const page = await repository.query({ index: 'byOwner', partition: 'iris', sessionId: 's-iris' });
    // THEN the page as the projector wrote it, from the page and the session alone
    expect(page.items.map((item) => [item.aggregateId, item.version, item.view.balance])).toEqual([['l-caught-up', 3, 3]]);
    expect([...counter.calls].sort()).toEqual([`QueryCommand ${readModel.tableName}`, `QueryCommand ${sessions.tableName}`].sort());

    // WHEN the session writes again: one entry applied, one newer
    await send('l-caught-up', 'Deposit', { amount: 4 }, 's-iris');
    const again = countedLedgers();
    const next = await again.repository.query({ index: 'byOwner', partition: 'iris', sessionId: 's-iris' });
    // THEN the document is read again for its code (today's), and extended with the newer entry's event: no event-store read
    expect(next.items.map((item) => [item.aggregateId, item.version, item.view.balance])).toEqual([['l-caught-up', 4, 7]]);
    expect(again.counter.calls.filter((call) => call !== `QueryCommand ${readModel.tableName}` && call !== `QueryCommand ${sessions.tableName}`))
      .toEqual([`BatchGetCommand ${readModel.tableName}`]);
  });

  test('a list reads its page and the session in parallel, then the documents the session changed off the page in one BatchGetItem', async () => {
    // GIVEN a projected account, and a session that changed it and opened another
    await projectedAccount('l-calls', 'hal', 2);
    const index = `QueryCommand ${readModel.tableName}`;
    const sessionQuery = `QueryCommand ${sessions.tableName}`;
    const offPage = `BatchGetCommand ${readModel.tableName}`;

    // WHEN listed without a session, or with a session that wrote nothing: one call, or two at once
    let { counter, repository } = countedLedgers();
    await repository.query({ index: 'byOwner', partition: 'hal' });
    expect(counter.calls).toEqual([index]);
    ({ counter, repository } = countedLedgers());
    await repository.query({ index: 'byOwner', partition: 'hal', sessionId: 's-hal' });
    expect([...counter.calls].sort()).toEqual([index, sessionQuery].sort());
    expect(counter.maxInFlight()).toBe(2);

    // WHEN the session changes the listed account and opens one the read model has no document of
    await send('l-calls', 'Deposit', { amount: 1 }, 's-hal');
    await send('l-calls-new', 'Open', { owner: 'hal' }, 's-hal');
    await send('l-calls-new', 'Deposit', { amount: 4 }, 's-hal');
    ({ counter, repository } = countedLedgers());
    const page = await repository.query({ index: 'byOwner', partition: 'hal', sessionId: 's-hal' });

    // THEN the page shows both, from three calls: no event-store read, since the entries carry every event after each document
    expect(page.items.map((item) => [item.aggregateId, item.view.balance])).toEqual([['l-calls-new', 4], ['l-calls', 3]]);
    expect(counter.calls).toHaveLength(3);
    expect([...counter.calls.slice(0, 2)].sort()).toEqual([index, sessionQuery].sort());
    expect(counter.calls[2]).toBe(offPage);
  });

  test('reads again the documents a BatchGetItem left unprocessed', async () => {
    // GIVEN a client whose first BatchGetItem is throttled: nothing read, every key unprocessed
    let throttled = false;
    const throttledOnce: DocumentClientLike = {
      send: async (command) => {
        if (command instanceof BatchGetCommand && !throttled) {
          throttled = true;
          return { Responses: {}, UnprocessedKeys: command.input.RequestItems };
        }
        return readModel.doc.send(command as BatchGetCommand);
      },
    };
    // AND a projected account that the session moves into a sort-key prefix that lists nothing yet
    await projectedAccount('l-thr', 'ivy', 2);
    await send('l-thr', 'Deposit', { amount: 5 }, 's-ivy');
    const { counter, repository } = countedLedgers(throttledOnce);

    // WHEN
    const page = await repository.query({ index: 'byOwner', partition: 'ivy', sortBeginsWith: '00000007#', sessionId: 's-ivy' });

    // THEN the stored document is read on the second try, so no event-store read fills a gap
    expect(page.items.map((item) => [item.aggregateId, item.view.balance])).toEqual([['l-thr', 7]]);
    expect(counter.calls.filter((call) => call.startsWith('BatchGetCommand'))).toHaveLength(2);
    expect(counter.calls).not.toContain(`QueryCommand ${store.tableName}`);
  });

  test('fails after a bounded number of tries when BatchGetItem keeps leaving keys unprocessed', async () => {
    // GIVEN a read model that throttles every BatchGetItem
    let batchGets = 0;
    const alwaysThrottled: DocumentClientLike = {
      send: async (command) => {
        if (command instanceof BatchGetCommand) {
          batchGets += 1;
          return { Responses: {}, UnprocessedKeys: command.input.RequestItems };
        }
        return readModel.doc.send(command as BatchGetCommand);
      },
    };
    await projectedAccount('l-thr-forever', 'uma', 2);
    await send('l-thr-forever', 'Deposit', { amount: 5 }, 's-uma');
    const { repository } = countedLedgers(alwaysThrottled);

    // WHEN / THEN the read fails, naming the cause, after the policy's retries
    await expect(repository.query({ index: 'byOwner', partition: 'uma', sortBeginsWith: '00000007#', sessionId: 's-uma' }))
      .rejects.toThrow(`left 1 keys unprocessed after ${UNPROCESSED_KEYS_RETRY_POLICY.maxRetries} retries`);
    expect(batchGets).toBe(UNPROCESSED_KEYS_RETRY_POLICY.maxRetries + 1);
  });
});
