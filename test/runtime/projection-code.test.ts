import { defineProjection, type ProjectionHandlers } from 'cdk-cqrs/runtime';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { projectionCode } from '../../lambda/projection/projection-code';
import { toReadModelItem } from '../../lambda/store/read-model-item';
import account from '../fixtures/evolving/account';
import { ledger, ledgerView, oldLedgerView } from '../helpers/test-projections';

const code = (projection: Parameters<typeof eraseProjection>[0]) => projectionCode(eraseProjection(projection));
const { events, indexes } = ledgerView;

describe('the code version of a projection', () => {
  test('is a short hash, the same for definitions with the same handlers and index mappers', () => {
    expect(code(ledgerView)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(code(defineProjection(ledger, { events, indexes }))).toBe(code(ledgerView));
    // The order the handlers are listed in changes nothing.
    expect(code(defineProjection(ledger, { events: Object.fromEntries(Object.entries(events).reverse()), indexes }))).toBe(code(ledgerView));
  });

  test('changes with a handler, an event type handled, an index mapper or the declared version', () => {
    const others = [
      oldLedgerView,
      defineProjection(ledger, { events: { ...events, Deposited: (view, e) => view && { ...view, balance: view.balance - e.data.amount } }, indexes }),
      defineProjection(ledger, { events: { ...events, Noted: (view) => view }, indexes }),
      defineProjection(ledger, { events }),
      defineProjection(ledger, { events, indexes: { byOwner: (view) => ({ pk: view.owner, sk: 'x' }) } }),
      defineProjection(ledger, { events, indexes: { byOwnerToo: indexes!.byOwner } }),
      defineProjection(ledger, { events, indexes, version: 2 }),
      defineProjection(ledger, { events, indexes, version: '2' }),
    ];
    const codes = [code(ledgerView), ...others.map(code)];
    expect(new Set(codes).size).toBe(codes.length);
  });

  test('is the same for index mappers listed in another order, and changes with any one of several', () => {
    const byBalance = (view: { balance: number }, aggregateId: string) => ({ pk: 'all', sk: `${view.balance}#${aggregateId}` });
    const both = code(defineProjection(ledger, { events, indexes: { byOwner: indexes!.byOwner, byBalance } }));
    expect(code(defineProjection(ledger, { events, indexes: { byBalance, byOwner: indexes!.byOwner } }))).toBe(both);
    expect(code(defineProjection(ledger, { events, indexes: { byOwner: indexes!.byOwner, byBalance: (view, id) => ({ pk: 'all', sk: `${id}#${view.balance}` }) } }))).not.toBe(both);
    expect(code(defineProjection(ledger, { events, indexes: { byOwner: indexes!.byOwner } }))).not.toBe(both);
  });

  test('over an aggregate with upcasters, changes with them, with a handler and with the declared version', () => {
    type Account = typeof account;
    type AccountView = { owner: string; cents: number };
    const accountCode = (aggregate: Account, handlers: ProjectionHandlers<Account, AccountView>, version?: number) =>
      code(defineProjection<Account, AccountView>(aggregate, { events: handlers, version }));
    const handlers: ProjectionHandlers<Account, AccountView> = {
      Opened: (_view, e) => ({ owner: e.data.owner, cents: 0 }),
      Deposited: (view, e) => view && { ...view, cents: view.cents + e.data.cents },
    };
    const withUpcasters = accountCode(account, handlers);
    expect(accountCode(account, { ...handlers })).toBe(withUpcasters);
    const codes = [
      withUpcasters,
      accountCode({ ...account, upcasters: undefined }, handlers),
      accountCode({ ...account, upcasters: { ...account.upcasters!, OpenedBy: (data: { name: string }) => ({ type: 'Opened', data: { owner: data.name.trim() } }) } }, handlers),
      accountCode(account, { ...handlers, Deposited: (view) => view }),
      accountCode(account, handlers, 2),
      accountCode(account, handlers, 3),
    ];
    expect(new Set(codes).size).toBe(codes.length);
  });

  test('is written on the item of a document that carries it, a tombstone included', () => {
    const written = code(ledgerView);
    expect(toReadModelItem(eraseProjection(ledgerView), 'LedgerView', 'l', { version: 2, view: undefined, code: written }))
      .toEqual({ pk: 'l', sk: 'LedgerView', version: 2, codeVersion: written, deleted: true });
  });
});
