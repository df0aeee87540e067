import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions, Loader } from 'esbuild-wasm';
import { buildOrThrow, importPath } from './esbuild';
import { runtimeHandler, runtimeIndex, type RuntimeHandlerName } from './runtime-location';

/** The Node.js runtime of every function, and the esbuild target that matches it. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

/** The file each bundle is written to, and the handler Lambda calls in it. */
const BUNDLE_FILE = 'index.js';
export const BUNDLE_HANDLER = 'index.handler';

/**
 * The code of the command handler: the user's aggregate module (its default export is
 * `defineAggregate(...)`) handed to the runtime's `createCommandHandler`.
 *
 * @param entry absolute path of the user's aggregate module; it must exist
 */
export const commandHandlerCode = (entry: string): lambda.Code =>
  userModuleCode(`the command handler of ${entry}`, entry, 'command-handler', 'createCommandHandler',
    'Add `export default defineAggregate(...)` to it.');

/**
 * The code of a projector: the user's projection module (its default export is
 * `defineProjection(...)`) handed to the runtime's `createProjector`.
 *
 * @param entry absolute path of the user's projection module; it must exist
 */
export const projectorCode = (entry: string): lambda.Code =>
  userModuleCode(`the projector of ${entry}`, entry, 'projector', 'createProjector',
    'Add `export default defineProjection(...)` (or `defineCustomProjection(...)`) to it.');

/**
 * The code of the query function: the user's queries module (its default export is
 * `defineQueries(...)`) handed to the runtime's `createQueryHandler`.
 *
 * @param entry absolute path of the user's queries module; it must exist
 */
export const queryHandlerCode = (entry: string): lambda.Code =>
  userModuleCode(`the query function of ${entry}`, entry, 'query-handler', 'createQueryHandler',
    'Add `export default defineQueries(...)` to it.');

/**
 * The code of a projection reader: the user's projection modules that an HTTP API exposes, by
 * projection name, handed to the runtime's `createProjectionReader`.
 *
 * @param projections each exposed projection's name and the absolute path of its module
 */
export function projectionReaderCode(projections: ReadonlyArray<{ readonly projectionName: string; readonly entry: string }>): lambda.Code {
  const wrapper = [
    ...projections.map((projection, index) => `import projection${index} from ${importPath(projection.entry)};`),
    `import { createProjectionReader } from ${importPath(runtimeHandler('projection-reader'))};`,
    // Computed keys of JSON strings: any name is a key of its own, never code, and `__proto__` too
    // (a literal `"__proto__": x` would set the object's prototype instead).
    `export const handler = createProjectionReader({ ${projections.map((projection, index) => `[${JSON.stringify(projection.projectionName)}]: projection${index}`).join(', ')} });`,
  ].join('\n');
  const entries = projections.map((projection) => projection.entry).join(', ');
  return bundledCode(`the projection reader of ${entries}`, path.dirname(projections[0].entry), wrapper,
    `Bundling the projection reader of ${entries} failed: a projection module has no default export. Add \`export default defineProjection(...)\` to it.`);
}

/**
 * The code of a SQL projector: the user's SQL projection module (its default export is
 * `defineSqlProjection<Tables>()(...)`) handed to the runtime's `createSqlProjector`.
 *
 * @param entry absolute path of the user's SQL projection module; it must exist
 */
export const sqlProjectorCode = (entry: string): lambda.Code =>
  userModuleCode(`the SQL projector of ${entry}`, entry, 'sql-projector', 'createSqlProjector',
    'Add `export default defineSqlProjection<Tables>()(...)` to it.');

/**
 * The code of a SQL read model's query function: the user's queries module (its default export
 * is `defineSqlQueries<Tables>()(...)`) handed to the runtime's `createSqlQueryHandler`.
 *
 * @param entry absolute path of the user's SQL queries module; it must exist
 */
export const sqlQueryHandlerCode = (entry: string): lambda.Code =>
  userModuleCode(`the SQL query function of ${entry}`, entry, 'sql-query-handler', 'createSqlQueryHandler',
    'Add `export default defineSqlQueries<Tables>()(...)` to it.');

/** One projection's migrations, as the migrator bundles them. */
export interface SqlMigrationSet {
  readonly projectionName: string;
  /** Absolute path of the folder. */
  readonly migrationsDir: string;
  /** The file names, in the order they are applied. */
  readonly files: readonly string[];
}

/**
 * The code of a SQL read model's migrator: the text of every migration file (esbuild's text
 * loader), by projection, in order, handed to the runtime's `createSqlMigrator`.
 */
export function sqlMigratorCode(projections: readonly SqlMigrationSet[]): lambda.Code {
  const imports: string[] = [];
  const sets = projections.map((projection, p) => {
    const files = projection.files.map((file, f) => {
      imports.push(`import migration${p}_${f} from ${importPath(path.join(projection.migrationsDir, file))};`);
      return `{ name: ${JSON.stringify(file)}, sql: migration${p}_${f} }`;
    });
    // Computed keys of JSON strings, as in projectionReaderCode.
    return `[${JSON.stringify(projection.projectionName)}]: [${files.join(', ')}]`;
  });
  const wrapper = [
    ...imports,
    `import { createSqlMigrator } from ${importPath(runtimeHandler('sql-migrator'))};`,
    `export const handler = createSqlMigrator({ ${sets.join(', ')} });`,
  ].join('\n');
  const folders = projections.map((projection) => projection.migrationsDir).join(', ');
  return bundledCode(`the SQL migrator of ${folders}`, projections[0].migrationsDir, wrapper, undefined, { '.sql': 'text' });
}

/**
 * A generated entry: `export const handler = <factory>(<the user module's default export>)`.
 * `addDefault` is the fix when the module has no default export (`CqrsAggregate` reads every
 * module at synth and says so before it bundles; this is for any other caller).
 */
function userModuleCode(what: string, entry: string, handlerModule: RuntimeHandlerName, factory: string, addDefault: string): lambda.Code {
  const wrapper = [
    `import definition from ${importPath(entry)};`,
    `import { ${factory} } from ${importPath(runtimeHandler(handlerModule))};`,
    `export const handler = ${factory}(definition);`,
  ].join('\n');
  return bundledCode(what, path.dirname(entry), wrapper, `Bundling ${what} failed: ${entry} has no default export. ${addDefault}`);
}

/** The code of the outbox publisher: the runtime's `handlers/publisher` module as it is. */
export function publisherCode(): lambda.Code {
  const publisher = runtimeHandler('publisher');
  const wrapper = `export { handler } from ${importPath(publisher)};`;
  return bundledCode(`the publisher (${publisher})`, path.dirname(publisher), wrapper);
}

/** `loader` adds esbuild loaders by file extension (the migrator's `.sql` as text); other bundles pass none. */
function bundledCode(what: string, resolveDir: string, contents: string, missingDefaultExport?: string, loader?: Record<string, Loader>): lambda.Code {
  const options: BuildOptions = {
    stdin: { contents, resolveDir, sourcefile: 'cdk-cqrs-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'cjs',
    // Whitespace and syntax minified, identifiers kept: a handler's text is then the same in
    // every bundle that holds it (a projector, the query function), and the code versions the
    // runtime hashes from that text agree, so documents and snapshots are not folded again
    // just because another bundle renamed a variable.
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: false,
    // The Node.js 24 Lambda runtime provides AWS SDK v3: leaving it out keeps bundles small
    // and cold starts fast.
    external: ['@aws-sdk/*'],
    // The user's `import ... from 'cdk-cqrs/runtime'` resolves to the very runtime copy the
    // wrapper imports, wherever (and whether) the app installed cdk-cqrs.
    alias: { 'cdk-cqrs/runtime': runtimeIndex() },
    logLevel: 'silent',
    ...(loader && { loader }),
  };
  return lambda.Code.fromAsset(resolveDir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never used while the local bundler succeeds (and it either
      // succeeds or throws), so synth needs no Docker engine.
      image: FUNCTION_RUNTIME.bundlingImage,
      local: new EsbuildBundling(what, options, missingDefaultExport),
    },
  });
}

/**
 * Bundles with esbuild in this process. Its fields are part of the asset cache key that CDK
 * derives from the bundling options, so two different entries never share a bundle.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(public readonly what: string, public readonly options: BuildOptions, public readonly missingDefaultExport?: string) {}

  public tryBundle(outputDir: string): boolean {
    fs.mkdirSync(outputDir, { recursive: true });
    buildOrThrow(this.what, { ...this.options, outfile: path.join(outputDir, BUNDLE_FILE) }, this.missingDefaultExport);
    return true;
  }
}
