import { sql, type Kysely, type Transaction } from 'kysely';
import { SQL_READ_MODEL } from '../../lib/private/runtime-contract';

/**
 * The generations of a SQL projection's tables. Each generation is a PostgreSQL schema of its
 * own (`<projection>_g<n>`) holding the user's tables, made by the user's migrations, and two of
 * cdk-cqrs's: the checkpoint of each aggregate (the last version applied) and the migrations
 * applied. One generation is `active` (queries read it); a rebuild fills a `building` one, which
 * live projection also writes, and switches it to active in one transaction when it has caught
 * up. The registry of generations is `cdk_cqrs.generations`.
 */

/** A generation's state. `retired` generations are kept until the next rebuild, then dropped. */
export type GenerationStatus = 'building' | 'active' | 'retired';

export interface Generation {
  readonly projectionName: string;
  readonly generation: number;
  /** The PostgreSQL schema holding its tables. */
  readonly schemaName: string;
  readonly status: GenerationStatus;
  /** The code version of the projection that built it (or that took it over at a deploy). */
  readonly codeVersion: string;
}

/** Any database: cdk-cqrs's own statements are raw SQL, so the user's table types do not matter here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any> | Transaction<any>;

const REGISTRY = SQL_READ_MODEL.registrySchema;
/** Tables cdk-cqrs keeps in each generation's schema, beside the user's. */
export const CHECKPOINTS_TABLE = 'cdk_cqrs_checkpoints';
export const MIGRATIONS_TABLE = 'cdk_cqrs_migrations';

/** A projection name is letters and digits, starting with a letter (the construct checks it); this keeps a schema name within PostgreSQL's 63 bytes. */
const PROJECTION_NAME = /^[A-Za-z][A-Za-z0-9]{0,49}$/;

/** The schema of a generation: lower case, as PostgreSQL folds unquoted names. */
export function schemaNameOf(projectionName: string, generation: number): string {
  if (!PROJECTION_NAME.test(projectionName)) {
    throw new Error(`cdk-cqrs: SQL projection name ${JSON.stringify(projectionName)} must be 1 to 50 letters and digits, starting with a letter.`);
  }
  return `${projectionName.toLowerCase()}_g${generation}`;
}

/** A key for PostgreSQL's advisory locks that serializes the changes to one projection's generations (migrations, rebuild start, switch). */
const lockOf = (projectionName: string) => sql`pg_advisory_xact_lock(hashtext(${`cdk-cqrs:${projectionName.toLowerCase()}`}))`;

/** Takes the projection's advisory lock until `trx` ends. */
export async function lockProjection(trx: Transaction<unknown>, projectionName: string): Promise<void> {
  await sql`SELECT ${lockOf(projectionName)}`.execute(trx);
}

/** Creates the registry if it is not there (idempotent; concurrent callers wait on one lock). */
export async function ensureRegistry(db: AnyDb): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('cdk-cqrs:registry'))`.execute(trx);
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(REGISTRY)}`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS ${sql.id(REGISTRY, 'generations')} (
      projection text NOT NULL,
      generation integer NOT NULL,
      schema_name text NOT NULL UNIQUE,
      status text NOT NULL CHECK (status IN ('building', 'active', 'retired')),
      code_version text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      switched_at timestamptz,
      PRIMARY KEY (projection, generation)
    )`.execute(trx);
    // A rebuild's progress: one row per (aggregate read, Scan segment); the last segment done switches.
    await sql`CREATE TABLE IF NOT EXISTS ${sql.id(REGISTRY, 'rebuild_segments')} (
      projection text NOT NULL,
      generation integer NOT NULL,
      source text NOT NULL,
      segment integer NOT NULL,
      done boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (projection, generation, source, segment)
    )`.execute(trx);
    // The last generation number given per projection: a number is never given twice, not even
    // after its generation was dropped (a rebuild's restart), so that the dropped rebuild's segment
    // invocations, still queued, find their generation gone rather than another one under its number.
    await sql`CREATE TABLE IF NOT EXISTS ${sql.id(REGISTRY, 'generation_numbers')} (
      projection text PRIMARY KEY,
      last_generation integer NOT NULL
    )`.execute(trx);
    // At most one active and one building generation per projection.
    await sql`CREATE UNIQUE INDEX IF NOT EXISTS generations_one_per_status ON ${sql.id(REGISTRY, 'generations')} (projection, status) WHERE status IN ('building', 'active')`.execute(trx);
  });
}

interface GenerationRow {
  projection: string;
  generation: number;
  schema_name: string;
  status: GenerationStatus;
  code_version: string;
}

const toGeneration = (row: GenerationRow): Generation => ({
  projectionName: row.projection, generation: Number(row.generation), schemaName: row.schema_name, status: row.status, codeVersion: row.code_version,
});

/** The generations a projector writes: the active one and, during a rebuild, the building one (active first). */
export async function liveGenerations(db: AnyDb, projectionName: string): Promise<Generation[]> {
  const { rows } = await sql<GenerationRow>`SELECT projection, generation, schema_name, status, code_version FROM ${sql.id(REGISTRY, 'generations')}
    WHERE projection = ${projectionName} AND status IN ('active', 'building') ORDER BY status = 'building', generation`.execute(db);
  return rows.map(toGeneration);
}

/** Every generation of a projection, oldest first. */
export async function allGenerations(db: AnyDb, projectionName: string): Promise<Generation[]> {
  const { rows } = await sql<GenerationRow>`SELECT projection, generation, schema_name, status, code_version FROM ${sql.id(REGISTRY, 'generations')}
    WHERE projection = ${projectionName} ORDER BY generation`.execute(db);
  return rows.map(toGeneration);
}

/**
 * Makes the next generation of a projection, empty but for cdk-cqrs's two tables, with `status`.
 * Its number is one more than any given before to the projection, dropped generations included.
 * Call it holding the projection's lock.
 */
export async function createGeneration(trx: Transaction<unknown>, projectionName: string, status: 'building' | 'active', codeVersion: string): Promise<Generation> {
  // A projection registered before the numbers were kept starts after its highest generation.
  const { rows } = await sql<{ next: number | string }>`INSERT INTO ${sql.id(REGISTRY, 'generation_numbers')} AS numbers (projection, last_generation)
    VALUES (${projectionName}, (SELECT COALESCE(MAX(generation), 0) + 1 FROM ${sql.id(REGISTRY, 'generations')} WHERE projection = ${projectionName}))
    ON CONFLICT (projection) DO UPDATE SET last_generation = GREATEST(numbers.last_generation + 1, EXCLUDED.last_generation)
    RETURNING last_generation AS next`.execute(trx);
  const generation = Number(rows[0].next);
  const schemaName = schemaNameOf(projectionName, generation);
  await sql`CREATE SCHEMA ${sql.id(schemaName)}`.execute(trx);
  await sql`CREATE TABLE ${sql.id(schemaName, CHECKPOINTS_TABLE)} (
    aggregate_name text NOT NULL,
    aggregate_id text NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (aggregate_name, aggregate_id)
  )`.execute(trx);
  await sql`CREATE TABLE ${sql.id(schemaName, MIGRATIONS_TABLE)} (
    name text PRIMARY KEY,
    sha256 text NOT NULL,
    sql text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`.execute(trx);
  await sql`INSERT INTO ${sql.id(REGISTRY, 'generations')} (projection, generation, schema_name, status, code_version)
    VALUES (${projectionName}, ${generation}, ${schemaName}, ${status}, ${codeVersion})`.execute(trx);
  return { projectionName, generation, schemaName, status, codeVersion };
}

/** Makes tables unqualified in `trx` resolve in `schemaName` (and only there: a user's table never shadows another generation's). */
export async function useSchema(trx: Transaction<unknown>, schemaName: string): Promise<void> {
  await sql`SET LOCAL search_path TO ${sql.id(schemaName)}`.execute(trx);
}

/** Drops a generation: its schema with every table in it, its registry row and its rebuild's progress. Call it holding the projection's lock. */
export async function dropGeneration(trx: Transaction<unknown>, generation: Generation): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(generation.schemaName)} CASCADE`.execute(trx);
  await sql`DELETE FROM ${sql.id(REGISTRY, 'rebuild_segments')} WHERE projection = ${generation.projectionName} AND generation = ${generation.generation}`.execute(trx);
  await sql`DELETE FROM ${sql.id(REGISTRY, 'generations')} WHERE projection = ${generation.projectionName} AND generation = ${generation.generation}`.execute(trx);
}
