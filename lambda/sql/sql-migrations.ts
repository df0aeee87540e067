import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { splitStatements } from './sql-text';
import { MIGRATIONS_TABLE, lockProjection, useSchema, type AnyDb, type Generation } from './sql-generations';

/** One migration file: its name (which orders it) and its SQL text. */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

/** A migration folder that no longer matches what a generation has applied: fixed by a new migration, never by editing an applied one. */
export class MigrationMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationMismatch';
  }
}

export const sha256Of = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Applies to one generation the migrations it has not applied, in name order, each in its own
 * transaction with its record (PostgreSQL's DDL is transactional: a migration applies whole or
 * not at all), holding the projection's lock so that concurrent deploys apply each once.
 *
 * Refused, before anything is applied: an applied migration whose text changed, one that is no
 * longer given, and a new one whose name sorts before an applied one (it would run out of order).
 * Returns the names it applied.
 */
export async function applyMigrations(db: AnyDb, generation: Generation, migrations: readonly Migration[]): Promise<string[]> {
  const ordered = [...migrations].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const where = `projection ${generation.projectionName} (schema ${generation.schemaName})`;
  const appliedNames: string[] = [];
  for (const migration of ordered) {
    const applied = await db.transaction().execute(async (trx) => {
      await lockProjection(trx, generation.projectionName);
      const { rows } = await sql<{ name: string; sha256: string }>`SELECT name, sha256 FROM ${sql.id(generation.schemaName, MIGRATIONS_TABLE)} ORDER BY name`.execute(trx);
      checkHistory(where, rows, ordered);
      if (rows.some((row) => row.name === migration.name)) return false;
      await runMigration(trx, generation, migration);
      return true;
    });
    if (applied) appliedNames.push(migration.name);
  }
  return appliedNames;
}

/**
 * Runs one migration's statements in `trx`, tables unqualified resolving in the generation's
 * schema, and records it with its text (a rebuild replays the recorded texts into a new generation).
 */
export async function runMigration(trx: Transaction<unknown>, generation: Generation, migration: Migration): Promise<void> {
  const where = `projection ${generation.projectionName} (schema ${generation.schemaName})`;
  await useSchema(trx, generation.schemaName);
  const statements = splitStatements(migration.sql);
  if (statements.length === 0) throw new MigrationMismatch(`Migration ${migration.name} of ${where} has no statement.`);
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(trx);
    } catch (error) {
      throw new Error(`Migration ${migration.name} of ${where} failed at: ${statement.slice(0, 200)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  await sql`INSERT INTO ${sql.id(generation.schemaName, MIGRATIONS_TABLE)} (name, sha256, sql) VALUES (${migration.name}, ${sha256Of(migration.sql)}, ${migration.sql})`.execute(trx);
}

/** The migrations a generation has applied, in order, with their texts. */
export async function recordedMigrations(db: AnyDb, schemaName: string): Promise<Migration[]> {
  const { rows } = await sql<Migration>`SELECT name, sql FROM ${sql.id(schemaName, MIGRATIONS_TABLE)} ORDER BY name`.execute(db);
  return rows.map(({ name, sql: text }) => ({ name, sql: text }));
}

/** Throws when the applied history is not a prefix of the given migrations, each with its text unchanged. */
function checkHistory(where: string, applied: readonly { readonly name: string; readonly sha256: string }[], given: readonly Migration[]): void {
  applied.forEach((row, index) => {
    const migration = given[index];
    // Migrations only go forward: a deploy that rolls back runs the migrator of before with fewer
    // migrations than are applied. Every one it has applied, unchanged, and nothing to do: that is no fault.
    if (migration === undefined && index >= given.length && given.every((m, i) => m.name === applied[i].name && sha256Of(m.sql) === applied[i].sha256)) return;
    if (migration === undefined || migration.name !== row.name) {
      const known = given.find((m) => m.name === row.name);
      throw new MigrationMismatch(known
        ? `Migration ${migration?.name ?? '?'} of ${where} is new but sorts before ${row.name}, which is applied: rename it to sort after the last applied migration.`
        : `Migration ${row.name} of ${where} was applied but is no longer in the migrations folder: put it back (migrations are never removed; undo one with a new migration).`);
    }
    if (sha256Of(migration.sql) !== row.sha256) {
      throw new MigrationMismatch(`Migration ${row.name} of ${where} was changed after it was applied: put back its applied text and make the change in a new migration.`);
    }
  });
}
