import { handleCommand } from '../../lambda/write/handle-command';
import { MAX_SESSION_ENTRY_BYTES } from '../../lambda/store/session-entry';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { createSessionTable } from '../helpers/create-session-table';
import { counter, customer } from '../helpers/test-aggregates';

const ann = { email: 'ann@example.com', name: 'Ann' };
let table: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
const withSessions = () => table.deps({ session: { tableName: sessions.tableName, ttlSeconds: 300 } });

beforeAll(async () => {
  table = await createEventStoreTable('ryw');
  sessions = await createSessionTable('ryw-sessions');
});
afterAll(async () => { await Promise.all([table.drop(), sessions.drop()]); });

describe('read-your-writes session entries', () => {
  test('a command with a sessionId writes its events to the session, with an expiry', async () => {
    // WHEN
    const before = Math.floor(Date.now() / 1000);
    const result = await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-1', payload: ann, sessionId: 's-1' }, withSessions());

    // THEN
    const entries = await sessions.entries('s-1');
    expect(entries).toEqual([{
      pk: 's-1', sk: 'Customer#3:c-1#0000000001', aggregateName: 'Customer', aggregateId: 'c-1',
      firstVersion: 1, version: 1, events: result.events, expiresAt: expect.any(Number),
    }]);
    expect(entries[0].expiresAt).toBeGreaterThanOrEqual(before + 300);
    expect(entries[0].expiresAt).toBeLessThanOrEqual(before + 302);
  });

  test('each command of a session adds an entry, in version order', async () => {
    await handleCommand(customer, { type: 'SuspendCustomer', aggregateId: 'c-1', payload: { reason: 'late' }, sessionId: 's-1' }, withSessions());
    expect((await sessions.entries('s-1')).map((e) => e.sk)).toEqual(['Customer#3:c-1#0000000001', 'Customer#3:c-1#0000000002']);
  });

  test('a command without a sessionId, or without read-your-writes, writes no entry', async () => {
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-2', payload: ann }, withSessions());
    await handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-3', payload: ann, sessionId: 's-2' }, table.deps());
    expect(await sessions.entries('s-2')).toEqual([]);
  });

  test('a rejected command writes no session entry', async () => {
    await expect(handleCommand(customer, { type: 'RegisterCustomer', aggregateId: 'c-1', payload: ann, sessionId: 's-3' }, withSessions()))
      .rejects.toMatchObject({ name: 'DomainError' });
    await expect(handleCommand(customer, { type: 'SuspendCustomer', aggregateId: 'c-2', payload: { reason: 'x' }, expectedVersion: 0, sessionId: 's-3' }, withSessions()))
      .rejects.toMatchObject({ name: 'ConcurrencyError' });
    expect(await sessions.entries('s-3')).toEqual([]);
  });

  test('a command whose events pass the entry limit keeps only their versions in the entry', async () => {
    const padding = Math.ceil(MAX_SESSION_ENTRY_BYTES / 2);
    await handleCommand(counter, { type: 'Increment', aggregateId: 'n-1', payload: { by: 1, times: 3, padding }, sessionId: 's-4' }, withSessions());
    const [entry] = await sessions.entries('s-4');
    expect(entry).toMatchObject({ firstVersion: 1, version: 3 });
    expect(entry.events).toBeUndefined();
  });
});
