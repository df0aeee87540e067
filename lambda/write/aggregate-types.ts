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

/**
 * The upcast steps of an event type, oldest first: step n takes the data of schema version n and
 * returns that of n + 1, and the last returns `Current`, the data today's code has. The type's
 * schema version is its number of steps + 1; `[]` (or no entry) is version 1.
 */
export type UpcastSteps<Current> = readonly [] | readonly [...((data: never) => unknown)[], (data: never) => Current];

/** An event as a command decides it, of one of today's types with its data. */
export type DecidedEventOf<Commands> = { [Type in EventTypeOf<Commands>]: { readonly type: Type; readonly data: EventDataOf<Commands, Type> } }[EventTypeOf<Commands>];

/**
 * What a stored event of a type no command emits any more becomes: one event of today's types
 * (a renamed type), several (a split one) or none (a dropped one). Given its stored data and schema version.
 */
export type EventReplacement<Commands> = (data: never, schemaVersion: number) => DecidedEventOf<Commands> | readonly DecidedEventOf<Commands>[];

/**
 * The upcasters that fit an aggregate, `UpcastersOf<typeof customer>`: per stored event type, its
 * steps (a type still emitted: the last step returns the data its command returns today) or, for
 * a type no command emits any more, its steps or its replacement by today's events. `defineAggregate`
 * checks its `upcasters` against this itself (see `UpcastersCheck`); the explicit check,
 * `customer.upcasters satisfies UpcastersOf<typeof customer> | undefined`, still holds.
 */
export type UpcastersOf<Agg> = UpcastersOfCommands<CommandsOf<Agg>>;

type UpcastersOfCommands<Commands> = { readonly [Type in EventTypeOf<Commands>]?: UpcastSteps<EventDataOf<Commands, Type>> }
  & { readonly [retired: string]: readonly ((data: never) => unknown)[] | EventReplacement<Commands> };

/**
 * The shape any `upcasters` has, without naming the commands: it is what `Upcasters` is inferred
 * from, and the chains are checked apart from it (`UpcastersCheck`). The `EventName` in it keeps a
 * replacement's `type: 'CustomerRegistered'` a literal.
 */
export type UpcastersShape = {
  // A tuple in the union, so that a list of steps is inferred as a tuple: its last step is then known.
  readonly [type: string]: readonly [] | readonly [(data: never) => unknown, ...((data: never) => unknown)[]]
    | ((data: never, schemaVersion: number) => { readonly type: EventName } | readonly { readonly type: EventName }[]);
};

type KeysOf<T> = T extends unknown ? keyof T : never;

/** `Current`, with each key `Last` has beyond it required to be `never`: a last step returns today's data and nothing else. */
type Exactly<Last, Current> = [Exclude<KeysOf<Last>, KeysOf<Current>>] extends [never] ? Current
  : Current & { readonly [Extra in Exclude<KeysOf<Last>, KeysOf<Current>>]: never };

/** Per type still emitted that `upcasters` names, its steps with a last one that returns exactly today's data. */
type ExactLastSteps<Commands, Upcasters> = {
  readonly [Type in keyof Upcasters & EventTypeOf<Commands>]: Upcasters[Type] extends readonly [...unknown[], (data: never) => infer Last]
    ? readonly [...((data: never) => unknown)[], (data: never) => Exactly<Last, EventDataOf<Commands, Type>>]
    : unknown
};

/**
 * What `defineAggregate` checks its `upcasters` against, once the commands are known: `UpcastersOf`
 * (each chain of a type still emitted ends in the data its commands return today, each replacement
 * makes today's events), and no last step returns a field today's data does not have.
 *
 * While the commands' type is still its constraint (`string` keys), it checks nothing: TypeScript
 * infers in two passes, and in the first one the commands whose `state` is not annotated are not
 * read yet. A check that failed there would reject the call with the constraint's types, and the
 * events' data would be `never`; after the second pass the commands are known and the check applies.
 * (So commands typed as a `Record<string, ...>` have their upcasters unchecked: their events are unknown too.)
 */
export type UpcastersCheck<Commands, Upcasters> = string extends keyof Commands ? unknown
  : UpcastersOfCommands<Commands> & ExactLastSteps<Commands, Upcasters>;

/**
 * The types `Upcasters` names. Without `upcasters` TypeScript takes the shape itself, whose keys
 * are any string: then none. (A default type argument would do it more plainly, but makes
 * TypeScript widen a replacement's `type` literal to string.)
 */
type NamedTypes<Upcasters> = string extends keyof Upcasters ? never : keyof Upcasters & string;

/** The event types `upcasters` names that no command emits: retired, and still stored. */
export type RetiredTypesOf<Upcasters, Commands> = Exclude<NamedTypes<Upcasters>, EventTypeOf<Commands>>;

/**
 * The evolve functions of retired types that keep their shape (steps, not a replacement): a
 * stored event of such a type still folds. Its data is typed by you (the commands no longer say it).
 */
export type RetiredEventHandlers<State, Upcasters, Commands> = {
  readonly [Type in RetiredTypesOf<Upcasters, Commands>]?: Upcasters[Type] extends (...args: never[]) => unknown ? never : (state: State, data: never) => State | LiteralHint
};

export interface AggregateSpec<State, Commands, Upcasters = unknown> {
  /** The state of an aggregate that has no events yet. */
  readonly initialState: () => State;
  /** decide: (command payload, state) => events, or throw DomainError. */
  readonly commands: Commands;
  /** evolve: (state, event data) => state, pure; also for a retired type in `upcasters` that keeps its shape. */
  readonly events: EventHandlers<State, Commands> & RetiredEventHandlers<State, Upcasters, Commands>;
  /**
   * Validators (Standard Schema v1: zod, valibot, arktype) run on a command's payload before it is decided, by command name.
   *
   * Typed loosely on purpose: any mention of the commands' type here stops TypeScript 5.9 from
   * inferring the events' data from what the commands return.
   */
  readonly schemas?: { readonly [command: string]: StandardSchemaV1 };
  /**
   * Per event type, how a stored event of an older schema version becomes today's: steps, each
   * from one version's data to the next's, the last returning what the command returns today
   * (the type's schema version, stamped on new events, is its steps + 1); or, for a type no
   * command emits any more, a replacement by events of today's types (a rename, a split). Every
   * reader applies them before your code sees an event. See docs/evolving-events.md.
   * @default - every event type at schema version 1
   */
  readonly upcasters?: Upcasters;
  /**
   * Snapshots are used only by the code that wrote them: the text of `initialState` and `events`
   * identifies it. Change `stateVersion` when the state they build changes for a reason their
   * text does not show (a constant or helper they import), so that old snapshots are ignored.
   * @default - the functions' text alone
   */
  readonly stateVersion?: string | number;
}

/** What `defineAggregate` returns: the definition plus a marker the handler checks. */
export interface Aggregate<State, Commands, Upcasters = unknown> extends Omit<AggregateSpec<State, Commands, Upcasters>, 'events'> {
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
