import { defineAggregate, defineProjection } from 'cdk-cqrs/runtime';

/** A ledger whose events open, change, note (unprojected), close and reopen an account. */
export const ledger = defineAggregate({
  initialState: () => ({ open: false, balance: 0 }),
  commands: {
    Open: (cmd: { owner: string }, _state) => [{ type: 'Opened', data: cmd }],
    Deposit: (cmd: { amount: number }, _state) => [{ type: 'Deposited', data: cmd }],
    Note: (cmd: { text: string }, _state) => [{ type: 'Noted', data: cmd }],
    Close: (_cmd: Record<string, never>, _state) => [{ type: 'Closed' }],
    Explode: (_cmd: Record<string, never>, _state) => [{ type: 'Exploded' }],
  },
  events: {
    Opened: (state) => ({ ...state, open: true }),
    Deposited: (state, data) => ({ ...state, balance: state.balance + data.amount }),
    Noted: (state) => state,
    Closed: (state) => ({ ...state, open: false }),
    Exploded: (state) => state,
  },
});

export interface LedgerView {
  owner: string;
  balance: number;
  /** The versions applied, most recent last: any reordering or double application shows here. */
  trail: number[];
  openedAt: string;
}

/** The ledger's read model: Closed deletes the document, Noted is not listed, Exploded throws. */
export const ledgerView = defineProjection<typeof ledger, LedgerView>(ledger, {
  events: {
    Opened: (view, e) => ({ owner: e.data.owner, balance: view?.balance ?? 0, trail: [...(view?.trail ?? []), e.version], openedAt: e.metadata.occurredAt }),
    Deposited: (view, e) => view && { ...view, balance: view.balance + e.data.amount, trail: [...view.trail, e.version] },
    Closed: () => null,
    Exploded: () => { throw new Error('this event cannot be projected'); },
  },
  indexes: {
    byOwner: (view, aggregateId) => (view.balance > 0 ? { pk: view.owner, sk: `${String(view.balance).padStart(8, '0')}#${aggregateId}` } : undefined),
  },  // Over HTTP, every caller reads every ledger in these tests (http-read.test.ts tests a narrower rule).
  readableBy: () => true,
});

/**
 * The ledger's read model as an earlier deploy had it: other handlers, so another code version.
 * Every trail entry it adds is negative, and it folds Noted too: a view that mixes both codes, or
 * keeps this code's view where the new code's is due, shows in the trail.
 */
export const oldLedgerView = defineProjection<typeof ledger, LedgerView>(ledger, {
  events: {
    Opened: (view, e) => ({ owner: e.data.owner, balance: view?.balance ?? 0, trail: [...(view?.trail ?? []), -e.version], openedAt: e.metadata.occurredAt }),
    Deposited: (view, e) => view && { ...view, balance: view.balance + 2 * e.data.amount, trail: [...view.trail, -e.version] },
    Noted: (view, e) => view && { ...view, trail: [...view.trail, -e.version] },
    Closed: () => null,
  },
  indexes: {
    byOwner: (view, aggregateId) => (view.balance > 0 ? { pk: view.owner, sk: `${String(view.balance).padStart(8, '0')}#${aggregateId}` } : undefined),
  },  // Over HTTP, every caller reads every ledger in these tests (http-read.test.ts tests a narrower rule).
  readableBy: () => true,
});
