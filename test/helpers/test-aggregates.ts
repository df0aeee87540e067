import { z } from 'zod';
import { defineAggregate, DomainError } from 'cdk-cqrs/runtime';

/** The DESIGN example, plus a schema and a command that can decide nothing. */
export const customer = defineAggregate({
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
    TouchCustomer: (_cmd: Record<string, never>, _state) => [],
  },
  events: {
    CustomerRegistered: (state, data) => ({ ...state, status: 'ACTIVE', email: data.email }),
    CustomerSuspended: (state) => ({ ...state, status: 'SUSPENDED' }),
  },
  schemas: {
    RegisterCustomer: z.object({ email: z.email(), name: z.string().min(1) }),
  },
});

/** A counter that can add many events at once, or large ones. */
export const counter = defineAggregate({
  initialState: () => ({ count: 0, total: 0 }),
  commands: {
    Increment: (cmd: { by: number; times?: number; padding?: number }, _state) =>
      Array.from({ length: cmd.times ?? 1 }, () => ({ type: 'Incremented', data: { by: cmd.by, padding: 'x'.repeat(cmd.padding ?? 0) } })),
  },
  events: {
    Incremented: (state, data) => ({ count: state.count + 1, total: state.total + data.by }),
  },
});
