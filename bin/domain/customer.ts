import { z } from 'zod';
import { defineAggregate, DomainError, type Caller } from 'cdk-cqrs/runtime';
import { isStaff } from './staff';

type CustomerStatus = 'NEW' | 'ACTIVE' | 'SUSPENDED';

/**
 * Over the HTTP API a caller is known: a customer's id is their user id (the token's `sub`), so a
 * customer registers and changes only their own record. A trusted backend may send no caller.
 */
function mustBeThemself(caller: Caller | undefined, aggregateId: string): void {
  if (caller && caller.subject !== aggregateId) throw new DomainError('A customer may act only on their own record (its id is their user id)');
}

/** A customer registers, may change its email while active, and may be suspended. */
export default defineAggregate({
  initialState: () => ({ status: 'NEW' as CustomerStatus, email: '', name: '' }),
  commands: {
    RegisterCustomer: (cmd: { email: string; name: string }, state, { caller, aggregateId }) => {
      mustBeThemself(caller, aggregateId);
      if (state.status !== 'NEW') throw new DomainError('Customer already exists');
      return [{ type: 'CustomerRegistered', data: cmd }];
    },
    // Callers send it with the expectedVersion they last read, so a change made meanwhile is not overwritten.
    UpdateEmail: (cmd: { email: string }, state, { caller, aggregateId }) => {
      mustBeThemself(caller, aggregateId);
      if (state.status !== 'ACTIVE') throw new DomainError('Only an active customer can change its email');
      if (cmd.email === state.email) return [];
      return [{ type: 'CustomerEmailUpdated', data: { previousEmail: state.email, email: cmd.email } }];
    },
    SuspendCustomer: (cmd: { reason: string }, state, { caller }) => {
      if (caller && !isStaff(caller)) throw new DomainError('Only staff may suspend a customer');
      if (state.status !== 'ACTIVE') throw new DomainError('Can only suspend active customers');
      return [{ type: 'CustomerSuspended', data: cmd }];
    },
  },
  events: {
    CustomerRegistered: (state, data) => ({ ...state, status: 'ACTIVE' as CustomerStatus, email: data.email, name: data.name }),
    CustomerEmailUpdated: (state, data) => ({ ...state, email: data.email }),
    CustomerSuspended: (state) => ({ ...state, status: 'SUSPENDED' as CustomerStatus }),
  },
  schemas: {
    RegisterCustomer: z.object({ email: z.email(), name: z.string().min(1) }),
    UpdateEmail: z.object({ email: z.email() }),
    SuspendCustomer: z.object({ reason: z.string().min(1) }),
  },
});
