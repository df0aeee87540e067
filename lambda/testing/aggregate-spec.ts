import type { CommandOf, EventOf } from '../write/aggregate-types';
import type { AnyAggregate } from '../write/define-aggregate';
import { decideOn, prepareCommand } from '../write/decide';
import { foldEvents } from '../write/fold';
import { currentSchemaVersion, type AnyUpcasters } from '../write/upcast';
import { deepEqualOrFail, describeScenario, fail } from './spec-assertions';

/** An event as a spec gives or expects it: its type and data, without the envelope. */
export type SpecEvent<Agg> = EventOf<Agg> extends infer Event
  ? Event extends { readonly type: infer Type; readonly data: infer Data } ? { readonly type: Type; readonly data: Data } : never
  : never;

/**
 * An event as it was stored by older code: its type (today's or a retired one), its data in the
 * shape of `schemaVersion`, which the aggregate's upcasters bring to today's before it is folded.
 * An event given without `schemaVersion` is taken at today's schema version.
 */
export interface StoredSpecEvent {
  readonly type: string;
  readonly data: unknown;
  readonly schemaVersion: number;
}

/** A command as a spec sends it: the envelope's `aggregateId` may be left out. */
export type SpecCommand<Agg> = CommandOf<Agg> extends infer Command
  ? Command extends { readonly aggregateId: string } ? Omit<Command, 'aggregateId'> & { readonly aggregateId?: string } : never
  : never;

/** The aggregate a spec's command goes to, unless it names one, and the name its events carry. */
const SPEC_AGGREGATE_ID = 'spec-aggregate';
const SPEC_AGGREGATE_NAME = 'spec';

/** An error class to expect, matched by name so it holds across bundles. */
export interface ErrorClass {
  readonly name: string;
  readonly prototype: Error;
}

export interface AggregateSpecWhen<Agg> {
  /** The command decides exactly these events, in order. */
  then(expected: readonly SpecEvent<Agg>[]): Promise<void>;
  /** The command is rejected with this error (`DomainError`, `ValidationError`, ...); `check` may look closer. */
  thenThrows(errorClass: ErrorClass, check?: (error: Error) => void): Promise<void>;
  /** The command is accepted and decides no event. */
  thenNothingHappened(): Promise<void>;
}

export interface AggregateSpecGiven<Agg> {
  when(command: SpecCommand<Agg>): AggregateSpecWhen<Agg>;
}

/**
 * Given/when/then for an aggregate's decisions, in any test runner: `given` folds past events
 * with the aggregate's own `events`, `when` validates the payload with its `schemas` and runs
 * its command, and `then*` compares. A failed spec throws a SpecFailure that shows the
 * events given, the command, and the difference.
 *
 * @example
 * test('refuses to register a customer twice', () =>
 *   specFor(customer).given([{ type: 'CustomerRegistered', data: ann }])
 *     .when({ type: 'RegisterCustomer', payload: ann }).thenThrows(DomainError));
 */
export function specFor<Agg extends { readonly definitionKind: 'aggregate' }>(definition: Agg): { given(events: readonly (SpecEvent<Agg> | StoredSpecEvent)[]): AggregateSpecGiven<Agg> } {
  const aggregate = definition as unknown as AnyAggregate;
  return {
    given: (events) => ({
      when: (command) => {
        const scenario = describeScenario(events, command);
        // The deployed handler's own steps: a spec refuses exactly what the handler refuses (sizes included).
        const decide = async () => {
          const prepared = await prepareCommand(aggregate, { aggregateId: SPEC_AGGREGATE_ID, ...(command as object) }, { aggregateName: SPEC_AGGREGATE_NAME, sessions: false });
          const state = foldEvents(aggregate, aggregate.initialState(), asStored(aggregate.upcasters, events));
          const decision = decideOn(aggregate, prepared, { state, version: events.length }, { aggregateName: SPEC_AGGREGATE_NAME, eventSource: `cqrs.${SPEC_AGGREGATE_NAME}` });
          return decision.events.map(({ type, data }) => ({ type, data }));
        };
        return {
          then: async (expected) => {
            const decided = await decide().catch((error: unknown) => fail(`${scenario}\nexpected events, but the command was rejected: ${String(error)}`));
            deepEqualOrFail(decided, expected, `${scenario}\nthe events differ from those expected`);
          },
          thenNothingHappened: async () => {
            const decided = await decide().catch((error: unknown) => fail(`${scenario}\nexpected no events, but the command was rejected: ${String(error)}`));
            deepEqualOrFail(decided, [], `${scenario}\nexpected no events`);
          },
          thenThrows: async (errorClass, check) => {
            let decided: unknown;
            try {
              decided = await decide();
            } catch (error) {
              if (!(error instanceof Error) || error.name !== errorClass.name) {
                fail(`${scenario}\nexpected ${errorClass.name}, but got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
              }
              check?.(error);
              return;
            }
            fail(`${scenario}\nexpected ${errorClass.name}, but the command decided ${JSON.stringify(decided)}`);
          },
        };
      },
    }),
  };
}

/**
 * The given events as stored events at versions 1.., each with the schema version it says, or
 * today's: `specFor` and `projectionSpecFor` fold them through the upcasters as a load does.
 */
export function asStored<E extends { readonly type: string; readonly data?: unknown; readonly schemaVersion?: number; readonly metadata?: object }>(
  upcasters: AnyUpcasters | undefined, events: readonly E[],
): (Omit<E, 'schemaVersion'> & { readonly version: number; readonly metadata: { readonly schemaVersion: number } })[] {
  return events.map(({ schemaVersion, ...event }, index) => ({
    ...event,
    version: index + 1,
    metadata: { ...event.metadata, schemaVersion: schemaVersion ?? currentSchemaVersion(upcasters, event.type) },
  }));
}
