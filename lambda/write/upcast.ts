import { isRecord, ownValue } from '../shared/guards';

/**
 * One step of an event type's upcasters: the data of schema version n in, the data of version
 * n + 1 out. The steps of a type run from version 1; the type's current schema version is its
 * number of steps + 1.
 */
export type UpcastStep = (data: never) => unknown;

/**
 * What a stored event of a type that no longer exists becomes: events of today's types (one for
 * a renamed type, several for a split one, none for one that is dropped), each at its type's
 * current schema version. Given the stored data and its schema version.
 */
export type UpcastReplacement = (data: never, schemaVersion: number) => { readonly type: string; readonly data?: unknown } | readonly { readonly type: string; readonly data?: unknown }[];

/** An aggregate's upcasters, as the runtime handles them: per stored event type, its steps or its replacement. */
export type AnyUpcasters = Readonly<Record<string, readonly UpcastStep[] | UpcastReplacement | undefined>>;

/** What an upcast reads and writes of an event: its type, data and schema version (in the metadata of an envelope). */
export interface UpcastableEvent {
  readonly type: string;
  readonly data?: unknown;
  readonly version: number;
  readonly aggregateId?: string;
  readonly metadata?: { readonly schemaVersion?: number };
}

/**
 * A stored event written by code newer than this: its schema version is above the one this
 * code's upcasters end at (after a rollback, say). It cannot be read as today's shape, and is
 * never guessed at: the command, the message or the read that met it fails, and only that one.
 */
export class EventFromNewerCode extends Error {
  constructor(
    public readonly eventType: string,
    public readonly storedSchemaVersion: number,
    public readonly knownSchemaVersion: number,
    where: string,
  ) {
    super(`Event ${eventType}${where} has schema version ${storedSchemaVersion}, and this code knows ${eventType} up to version ${knownSchemaVersion}: newer code wrote it (was a deploy rolled back?). Deploy code whose upcasters reach version ${storedSchemaVersion}; the event is left as it is.`);
    this.name = 'EventFromNewerCode';
  }
}

/** The steps of `type`, or undefined when it has a replacement or nothing. */
function stepsOf(upcasters: AnyUpcasters | undefined, type: string): readonly UpcastStep[] | undefined {
  // Own properties only: a type named `constructor` is a name like any other.
  const entry = ownValue(upcasters, type);
  return Array.isArray(entry) ? entry as readonly UpcastStep[] : undefined;
}

/** The replacement of `type`, or undefined when it has steps or nothing. */
function replacementOf(upcasters: AnyUpcasters | undefined, type: string): UpcastReplacement | undefined {
  const entry = ownValue(upcasters, type);
  return typeof entry === 'function' ? entry as UpcastReplacement : undefined;
}

/** The current schema version of `type`: its number of upcast steps + 1 (1 without any). */
export function currentSchemaVersion(upcasters: AnyUpcasters | undefined, type: string): number {
  return (stepsOf(upcasters, type)?.length ?? 0) + 1;
}

/** The schema version an event was stored with: 1 for an event stored before versions were kept. */
const storedSchemaVersion = (event: UpcastableEvent): number => {
  const version = event.metadata?.schemaVersion;
  return typeof version === 'number' && Number.isSafeInteger(version) && version >= 1 ? version : 1;
};

/** At most this many replacements in a row: a replacement that yields its own type again would loop. */
const MAX_REPLACEMENTS = 16;

/**
 * The events a stored event is today: upcast through its type's steps to the current schema
 * version, or replaced (renamed, split, dropped) when its type has a replacement. Each result
 * keeps the stored event's version and metadata, with the schema version it now has. Without
 * upcasters for its type, the event is returned as it is (the same object).
 *
 * Throws `EventFromNewerCode` for a schema version above what this code knows.
 */
export function upcastEvent<E extends UpcastableEvent>(upcasters: AnyUpcasters | undefined, event: E): E[] {
  return upcastFrom(upcasters, event, 0);
}

/** Where an event is, for an error: ` (version 7 of a-1)`. Made only when one is thrown: a fold upcasts every event it reads. */
const whereOf = (event: UpcastableEvent): string => ` (version ${event.version}${event.aggregateId === undefined ? '' : ` of ${event.aggregateId}`})`;

function upcastFrom<E extends UpcastableEvent>(upcasters: AnyUpcasters | undefined, event: E, replacements: number): E[] {
  const stored = storedSchemaVersion(event);
  const replacement = replacementOf(upcasters, event.type);
  if (replacement) {
    if (replacements >= MAX_REPLACEMENTS) throw new Error(`The upcasters replace ${event.type}${whereOf(event)} more than ${MAX_REPLACEMENTS} times in a row: a replacement must end in today's types.`);
    const produced = (replacement as (data: unknown, schemaVersion: number) => unknown)(event.data, stored);
    const list = Array.isArray(produced) ? produced : [produced];
    return list.flatMap((next, index) => {
      if (!isRecord(next) || typeof next.type !== 'string' || next.type === '') {
        throw new Error(`The upcaster of ${event.type}${whereOf(event)} returned something without a type at index ${index}: return { type, data } or an array of them.`);
      }
      const replaced = withShape(event, next.type, next.data, currentSchemaVersion(upcasters, next.type));
      // The new type may itself have a replacement (renamed twice); its steps do not apply: the data is today's.
      return replacementOf(upcasters, next.type) ? upcastFrom(upcasters, replaced, replacements + 1) : [replaced];
    });
  }
  const steps = stepsOf(upcasters, event.type) ?? [];
  const current = steps.length + 1;
  if (stored > current) throw new EventFromNewerCode(event.type, stored, current, whereOf(event));
  if (stored === current) return [event];
  let data = event.data;
  for (let version = stored; version < current; version++) data = (steps[version - 1] as (data: unknown) => unknown)(data);
  return [withShape(event, event.type, data, current)];
}

/** `event` as another type and data, at `schemaVersion`. */
function withShape<E extends UpcastableEvent>(event: E, type: string, data: unknown, schemaVersion: number): E {
  return { ...event, type, data, metadata: { ...event.metadata, schemaVersion } };
}

/**
 * Every event of `events` as it is today (see `upcastEvent`), in order. Code without upcasters
 * checks each event too: one stamped with a version above 1 was written by newer code.
 */
export function upcastEvents<E extends UpcastableEvent>(upcasters: AnyUpcasters | undefined, events: readonly E[]): E[] {
  return events.flatMap((event) => upcastEvent(upcasters, event));
}
