import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A SQL projection's migrations folder, read at synth: the `*.sql` files in the order they are
 * applied, each with the SHA-256 of its text, so that the migrations resource changes (and the
 * migrator runs at deploy) when a file is added or changed.
 */

/** One migration file. */
export interface MigrationFile {
  /** The file name, e.g. `001_init.sql`. */
  readonly name: string;
  /** The SHA-256 of its text (UTF-8), in hex: what the migrator records for it. */
  readonly sha256: string;
}

/** What a migration file may be named: it is a key the migrator records, and sorts by, as plain ASCII. */
const MIGRATION_FILE_NAME = /^[A-Za-z0-9_.-]+\.sql$/;

/**
 * The migration files of the folder `dir`, in file-name order (plain code-point order, as the
 * migrator applies them). Files whose names do not end in `.sql` (any case) are not migrations
 * and are left alone; `at` starts each error, e.g. `CqrsSqlReadModel 'Reports': projection 'Orders'`.
 */
export function readMigrations(at: string, dir: string): MigrationFile[] {
  const fix = 'Point migrations at a folder of .sql files (001_init.sql, 002_...), applied in the order of their names.';
  if (!fs.existsSync(dir)) throw new Error(`${at}: migrations folder not found at ${dir}. ${fix}`);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${at}: migrations must be a folder; ${dir} is a file. ${fix}`);
  const names = fs.readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.sql$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) {
    throw new Error(`${at}: the migrations folder ${dir} holds no .sql file. Add one (for example 001_init.sql) that creates the projection's tables.`);
  }
  return names.map((name) => {
    if (!MIGRATION_FILE_NAME.test(name)) {
      throw new Error(`${at}: the migration file '${name}' in ${dir} must be named with ASCII letters, digits, '_', '-' and '.', ending in .sql. Rename it.`);
    }
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    if (text.trim() === '') {
      throw new Error(`${at}: the migration file '${name}' in ${dir} is empty. Write its SQL, or remove the file.`);
    }
    return { name, sha256: crypto.createHash('sha256').update(text, 'utf8').digest('hex') };
  });
}
