import customerView from '../../bin/domain/customer-view';
import ordersByCustomer from '../../bin/domain/orders-by-customer';
import { eraseProjection, isProjection } from '../../lambda/projection/define-projection';
import { foldProjection, isContiguousAfter, uniqueByVersion } from '../../lambda/projection/projection-fold';
import { parseQueueMessage } from '../../lambda/projection/queue-message';
import { toReadModelItem } from '../../lambda/store/read-model-item';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { defineProjection } from 'cdk-cqrs/runtime';
import { ledger as ledgerAggregate, ledgerView } from '../helpers/test-projections';

const ledger = eraseProjection(ledgerView);
const start = { version: 0, view: undefined };

describe('projection fold', () => {
  test('applies listed events in order and advances the version over unlisted ones', () => {
    const events = envelopes('Ledger', 'l', [{ type: 'Opened', data: { owner: 'a' } }, { type: 'Noted', data: { text: 'n' } }, { type: 'Deposited', data: { amount: 4 } }]);
    expect(foldProjection(ledger, start, events)).toEqual({
      document: { version: 3, view: { owner: 'a', balance: 4, trail: [1, 3], openedAt: events[0].metadata.occurredAt } },
    });
  });

  test('a handler returning null or undefined leaves no view, and its version', () => {
    const events = envelopes('Ledger', 'l', [{ type: 'Deposited', data: { amount: 1 } }, { type: 'Opened', data: { owner: 'a' } }, { type: 'Closed' }]);
    expect(foldProjection(ledger, start, events.slice(0, 1)).document).toEqual({ version: 1, view: undefined });
    expect(foldProjection(ledger, start, events).document).toEqual({ version: 3, view: undefined });
  });

  test('stops at a throwing handler and reports its version', () => {
    const events = envelopes('Ledger', 'l', [{ type: 'Opened', data: { owner: 'a' } }, { type: 'Exploded' }, { type: 'Deposited', data: { amount: 1 } }]);
    const outcome = foldProjection(ledger, start, events);
    expect(outcome.document.version).toBe(1);
    expect(outcome.failure?.version).toBe(2);
  });

  test('fails on a gap: the caller must fill it first', () => {
    const events = envelopes('Ledger', 'l', [{ type: 'Opened', data: { owner: 'a' } }], 2);
    expect(() => foldProjection(ledger, start, events)).toThrow(/expected version 1 of l, got 2/);
  });

  test('keeps one event per version, sorted, and tells a contiguous run', () => {
    const [a, b, c] = envelopes('Ledger', 'l', [{ type: 'Noted' }, { type: 'Noted' }, { type: 'Noted' }]);
    expect(uniqueByVersion([c, a, c, b, a]).map((e) => e.version)).toEqual([1, 2, 3]);
    expect(isContiguousAfter(0, [a, b, c])).toBe(true);
    expect(isContiguousAfter(1, [b, c])).toBe(true);
    expect(isContiguousAfter(0, [a, c])).toBe(false);
  });
});

/** Counts the ledger's notes by their text (a user's words as keys), and how many times a handler ran. */
function notesByText() {
  let calls = 0;
  const projection = eraseProjection(defineProjection<typeof ledgerAggregate, { counts: Record<string, number> }>(ledgerAggregate, {
    events: {
      Noted: (view, e) => {
        calls += 1;
        return { counts: { ...view?.counts, [e.data.text]: (view?.counts[e.data.text] ?? 0) + 1 } };
      },
      // A note that is taken back: its key leaves the view.
      Closed: (view) => {
        calls += 1;
        return { counts: Object.fromEntries(Object.entries(view?.counts ?? {}).filter(([text]) => text !== 'constructor')) };
      },
    },
  }));
  return { projection, calls: () => calls };
}
const notes = (...texts: string[]) => envelopes('Ledger', 'l', texts.map((text) => (text === '-' ? { type: 'Closed' } : { type: 'Noted', data: { text } })));

describe('a view that cannot be stored', () => {
  test.each(['constructor', '__proto__'])('a key named %s fails the fold at the event that made it, as a throwing handler does, keeping the view before it', (key) => {
    const { projection, calls } = notesByText();
    const outcome = foldProjection(projection, start, notes('a', 'b', key, 'c'));
    expect(outcome.document).toEqual({ version: 2, view: { counts: { a: 1, b: 1 } } });
    expect(outcome.failure?.version).toBe(3);
    expect(outcome.failure?.error).toMatchObject({
      name: 'ValidationError',
      message: `The view after Noted (version 3 of l) cannot be stored exactly: view.counts has a key named ${key}, which ${key === 'constructor' ? "the AWS SDK reads as the object's type and stores the object as something else" : 'the AWS SDK sets as a prototype instead of storing it'}: rename the field.`,
    });
    // Folded once to the end, then again to the failing event, checking each.
    expect(calls()).toBe(4 + 3);
  });

  test('a view is checked as it is stored, at the end: one that held such a key on the way and lost it is folded once, and stored', () => {
    const { projection, calls } = notesByText();
    expect(foldProjection(projection, start, notes('a', 'constructor', '-', 'b'))).toEqual({ document: { version: 4, view: { counts: { a: 1, b: 1 } } } });
    expect(calls()).toBe(4);
  });

  test('a handler that changes its view in place: the failure keeps the view before the event that made it, from a stored document too', () => {
    const inPlace = eraseProjection(defineProjection<typeof ledgerAggregate, { amounts: number[] }>(ledgerAggregate, {
      events: {
        Deposited: (view, e) => {
          const next = view ?? { amounts: [] };
          next.amounts.push(e.data.amount);
          return next;
        },
        Exploded: (view) => {
          view?.amounts.push(-1);
          throw new Error('after changing the view');
        },
      },
    }));
    const events = envelopes('Ledger', 'l', [{ type: 'Deposited', data: { amount: 1 } }, { type: 'Deposited', data: { amount: 2 } }, { type: 'Deposited', data: { amount: 3 } }, { type: 'Deposited', data: { amount: 2 ** 60 } }]);
    expect(foldProjection(inPlace, start, events)).toMatchObject({ document: { version: 3, view: { amounts: [1, 2, 3] } }, failure: { version: 4 } });
    const stored = { version: 2, view: { amounts: [1, 2] } };
    expect(foldProjection(inPlace, stored, events.slice(2))).toMatchObject({ document: { version: 3, view: { amounts: [1, 2, 3] } }, failure: { version: 4 } });
    const exploding = envelopes('Ledger', 'l', [{ type: 'Deposited', data: { amount: 1 } }, { type: 'Exploded' }]);
    expect(foldProjection(inPlace, start, exploding)).toMatchObject({ document: { version: 1, view: { amounts: [1] } }, failure: { version: 2 } });
  });

  test('any storable issue fails the fold: a number past 2^53 in a view', () => {
    const big = eraseProjection(defineProjection<typeof ledgerAggregate, { total: number }>(ledgerAggregate, {
      events: { Deposited: (view, e) => ({ total: (view?.total ?? 0) + e.data.amount }) },
    }));
    const outcome = foldProjection(big, start, envelopes('Ledger', 'l', [{ type: 'Deposited', data: { amount: 2 ** 52 } }, { type: 'Deposited', data: { amount: 2 ** 52 } }]));
    expect(outcome).toMatchObject({ document: { version: 1, view: { total: 2 ** 52 } }, failure: { version: 2, error: { name: 'ValidationError', message: expect.stringContaining('view.total 9007199254740992 is an integer beyond 2^53 - 1') } } });
  });
});

describe('read-model items', () => {
  test('an order is in the byCustomer index under its customer, by status, creation time and id', () => {
    const [created, shipped] = envelopes('Order', 'o-1', [{ type: 'OrderCreated', data: { customerId: 'c-1', items: [], total: 5 } }, { type: 'OrderShipped', data: { trackingNumber: 't' } }]);
    const orders = eraseProjection(ordersByCustomer);
    const document = foldProjection(orders, start, [created, shipped]).document;
    expect(toReadModelItem(orders, 'OrdersByCustomer', 'o-1', document)).toEqual({
      pk: 'o-1', sk: 'OrdersByCustomer', version: 2,
      view: { customerId: 'c-1', status: 'SHIPPED', total: 5, createdAt: created.metadata.occurredAt, trackingNumber: 't' },
      byCustomer_pk: 'c-1', byCustomer_sk: `SHIPPED#${created.metadata.occurredAt}#o-1`,
    });
  });

  test('a document an index mapping leaves out has no index keys, and a deleted one is a tombstone', () => {
    expect(toReadModelItem(ledger, 'LedgerView', 'l', { version: 1, view: { owner: 'a', balance: 0, trail: [1] } })).toEqual({
      pk: 'l', sk: 'LedgerView', version: 1, view: { owner: 'a', balance: 0, trail: [1] },
    });
    expect(toReadModelItem(ledger, 'LedgerView', 'l', { version: 2, view: undefined })).toEqual({ pk: 'l', sk: 'LedgerView', version: 2, deleted: true });
  });

  test('fails on an index key that is not two non-empty strings', () => {
    const broken = { ...ledger, indexes: { byOwner: () => ({ pk: '', sk: 'x' }) } };
    expect(() => toReadModelItem(broken, 'LedgerView', 'l', { version: 1, view: {} })).toThrow(/index byOwner mapped l to/);
    for (const key of ['l', null, { pk: 'l' }, { pk: 'l', sk: 1 }]) {
      expect(() => toReadModelItem({ indexes: { byOwner: () => key as never } }, 'LedgerView', 'l', { version: 1, view: {} })).toThrow(`index byOwner mapped l to ${JSON.stringify(key)}`);
    }
  });
});

describe('definitions and messages', () => {
  test('defineProjection returns a plain object the construct can read at synth', () => {
    expect(isProjection(customerView)).toBe(true);
    expect(customerView.definitionKind).toBe('projection');
    expect(Object.keys(customerView.events)).toEqual(['CustomerRegistered', 'CustomerEmailUpdated', 'CustomerSuspended']);
    expect(Object.keys(ordersByCustomer.indexes ?? {})).toEqual(['byCustomer']);
    expect(isProjection({ definitionKind: 'aggregate', events: {} })).toBe(false);
  });

  test('reads the envelope from an EventBridge event in an SQS body, and reports what is wrong with others', () => {
    const [event] = envelopes('Ledger', 'l', [{ type: 'Noted' }]);
    expect(parseQueueMessage(queueMessage(event, 'm'))).toEqual({ ok: true, messageId: 'm', event: JSON.parse(JSON.stringify(event)) });
    const detail = (d: unknown) => parseQueueMessage({ messageId: 'm', body: JSON.stringify({ detail: d }) });
    expect(detail({ ...event, version: 0 })).toMatchObject({ ok: false, reason: 'detail.version is not an integer >= 1' });
    expect(detail({ ...event, aggregateId: '' })).toMatchObject({ ok: false, reason: 'detail.aggregateId is not a non-empty string' });
    expect(parseQueueMessage({ messageId: 'm', body: 'null' })).toMatchObject({ ok: false });
    const wrong: [unknown, string][] = [
      [{ ...event, aggregateId: 7 }, 'detail.aggregateId is not a non-empty string'],
      [{ ...event, version: 1.5 }, 'detail.version is not an integer >= 1'],
      [{ ...event, version: '1' }, 'detail.version is not an integer >= 1'],
      [{ ...event, type: '' }, 'detail.type is not a non-empty string'],
      [{ ...event, type: undefined }, 'detail.type is not a non-empty string'],
      [{ ...event, aggregateName: 7 }, 'detail.aggregateName is not a string'],
      [{ ...event, metadata: null }, 'detail.metadata is not an object'],
      ['a string', 'the body is not an EventBridge event with a detail object'],
    ];
    for (const [given, reason] of wrong) expect(detail(given)).toEqual({ ok: false, messageId: 'm', reason });
    expect(parseQueueMessage({ messageId: 'm', body: '{' })).toEqual({ ok: false, messageId: 'm', reason: 'the body is not JSON' });
  });
});
