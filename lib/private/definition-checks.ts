import * as path from 'node:path';
import { prefetchModuleManifests, readModuleManifest, type ModuleManifest } from './bundling/module-manifest';
import type { CqrsAggregateProps } from '../cqrs-aggregate-props';

/**
 * What each module of an aggregate must define, judged at synth from the manifest the runtime
 * reads off the module itself (`bundling/module-manifest.ts`): without these checks a module in
 * the wrong place deploys, and fails at the first command, or its projection never runs.
 */

/** The props a module may be given in, what each needs, and where each kind goes instead. */
const ROLES = {
  aggregate: {
    prop: 'entry', kinds: ['aggregate'], define: 'defineAggregate(...)',
    addDefault: 'Add `export default defineAggregate(...)` to it.',
  },
  projection: {
    prop: 'the projection\'s entry', kinds: ['projection', 'customProjection'], define: 'defineProjection(...) or defineCustomProjection(...)',
    addDefault: 'Add `export default defineProjection(...)` (or `defineCustomProjection(...)`) to it.',
  },
  queries: {
    prop: 'queries.entry', kinds: ['queries'], define: 'defineQueries(...)',
    addDefault: 'Add `export default defineQueries(...)` to it.',
  },
  sqlProjection: {
    prop: 'the projection\'s entry', kinds: ['sqlProjection'], define: 'defineSqlProjection<Tables>()(...)',
    addDefault: 'Add `export default defineSqlProjection<Tables>()(...)` to it.',
  },
  sqlQueries: {
    prop: 'queries.entry', kinds: ['sqlQueries'], define: 'defineSqlQueries<Tables>()(...)',
    addDefault: 'Add `export default defineSqlQueries<Tables>()(...)` to it.',
  },
} as const;

type Role = keyof typeof ROLES;

const PLACE_OF_KIND: Readonly<Record<string, string>> = {
  aggregate: 'An aggregate module goes in entry',
  projection: 'A projection module goes in projections: [{ projectionName, entry }]',
  customProjection: 'A projection module goes in projections: [{ projectionName, entry }]',
  queries: 'A queries module goes in queries: { entry }',
  sqlProjection: 'A SQL projection module goes in a CqrsSqlReadModel\'s projections: [{ projectionName, entry, sources, migrations }]',
  sqlQueries: 'A SQL queries module goes in a CqrsSqlReadModel\'s queries: { entry }',
};

/** What the construct needs to know of a projection module. */
export interface ProjectionManifest {
  /** `projection` for `defineProjection(...)`; `customProjection` for `defineCustomProjection(...)`, whose handlers write the read model themselves. */
  readonly kind: 'projection' | 'customProjection';
  /** The event types it has handlers for, sorted. */
  readonly eventTypes: string[];
  /** The read-model indexes it fills (its `indexes`), sorted. */
  readonly indexNames: string[];
  /** The event types of the aggregate it is defined on, sorted; undefined when that is no definition. */
  readonly aggregateEventTypes?: string[];
  /** True when it says who may read its documents over HTTP (`readableBy`). */
  readonly readableOverHttp: boolean;
}

/** Where a projection is declared, for error messages. */
export interface ProjectionSite {
  /** For example `CqrsAggregate 'Customers'`. */
  readonly where: string;
  readonly projectionName: string;
  /** Absolute path of the projection module. */
  readonly entry: string;
}

/** The manifest of the projection module at `site.entry`; throws if it does not define a projection that handles an event. */
export function readProjectionManifest(site: ProjectionSite): ProjectionManifest {
  const prefix = `${site.where}: projection '${site.projectionName}' (entry ${site.entry})`;
  const manifest = readInRole('projection', { prefix, entry: site.entry, what: `the projection '${site.projectionName}' of ${site.entry}` });
  if (manifest.eventTypes.length === 0) {
    throw new Error(`${prefix}: the module's default export must be ${manifest.found} with at least one event in its events.`);
  }
  return {
    kind: manifest.kind as ProjectionManifest['kind'],
    eventTypes: manifest.eventTypes,
    indexNames: manifest.indexNames,
    aggregateEventTypes: manifest.aggregateEventTypes,
    readableOverHttp: manifest.readableOverHttp === true,
  };
}

/**
 * Per source aggregate (by name), the event types of the SQL projection module at `site.entry`;
 * throws if it does not define a SQL projection. Whether they match its `sources` is the read
 * model's to judge.
 */
export function readSqlProjectionManifest(site: ProjectionSite): Record<string, string[]> {
  const prefix = `${site.where}: projection '${site.projectionName}' (entry ${site.entry})`;
  const manifest = readInRole('sqlProjection', { prefix, entry: site.entry, what: `the SQL projection '${site.projectionName}' of ${site.entry}` });
  return { ...manifest.sourceEventTypes };
}

/** The query types of the SQL queries module at `entry`; throws if it does not define SQL queries. */
export function readSqlQueriesManifest(where: string, entry: string): string[] {
  return readInRole('sqlQueries', { prefix: `${where}: queries.entry ${entry}`, entry, what: `the SQL queries module ${entry}` }).queryTypes ?? [];
}

/** What the modules of an aggregate define, as synth read them. */
export interface AggregateDefinitions {
  /** The aggregate's command types, sorted. */
  readonly commandTypes: string[];
  /** The JSON Schema of each command payload whose schema gives one. */
  readonly commandJsonSchemas: Readonly<Record<string, unknown>>;
  /** Each projection, in the order of `projections`, with its module's absolute path and kind. */
  readonly projections: { readonly projectionName: string; readonly entry: string; readonly kind: ProjectionManifest['kind']; readonly readableOverHttp: boolean }[];
  /** The query types of `queries.entry`, sorted; undefined without queries. */
  readonly queryTypes?: string[];
}

/**
 * Reads every module of an aggregate (in one bundle when it can) and checks each against the
 * prop it is given in: `entry` defines an aggregate, each projection a projection of that very
 * aggregate, `queries.entry` queries. Throws at the first module that does not; returns what
 * they define.
 */
export function checkDefinitions(where: string, props: CqrsAggregateProps): AggregateDefinitions {
  const entry = path.resolve(props.entry);
  const projections = (props.projections ?? []).map((projection) => ({ ...projection, entry: path.resolve(projection.entry) }));
  const queriesEntry = props.queries && path.resolve(props.queries.entry);
  prefetchModuleManifests([entry, ...projections.map((projection) => projection.entry), ...(queriesEntry ? [queriesEntry] : [])]);

  const aggregate = readInRole('aggregate', { prefix: `${where}: entry ${entry}`, entry, what: `the aggregate module ${entry}` });
  const read = projections.map((projection) => {
    const manifest = readProjectionManifest({ where, projectionName: projection.projectionName, entry: projection.entry });
    checkSameAggregate(`${where}: projection '${projection.projectionName}' (entry ${projection.entry})`, manifest, entry, aggregate);
    return { projectionName: projection.projectionName, entry: projection.entry, kind: manifest.kind, readableOverHttp: manifest.readableOverHttp };
  });
  const queries = queriesEntry
    ? readInRole('queries', { prefix: `${where}: queries.entry ${queriesEntry}`, entry: queriesEntry, what: `the queries module ${queriesEntry}` })
    : undefined;
  return {
    commandTypes: aggregate.commandTypes ?? [],
    commandJsonSchemas: aggregate.commandJsonSchemas ?? {},
    projections: read,
    ...(queries && { queryTypes: queries.queryTypes ?? [] }),
  };
}

/** The manifest of a module given as `role`; throws, naming the fix, if its default export is missing or of another kind. */
function readInRole(role: Role, site: { prefix: string; entry: string; what: string }): ModuleManifest {
  const manifest = readModuleManifest(site);
  const { prop, kinds, define, addDefault } = ROLES[role];
  if (!manifest.hasDefaultExport) {
    throw new Error(`${site.prefix}: the module has no default export. ${addDefault}`);
  }
  if (!(kinds as readonly string[]).includes(manifest.kind ?? '')) {
    const place = manifest.kind ? `${PLACE_OF_KIND[manifest.kind]}; point` : 'Point';
    throw new Error(`${site.prefix}: the module's default export must be ${define}; it is ${manifest.found}. ${place} ${prop} at a module whose default export is ${define}.`);
  }
  return manifest;
}

/**
 * A projection's rule matches the events of the aggregate it is listed with; defined on another
 * aggregate, its handlers are for events that never come, and it would never run. Two
 * aggregates are told apart by their event types: a projection imported through another path
 * or package to the same aggregate still has the same ones.
 */
function checkSameAggregate(prefix: string, projection: ProjectionManifest, aggregateEntry: string, aggregate: ModuleManifest): void {
  const theirs = projection.aggregateEventTypes;
  const ours = aggregate.aggregateEventTypes ?? [];
  // A projection whose aggregate is no definition (a hand-made object) cannot be compared.
  if (!theirs || (theirs.length === ours.length && theirs.every((type, index) => type === ours[index]))) return;
  throw new Error(`${prefix}: it is defined on another aggregate than the one at entry ${aggregateEntry}: that aggregate has the events ${listed(theirs)}; this one has ${listed(ours)}. `
    + 'Its rule matches only this aggregate\'s events, so it would never run. Define it on the default export of entry, or list it in the projections of its own aggregate\'s CqrsAggregate.');
}

/** At most 5 names, quoted: enough to recognise an aggregate in a message of one line. */
function listed(names: string[]): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, 5).map((name) => `'${name}'`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
