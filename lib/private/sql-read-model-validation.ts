import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { aggregateInternalsOf, type AggregateInternals } from './aggregate-internals';
import { prefetchModuleManifests } from './bundling/module-manifest';
import { SQL_READ_MODEL_PART_IDS } from './construct-ids';
import { readSqlProjectionManifest, readSqlQueriesManifest } from './definition-checks';
import { validateDeliveryProps } from './projection-validation';
import { readMigrations, type MigrationFile } from './migration-files';
import { checkDurationInRange, checkIntegerInRange, checkPattern } from './validation';
import { SQL_READ_MODEL_DEFAULTS, type CqrsSqlReadModelProps, type SqlProjectionProps } from '../cqrs-sql-read-model-props';

/**
 * Checks of a `CqrsSqlReadModel`'s props, and what synth reads for it (each projection's module
 * and migrations), all before the read model creates anything: a failure leaves no half-built
 * read model behind.
 */

/** A source aggregate of a SQL projection, with what its projector needs of it. */
export interface SqlSource {
  readonly aggregateName: string;
  readonly eventSource: string;
  readonly eventBus: events.IEventBus;
  readonly internals: AggregateInternals;
  /** The event types of the aggregate that the projection handles: what its rule matches. */
  readonly eventTypes: string[];
}

/** A SQL projection, checked and read. */
export interface SqlProjectionPlan extends SqlProjectionProps {
  /** Absolute path of the module. */
  readonly entry: string;
  /** Absolute path of the migrations folder. */
  readonly migrations: string;
  readonly migrationFiles: MigrationFile[];
  /** In the order of `sources`. */
  readonly sourcePlans: SqlSource[];
}

/** What the read model builds, once every check passed. */
export interface SqlReadModelPlan {
  readonly projections: SqlProjectionPlan[];
  /** Absolute path of the queries module; undefined without queries. */
  readonly queriesEntry?: string;
}

/** Construct ids of the read model's own parts: a projection's name must not take one. */
const RESERVED_NAMES: readonly string[] = Object.values(SQL_READ_MODEL_PART_IDS);

/** Checks `props` (Tokens are skipped) and reads the modules and migrations; throws at the first fault, naming the fix. */
export function planSqlReadModel(scope: Construct, where: string, props: CqrsSqlReadModelProps): SqlReadModelPlan {
  validateDatabaseProps(scope, where, props);
  if (props.projections.length === 0) {
    throw new Error(`${where}: projections is empty. Add at least one projection: { projectionName, entry, sources, migrations }.`);
  }
  const names = new Set<string>();
  for (const projection of props.projections) {
    validateSqlProjectionProps(where, projection);
    if (names.has(projection.projectionName)) {
      throw new Error(`${where}: two projections are named '${projection.projectionName}': each projectionName must be unique within the read model.`);
    }
    names.add(projection.projectionName);
  }
  const queriesEntry = props.queries && path.resolve(props.queries.entry);
  if (props.queries && queriesEntry) {
    if (!Token.isUnresolved(props.queries.entry) && !fs.existsSync(queriesEntry)) {
      throw new Error(`${where}: queries.entry not found at ${queriesEntry}. Point it at a module whose default export is defineSqlQueries<Tables>()(...).`);
    }
    checkIntegerInRange(where, 'queries.memorySize', props.queries.memorySize, 128, 10240);
    checkDurationInRange(where, 'queries.timeout', props.queries.timeout, Duration.seconds(1), Duration.minutes(15));
  }
  const entries = props.projections.map((projection) => path.resolve(projection.entry));
  prefetchModuleManifests([...entries, ...(queriesEntry ? [queriesEntry] : [])]);
  const projections = props.projections.map((projection, index) => planProjection(where, projection, entries[index]));
  if (queriesEntry) readSqlQueriesManifest(where, queriesEntry);
  return { projections, queriesEntry };
}

function validateSqlProjectionProps(where: string, props: SqlProjectionProps): void {
  checkPattern(where, 'projectionName', props.projectionName, /^[A-Za-z][A-Za-z0-9]{0,63}$/,
    'letters and digits, starting with a letter, at most 64 characters');
  const at = `${where}: projection '${props.projectionName}'`;
  if (RESERVED_NAMES.includes(props.projectionName)) {
    throw new Error(`${at}: projectionName must not be one of ${RESERVED_NAMES.join(', ')}, which name the read model's own parts.`);
  }
  if (!Token.isUnresolved(props.entry) && !fs.existsSync(props.entry)) {
    throw new Error(`${at}: entry not found at ${props.entry}. Point entry at a module whose default export is defineSqlProjection<Tables>()(...).`);
  }
  if (props.sources.length === 0) {
    throw new Error(`${at}: sources is empty. List the CqrsAggregates whose events the projection reads: the keys of its definition's aggregates.`);
  }
  const seen = new Set<string>();
  for (const source of props.sources) {
    if (seen.has(source.aggregateName)) {
      throw new Error(`${at}: sources holds two aggregates named '${source.aggregateName}'. A projection names each aggregate once, by aggregateName: list it once.`);
    }
    seen.add(source.aggregateName);
  }
  validateDeliveryProps(at, props);
}

/** Reads the module and the migrations of one projection, and matches the module's aggregates with `sources`. */
function planProjection(where: string, props: SqlProjectionProps, entry: string): SqlProjectionPlan {
  const at = `${where}: projection '${props.projectionName}'`;
  const migrations = path.resolve(props.migrations);
  const migrationFiles = readMigrations(at, migrations);
  const defined = readSqlProjectionManifest({ where, projectionName: props.projectionName, entry });
  const given = props.sources.map((source) => source.aggregateName);
  const missing = Object.keys(defined).filter((name) => !given.includes(name));
  const extra = given.filter((name) => !Object.keys(defined).includes(name));
  if (missing.length > 0 || extra.length > 0) {
    const fixes = [
      ...(missing.length > 0 ? [`add the CqrsAggregate${missing.length > 1 ? 's' : ''} of ${quoted(missing)} to sources`] : []),
      ...(extra.length > 0 ? [`remove ${quoted(extra)} from sources, or add ${extra.length > 1 ? 'them' : 'it'} to the definition's aggregates`] : []),
    ];
    throw new Error(`${at} (entry ${entry}): sources are ${quoted(given)}, but the definition's aggregates are ${quoted(Object.keys(defined))}. `
      + `They must be the same aggregates, by aggregateName: ${fixes.join('; ')}.`);
  }
  const sourcePlans = props.sources.map((aggregate) => {
    const eventTypes = defined[aggregate.aggregateName];
    if (eventTypes.length === 0) {
      throw new Error(`${at} (entry ${entry}): the projection has no handler for ${aggregate.aggregateName}'s events; remove it from sources or add handlers.`);
    }
    return {
      aggregateName: aggregate.aggregateName,
      eventSource: aggregate.eventSource,
      eventBus: aggregate.eventBus,
      internals: aggregateInternalsOf(aggregate, at),
      eventTypes,
    };
  });
  return { ...props, entry, migrations, migrationFiles, sourcePlans };
}

/** The cluster, or the props of a new one; warns of those an existing cluster makes useless. */
function validateDatabaseProps(scope: Construct, where: string, props: CqrsSqlReadModelProps): void {
  checkPattern(where, 'databaseName', props.databaseName, /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
    'letters, digits and \'_\', starting with a letter, at most 63 characters');
  if (props.cluster && !props.secret) {
    throw new Error(`${where}: cluster is given without secret. The Data API connects with a Secrets Manager secret: give the cluster's secret in secret (Secret.fromSecretCompleteArn), or leave out both for a new cluster.`);
  }
  if (props.secret && !props.cluster) {
    throw new Error(`${where}: secret is given without cluster. A new cluster makes its own secret: give the cluster the secret is for in cluster, or leave out secret.`);
  }
  if (props.secret && props.secret.secretFullArn === undefined) {
    throw new Error(`${where}: secret must be given by its full ARN, with the 6 random characters Secrets Manager adds to its name: the Data API and the functions' permissions need it. Import it with Secret.fromSecretCompleteArn (or fromSecretAttributes with secretCompleteArn).`);
  }
  if (props.cluster) {
    const useless = (['vpc', 'vpcSubnets', 'minCapacity', 'maxCapacity', 'deletionProtection'] as const).filter((prop) => props[prop] !== undefined);
    if (useless.length > 0) {
      Annotations.of(scope).addWarningV2('cdk-cqrs:sqlClusterPropsIgnored',
        `${useless.join(', ')} ${useless.length > 1 ? 'are' : 'is'} ignored: they configure a new cluster, and cluster is given.`);
    }
    return;
  }
  checkCapacity(where, 'minCapacity', props.minCapacity, 0);
  checkCapacity(where, 'maxCapacity', props.maxCapacity, 1);
  const min = props.minCapacity ?? SQL_READ_MODEL_DEFAULTS.minCapacity;
  const max = props.maxCapacity ?? SQL_READ_MODEL_DEFAULTS.maxCapacity;
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max) {
    throw new Error(`${where}: minCapacity must not be above maxCapacity (given minCapacity ${min}, maxCapacity ${max}).`);
  }
}

/** Aurora Serverless v2 capacity: `from` to 256 ACUs, in steps of 0.5. */
function checkCapacity(where: string, prop: string, value: number | undefined, from: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (value < from || value > 256 || !Number.isInteger(value * 2)) {
    throw new Error(`${where}: ${prop} must be between ${from} and 256 Aurora capacity units, in steps of 0.5 (given ${value}).`);
  }
}

function quoted(names: string[]): string {
  return names.length === 0 ? 'none' : names.map((name) => `'${name}'`).join(', ');
}
