import { applyMigrations, type Migration } from './sql-migrations';
import { createGeneration, ensureRegistry, liveGenerations, lockProjection, type AnyDb } from './sql-generations';

/** What a deploy did to one projection's tables. */
export interface ProjectionMigration {
  readonly projectionName: string;
  /** The generation made for a projection that had none (its first deploy). */
  readonly created?: number;
  /** Per live generation (its schema), the migrations applied to it now. */
  readonly applied: Readonly<Record<string, string[]>>;
}

/**
 * Brings a read model's tables to its migrations, at each deploy (and local start): the registry
 * is made if missing; a projection with no generation gets its first, active one; then each live
 * generation (the active one, and one a rebuild is filling) gets the migrations it has not
 * applied, in order. Running it again changes nothing.
 */
export async function migrateReadModel(db: AnyDb, migrations: Readonly<Record<string, readonly Migration[]>>): Promise<ProjectionMigration[]> {
  await ensureRegistry(db);
  const report: ProjectionMigration[] = [];
  for (const projectionName of Object.keys(migrations).sort()) {
    const created = await db.transaction().execute(async (trx) => {
      await lockProjection(trx, projectionName);
      if ((await liveGenerations(trx, projectionName)).length > 0) return undefined;
      return (await createGeneration(trx, projectionName, 'active', '')).generation;
    });
    const applied: Record<string, string[]> = {};
    for (const generation of await liveGenerations(db, projectionName)) {
      applied[generation.schemaName] = await applyMigrations(db, generation, migrations[projectionName]);
    }
    report.push({ projectionName, ...(created === undefined ? {} : { created }), applied });
  }
  return report;
}
