import type { CommandContext, CommandEnvelope, EventEnvelope } from '../shared/envelope';
import type { StandardSchemaV1 } from '../shared/standard-schema';

/**
 * Any string: every string is either its own capitalized or its own uncapitalized form.
 *
 * Spelled this way because a string-mapping type, unlike `string`, keeps the literal
 * `type: 'CustomerRegistered'` that a command returns from widening to `string`.
 */
export type EventName = Capitalize<string> | Uncapitalize<string>;

/** An event as a command decides it; the runtime adds the envelope. */
export interface NewEvent<Type extends string = EventName, Data = unknown> {
  readonly type: Type;
  readonly data?: Data;
}

/** What a command returns: one event, or several (or none). */
export type Decision = NewEvent | readonly NewEvent[];

/**
 * A command's decide function.
 *
 * The payload is `never` here so that each command can declare its own payload type
 * (a parameter accepting more is assignable); an unannotated payload stays unusable.
 */
export type Decide<State> = (payload: never, state: State, context: CommandContext) => Decision;

export type CommandHandlers<State> = Record<string, Decide<State>>;

type Flatten<Result> = Result extends readonly (infer Event)[] ? Event : Result;

/** The union of the events that the commands return. */
export type EmittedOf<Commands> = {
  [Name in keyof Commands]: Commands[Name] extends (...args: never[]) => infer Result ? Flatten<Result> : never
}[keyof Commands];

type TypeOfEvent<Event> = Event extends { readonly type: infer Type extends string } ? Type : never;
type DataOfEvent<Event, Type> = Event extends { readonly type: Type; readonly data: infer Data } ? Data
  : Event extends { readonly type: Type } ? undefined : never;

export type EventTypeOf<Commands> = TypeOfEvent<EmittedOf<Commands>>;
export type EventDataOf<Commands, Type> = DataOfEvent<EmittedOf<Commands>, Type>;

export type PayloadOf<Handler> = Handler extends (payload: infer Payload, ...rest: never[]) => unknown ? Payload : never;

declare const noMatch: unique symbol;
/**
 * Only ever a contextual-typing hint: no value has the `noMatch` key, so an evolve
 * function still has to return the state. Without it, `status: 'ACTIVE'` returned by an
 * evolve function widens to `string` (the state is an unresolved type parameter there).
 */
export interface LiteralHint {
  readonly [noMatch]: never;
  readonly [key: string]: EventName | number | boolean | LiteralHint;
}

/** One evolve function per event type that the commands return. */
export type EventHandlers<State, Commands> = {
  [Type in EventTypeOf<Commands>]: (state: State, data: EventDataOf<Commands, Type>) => State | LiteralHint
};

export type SchemaVersions<Commands> = Commands extends unknown
  ? { readonly [Type in EventTypeOf<Commands>]?: number }
  : never;

export interface AggregateSpec<State, Commands> {
  /** The state of an aggregate that has no events yet. */
  readonly initialState: () => State;
  /** decide: (command payload, state) => events, or throw DomainError. */
  readonly commands: Commands;
  /** evolve: (state, event data) => state, pure. */
  readonly events: EventHandlers<State, Commands>;
  /**
   * Validators (Standard Schema v1: zod, valibot, arktype) run on a command's payload before it is decided, by command name.
   *
   * Typed loosely on purpose: any mention of the commands' type here stops TypeScript 5.9 from
   * inferring the events' data from what the commands return.
   */
  readonly schemas?: { readonly [command: string]: StandardSchemaV1 };
  /** The schema version stamped on each event type's metadata. @default 1 */
  readonly schemaVersions?: SchemaVersions<NoInfer<Commands>>;
  /**
   * Snapshots are used only by the code that wrote them: the text of `initialState` and `events`
   * identifies it. Change `stateVersion` when the state they build changes for a reason their
   * text does not show (a constant or helper they import), so that old snapshots are ignored.
   * @default - the functions' text alone
   */
  readonly stateVersion?: string | number;
}

/** What `defineAggregate` returns: the definition plus a marker the handler checks. */
export interface Aggregate<State, Commands> extends Omit<AggregateSpec<State, Commands>, 'events'> {
  readonly definitionKind: 'aggregate';
  /** The evolve functions; each returns the state (the literal hint of the spec is gone). */
  readonly events: { readonly [Type in EventTypeOf<Commands>]: (state: State, data: EventDataOf<Commands, Type>) => State };
}

/** The state type of an aggregate: `StateOf<typeof customer>`. */
export type StateOf<Agg> = Agg extends Aggregate<infer State, infer _Commands> ? State : never;

type CommandsOf<Agg> = Agg extends { readonly commands: infer Commands } ? Commands : never;

/** The command envelopes an aggregate accepts: `CommandOf<typeof customer>`. */
export type CommandOf<Agg> = {
  [Name in keyof CommandsOf<Agg> & string]: CommandEnvelope<Name, PayloadOf<CommandsOf<Agg>[Name]>>
}[keyof CommandsOf<Agg> & string];

/** The event envelopes an aggregate stores and publishes: `EventOf<typeof customer>`. */
export type EventOf<Agg> = {
  [Type in EventTypeOf<CommandsOf<Agg>>]: EventEnvelope<Type, EventDataOf<CommandsOf<Agg>, Type>>
}[EventTypeOf<CommandsOf<Agg>>];
