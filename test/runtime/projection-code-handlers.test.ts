import { defineAggregate, defineProjection } from 'cdk-cqrs/runtime';
import { eraseProjection, type AnyProjection } from '../../lambda/projection/define-projection';
import { projectionCode } from '../../lambda/projection/projection-code';
import { foldProjection } from '../../lambda/projection/projection-fold';
import { envelopes } from '../helpers/queue-messages';
import { ledger, ledgerView } from '../helpers/test-projections';

const code = (projection: Parameters<typeof eraseProjection>[0]) => projectionCode(eraseProjection(projection));
const { events, indexes } = ledgerView;

describe('the code version of a projection, over which handlers it has', () => {
  test('counts only the handlers that are functions: an event type listed as undefined is one it does not handle', () => {
    // A handler left out by a condition (`Deposited: enabled ? deposit : undefined`) folds as an unlisted type does.
    const withoutDeposited = defineProjection(ledger, { events: { Opened: events.Opened, Closed: events.Closed, Exploded: events.Exploded }, indexes });
    const depositedUndefined = defineProjection(ledger, { events: { ...events, Deposited: undefined }, indexes });
    expect(code(depositedUndefined)).toBe(code(withoutDeposited));
    expect(code(depositedUndefined)).not.toBe(code(ledgerView));

    // Both fold the same: Deposited only advances the version.
    const history = envelopes('Ledger', 'l-1', [{ type: 'Opened', data: { owner: 'ann' } }, { type: 'Deposited', data: { amount: 5 } }]);
    const fold = (projection: typeof withoutDeposited) => foldProjection(eraseProjection(projection), { version: 0, view: undefined }, history).document;
    expect(fold(depositedUndefined)).toEqual(fold(withoutDeposited));
    expect(fold(depositedUndefined)).toMatchObject({ version: 2, view: { balance: 0, trail: [1] } });
  });
});

describe('the code version of a projection over an aggregate without upcasters', () => {
  // Handlers and mappers built from text, so that their source text (and the hash over it) does
  // not depend on how the test is compiled.
  const opened = new Function('view', 'event', 'return { owner: event.data.owner }') as (view: unknown, event: unknown) => { owner: string };
  const byOwner = new Function('view', 'aggregateId', 'return { pk: view.owner, sk: aggregateId }') as (view: { owner: string }, aggregateId: string) => { pk: string; sk: string };
  const opening = defineAggregate({
    initialState: () => ({}),
    commands: { Open: (cmd: { owner: string }) => [{ type: 'Opened', data: cmd }] },
    events: { Opened: (state) => state },
  });

  test('is the one documents got before upcasters existed, so that they are not folded again after an upgrade', () => {
    // The values projectionCode gave before upcasters counted (its source at 11f40cb^: sha256 of { version, handlers, indexes }), as documents store them.
    expect(code(defineProjection(opening, { events: { Opened: opened }, indexes: { byOwner } }))).toBe('uXxbjedndoSCNh9wGz6MPv');
    expect(code(defineProjection(opening, { events: { Opened: opened }, version: 3 }))).toBe('jrqkfrT2iv1B-z33JEW-r8');
  });

  test('is the same with an empty set of upcasters, and with no aggregate at all', () => {
    expect(code(defineProjection({ ...opening, upcasters: {} }, { events: { Opened: opened }, indexes: { byOwner } }))).toBe('uXxbjedndoSCNh9wGz6MPv');
    const bare: AnyProjection = { definitionKind: 'projection', events: { Opened: opened as AnyProjection['events'][string] }, version: 3 };
    expect(projectionCode(bare)).toBe('jrqkfrT2iv1B-z33JEW-r8');
  });
});
