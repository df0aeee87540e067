import { defineCustomProjection, defineProjection, type EventEnvelope } from 'cdk-cqrs/runtime';
import { projectionSpecFor, SpecFailure } from 'cdk-cqrs/testing';
import { ledger, ledgerView } from '../helpers/test-projections';

/** Its view is the envelope of the last Opened event: what a handler is given. */
const lastOpened = defineProjection<typeof ledger, EventEnvelope>(ledger, { events: { Opened: (_view, e) => e } });

const opened = { type: 'Opened', data: { owner: 'ann' } } as const;
const deposited = (amount: number) => ({ type: 'Deposited', data: { amount } }) as const;

describe('a projection spec', () => {
  test('passes when the events leave the expected view', () =>
    projectionSpecFor(ledgerView).given([opened, deposited(5)])
      .then({ owner: 'ann', balance: 5, trail: [1, 2], openedAt: '2026-01-01T00:00:01.000Z' }));

  test('counts the events the projection does not listen to in the versions', () =>
    projectionSpecFor(ledgerView).given([{ type: 'Noted', data: { text: 'n' } }, opened, deposited(5)])
      .then({ owner: 'ann', balance: 5, trail: [2, 3], openedAt: '2026-01-01T00:00:02.000Z' }));

  test('passes thenDeleted when a handler returns null', () =>
    projectionSpecFor(ledgerView).given([opened, { type: 'Closed', data: undefined }]).thenDeleted());

  test('passes thenDeleted when no handler created a document', () =>
    projectionSpecFor(ledgerView).given([deposited(5)]).thenDeleted());

  test('gives handlers full envelopes, versions from 1, with deterministic metadata', () =>
    projectionSpecFor(lastOpened).given([deposited(1), opened]).then({
      aggregateName: 'spec', aggregateId: 'spec-aggregate', version: 2, type: 'Opened', data: { owner: 'ann' },
      metadata: {
        eventId: 'spec-event-2', commandId: 'spec-command-2', correlationId: 'spec-correlation', causationId: 'spec-command-2',
        occurredAt: '2026-01-01T00:00:02.000Z', schemaVersion: 1,
      },
    }));

  test('takes the aggregate id and name from the options, and metadata from the event', () =>
    projectionSpecFor(lastOpened)
      .given([{ ...opened, metadata: { occurredAt: '2026-03-01T10:00:00.000Z', tenantId: 't-1' } }], { aggregateId: 'l-42', aggregateName: 'Ledger' })
      .then({
        aggregateName: 'Ledger', aggregateId: 'l-42', version: 1, type: 'Opened', data: { owner: 'ann' },
        metadata: {
          eventId: 'spec-event-1', commandId: 'spec-command-1', correlationId: 'spec-correlation', causationId: 'spec-command-1',
          occurredAt: '2026-03-01T10:00:00.000Z', tenantId: 't-1', schemaVersion: 1,
        },
      }));

  test('fails with a custom projection, which writes the read model itself', () => {
    const counter = defineCustomProjection(ledger, { events: { Opened: () => undefined } });
    // @ts-expect-error a custom projection has no view to fold
    expect(() => projectionSpecFor(counter)).toThrow(/defineCustomProjection.*write the read model themselves.*DynamoDB Local/);
  });
});

describe('a failing projection spec', () => {
  test('fails with a message naming the events given and showing the difference', () => {
    const failure = () => projectionSpecFor(ledgerView).given([opened, deposited(5)])
      .then({ owner: 'ann', balance: 4, trail: [1, 2], openedAt: '2026-01-01T00:00:01.000Z' });
    expect(failure).toThrow(SpecFailure);
    expect(failure).toThrow(/^Given Opened, Deposited:\nthe view differs from the one expected:\n\+ actual - expected/);
    expect(failure).toThrow(/\+\s+balance: 5,\n-\s+balance: 4,/);
  });

  test('fails when a view is expected but no document is left', () =>
    expect(() => projectionSpecFor(ledgerView).given([opened, { type: 'Closed', data: undefined }])
      .then({ owner: 'ann', balance: 0, trail: [1], openedAt: '2026-01-01T00:00:01.000Z' }))
      .toThrow('Given Opened, Closed:\nexpected a view, but no document is left: a handler returned null or undefined, or none created one'));

  test('fails when no document is expected but a view is left', () =>
    expect(() => projectionSpecFor(ledgerView).given([opened]).thenDeleted())
      .toThrow('Given Opened:\nexpected no document, but the view is {"owner":"ann","balance":0,"trail":[1],"openedAt":"2026-01-01T00:00:01.000Z"}'));

  test('fails when a handler throws, naming the event, its version and the error', () => {
    const failure = () => projectionSpecFor(ledgerView).given([opened, { type: 'Exploded', data: undefined }]).thenDeleted();
    expect(failure).toThrow(SpecFailure);
    expect(failure).toThrow('Given Opened, Exploded:\nExploded at version 2 failed (its handler threw, or left a view that cannot be stored): Error: this event cannot be projected');
  });

  test('fails on a view that cannot be stored after any event, even one a later event puts right', () => {
    const byText = defineProjection<typeof ledger, Record<string, number>>(ledger, {
      events: {
        Noted: (view, e) => ({ ...view, [e.data.text]: 1 }),
        Closed: (view) => Object.fromEntries(Object.entries(view ?? {}).filter(([text]) => text !== 'constructor')),
      },
    });
    const failure = () => projectionSpecFor(byText).given([{ type: 'Noted', data: { text: 'constructor' } }, { type: 'Closed', data: undefined }]).then({});
    expect(failure).toThrow(SpecFailure);
    expect(failure).toThrow(/Noted at version 1 failed .*ValidationError: The view after Noted \(version 1 of .*\) cannot be stored exactly: view has a key named constructor/);
  });
});
