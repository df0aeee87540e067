import type { Aggregate, AggregateSpec, CommandHandlers } from './aggregate-types';

/**
 * Declares an event-sourced aggregate: its initial state, its commands (decide) and its events (evolve).
 *
 * Types flow from the definition: the state from `initialState`, the command payloads from
 * the commands' first parameters, and each event's data from what the commands return.
 */
export function defineAggregate<State, Commands extends CommandHandlers<State>>(
  spec: AggregateSpec<State, Commands>,
): Aggregate<State, Commands> {
  // The evolve functions' literal hint exists only in the spec's type: at run time they return the state.
  return { ...spec, definitionKind: 'aggregate' } as Aggregate<State, Commands>;
}

/** A defined aggregate, with its types erased, as the runtime handles it. */
export interface AnyAggregate {
  readonly definitionKind: 'aggregate';
  readonly initialState: () => unknown;
  readonly commands: Readonly<Record<string, (payload: unknown, state: unknown) => unknown>>;
  readonly events: Readonly<Record<string, (state: unknown, data: unknown) => unknown>>;
  readonly schemas?: Readonly<Record<string, unknown>>;
  readonly schemaVersions?: Readonly<Record<string, number | undefined>>;
  readonly stateVersion?: string | number;
}

/** True for what `defineAggregate(...)` returns, also when it comes from another bundle. */
export function isAggregate(value: unknown): value is AnyAggregate {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return candidate.definitionKind === 'aggregate'
    && typeof candidate.initialState === 'function'
    && typeof candidate.commands === 'object' && candidate.commands !== null
    && typeof candidate.events === 'object' && candidate.events !== null;
}
