import { defineAggregate, DomainError, type CommandOf, type EventOf, type StateOf } from 'cdk-cqrs/runtime';

// The DESIGN.md example, exactly as written.
const customer = defineAggregate({
  initialState: () => ({ status: 'NEW' as 'NEW' | 'ACTIVE' | 'SUSPENDED', email: '' }),
  commands: {
    RegisterCustomer: (cmd: { email: string; name: string }, state) => {
      if (state.status !== 'NEW') throw new DomainError('Customer already exists');
      return [{ type: 'CustomerRegistered', data: cmd }];
    },
    SuspendCustomer: (cmd: { reason: string }, state) => {
      if (state.status !== 'ACTIVE') throw new DomainError('Can only suspend active customers');
      return [{ type: 'CustomerSuspended', data: cmd }];
    },
  },
  events: {
    CustomerRegistered: (state, data) => ({ ...state, status: 'ACTIVE', email: data.email }),
    CustomerSuspended: (state) => ({ ...state, status: 'SUSPENDED' }),
  },
});

export const state: StateOf<typeof customer> = { status: 'ACTIVE', email: 'a@example.com' };
// @ts-expect-error 'DELETED' is not a status of the Customer state
export const badState: StateOf<typeof customer> = { status: 'DELETED', email: '' };

export const register: CommandOf<typeof customer> = { type: 'RegisterCustomer', aggregateId: 'c-1', payload: { email: 'a@example.com', name: 'A' } };
// @ts-expect-error DeleteCustomer is not a command of Customer
export const unknownCommand: CommandOf<typeof customer> = { type: 'DeleteCustomer', aggregateId: 'c-1', payload: {} };
// @ts-expect-error RegisterCustomer needs email and name, not a reason
export const wrongPayload: CommandOf<typeof customer> = { type: 'RegisterCustomer', aggregateId: 'c-1', payload: { reason: 'x' } };

export const emailOf = (event: EventOf<typeof customer>): string =>
  event.type === 'CustomerRegistered' ? event.data.email : event.data.reason;
// @ts-expect-error CustomerDeleted is not an event of Customer
export const noSuchEvent = (event: EventOf<typeof customer>) => event.type === 'CustomerDeleted';

defineAggregate({
  initialState: () => ({ count: 0 }),
  commands: { Increment: (cmd: { by: number }, _state) => ({ type: 'Incremented', data: cmd }) },
  events: {
    Incremented: (s, data) => ({ count: s.count + data.by }),
    // @ts-expect-error no command emits Decremented, so it has no evolve function
    Decremented: (s) => s,
  },
});

defineAggregate({
  initialState: () => ({ count: 0 }),
  commands: { Increment: (cmd: { by: number }, _state) => [{ type: 'Incremented', data: cmd }, { type: 'Reset' }] },
  // @ts-expect-error Increment returns Reset, which has no evolve function
  events: { Incremented: (s, data) => ({ count: s.count + data.by }) },
});

defineAggregate({
  initialState: () => ({ count: 0 }),
  commands: { Increment: (cmd: { by: number }, _state) => ({ type: 'Incremented', data: cmd }) },
  // @ts-expect-error the data of Incremented has `by`, not `amount`
  events: { Incremented: (s, data) => ({ count: s.count + data.amount }) },
});

defineAggregate({
  initialState: () => ({ status: 'NEW' as 'NEW' | 'DONE' }),
  commands: { Finish: (_cmd: object, _state) => ({ type: 'Finished' }) },
  // @ts-expect-error an evolve function must return the state: 'GONE' is no status
  events: { Finished: () => ({ status: 'GONE' }) },
});

defineAggregate({
  initialState: () => ({ count: 0 }),
  commands: {
    // @ts-expect-error state is typed from initialState: it has no `total`
    Increment: (cmd: { by: number }, state) => ({ type: 'Incremented', data: { by: cmd.by + state.total } }),
  },
  events: { Incremented: (s) => s },
});

// A command's decide may take a third argument, its context: the verified caller, when there is one.
export const withCaller = defineAggregate({
  initialState: () => ({ owner: '' }),
  commands: {
    Claim: (cmd: { note: string }, _state, { caller }) => {
      const subject: string | undefined = caller?.subject;
      const claims: Readonly<Record<string, unknown>> | undefined = caller?.claims;
      // @ts-expect-error the caller may be absent
      const always: string = caller.subject;
      return [{ type: 'Claimed', data: { note: cmd.note, by: subject ?? 'nobody', claims, always } }];
    },
  },
  events: { Claimed: (state, data) => ({ ...state, owner: data.by }) },
});
// The payload type still flows from a three-argument decide.
export const claim: CommandOf<typeof withCaller> = { type: 'Claim', aggregateId: 'a-1', payload: { note: 'mine' }, caller: { subject: 'u-1', claims: {} } };
// @ts-expect-error Claim takes a note
export const badClaim: CommandOf<typeof withCaller> = { type: 'Claim', aggregateId: 'a-1', payload: { text: 'mine' } };
