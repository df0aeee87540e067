import { SESSION_TABLE } from '../../lib/private/runtime-contract';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { itemBytes } from '../../lambda/store/item-size';
import { MAX_SESSION_ENTRY_BYTES, sessionEntry } from '../../lambda/store/session-entry';

const event = (version: number, padding = ''): EventEnvelope => ({
  aggregateName: 'Customer', aggregateId: 'c#1', version, type: 'Renamed', data: { padding },
  metadata: { eventId: `e-${version}`, correlationId: 'k', occurredAt: '2026-12-02T00:00:00.000Z', schemaVersion: 1 },
});
const settings = { tableName: 'sessions', ttlSeconds: 300 };

test('an entry is keyed by session, then aggregate and last version; it names the versions and expires ttlSeconds after now', () => {
  const events = [event(4), event(5), event(6)];
  const entry = sessionEntry('s#1', events, settings, 1_700_000_000_999);
  expect(entry).toEqual({
    [SESSION_TABLE.partitionKey]: 's#1',
    [SESSION_TABLE.sortKey]: 'Customer#3:c#1#0000000006',
    aggregateName: 'Customer', aggregateId: 'c#1', firstVersion: 4, version: 6,
    [SESSION_TABLE.ttlAttribute]: 1_700_000_300,
    events,
  });
});

test('the events are kept while the entry is at most MAX_SESSION_ENTRY_BYTES in DynamoDB\'s size, and left out one byte over', () => {
  const sizeWith = (padding: number) => itemBytes(sessionEntry('s', [event(1, 'x'.repeat(padding))], settings, 0));
  const exact = MAX_SESSION_ENTRY_BYTES - sizeWith(0);
  expect(sizeWith(exact)).toBe(MAX_SESSION_ENTRY_BYTES);
  expect(sessionEntry('s', [event(1, 'x'.repeat(exact))], settings, 0)).toHaveProperty('events');
  const over = sessionEntry('s', [event(1, 'x'.repeat(exact + 1))], settings, 0);
  expect(over).not.toHaveProperty('events');
  expect(over).toMatchObject({ firstVersion: 1, version: 1 });
});
