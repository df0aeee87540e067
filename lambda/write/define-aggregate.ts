import type { Aggregate, AggregateSpec, CommandHandlers, UpcastersCheck, UpcastersShape } from './aggregate-types';
import type { AnyUpcasters } from './upcast';

/**
 * Declares an event-sourced aggregate: its initial state, its commands (decide) and its events (evolve).
 *
 * Types flow from the definition: the state from `initialState`, the command payloads from
 * the commands' first parameters, and each event's data from what the commands return.
 * `upcasters` is checked against them: each chain ends in exactly the data today's commands
 * return for its type, each replacement makes today's events.
 */
export function defineAggregate<State, Commands extends CommandHandlers<State>, Upcasters extends UpcastersShape>(
  // The check is apart from AggregateSpec and NoInfer: `Upcasters` is inferred from `upcasters` alone.
  spec: AggregateSpec<State, Commands, Upcasters> & { readonly upcasters?: NoInfer<UpcastersCheck<Commands, Upcasters>> },
): Aggregate<State, Commands, Upcasters> {
  checkUpcasters(spec as { upcasters?: unknown; schemaVersions?: unknown });
  // The evolve functions' literal hint exists only in the spec's type: at run time they return the state.
  return { ...spec, definitionKind: 'aggregate' } as Aggregate<State, Commands, Upcasters>;
}

/** Each entry of `upcasters` is a list of step functions or one replacement function; `schemaVersions` is gone. */
function checkUpcasters(spec: { upcasters?: unknown; schemaVersions?: unknown }): void {
  if (spec.schemaVersions !== undefined) {
    throw new Error('defineAggregate: schemaVersions is replaced by upcasters, from which each type\'s schema version follows (its steps + 1). For a type you stamped version n, give n - 1 steps that return the data as it is: upcasters: { MyEvent: [(data) => data] } for version 2.');
  }
  if (spec.upcasters === undefined) return;
  if (typeof spec.upcasters !== 'object' || spec.upcasters === null || Array.isArray(spec.upcasters)) {
    throw new Error('defineAggregate: upcasters must be an object: per event type, a list of steps or a replacement function.');
  }
  for (const [type, entry] of Object.entries(spec.upcasters)) {
    const valid = typeof entry === 'function' || (Array.isArray(entry) && entry.every((step) => typeof step === 'function'));
    if (!valid) throw new Error(`defineAggregate: upcasters.${type} must be a list of functions (each from one schema version's data to the next's) or one function (a replacement by today's events).`);
  }
}

/** A defined aggregate, with its types erased, as the runtime handles it. */
export interface AnyAggregate {
  readonly definitionKind: 'aggregate';
  readonly initialState: () => unknown;
  readonly commands: Readonly<Record<string, (payload: unknown, state: unknown) => unknown>>;
  readonly events: Readonly<Record<string, (state: unknown, data: unknown) => unknown>>;
  readonly schemas?: Readonly<Record<string, unknown>>;
  readonly stateVersion?: string | number;
  /** Per stored event type, the steps from its older schema versions (or its replacement): see upcast.ts. */
  readonly upcasters?: AnyUpcasters;
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
