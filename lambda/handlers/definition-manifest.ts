import { definitionKindOf, describeDefinitionKind, type DefinitionKind } from '../shared/definition-kind';
import { isRecord, ownValue } from '../shared/guards';

/**
 * What synth needs to know of a user's module, read by the runtime itself: the construct bundles
 * this entry with the module and evaluates it at synth (lib/private/bundling/module-manifest.ts),
 * so the shapes of definitions are known in one place, the runtime.
 */
export interface DefinitionManifest {
  /** The kind of the default export, or undefined when it is not a definition. */
  readonly kind?: DefinitionKind;
  /** The default export in words (`defineProjection(...)`, or what it is instead), for error messages. */
  readonly found: string;
  /** Projections: the event types their rule matches, sorted: those with a handler, and the retired types the aggregate's upcasters replace. */
  readonly eventTypes: string[];
  /** Projections: the read-model indexes they fill, sorted. */
  readonly indexNames: string[];
  /**
   * The event types of an aggregate's `events` (its evolve functions, so every event it can
   * store), sorted: an aggregate's own, and for a projection those of the aggregate it was
   * defined on. Synth compares the two to tell a projection of another aggregate. Undefined for
   * a projection whose aggregate is not a definition with evolve functions, and for queries.
   */
  readonly aggregateEventTypes?: string[];
  /** Aggregates: the command types (its `commands` that hold a function), sorted. */
  readonly commandTypes?: string[];
  /**
   * Aggregates: the JSON Schema (draft 2020-12) of each command's payload, for those whose schema
   * can give one (Standard JSON Schema: `~standard.jsonSchema.input`, as zod 4 and arktype do).
   * The HTTP API's OpenAPI document is built from them.
   */
  readonly commandJsonSchemas?: Readonly<Record<string, unknown>>;
  /** Projections: true when it says who may read its documents over HTTP (`readableBy`). */
  readonly readableOverHttp?: boolean;
  /** Queries (of an aggregate or of a SQL read model): the query types (its handlers), sorted. */
  readonly queryTypes?: string[];
  /**
   * SQL projections: per aggregate name (a key of its `aggregates`), the event types its rule on
   * that aggregate's events matches, sorted: those with a handler, and the retired types that
   * aggregate's upcasters replace. An aggregate whose definition has no handler gets none.
   */
  readonly sourceEventTypes?: Readonly<Record<string, string[]>>;
}

/** The manifest of a module's default export. */
export function describeDefinition(definition: unknown): DefinitionManifest {
  const kind = definitionKindOf(definition);
  const found = describeDefinitionKind(definition);
  if (kind === 'aggregate') {
    const { events, commands, schemas } = definition as { events?: unknown; commands?: unknown; schemas?: unknown };
    const commandTypes = handledTypes(commands);
    return {
      kind, found, eventTypes: [], indexNames: [], aggregateEventTypes: handledTypes(events), commandTypes, commandJsonSchemas: jsonSchemasOf(schemas, commandTypes),
    };
  }
  if (kind === 'sqlProjection') return { kind, found, eventTypes: [], indexNames: [], sourceEventTypes: sqlSourceEventTypes(definition) };
  if (kind === 'queries' || kind === 'sqlQueries') return { kind, found, eventTypes: [], indexNames: [], queryTypes: handledTypes((definition as { handlers?: unknown }).handlers) };
  if (kind !== 'projection' && kind !== 'customProjection') return { kind, found, eventTypes: [], indexNames: [] };
  const { events, indexes, aggregate } = definition as { events?: unknown; indexes?: unknown; aggregate?: unknown };
  const indexNames = isRecord(indexes) ? Object.keys(indexes).sort() : [];
  // A stand-in with no evolve functions (`{ definitionKind: 'aggregate' }`, to type a projection
  // without importing its aggregate) tells nothing of the aggregate: undefined, not "no events".
  const ofAggregate = definitionKindOf(aggregate) === 'aggregate' ? handledTypes((aggregate as { events?: unknown }).events) : [];
  const aggregateEventTypes = ofAggregate.length > 0 ? ofAggregate : undefined;
  return { kind, found, readableOverHttp: typeof (definition as { readableBy?: unknown }).readableBy === 'function', eventTypes: routedTypes(events, definitionKindOf(aggregate) === 'aggregate' ? (aggregate as { upcasters?: unknown }).upcasters : undefined), indexNames, aggregateEventTypes };
}

/** Per aggregate of a SQL projection, the event types its rule matches (see `sourceEventTypes`). */
function sqlSourceEventTypes(definition: unknown): Record<string, string[]> {
  const { aggregates, events } = definition as { aggregates?: unknown; events?: unknown };
  const found: Record<string, string[]> = {};
  if (!isRecord(aggregates)) return found;
  for (const aggregateName of Object.keys(aggregates)) {
    const aggregate = aggregates[aggregateName];
    const upcasters = definitionKindOf(aggregate) === 'aggregate' ? (aggregate as { upcasters?: unknown }).upcasters : undefined;
    const handlers = isRecord(events) ? ownValue(events, aggregateName) : undefined;
    const types = handledTypes(handlers).length > 0 ? routedTypes(handlers, upcasters) : [];
    Object.defineProperty(found, aggregateName, { value: types, enumerable: true, writable: true, configurable: true });
  }
  return found;
}

/**
 * The event types a projection's rule must match, sorted: those it has handlers for, and the
 * retired types its aggregate's upcasters replace (a stored one may become an event it handles;
 * what it becomes is known only when the replacement runs, so every projection receives it).
 */
function routedTypes(handlers: unknown, upcasters: unknown): string[] {
  const replaced = isRecord(upcasters) ? Object.keys(upcasters).filter((type) => typeof upcasters[type] === 'function') : [];
  return [...new Set([...handledTypes(handlers), ...replaced])].sort();
}

/** The keys of a handler map that hold a function, sorted: a key whose handler is undefined (allowed by the handlers' optional keys) handles nothing. */
function handledTypes(handlers: unknown): string[] {
  return isRecord(handlers) ? Object.keys(handlers).filter((type) => typeof handlers[type] === 'function').sort() : [];
}

/**
 * The JSON Schema of each command's payload that its schema can give (the Standard JSON Schema
 * interface, `~standard.jsonSchema.input({ target })`); a schema without it, or one that throws
 * (a type JSON Schema cannot express), gives none: the API then documents the payload as an object.
 */
function jsonSchemasOf(schemas: unknown, commandTypes: string[]): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  if (!isRecord(schemas)) return found;
  for (const type of commandTypes) {
    const standard = (ownValue(schemas, type) as { '~standard'?: { jsonSchema?: { input?: unknown } } } | undefined)?.['~standard'];
    const input = standard?.jsonSchema?.input;
    if (typeof input !== 'function') continue;
    try {
      const schema: unknown = input.call(standard!.jsonSchema, { target: 'draft-2020-12' });
      if (isRecord(schema)) Object.defineProperty(found, type, { value: schema, enumerable: true, writable: true, configurable: true });
    } catch {
      // A schema the validator cannot express in JSON Schema: documented as an object.
    }
  }
  return found;
}
