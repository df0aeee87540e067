import { defineAggregate, type EventOf, type UpcastersOf } from 'cdk-cqrs/runtime';

// Version 1 stored `fullName`; version 2 split it; today (version 3) the command returns { email, name }.
type V1 = { email: string; fullName: string };
type V2 = { email: string; firstName: string; lastName: string };

export const customer = defineAggregate({
  initialState: () => ({ email: '', name: '', vip: false }),
  commands: {
    Register: (cmd: { email: string; name: string }) => ({ type: 'CustomerRegistered', data: cmd }),
    Promote: () => ({ type: 'CustomerPromoted', data: { level: 1 } }),
  },
  events: {
    // A handler sees only today's shape.
    CustomerRegistered: (state, data) => ({ ...state, email: data.email, name: data.name }),
    CustomerPromoted: (state) => ({ ...state, vip: true }),
    // A retired type that keeps its shape folds as it did: its data is typed by hand.
    CustomerNoted: (state, data: { note: string }) => ({ ...state, name: `${state.name} (${data.note})` }),
  },
  upcasters: {
    CustomerRegistered: [
      (v1: V1): V2 => ({ email: v1.email, firstName: v1.fullName.split(' ')[0], lastName: v1.fullName.split(' ').slice(1).join(' ') }),
      (v2: V2) => ({ email: v2.email, name: `${v2.firstName} ${v2.lastName}` }),
    ],
    // Retired, kept as it is (schema version 1).
    CustomerNoted: [],
    // Renamed: a stored VipGranted is today's CustomerPromoted.
    VipGranted: (data: { level: number }) => ({ type: 'CustomerPromoted', data: { level: data.level } }),
    // Split: one stored event becomes two of today's.
    CustomerImported: (data: V1) => [
      { type: 'CustomerRegistered', data: { email: data.email, name: data.fullName } },
      { type: 'CustomerPromoted', data: { level: 1 } },
    ],
  },
});

defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }) => ({ type: 'CustomerRegistered', data: cmd }) },
  events: {
    // @ts-expect-error a handler sees today's data: fullName was version 1's
    CustomerRegistered: (state, data) => ({ ...state, email: data.fullName }),
  },
  upcasters: { CustomerRegistered: [(v1: V1) => ({ email: v1.email, name: v1.fullName })] },
});

defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }) => ({ type: 'CustomerRegistered', data: cmd }) },
  events: {
    CustomerRegistered: (state, data) => ({ ...state, email: data.email }),
    // @ts-expect-error a handler for a type no command emits and upcasters does not name (a typo, say) is refused
    CustomerRegisterd: (state) => state,
  },
});

// Each chain ends in today's data, each replacement makes today's events: defineAggregate checks it.
// The explicit check, with `satisfies`, still holds.
customer.upcasters satisfies UpcastersOf<typeof customer> | undefined;

// Commands whose `state` is not annotated: their events' data is still inferred with upcasters beside them.
export const unannotated = defineAggregate({
  initialState: () => ({ email: '', name: '' }),
  commands: {
    Register: (cmd: { email: string; name: string }, state) => (state.email === '' ? { type: 'CustomerRegistered', data: cmd } : []),
    Rename: (cmd: { name: string }, state) => ({ type: 'CustomerRenamed', data: { email: state.email, name: cmd.name } }),
  },
  events: {
    CustomerRegistered: (state, data) => ({ ...state, email: data.email, name: data.name }),
    CustomerRenamed: (state, data) => ({ ...state, name: data.name }),
  },
  upcasters: {
    CustomerRegistered: [(v1: V1) => ({ email: v1.email, name: v1.fullName })],
    NameChanged: (data: { email: string; fullName: string }) => ({ type: 'CustomerRenamed', data: { email: data.email, name: data.fullName } }),
  },
});
export const emailOf = (event: EventOf<typeof unannotated>): string => (event.type === 'CustomerRegistered' ? event.data.email : event.data.name);
// @ts-expect-error the events' data is today's: no fullName
export const fullNameOf = (event: EventOf<typeof unannotated>): string => event.data.fullName;

defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }, state) => (state.email === '' ? { type: 'CustomerRegistered', data: cmd } : []) },
  events: {
    // @ts-expect-error the data is today's, not never nor any: fullName was version 1's
    CustomerRegistered: (state, data) => ({ ...state, email: data.fullName }),
  },
  upcasters: { CustomerRegistered: [(v1: V1) => ({ email: v1.email, name: v1.fullName })] },
});

export const endsInVersion2 = defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }, state) => (state.email === '' ? { type: 'CustomerRegistered', data: cmd } : []) },
  events: { CustomerRegistered: (state, data) => ({ ...state, email: data.email }) },
  // @ts-expect-error the chain must end in today's data ({ email, name }), not version 2's (firstName and lastName for name)
  upcasters: { CustomerRegistered: [(v1: V1): V2 => ({ email: v1.email, firstName: v1.fullName, lastName: '' })] },
});
// @ts-expect-error the explicit check refuses it too
endsInVersion2.upcasters satisfies UpcastersOf<typeof endsInVersion2> | undefined;

defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }) => ({ type: 'CustomerRegistered', data: cmd }) },
  events: { CustomerRegistered: (state, data) => ({ ...state, email: data.email }) },
  // @ts-expect-error the last step misses name
  upcasters: { CustomerRegistered: [(v1: V1) => ({ email: v1.email })] },
});

defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }, _state) => ({ type: 'CustomerRegistered', data: cmd }) },
  events: { CustomerRegistered: (state, data) => ({ ...state, email: data.email }) },
  // @ts-expect-error the last step returns a field today's data does not have: fullName
  upcasters: { CustomerRegistered: [(v1: V1) => ({ email: v1.email, name: v1.fullName, fullName: v1.fullName })] },
});

defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }, state) => ({ type: 'CustomerRegistered', data: { ...cmd, was: state.email } }) },
  events: { CustomerRegistered: (state, data) => ({ ...state, email: data.email }) },
  // @ts-expect-error the last step's name is a number, today's a string
  upcasters: { CustomerRegistered: [(v1: V1) => ({ email: v1.email, name: v1.fullName.length, was: '' })] },
});

defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }) => ({ type: 'CustomerRegistered', data: cmd }) },
  events: { CustomerRegistered: (state, data) => ({ ...state, email: data.email }) },
  upcasters: {
    // @ts-expect-error the last step of a longer chain is checked (the error is on the type's entry): name, not firstName
    CustomerRegistered: [
      (v1: V1): V2 => ({ email: v1.email, firstName: v1.fullName, lastName: '' }),
      (v2: V2) => ({ email: v2.email, firstName: v2.firstName }),
    ],
  },
});

defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }) => ({ type: 'CustomerRegistered', data: cmd }) },
  events: { CustomerRegistered: (state, data) => ({ ...state, email: data.email }) },
  // @ts-expect-error a type still emitted has steps, not a replacement
  upcasters: { CustomerRegistered: (data: V1) => ({ type: 'CustomerRegistered', data: { email: data.email, name: data.fullName } }) },
});

export const renamesToNothing = defineAggregate({
  initialState: () => ({ email: '' }),
  commands: { Register: (cmd: { email: string; name: string }, state) => ({ type: 'CustomerRegistered', data: { email: cmd.email || state.email, name: cmd.name } }) },
  events: { CustomerRegistered: (state, data) => ({ ...state, email: data.email }) },
  // @ts-expect-error a replacement makes events of today's types: CustomerRenamed is none
  upcasters: { OldName: (data: V1) => ({ type: 'CustomerRenamed', data }) },
});
